/**
 * A big CSV read as consecutive byte ranges at once: the first on this thread, each other one
 * in a worker thread (IngestWorker), then joined in file order, each range's row numbers moved
 * on by the records before it. Why: reading and validating is one JS thread's work; on a 2-core
 * machine the 337 MB bench registry ingests in ~3.7 s as two ranges against ~6.7 s start to end
 * (measured once; `npm run bench` shows only the split read's figure).
 *
 * Ranges are cut right after a line break, found in the bytes; only encodings in which a line
 * feed byte is always a line feed qualify (UTF-8, GB18030). A line break may still sit inside a
 * quoted cell; then the range before it does not end on a record (`cleanEnd`), and the whole
 * file is read again start to end. So is it on any failure in any range: the result is the
 * start-to-end read's, errors and row numbers included, or one equal to it.
 */
import { Effect } from "effect"
import { statSync } from "node:fs"
import * as fs from "node:fs/promises"
import { availableParallelism } from "node:os"
import type * as Finding from "../domain/Finding.js"
import * as RawRows from "../domain/RawRows.js"
import { askWorker, builtWorker, prestart } from "../engine/WorkerScript.js"
import { checkRows, type CheckedRows, type RowContext } from "./CheckRows.js"
import * as CsvReader from "./CsvReader.js"

/** How a source may be split; both fields are for tests and tuning. */
export interface SplitOptions {
  /** Smallest file (bytes) worth splitting; each range is at least half this. Default 32 MiB. */
  readonly minBytes?: number
  /** Ranges to read at once; default: the machine's cores. 1 turns splitting off. */
  readonly parts?: number
}

/** Below this a file is read start to end: starting workers and finding cuts would not pay back. */
const DEFAULT_SPLIT_MIN_BYTES = 32 * 1024 * 1024

/** Encodings (as Encoding.resolveEncoding names them) in which byte 0x0A only ever encodes a line feed, so a range may start after one. */
const SPLITTABLE = new Set(["utf-8", "gb18030"])

/** What a worker is given: the file's layout, its range and how to check its rows. */
export interface PartSpec {
  readonly layout: CsvReader.CsvLayout
  readonly start: number
  readonly end: number | undefined
  readonly ctx: RowContext
}

/** Messages from a worker: blocks as they fill, then the rest, or the failure. */
export type WorkerMessage =
  | { readonly _tag: "block"; readonly block: RawRows.RawBlock }
  | { readonly _tag: "done"; readonly length: number; readonly quarantine: CheckedRows["quarantine"]; readonly findings: CheckedRows["findings"]; readonly counts: CheckedRows["counts"]; readonly outcome: CsvReader.RangeOutcome }
  | { readonly _tag: "failed"; readonly message: string }

/** One range's rows after validation, and how its read went. */
interface Part {
  readonly checked: CheckedRows
  readonly outcome: CsvReader.RangeOutcome
}

/** The built worker script; undefined when there is none that runs the current code. */
const workerScript = (): URL | undefined => builtWorker("ingest-worker", ["ingest", "domain", "normalize"])

/**
 * Starts the workers a split read will ask for (one per core but this one), when any of `files`
 * is big enough to be split, so that they have loaded by then (see `prestart`).
 */
export const prestartFor = (files: ReadonlyArray<string>): boolean => {
  const big = files.some((f) => {
    try {
      return statSync(f).size >= DEFAULT_SPLIT_MIN_BYTES
    } catch {
      return false
    }
  })
  const script = big ? workerScript() : undefined
  if (script !== undefined) prestart(script, availableParallelism() - 1)
  return script !== undefined
}

/**
 * Where to cut: for each of `parts - 1` points spread over the file, the byte just after the
 * first line feed from there on (looked for in the next 1 MiB; none there: no cut).
 */
const cutPoints = (file: string, size: number, parts: number): Effect.Effect<ReadonlyArray<number>> =>
  Effect.tryPromise(async () => {
    const fh = await fs.open(file, "r")
    try {
      const cuts: Array<number> = []
      const buf = Buffer.alloc(1 << 20)
      for (let i = 1; i < parts; i++) {
        const from = Math.floor((size * i) / parts)
        const { bytesRead } = await fh.read(buf, 0, buf.length, from)
        const lf = buf.subarray(0, bytesRead).indexOf(0x0a)
        const cut = lf < 0 ? -1 : from + lf + 1
        if (cut > (cuts.at(-1) ?? 0) && cut < size) cuts.push(cut)
      }
      return cuts
    } finally {
      await fh.close()
    }
  }).pipe(Effect.orElseSucceed(() => []))

/** A range whose result cannot be used: the file is read start to end instead. */
class Unusable {
  readonly _tag = "Unusable"
}

/**
 * A range's result, or Unusable: it failed, or (all but the last range) it did not end on a
 * record, or (the first) it did not reach the header. Failing at once lets `Effect.all` stop
 * the other ranges instead of reading them to the end for nothing.
 */
