/** Runs the built `iiot` command as a real child process against a copy of the bundled sources. */
import { spawn } from "node:child_process"
import { cpSync, mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"

export const repo = resolve(import.meta.dirname, "../..")

export interface Result {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs `iiot …args` in `cwd` (piped, so no TTY progress), under `node …nodeFlags`, with `env` added. Asynchronous on purpose: a blocking
 * spawnSync starves vitest's worker RPC on a loaded 2-core machine.
 */
export const iiot = (args: ReadonlyArray<string>, cwd: string = repo, nodeFlags: ReadonlyArray<string> = [], env: Readonly<Record<string, string>> = {}): Promise<Result> =>
  new Promise((done, fail) => {
    const child = spawn(process.execPath, [...nodeFlags, join(repo, "bin/iiot.mjs"), ...args], { cwd, env: { ...process.env, NO_COLOR: "1", ...env } })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d) => (stdout += d))
    child.stderr.on("data", (d) => (stderr += d))
    child.on("error", fail)
    child.on("close", (code) => done({ code: code ?? -1, stdout, stderr }))
  })

/** A temp workspace with a copy of the bundled sources; commands run with it as cwd. */
export const workspace = (): string => {
  const dir = mkdtempSync(join(tmpdir(), "iiot-cli-"))
  cpSync(join(repo, "sources"), join(dir, "sources"), { recursive: true })
  return dir
}
