#!/usr/bin/env node
// The `iiot` command: runs the bundled CLI built by `npm run build` (done by `npm ci`).
import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { constants } from "node:os"
import { fileURLToPath } from "node:url"

const bundle = new URL("../dist/iiot.js", import.meta.url)
if (!existsSync(bundle)) {
  process.stderr.write("iiot: dist/iiot.js is missing; run `npm run build` (npm ci does it for you).\n")
  process.exit(2)
}

// glibc's malloc raises its mmap threshold the first time it frees an mmapped block, after which
// blocks of up to 32 MiB come from its arenas and, once freed, mostly stay in RSS: the ingested
// tables of a big refresh linger after they are dropped. A fixed threshold keeps such blocks
// mmapped and gives them back on free. Measured on the 1M-row end-to-end bench: peak RSS 2.05–2.07
// GB without, 1.77–1.89 GB with 64 KiB. glibc reads the setting once, at process start, so on
// Linux the command starts itself again with it, passing on SIGINT, SIGTERM and SIGHUP and the
// exit status (or the signal that ended it).
const TUNING = "MALLOC_MMAP_THRESHOLD_"
const RELAUNCHED = "IIOT_RELAUNCHED"
if (process.platform === "linux" && process.env[TUNING] === undefined) {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: "inherit",
    env: { ...process.env, [TUNING]: "65536", [RELAUNCHED]: "1" },
  })
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal))
  child.on("error", (e) => {
    process.stderr.write(`iiot: could not start: ${e.message}\n`)
    process.exit(1)
  })
  child.on("exit", (code, signal) => {
    if (signal === null) process.exit(code ?? 1)
    // Ended by a signal: end the same way, so a caller sees what the command saw.
    process.removeAllListeners(signal)
    process.kill(process.pid, signal)
    process.exit(128 + (constants.signals[signal] ?? 0))
  })
} else {
  if (process.env[RELAUNCHED] === "1") {
    // A signal sent to the process group reaches this process twice (directly and passed on): the
    // CLI stops cleanly on the first; a second would otherwise kill it half-way through.
    for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => undefined)
  }
  await import(bundle.href)
}
