/**
 * Where a worker thread's script is: each worker is its own entry of the esbuild bundle
 * (`dist/<name>.js`, see scripts/build.mjs), because a worker cannot load TypeScript sources
 * without the loader the tests and benches run under.
 */
import { existsSync, readdirSync, statSync } from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { Worker } from "node:worker_threads"

/**
 * The built script `name`: beside the running bundle (dist/), or dist/ seen from the sources.
 * From the sources (tests, bench) it is the last build, so it is not used when any module under
 * `sourceDirs` (folders of pipeline/, e.g. "ingest") changed since: it would run old code.
 * Undefined: no usable script; the caller does the work on its own thread.
 */
export const builtWorker = (name: string, sourceDirs: ReadonlyArray<string>): URL | undefined => {
  const bundled = new URL(`./${name}.js`, import.meta.url)
  if (bundled.protocol === "file:" && existsSync(fileURLToPath(bundled))) return bundled
  const built = new URL(`../../dist/${name}.js`, import.meta.url)
  return built.protocol === "file:" && existsSync(fileURLToPath(built)) && !olderThanSources(fileURLToPath(built), sourceDirs) ? built : undefined
}

const olderThanSources = (script: string, sourceDirs: ReadonlyArray<string>): boolean => {
  const built = statSync(script).mtimeMs
  const pipeline = fileURLToPath(new URL("..", import.meta.url))
  return sourceDirs.some((dir) => readdirSync(path.join(pipeline, dir)).some((f) => f.endsWith(".ts") && statSync(path.join(pipeline, dir, f)).mtimeMs > built))
}

/**
 * Runs `script` in a worker thread for one job: sends it `message` (moving `transfer`), and gives
 * its first reply, or undefined when it cannot start, fails or exits first. The worker is ended
 * once it has replied. `running` (optional) holds it meanwhile, so a caller can stop it early.
 */
export const askWorker = <Reply>(script: URL, message: unknown, transfer: ReadonlyArray<ArrayBuffer> = [], running?: Set<Worker>): Promise<Reply | undefined> =>
  new Promise((resolve) => {
    let worker: Worker | undefined
    try {
      // No inherited flags: a loader such as tsx (tests, bench) would load itself again in the worker.
      worker = new Worker(script, { execArgv: [] })
      running?.add(worker)
      worker.postMessage(message, [...transfer])
    } catch {
      // Could not start, or the message could not be sent (e.g. a value that cannot be cloned): end it.
      if (worker !== undefined) {
        running?.delete(worker)
        void worker.terminate()
      }
      resolve(undefined)
      return
    }
    const started = worker
    let settled = false
    const settle = (reply: Reply | undefined) => {
      if (settled) return
      settled = true
      running?.delete(started)
      void started.terminate()
      resolve(reply)
    }
    started.once("message", (m: Reply) => settle(m))
    started.once("error", () => settle(undefined))
    started.once("exit", () => settle(undefined))
  })
