/**
 * Row validation while the rows stream: the loop every ingest runs, on the main thread or in a
 * worker reading one byte range of a big CSV (see Parallel).
 */
import { Effect } from "effect"
import * as Finding from "../domain/Finding.js"
import * as RawRows from "../domain/RawRows.js"
import type { QuarantinedRow, SourceKind } from "../domain/Source.js"
import type * as HeaderMap from "./HeaderMap.js"
import type { RawRow } from "./Table.js"
import * as Validate from "./Validate.js"

/**
 * A copy that shares no memory with the text it was cut from. A CSV cell is a V8 "sliced
 * string" into the decoded chunk papaparse split, so one kept cell would pin the whole chunk; a
 * JSON round trip yields flat strings. Only quarantined rows are kept as objects (kept rows are
 * copied into RawRows' packed blocks), so this runs on few cells.
 */
const detachValues = (values: Record<string, string>): Record<string, string> => JSON.parse(JSON.stringify(values)) as Record<string, string>

/**
 * The `values` of each row for validation, every column by name, in ONE object per source that
 * is refilled row after row: kept rows go to RawRows as cells, so the object never outlives its
 * row (a quarantined row gets a copy), and 3M rows allocate no 3M objects. The object is made by
 * a generated literal (RawRows.literalKey), which also makes a "__proto__" column an own
 * property that later assignments update; later duplicates win, as with assignment in order.
 */
const valuesOf = (columns: ReadonlyArray<readonly [index: number, name: string]>): ((cells: ReadonlyArray<string>) => Record<string, string>) => {
  const values = (new Function(`"use strict"; return { ${columns.map(([, name]) => `${RawRows.literalKey(name)}: ""`).join(", ")} }`) as () => Record<string, string>)()
  const fill = new Function("v", "c", `"use strict"; ${columns.map(([index, name]) => `v[${JSON.stringify(name)}] = c[${index}] ?? "";`).join(" ")} return v`) as (
    v: Record<string, string>,
    c: ReadonlyArray<string>,
  ) => Record<string, string>
  return (cells) => fill(values, cells)
}

/** Who the rows belong to and how they are checked: what `checkRows` needs besides the rows. */
export interface RowContext {
  readonly kind: SourceKind
  /** Source id, named by every finding. */
  readonly source: string
  readonly sheet: string | undefined
  /** Kept columns: each one's index among the cells and its name (mapped fields, then extras). */
  readonly columns: ReadonlyArray<readonly [index: number, name: string]>
}

/** The columns a source keeps, in RowContext order: mapped fields by field name, then extras by header. */
export const keptColumns = (mapping: HeaderMap.HeaderMapping): RowContext["columns"] => [
  ...mapping.fields.map((f) => [f.index, f.field] as const),
  ...mapping.extras.map((x) => [x.index, x.header] as const),
]

/** Rows after validation: kept ones, quarantined ones, the problems found and their counts per code. */
export interface CheckedRows {
  readonly rows: RawRows.RawRows
  readonly quarantine: ReadonlyArray<QuarantinedRow>
  readonly findings: ReadonlyArray<Finding.Finding>
  readonly counts: Readonly<Record<string, number>>
}

/**
 * Validates rows as they stream: clean rows (and rows with only warnings) go to RawRows, rows
 * with an error to the quarantine with their reasons; every problem becomes a finding. `sink`:
 * see RawRows.Builder.
 */
export const checkRows = <E>(
  eachBatch: (f: (batch: ReadonlyArray<RawRow>) => void) => Effect.Effect<void, E>,
  ctx: RowContext,
  mayHoldNul: () => boolean,
  sink?: (block: RawRows.RawBlock) => void,
): Effect.Effect<CheckedRows, E> => {
  const rows = new RawRows.Builder(ctx.columns, mayHoldNul, sink)
  const quarantine: Array<QuarantinedRow> = []
  const findings: Array<Finding.Finding> = []
  const counts: Record<string, number> = {}
  const build = valuesOf(ctx.columns)
  const check = Validate.checker(ctx.kind)
  const { source, sheet } = ctx
  return eachBatch((batch) => {
    for (let i = 0; i < batch.length; i++) {
      const raw = batch[i]!
      const values = build(raw.cells)
      const problems = check(values)
      if (problems.length === 0) {
        rows.push(raw.row, raw.cells)
        continue
      }
      for (const p of problems) {
        counts[p.code] = (counts[p.code] ?? 0) + 1
        findings.push(Finding.make(p.severity, p.code, p.message, { source, ...(sheet ? { sheet } : {}), row: raw.row, field: p.field, value: values[p.field] ?? "" }))
      }
      const reasons = problems.filter(Validate.rejects).map((p) => `${p.field}: ${p.message} [${p.code}]`)
      if (reasons.length > 0) quarantine.push({ row: raw.row, values: detachValues(values), reasons })
      else rows.push(raw.row, raw.cells)
    }
  }).pipe(Effect.map(() => ({ rows: rows.done(), quarantine, findings, counts })))
}
