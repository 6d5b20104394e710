/**
 * Ingest of one source: verify the file against its sidecar, read it (any encoding, CSV or
 * XLSX), map headers to the kind's fields, validate every row. Nothing is lost: accepted rows
 * keep every column (extras too), rejected rows go to the quarantine with their reasons.
 */
import { Effect, Stream } from "effect"
import * as Finding from "../domain/Finding.js"
import type { Sidecar } from "../domain/Source.js"
import { SourceError } from "../domain/Source.js"
import * as HeaderMap from "./HeaderMap.js"
import type { SourceEntry } from "./SourceCatalog.js"
import * as SourceCatalog from "./SourceCatalog.js"
import { readTable } from "./Table.js"
import * as Validate from "./Validate.js"

export type { QuarantinedRow, RawRecord, SourceInfo } from "../domain/Source.js"
import type { QuarantinedRow, RawRecord, SourceInfo } from "../domain/Source.js"

/** The raw table of one source: kept rows, quarantine, counts and the validation report. */
export interface RawTable {
  readonly source: SourceInfo
  readonly rows: ReadonlyArray<RawRecord>
  readonly quarantine: ReadonlyArray<QuarantinedRow>
  readonly counts: { readonly read: number; readonly kept: number; readonly rejected: number }
  readonly findings: ReadonlyArray<Finding.Finding>
}

/** Default share of rejected rows above which a source fails as a whole. */
export const DEFAULT_MAX_REJECT_SHARE = 0.5

/**
 * Rows per batch while ingesting: small enough that a batch's transient parser output dies in
 * the young generation instead of being promoted (less old-space garbage, lower peak RSS),
 * large enough that the per-batch bulk copy and Effect step stay amortised.
 */
const INGEST_BATCH_ROWS = 2048

/** Distinct values a column may have and still be interned; past it the column is treated as free text. */
const INTERN_LIMIT = 4096

/** V8 cuts substrings of at least this many characters as slices that keep their parent string alive. */
const SLICE_MIN_CHARS = 13

/**
 * Copies of strings that share no memory with the text they were cut from. Why: a CSV cell is
 * a V8 "sliced string" pointing into the decoded chunk papaparse split, so one kept cell
 * pins the whole chunk (the 3M-row bench held the whole file this way, ~600 MB), and a slice of
 * a two-byte (Chinese) chunk stays two-byte even when its own text is ASCII. A JSON round trip
 * yields flat strings of the narrowest width; done once per batch over all cells that need it,
 * it costs about a third of a per-cell copy (Buffer or JSON, ~0.3-0.7 µs each, measured), and
 * `(" " + s).slice(1)` does not help (it re-slices a fresh two-byte copy).
 */
const detachAll = (cells: ReadonlyArray<string>): ReadonlyArray<string> => {
  if (cells.length <= DETACH_GROUP) return JSON.parse(JSON.stringify(cells)) as ReadonlyArray<string>
  const out: Array<string> = []
  for (let at = 0; at < cells.length; at += DETACH_GROUP) for (const s of JSON.parse(JSON.stringify(cells.slice(at, at + DETACH_GROUP))) as ReadonlyArray<string>) out.push(s)
  return out
}

/**
 * Cells copied per JSON round trip: keeps its text under V8's large-object size (128 KiB), so
 * it dies young; large objects are allocated in the old generation and only freed by full GCs,
 * which let such garbage pile up to hundreds of MB of peak RSS.
 */
const DETACH_GROUP = 256

const detach = (s: string): string => (s.length < SLICE_MIN_CHARS ? s : detachAll([s])[0]!)

/**
 * Interning for one column of rows held in memory: while the column repeats itself (province,
 * industry, batch, ownership) each distinct value is kept once and shared; once it shows more
 * than INTERN_LIMIT distinct values it is free text (names, codes) and `interned` is dropped.
 */
class ColumnStore {
  interned: Map<string, string> | undefined = new Map()
  store(s: string): string {
    const m = this.interned
    if (m !== undefined) {
      const known = m.get(s)
      if (known !== undefined) return known
      if (m.size < INTERN_LIMIT) {
        const own = detach(s)
        m.set(own, own)
        return own
      }
      this.interned = undefined // values already handed out stay shared; later batches copy the column in bulk
    }
    return detach(s)
  }
}

