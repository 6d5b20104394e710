/**
 * Ingest throughput on generated extracts: the MIIT-style list (`kind: miit-list`) and the
 * company registry (`kind: reference`), each given a sidecar in a sources folder under the bench
 * cache (`sources-<data folder>`, rewritten each run), found by the real catalog and read +
 * validated by the real `ingest(entry)`. Three modes, each its own
 * process so `main.ts` can take each one's peak RSS from outside:
 *
 *   node --import tsx bench/ingest.ts --data DIR              ingest + validate both (kept in memory, as a refresh holds them)
 *   node --import tsx bench/ingest.ts --data DIR --baseline   just read and decode the same bytes (TextDecoder, count newlines)
 *   node --import tsx bench/ingest.ts --data DIR --phases     where the time goes: checksum, read+parse, row objects, validation, keeping rows
 *
 * Prints one `BENCH {json}` line; times are wall milliseconds inside this process.
 */
import { Effect } from "effect"
import { createReadStream, existsSync, rmSync } from "node:fs"
import { basename, join } from "node:path"
import * as RawRows from "../pipeline/domain/RawRows.js"
import { keptColumns } from "../pipeline/ingest/CheckRows.js"
import * as Ingest from "../pipeline/ingest/Ingest.js"
import * as SourceCatalog from "../pipeline/ingest/SourceCatalog.js"
import * as HeaderMap from "../pipeline/ingest/HeaderMap.js"
import { readTable } from "../pipeline/ingest/Table.js"
import * as Validate from "../pipeline/ingest/Validate.js"
import { BENCH_FILES, cacheRoot, emit, fileBytes, now, parseArgs, writeBenchSources } from "./lib.js"

/** A sources folder for a data folder: CSVs hard-linked (copied across file systems) beside their sidecars. */
const sourcesFor = (data: string): string => {
  const root = join(cacheRoot, `sources-${basename(data)}`)
  rmSync(root, { recursive: true, force: true })
  writeBenchSources(data, root)
  return root
}

/** Streams a file through a TextDecoder and counts newlines: the floor any reader pays. */
const readAndDecode = (file: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const decoder = new TextDecoder("utf-8")
    let lines = 0
    const count = (text: string) => {
      for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) lines++
    }
    createReadStream(file, { highWaterMark: 1 << 20 })
      .on("data", (chunk) => count(decoder.decode(chunk as Buffer, { stream: true })))
      .on("error", reject)
      .on("end", () => {
        count(decoder.decode())
        resolve(lines)
      })
  })

const baseline = async (data: string) => {
  const files = []
  for (const f of BENCH_FILES) {
    const path = join(data, f.file)
    const t = now()
    const lines = await readAndDecode(path)
    files.push({ file: f.file, bytes: fileBytes(path), lines, ms: now() - t })
  }
  emit({ part: "ingest-baseline", data, files, totalMs: files.reduce((s, f) => s + f.ms, 0), bytes: files.reduce((s, f) => s + f.bytes, 0) })
}

const entriesOf = async (data: string) => {
  const catalog = await Effect.runPromise(SourceCatalog.discover(sourcesFor(data)))
  if (catalog.errors.length > 0) throw new Error(catalog.errors.map((e) => e.message).join("\n"))
  return BENCH_FILES.map((f) => {
    const entry = catalog.entries.find((e) => e.id.endsWith(`/${f.file}`))
    if (!entry) throw new Error(`the catalog did not find ${f.file}`)
    return entry
  })
}

