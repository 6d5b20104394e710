/** A raw table as ingest gives it (test helper for the clean normalisers). */
import * as RawRows from "../../../pipeline/domain/RawRows.js"
import type { SourceKind } from "../../../pipeline/domain/Source.js"
import type { RawTable } from "../../../pipeline/ingest/Ingest.js"

/** Source `id` of `kind` with these columns and rows (rows numbered from 2, below the header). */
export const rawTable = (id: string, kind: SourceKind, columns: ReadonlyArray<string>, rows: ReadonlyArray<Record<string, string>>): RawTable => ({
  source: { id, kind, title: "t", producer: "p", url: "https://example.org", retrieved: "2026-11-29", sha256: "0", encoding: "utf-8", headerRow: 1, headers: columns, mapping: {}, extras: [] },
  rows: RawRows.fromRecords(columns, rows.map((values, i) => ({ row: i + 2, values }))),
  quarantine: [],
  counts: { read: rows.length, kept: rows.length, rejected: 0 },
  findings: [],
})