const usable = (spec: PartSpec, part: Part | undefined): Effect.Effect<Part, Unusable> =>
  part === undefined || (spec.end !== undefined && !part.outcome.cleanEnd) || (spec.start === 0 && part.outcome.records < spec.layout.headerRow)
    ? Effect.fail(new Unusable())
    : Effect.succeed(part)

/** Reads and checks one range on this thread. */
const here = (spec: PartSpec): Effect.Effect<Part, Unusable> => {
  const read = CsvReader.readRange(spec.layout, { start: spec.start, end: spec.end })
  return checkRows(read.eachBatch, spec.ctx, () => read.outcome().sawNul).pipe(
    Effect.map((checked) => ({ checked, outcome: read.outcome() })),
    Effect.orElseSucceed(() => undefined),
    Effect.flatMap((part) => usable(spec, part)),
  )
}

/** Reads and checks one range in a worker thread. */
const inWorker = (script: URL, spec: PartSpec): Effect.Effect<Part, Unusable> =>
  Effect.flatMap(inWorkerRaw(script, spec), (part) => usable(spec, part))

/** The worker's result; undefined when it fails in any way. Blocks come one by one as they fill, then the rest. */
const inWorkerRaw = (script: URL, spec: PartSpec): Effect.Effect<Part | undefined> =>
  Effect.promise((signal) => {
    const blocks: Array<RawRows.RawBlock> = []
    return askWorker<Part>(script, spec, {
      signal,
      collect: (m: WorkerMessage) => {
        if (m._tag === "block") {
          blocks.push(m.block)
          return undefined
        }
        if (m._tag === "failed") return { reply: undefined }
        const rows: RawRows.RawRows = { columns: spec.ctx.columns.map(([, name]) => name), length: m.length, blocks }
        return { reply: { checked: { rows, quarantine: m.quarantine, findings: m.findings, counts: m.counts }, outcome: m.outcome } }
      },
    })
  })

const addCounts = (a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): Record<string, number> => {
  const out: Record<string, number> = { ...a }
  for (const [k, n] of Object.entries(b)) out[k] = (out[k] ?? 0) + n
  return out
}

/** Two consecutive ranges as one: the second's rows moved on by the first's records. */
const join = (a: Part, b: Part): Part => {
  const offset = a.outcome.records
  const move = <T extends { readonly row?: number | undefined }>(x: T): T => (x.row === undefined ? x : { ...x, row: x.row + offset })
  return {
    checked: {
      rows: RawRows.concat(a.checked.rows, b.checked.rows, offset),
      quarantine: [...a.checked.quarantine, ...b.checked.quarantine.map(move)],
      findings: [...a.checked.findings, ...b.checked.findings.map(move)],
      counts: addCounts(a.checked.counts, b.checked.counts),
    },
    outcome: {
      stats: CsvReader.addStats(a.outcome.stats, b.outcome.stats, offset),
      records: offset + b.outcome.records,
      cleanEnd: b.outcome.cleanEnd,
      sawNul: a.outcome.sawNul || b.outcome.sawNul,
    },
  }
}

/**
 * Reads and checks a CSV as parallel ranges when it is big enough, its encoding allows it and a
 * worker script is there. Undefined means "read it start to end instead": too small, cannot be
 * split, or a range failed or did not end on a record.
 */
export const ingestSplit = (
  layout: CsvReader.CsvLayout,
  ctx: RowContext,
  options: SplitOptions = {},
): Effect.Effect<(CheckedRows & { readonly readFindings: ReadonlyArray<Finding.Finding> }) | undefined> =>
  Effect.gen(function* () {
    const minBytes = options.minBytes ?? DEFAULT_SPLIT_MIN_BYTES
    const parts = Math.min(options.parts ?? availableParallelism(), Math.floor(layout.size / Math.max(1, minBytes / 2)))
    if (parts < 2 || layout.size < minBytes || !SPLITTABLE.has(layout.encoding) || layout.dialect.newline === "\r") return undefined
    // Looked for only now: from the sources it stats the pipeline's modules (see olderThanSources).
    const script = workerScript()
    if (script === undefined) return undefined
    const cuts = yield* cutPoints(layout.file, layout.size, parts)
    if (cuts.length === 0) return undefined
    const bounds = [0, ...cuts]
    const specs: Array<PartSpec> = bounds.map((start, i) => ({ layout, start, end: bounds[i + 1], ctx }))
    // The first range to prove unusable stops the others (Effect.all fails fast and interrupts them).
    const done = yield* Effect.all([here(specs[0]!), ...specs.slice(1).map((s) => inWorker(script, s))], { concurrency: "unbounded" }).pipe(
      Effect.orElseSucceed(() => undefined),
    )
    if (done === undefined) return undefined
    const whole = done.slice(1).reduce(join, done[0])
    return { ...whole.checked, readFindings: CsvReader.readFindings(layout.file, layout.width, whole.outcome.stats) }
  })
