/**
 * Ingest of one source: verify the file against its sidecar, read it (any encoding, CSV or
 * XLSX), map headers to the kind's fields, validate every row. Nothing is lost: accepted rows
 * keep every column (extras too), rejected rows go to the quarantine with their reasons.
 */
import { Effect } from "effect"
import * as Finding from "../domain/Finding.js"
import * as RawRows from "../domain/RawRows.js"
import type { Sidecar } from "../domain/Source.js"
import { SourceError } from "../domain/Source.js"
import * as HeaderMap from "./HeaderMap.js"
import { checkRows, keptColumns, type RowContext } from "./CheckRows.js"
import * as Parallel from "./Parallel.js"
import type { SourceEntry } from "./SourceCatalog.js"
import * as SourceCatalog from "./SourceCatalog.js"
import { readTable } from "./Table.js"

export type { QuarantinedRow, RawRecord, SourceInfo } from "../domain/Source.js"
import type { QuarantinedRow, SourceInfo } from "../domain/Source.js"

/** The raw table of one source: kept rows, quarantine, counts and the validation report. */
export interface RawTable {
  readonly source: SourceInfo
  /** Kept rows, column by column (see RawRows); iterate with `RawRows.forEach` or `RawRows.iterate`. */
  readonly rows: RawRows.RawRows
  readonly quarantine: ReadonlyArray<QuarantinedRow>
  readonly counts: { readonly read: number; readonly kept: number; readonly rejected: number }
  readonly findings: ReadonlyArray<Finding.Finding>
}

/** Default share of rejected rows above which a source fails as a whole. */
export const DEFAULT_MAX_REJECT_SHARE = 0.5

/** Rows per batch while ingesting: as many as a RawRows block, so a batch's parser output dies young. */
const INGEST_BATCH_ROWS = RawRows.BLOCK_ROWS

/** A read failure as the source's error. */
const unreadable = (entry: SourceEntry, e: { readonly message: string }) => new SourceError({ reason: "unreadable", file: entry.id, message: e.message })

/** Reads a source's rows and validates them: the table, its header mapping, the checked rows and the reader's findings. */
const readAndCheck = (entry: SourceEntry, file: string, options: Parallel.SplitOptions) =>
  Effect.gen(function* () {
    const sidecar: Sidecar = entry.sidecar
    const kind = sidecar.kind
    const table = yield* readTable(file, {
      ...(sidecar.encoding ? { encoding: sidecar.encoding } : {}),
      ...(sidecar.sheet ? { sheet: sidecar.sheet } : {}),
      ...(sidecar.header_row ? { headerRow: sidecar.header_row } : {}),
      batchSize: INGEST_BATCH_ROWS,
    }).pipe(Effect.mapError((e) => unreadable(entry, e)))
    const mapping = HeaderMap.mapHeaders(kind, table.head.headers, sidecar.columns)
    if (mapping.missing.length > 0) {
      return yield* new SourceError({
        reason: "unreadable",
        file: entry.id,
        message: `${entry.id}: no column for ${mapping.missing.join("; ")} (kind ${kind}); headers found on row ${table.head.headerRow}: ${table.head.headers.join(", ")}. Rename the column or add a \`columns:\` map to the sidecar.`,
      })
    }
    const ctx: RowContext = {
      kind,
      source: entry.id,
      sheet: table.head.sheet,
      columns: keptColumns(mapping),
    }
    // A big CSV is read in parallel byte ranges when it can be (see Parallel); any doubt there
    // gives undefined, and the file is read start to end as below, with the same result.
    const split = table.csv === undefined ? undefined : yield* Parallel.ingestSplit(table.csv, ctx, options)
    const checked = split ?? (yield* checkRows(table.eachBatch, ctx, table.mayHoldNul).pipe(Effect.mapError((e) => unreadable(entry, e))))
    const readFindings = split !== undefined ? split.readFindings : yield* table.readFindings
    return { table, mapping, checked, readFindings }
  })

/** Reads and validates one source file (already fetched when remote). */
export const ingest = (entry: SourceEntry, file: string = entry.file, options: Parallel.SplitOptions = {}) =>
  Effect.gen(function* () {
    const sidecar: Sidecar = entry.sidecar
    const kind = sidecar.kind
    // The checksum is read while the rows are (the file is read twice, but the hash no longer
    // waits in front: ~0.4 s of the bench registry). A checksum failure still wins, as it did
    // when it came first: it interrupts the read, and a read failure waits for the checksum.
    const [sha256, body] = yield* Effect.all([SourceCatalog.verify(entry, file), Effect.either(readAndCheck(entry, file, options))], { concurrency: 2 })
    const { table, mapping, checked, readFindings } = yield* body
    const at = (f: Finding.Finding): Finding.Finding => ({ ...f, source: entry.id, ...(table.head.sheet ? { sheet: table.head.sheet } : {}) })
    const findings: Array<Finding.Finding> = [...table.findings.map(at), ...mapping.findings.map(at), ...checked.findings, ...readFindings.map(at)]
    const counts = checked.counts
    const quarantine = checked.quarantine
    const kept = checked.rows
    const read = kept.length + quarantine.length
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
    const result: RawTable = { source, rows: kept, quarantine, counts: { read, kept: kept.length, rejected: quarantine.length }, findings }
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

