/**
 * Review round-trip: reads the Decision column of a returned workbook's Links sheet, checks
 * every value (unknown decision, edited or unknown link key, deleted rows) and merges the
 * decisions into the decisions file under sources/ (kind review-decisions) that the next
 * refresh applies. A bad cell is a finding, never a crash.
 */
import { Effect } from "effect"
import Papa from "papaparse"
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs"
import { dirname } from "node:path"
import * as Finding from "../../domain/Finding.js"
import * as Decisions from "../workbook/Decisions.js"
import { DECISIONS } from "../workbook/Observatory.js"

/** The columns of the decisions file, in order. */
const COLUMNS = ["link_key", "decision", "note", "decided_by", "decided_at", "workbook_row"] as const
/** One row of the decisions file. */
export type DecisionRecord = Readonly<Record<(typeof COLUMNS)[number], string>>

/** The decisions file's sidecar, written once so the catalog reads the file as a source (its date set to the first import). */
const SIDECAR = `kind: review-decisions
title: Reviewer decisions on entity links
producer: iiot-observatory reviewers (imported from returned workbooks by \`iiot review import\`)
url: "internal: review workbooks returned by policy staff"
retrieved: 1970-01-01
notes: One row per link key; the latest import wins. Edit by re-importing a workbook, or by hand with care.
`

/** What an import did: the decisions read from the workbook, the size of the merged file, and the problems found. */
export interface ImportResult {
  readonly imported: ReadonlyArray<DecisionRecord>
  readonly total: number
  readonly findings: ReadonlyArray<Finding.Finding>
}

const readExisting = (file: string): Array<DecisionRecord> =>
  existsSync(file)
    ? Papa.parse<DecisionRecord>(readFileSync(file, "utf8").replace(/^\uFEFF/, ""), { header: true, skipEmptyLines: true }).data
    : []

/**
 * Imports decisions from `workbook` into `decisionsFile`. `knownKeys` are the link keys of the
 * last refresh (when known): a key that is not among them was edited or is stale.
 */
export const importDecisions = (options: {
  readonly workbook: string
  readonly decisionsFile: string
  readonly knownKeys?: ReadonlySet<string> | undefined
  readonly decidedBy: string
  readonly decidedAt: string
}) =>
  Effect.gen(function* () {
    const read = yield* Decisions.readTableColumn(options.workbook, { sheet: "Links", keyColumn: "Link key", valueColumn: "Decision", allowed: DECISIONS })
    const findings: Array<Finding.Finding> = [...read.findings]
    const source = options.workbook
    const imported: Array<DecisionRecord> = []
    const seen = new Set<string>()
    for (const r of read.rows) {
      seen.add(r.key)
      if (r.value === null || r.value === "") continue
      if (!(DECISIONS as ReadonlyArray<string>).includes(r.value)) continue // reported by the reader
      if (options.knownKeys && !options.knownKeys.has(r.key)) {
        findings.push(
          Finding.make("warn", "unknown-link-key", `link key "${r.key}" is not a link of the last refresh (edited, or the data changed); the decision is kept and will be reported again if it never applies`, {
            source,
            sheet: "Links",
            row: r.row,
            field: "Link key",
            value: r.key,
          }),
        )
      }
      imported.push({
        link_key: r.key,
        decision: r.value,
        note: r.cells["Note"] ?? "",
        decided_by: options.decidedBy,
        decided_at: options.decidedAt,
        workbook_row: String(r.row),
      })
    }
    if (options.knownKeys) {
      const missing = [...options.knownKeys].filter((k) => !seen.has(k)).length
      if (missing > 0) {
        findings.push(Finding.make("info", "rows-missing", `${missing} links of the last refresh are not in the returned Links sheet (rows deleted or filtered out); they keep their current state`, { source, sheet: "Links" }))
      }
    }
    // The latest import wins per link key; earlier decisions on other keys stay.
    const merged = new Map(readExisting(options.decisionsFile).map((d) => [d.link_key, d]))
    for (const d of imported) merged.set(d.link_key, d)
    const rows = [...merged.values()].sort((a, b) => a.link_key.localeCompare(b.link_key))
    mkdirSync(dirname(options.decisionsFile), { recursive: true })
    const tmp = `${options.decisionsFile}.tmp-${process.pid}`
    writeFileSync(tmp, Papa.unparse({ fields: [...COLUMNS], data: rows.map((r) => COLUMNS.map((c) => r[c] ?? "")) }) + "\n")
    renameSync(tmp, options.decisionsFile)
    const sidecar = `${options.decisionsFile}.source.yml`
    if (!existsSync(sidecar)) writeFileSync(sidecar, SIDECAR.replace("1970-01-01", options.decidedAt.slice(0, 10)))
    const result: ImportResult = { imported, total: rows.length, findings }
    return result
  })
