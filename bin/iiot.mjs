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

// Two settings a refresh of a million-row list needs, which only a new process can take:
// - glibc's malloc raises its mmap threshold the first time it frees an mmapped block, after
//   which blocks of up to 32 MiB come from its arenas and, once freed, mostly stay in RSS: the
//   ingested tables of a big refresh linger after they are dropped. A fixed threshold keeps such
//   blocks mmapped and gives them back on free. Measured on the 1M-row end-to-end bench: peak RSS
//   2.05–2.07 GB without, 1.77–1.89 GB with 64 KiB. glibc reads it once, at process start (Linux only).
// - V8's young generation (16 MiB semi-spaces by default) fills every few milliseconds while a
//   refresh parses and normalises millions of cells, and each scavenge copies what is still
//   alive; 64 MiB ones let most of it die first. The flag is process-wide, so the worker threads
//   get it too. Measured on the 1M-row end-to-end bench, three interleaved runs each: 25.2–26.2 s
//   against 27.0–27.8 s (registry ingest 3.8–4.1 s against 4.2–4.6 s), peak RSS 1.70–1.72 GB
//   against 1.53–1.56 GB; 96 MiB was no faster and took 1.91–1.95 GB. A flag the caller gave
//   (e.g. `node --max-semi-space-size=16 bin/iiot.mjs`, or `--max_semi_space_size` in
//   NODE_OPTIONS) is kept.
// So the command starts itself again with what is missing, passing on SIGINT, SIGTERM and SIGHUP
// and the exit status (or the signal that ended it). Not on Windows, where a child cannot be
// sent SIGINT (it would be killed, not stopped cleanly): there the command runs as started.
const TUNING = "MALLOC_MMAP_THRESHOLD_"
const RELAUNCHED = "IIOT_RELAUNCHED"
const V8_FLAGS = ["--max-semi-space-size=64"]
// A flag's name as V8 reads it: `-` and `_` alike, quotes (allowed in NODE_OPTIONS) dropped.
const flagName = (arg) => arg.replace(/^["']|["']$/g, "").split("=")[0].replaceAll("_", "-")
// Flags the caller gave, on the command line or in NODE_OPTIONS (which ours would override).
const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)].map(flagName)
const missingFlags = V8_FLAGS.filter((f) => !given.includes(flagName(f)))
const missingEnv = process.platform === "linux" && process.env[TUNING] === undefined ? { [TUNING]: "65536" } : {}
const relaunched = process.env[RELAUNCHED] === "1"
// Not handed down: an `iiot` this one starts gets its own settings.
delete process.env[RELAUNCHED]
if (!relaunched && process.platform !== "win32" && (missingFlags.length > 0 || Object.keys(missingEnv).length > 0)) {
  const child = spawn(process.execPath, [...process.execArgv, ...missingFlags, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: "inherit",
    env: { ...process.env, ...missingEnv, [RELAUNCHED]: "1" },
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
  if (relaunched) {
    // A signal sent to the process group reaches this process twice (directly and passed on): the
    // CLI stops cleanly on the first; a second would otherwise kill it half-way through.
    for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => undefined)
  }
  await import(bundle.href)
}
