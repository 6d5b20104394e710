/**
 * A worker thread reading and checking one byte range of a big CSV (see Parallel). It hands over
 * each block of rows as it fills (its buffers are transferred, not copied), then the rest; it stays
 * alive until the main thread, having taken its last message, ends it.
 */
import { Effect } from "effect"
import { parentPort } from "node:worker_threads"
import * as RawRows from "../domain/RawRows.js"
import { checkRows } from "./CheckRows.js"
import * as CsvReader from "./CsvReader.js"
import type { PartSpec, WorkerMessage } from "./Parallel.js"

const port = parentPort!
const post = (m: WorkerMessage, transfer: ReadonlyArray<ArrayBuffer> = []) => port.postMessage(m, transfer)

const run = (spec: PartSpec) => {
  const read = CsvReader.readRange(spec.layout, { start: spec.start, end: spec.end })
  Effect.runPromise(
    checkRows(read.eachBatch, spec.ctx, () => read.outcome().sawNul, (block) => post({ _tag: "block", block }, RawRows.buffersOf([block]))).pipe(
      Effect.map((c) => post({ _tag: "done", length: c.rows.length, quarantine: c.quarantine, findings: c.findings, counts: c.counts, outcome: read.outcome() })),
    ),
  ).catch((e: unknown) => post({ _tag: "failed", message: e instanceof Error ? e.message : String(e) }))
}

// The range comes as the one message; the listener stays, so the worker lives until the main thread ends it.
let started = false
port.on("message", (spec: PartSpec) => {
  if (started) return
  started = true
  run(spec)
})