/** Builds the `values` of a batch of rows: every column by name, text stored as ColumnStore decides. */
type BatchBuilder = (batch: ReadonlyArray<{ readonly cells: ReadonlyArray<string> }>) => Array<Record<string, string>>

/** A generated row constructor: stores, cells, bulk-detached free text and its cursor. */
type MakeRow = (s: ReadonlyArray<ColumnStore>, c: ReadonlyArray<string>, f: ReadonlyArray<string>, at: { k: number }) => Record<string, string>

/**
 * A batch builder for a fixed column list. Each row is made by one generated object literal
 * (`new Function`) so every row of a source shares one hidden class with its properties
 * in-object: several times faster and ~40% smaller than adding properties one by one to `{}`.
 * Only column names (as JSON string literals) and indexes enter the generated code; later
 * duplicates win, as with assignment in order. The literal is regenerated when a column turns
 * from interned to free text (at most once per column).
 */
const batchBuilder = (columns: ReadonlyArray<readonly [index: number, name: string]>): BatchBuilder => {
  const stores = columns.map(() => new ColumnStore())
  // "__proto__" as a literal key would set the prototype; a computed key defines an own property.
  const key = (name: string) => (name === "__proto__" ? `["__proto__"]` : JSON.stringify(name))
  let modes = ""
  let make: MakeRow = () => ({})
  let free: ReadonlyArray<number> = []
  const compile = () => {
    const fields = columns.map(([index, name], k) =>
      stores[k]!.interned !== undefined
        ? `${key(name)}: s[${k}].store(c[${index}] ?? "")`
        : // Free text: long cells come from the batch's detached copies, in gathering order.
          `${key(name)}: (x = c[${index}]) === undefined ? "" : x.length < ${SLICE_MIN_CHARS} ? x : f[at.k++]`,
    )
    make = new Function("s", "c", "f", "at", `"use strict"; let x; return { ${fields.join(", ")} }`) as MakeRow
    free = columns.flatMap(([index], k) => (stores[k]!.interned === undefined ? [index] : []))
  }
  return (batch) => {
    const now = stores.map((st) => (st.interned === undefined ? "f" : "i")).join("")
    if (now !== modes) {
      modes = now
      compile()
    }
    // Gather the long free-text cells in the order `make` consumes them, copy them in one go.
    const long: Array<string> = []
    if (free.length > 0)
      for (let r = 0; r < batch.length; r++) {
        const c = batch[r]!.cells
        for (let j = 0; j < free.length; j++) {
          const x = c[free[j]!]
          if (x !== undefined && x.length >= SLICE_MIN_CHARS) long.push(x)
        }
      }
    const fresh = long.length > 0 ? detachAll(long) : long
    const at = { k: 0 }
    const out: Array<Record<string, string>> = new Array(batch.length)
    for (let r = 0; r < batch.length; r++) out[r] = make(stores, batch[r]!.cells, fresh, at)
    return out
  }
}

