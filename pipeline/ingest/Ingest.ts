/**
 * Ingest of one source: verify the file against its sidecar, read it (any encoding, CSV or
 * XLSX), map headers to the kind's fields, validate every row. Nothing is lost: accepted rows
 * keep every column (extras too), rejected rows go to the quarantine with their reasons.
 */
import { Chunk, Effect, Stream } from "effect"
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

/** Distinct values a column may have and still be interned; past it the column is treated as free text. */
const INTERN_LIMIT = 4096

/** V8 cuts substrings of at least this many characters as slices that keep their parent string alive. */
const SLICE_MIN_CHARS = 13

/**
 * A copy of a string that shares no memory with the text it was cut from. Why: a CSV cell is
 * a V8 "sliced string" pointing into the decoded 1 MiB chunk papaparse split, so one kept cell
 * pins the whole chunk (the bench held ~the whole file twice over this way), and a slice of a
 * two-byte (Chinese) chunk stays two-byte even when its own text is ASCII. JSON round-tripping
 * is the cheapest copy measured that yields a flat string of the narrowest width (Buffer
 * round trips cost about the same; `(" " + s).slice(1)` only re-slices a fresh copy).
 */
const detach = (s: string): string => (s.length < SLICE_MIN_CHARS ? s : Buffer.from(s).toString())

/**
 * Storage for one column's cells in rows held in memory: while the column repeats itself
 * (province, industry, batch, ownership) each distinct value is kept once and shared; once it
 * shows more than INTERN_LIMIT distinct values it is free text (names, codes) and every long
 * cell is detached instead. Saves about half the memory of a 3M-row ingest.
 */
class ColumnStore {
  private interned: Map<string, string> | undefined = new Map()
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
      this.interned = undefined // values already handed out stay shared; new ones are copied
    }
    return detach(s)
  }
}

/** Builds a row's `values` from its cells: every column by name, kept text stored as ColumnStore decides. */
type RowBuilder = (cells: ReadonlyArray<string>) => Record<string, string>

/**
 * A row builder for a fixed column list. Generated as one object literal (`new Function`) so
 * every row of a source shares one hidden class with its properties in-object: V8 builds it
 * from a boilerplate, several times faster and ~40% smaller than adding properties one by one
 * to `{}`. Only column names (as JSON string literals) and indexes enter the generated code;
 * later duplicates win, as with assignment in order.
 */
const rowBuilder = (columns: ReadonlyArray<readonly [index: number, name: string]>): RowBuilder => {
  const stores = columns.map(() => new ColumnStore())
  // "__proto__" as a literal key would set the prototype; a computed key defines an own property.
  const key = (name: string) => (name === "__proto__" ? `["__proto__"]` : JSON.stringify(name))
  const fields = columns.map(([index, name], k) => `${key(name)}: s[${k}].store(c[${index}] ?? "")`)
  const build = new Function("s", "c", `"use strict"; return { ${fields.join(", ")} }`) as (s: ReadonlyArray<ColumnStore>, c: ReadonlyArray<string>) => Record<string, string>
  return (cells) => build(stores, cells)
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
    const build = rowBuilder(columns)
    const check = Validate.checker(kind)
    const sheet = table.head.sheet
    yield* Stream.runForEach(table.batches, (batch) =>
      Effect.sync(() => {
        for (let i = 0; i < batch.length; i++) {
          const raw = batch[i]!
          const values = build(raw.cells)
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

// Chunk is re-exported for callers that stream rows onward.
export type { Chunk }