const ingestAll = async (data: string) => {
  const entries = await entriesOf(data)
  const held: Array<Ingest.RawTable> = []
  const files = []
  for (const entry of entries) {
    const t = now()
    const table = await Effect.runPromise(Ingest.ingest(entry))
    const ms = now() - t
    held.push(table) // a refresh holds both raw tables at once; so does this process
    files.push({
      file: basename(entry.file),
      kind: entry.sidecar.kind,
      bytes: fileBytes(entry.file),
      ms,
      read: table.counts.read,
      kept: table.counts.kept,
      rejected: table.counts.rejected,
      findings: table.findings.length,
      encoding: table.source.encoding,
    })
  }
  emit({
    part: "ingest",
    data,
    files,
    totalMs: files.reduce((s, f) => s + f.ms, 0),
    bytes: files.reduce((s, f) => s + f.bytes, 0),
    rows: files.reduce((s, f) => s + f.read, 0),
    heapUsedMb: process.memoryUsage().heapUsed / 2 ** 20,
    heldTables: held.length,
  })
}

/**
 * Where `ingest` spends its time, in one pass that follows a start-to-end ingest (same batch
 * size, `eachBatch`, compiled checker and RawRows builder; no parallel ranges, and the sha256
 * check first rather than alongside): the sha256 check, then per batch the time to build row
 * objects, to validate them and to keep the rows (RawRows blocks); read + decode + parse is the
 * stream's wall time minus the time spent inside the batch callback. To time the steps apart this
 * builds one object per row, where `ingest` refills one object per source, so "row objects" is an
 * upper bound. GC lands in whichever step allocates when it runs, so treat the split as indicative.
 */
const phases = async (data: string) => {
  const entries = await entriesOf(data)
  const out = []
  for (const entry of entries) {
    const kind = entry.sidecar.kind
    let t = now()
    await Effect.runPromise(SourceCatalog.verify(entry))
    const checksumMs = now() - t

    t = now()
    const open = await Effect.runPromise(readTable(entry.file, { batchSize: RawRows.BLOCK_ROWS }))
    const mapping = HeaderMap.mapHeaders(kind, open.head.headers, entry.sidecar.columns)
    const columns = keptColumns(mapping)
    const openMs = now() - t
    const kept = new RawRows.Builder(columns, open.mayHoldNul)
    const check = Validate.checker(kind)
    let rowObjectsMs = 0
    let validateMs = 0
    let storeMs = 0
    let problems = 0
    t = now()
    await Effect.runPromise(
      open.eachBatch((batch) => {
        const a = now()
        const built: Array<Record<string, string>> = new Array(batch.length)
        for (let i = 0; i < batch.length; i++) {
          const values: Record<string, string> = {}
          for (const [index, name] of columns) values[name] = batch[i]!.cells[index] ?? ""
          built[i] = values
        }
        const b = now()
        // As CheckRows: a row with a rejecting problem goes to the quarantine, not to the kept rows.
        const keep: Array<boolean> = new Array(batch.length)
        for (let i = 0; i < batch.length; i++) {
          const found = check(built[i]!)
          problems += found.length
          keep[i] = !found.some(Validate.rejects)
        }
        const c = now()
        for (let i = 0; i < batch.length; i++) if (keep[i]) kept.push(batch[i]!.row, batch[i]!.cells)
        rowObjectsMs += b - a
        validateMs += c - b
        storeMs += now() - c
      }),
    )
    // The last block is packed by done(): part of keeping rows.
    const d = now()
    const rows = kept.done().length
    storeMs += now() - d
    const streamMs = now() - t
    out.push({
      file: basename(entry.file),
      problems,
      checksumMs,
      openMs,
      readParseMs: streamMs - rowObjectsMs - validateMs - storeMs,
      rowObjectsMs,
      validateMs,
      storeMs,
      rows,
      totalMs: checksumMs + openMs + streamMs,
    })
  }
  emit({ part: "ingest-phases", data, files: out })
}

const main = async () => {
  const args = parseArgs(process.argv.slice(2))
  const data = args["data"]
  if (!data || !existsSync(data)) throw new Error(`--data DIR is required (a folder written by gen-extracts.mjs); got ${data}`)
  if (args["baseline"]) await baseline(data)
  else if (args["phases"]) await phases(data)
  else await ingestAll(data)
}

main().catch((e) => {
  process.stderr.write(`bench/ingest: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`)
  process.exit(1)
})
