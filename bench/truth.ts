/**
 * Reading generated CSVs and scoring links against their truth.csv, for bench/entities.ts and
 * bench/e2e.ts. Apart from lib.ts because it loads the pipeline's readers (effect, papaparse,
 * exceljs): every bench process imports lib.ts, and these take ~1 s and ~100 MB more to load (measured).
 */
import { Effect } from "effect"
import { join } from "node:path"
import * as HeaderMap from "../pipeline/ingest/HeaderMap.js"
import { readTable } from "../pipeline/ingest/Table.js"
import type { ListLinkResult } from "../pipeline/reconcile/entities/ListLink.js"

/** Streams a CSV through the project's reader, handing each row's mapped fields (by `kind`) to `each`. */
export const scanCsv = async (file: string, kind: HeaderMap.Kind, each: (get: (field: string) => string, row: number) => void): Promise<void> => {
  // Small batches: each batch of parsed cells outlives a few young-generation collections and
  // lands in the old space as garbage; smaller ones keep the peak RSS down at 3M rows.
  const open = await Effect.runPromise(readTable(file, { batchSize: 1000 }))
  const mapping = HeaderMap.mapHeaders(kind, open.head.headers)
  const at = new Map(mapping.fields.map((f) => [f.field, f.index]))
  let cells: ReadonlyArray<string> = []
  const get = (field: string): string => {
    const i = at.get(field)
    return i === undefined ? "" : (cells[i] ?? "")
  }
  await Effect.runPromise(
    open.eachBatch((batch) => {
      for (const r of batch) {
        cells = r.cells
        each(get, r.row)
      }
    }),
  )
}

/** Link quality of a list's auto links against the data folder's truth.csv, rounded to 4 places. */
export interface LinkQuality {
  readonly precision: number
  readonly recall: number
  /** Share of list rows sent to review. */
  readonly reviewShare: number
  readonly linkRows: number
}

/** Scores `linkList`'s auto links against truth.csv, one scorer for bench/entities.ts and bench/e2e.ts so their figures compare. */
export const scoreLinks = async (data: string, result: ListLinkResult): Promise<LinkQuality> => {
  // truth.csv lists the rows in list order; fall back to a seq lookup if it ever does not.
  const links = result.links
  let bySeq: Map<string, number> | undefined
  let pos = 0
  let tp = 0
  let fp = 0
  let fn = 0
  await scanCsv(join(data, "truth.csv"), "miit-list", (get) => {
    const seq = get("seq")
    let at = pos++
    if (links.seq[at] !== seq) {
      bySeq ??= new Map(links.seq.map((s, i) => [s, i]))
      at = bySeq.get(seq) ?? -1
    }
    const gold = get("credit_code")
    const pred = at >= 0 ? links.creditCode[at]! : ""
    if (pred !== "" && pred === gold) tp++
    if (pred !== "" && pred !== gold) fp++
    if (gold !== "" && pred !== gold) fn++
  })
  const r4 = (x: number) => Math.round(x * 10000) / 10000
  return {
    precision: r4(tp + fp === 0 ? 0 : tp / (tp + fp)),
    recall: r4(tp + fn === 0 ? 0 : tp / (tp + fn)),
    reviewShare: r4(result.stats.review / Math.max(1, result.stats.rows)),
    linkRows: result.stats.rows,
  }
}