/** Reads and validates one source file (already fetched when remote). */
export const ingest = (entry: SourceEntry, file: string = entry.file) =>
  Effect.gen(function* () {
    const sidecar: Sidecar = entry.sidecar
    const kind = sidecar.kind
    const sha256 = yield* SourceCatalog.verify(entry, file)
    const table = yield* readTable(file, {
      ...(sidecar.encoding ? { encoding: sidecar.encoding } : {}),
      ...(sidecar.sheet ? { sheet: sidecar.sheet } : {}),
      ...(sidecar.header_row ? { headerRow: sidecar.header_row } : {}),
      batchSize: INGEST_BATCH_ROWS,
    }).pipe(Effect.mapError((e) => new SourceError({ reason: "unreadable", file: entry.id, message: e.message })))
    const mapping = HeaderMap.mapHeaders(kind, table.head.headers, sidecar.columns)
    const at = (f: Finding.Finding): Finding.Finding => ({ ...f, source: entry.id, ...(table.head.sheet ? { sheet: table.head.sheet } : {}) })
    if (mapping.missing.length > 0) {
      return yield* new SourceError({
        reason: "unreadable",
        file: entry.id,
        message: `${entry.id}: no column for ${mapping.missing.join("; ")} (kind ${kind}); headers found on row ${table.head.headerRow}: ${table.head.headers.join(", ")}. Rename the column or add a \`columns:\` map to the sidecar.`,
      })
    }
    const columns: Array<readonly [index: number, name: string]> = [
      ...mapping.fields.map((f) => [f.index, f.field] as const),
      ...mapping.extras.map((x) => [x.index, x.header] as const),
    ]
    const rows: Array<RawRecord> = []
    const quarantine: Array<QuarantinedRow> = []
    const findings: Array<Finding.Finding> = [...table.findings.map(at), ...mapping.findings.map(at)]
    const counts: Record<string, number> = {}
    const build = batchBuilder(columns)
    const check = Validate.checker(kind)
    const sheet = table.head.sheet
    yield* Stream.runForEach(table.batches, (batch) =>
      Effect.sync(() => {
        const built = build(batch)
        for (let i = 0; i < batch.length; i++) {
          const raw = batch[i]!
          const values = built[i]!
          const problems = check(values)
          if (problems.length === 0) {
            rows.push({ row: raw.row, values })
            continue
          }
          for (const p of problems) {
            counts[p.code] = (counts[p.code] ?? 0) + 1
            findings.push(
              Finding.make(p.severity, p.code, p.message, {
                source: entry.id,
                ...(sheet ? { sheet } : {}),
                row: raw.row,
                field: p.field,
                value: values[p.field] ?? "",
              }),
            )
          }
          const reasons = problems.filter(Validate.rejects).map((p) => `${p.field}: ${p.message} [${p.code}]`)
          if (reasons.length > 0) quarantine.push({ row: raw.row, values, reasons })
          else rows.push({ row: raw.row, values })
        }
      }),
    ).pipe(Effect.mapError((e) => new SourceError({ reason: "unreadable", file: entry.id, message: e.message })))
    findings.push(...(yield* table.readFindings).map(at))
    const read = rows.length + quarantine.length
    const maxShare = sidecar.max_reject_share ?? DEFAULT_MAX_REJECT_SHARE
    if (read > 0 && quarantine.length / read > maxShare) {
      const top = Object.entries(counts)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([c, n]) => `${c} ×${n}`)
        .join(", ")
      return yield* new SourceError({
        reason: "too-many-rejects",
        file: entry.id,
        message: `${entry.id}: ${quarantine.length} of ${read} rows rejected (${Math.round((100 * quarantine.length) / read)}% > ${Math.round(maxShare * 100)}%); most common: ${top}. First: row ${quarantine[0]!.row}: ${quarantine[0]!.reasons[0]}`,
      })
    }
    const source: SourceInfo = {
      id: entry.id,
      kind,
      title: sidecar.title,
      producer: sidecar.producer,
      url: sidecar.url,
      retrieved: sidecar.retrieved,
      published: sidecar.published,
      license: sidecar.license,
      citation: sidecar.citation,
      notes: sidecar.notes,
      sha256,
      encoding: table.head.encoding,
      sheet: table.head.sheet,
      headerRow: table.head.headerRow,
      headers: table.head.headers,
      mapping: Object.fromEntries(mapping.fields.map((f) => [f.header, f.field])),
      extras: mapping.extras.map((x) => x.header),
    }
    const result: RawTable = { source, rows, quarantine, counts: { read, kept: rows.length, rejected: quarantine.length }, findings }
    return result
  })

/** Counts findings per code, for the validation report. */
export const countByCode = (findings: ReadonlyArray<Finding.Finding>): ReadonlyArray<readonly [code: string, severity: Finding.Severity, count: number]> => {
  const m = new Map<string, { severity: Finding.Severity; n: number }>()
  for (const f of findings) {
    const e = m.get(f.code)
    if (e) e.n++
    else m.set(f.code, { severity: f.severity, n: 1 })
  }
  return [...m.entries()].sort((a, b) => b[1].n - a[1].n).map(([code, { severity, n }]) => [code, severity, n] as const)
}

