/**
 * Reading `Clean.Listed` (the large MIIT lists in columns): one list row as a `ListRow`, and the
 * columns made from list rows (tests, benches and small lists). The columns themselves are built
 * by the `miit/lists` asset (assets/clean/lists.ts).
 */
import type { Listed, ListRow } from "../../domain/Clean.js"
import { coded, textAt } from "./Firms.js"
import { fullZhKey } from "./keys.js"

/** Columns from list rows, in order. */
export const fromRows = (rows: ReadonlyArray<ListRow>): Listed => ({
  length: rows.length,
  seq: rows.map((r) => r.seq),
  nameZh: rows.map((r) => r.name.display),
  nameKey: rows.map((r) => r.name.key),
  fullKey: rows.map((r) => fullZhKey(r.name)),
  location: rows.map((r) => r.name.location ?? ""),
  repaired: Uint8Array.from(rows, (r) => (r.name.repaired === undefined ? 0 : 1)),
  creditCode: rows.map((r) => r.creditCode ?? ""),
  creditCodeValid: Uint8Array.from(rows, (r) => (r.creditCodeValid ? 1 : 0)),
  province: coded(rows.map((r) => r.province)),
  sector: coded(rows.map((r) => r.sector)),
  batch: coded(rows.map((r) => r.batch)),
  source: coded(rows.map((r) => r.provenance.source)),
  row: Int32Array.from(rows, (r) => r.provenance.row),
})

/** List row `i` as a `ListRow`: for evidence, findings and small lists, not for hot loops. */
export const rowAt = (l: Listed, i: number): ListRow => {
  const location = l.location[i]!
  const creditCode = l.creditCode[i]!
  return {
    seq: l.seq[i]!,
    name: { display: l.nameZh[i]!, key: l.nameKey[i]!, location: location === "" ? undefined : location, repaired: l.repaired[i] === 1 ? "truncated-form" : undefined },
    creditCode: creditCode === "" ? undefined : creditCode,
    creditCodeValid: l.creditCodeValid[i] === 1,
    province: textAt(l.province, i),
    sector: textAt(l.sector, i),
    batch: textAt(l.batch, i),
    provenance: { source: textAt(l.source, i), row: l.row[i]! },
  }
}
