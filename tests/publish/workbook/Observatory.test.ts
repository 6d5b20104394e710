/** The workbook model's "MIIT lists" sheet: each list row with its own link, read from the columns. */
import { describe, expect, it } from "vitest"
import * as Model from "../../../pipeline/assets/published/model.js"
import type { ListRow } from "../../../pipeline/domain/Clean.js"
import type { PublicationData } from "../../../pipeline/publish/Data.js"
import * as Observatory from "../../../pipeline/publish/workbook/Observatory.js"
import * as Columns from "../../../pipeline/publish/workbook/Columns.js"
import { iterateRows, type RowSource, type TableSheet } from "../../../pipeline/publish/workbook/WorkbookDoc.js"
import { coded } from "../../../pipeline/reconcile/entities/Firms.js"
import * as Listed from "../../../pipeline/reconcile/entities/Listed.js"
import type { ListLinkResult, ListLinks } from "../../../pipeline/reconcile/entities/ListLink.js"

const row = (seq: string, name: string, source: string, at: number): ListRow => ({
  seq,
  name: { display: name, key: name },
  creditCode: undefined,
  creditCodeValid: true,
  province: "山东",
  sector: "制造业",
  batch: "第一批",
  provenance: { source, row: at },
})
const list = Listed.fromRows([row("1", "海智科技有限公司", "miit/a.csv", 2), row("2", "青岛测试有限公司", "miit/a.csv", 3), row("1", "北京中晨有限公司", "miit/b.csv", 2)])

/** Links of rows (source, row, code, score, status code) in the order given. */
const links = (of: ReadonlyArray<readonly [string, number, string, number, number]>): ListLinkResult => {
  const l: ListLinks = {
    length: of.length,
    seq: of.map(([, r]) => String(r - 1)),
    source: coded(of.map(([s]) => s)),
    row: Int32Array.from(of, ([, r]) => r),
    creditCode: of.map(([, , c]) => c),
    score: Float64Array.from(of, ([, , , s]) => s),
    status: Uint8Array.from(of, ([, , , , st]) => st),
  }
  const stats = { rows: of.length, linked: 0, byCode: 0, byName: 0, byHomophone: 0, decided: 0, review: 0, ambiguous: 0, unlinked: 0, invalidCodes: 0, codesNotInRegistry: 0 }
  return { links: l, review: [], findings: [], stats }
}

const sheetOf = (result: ListLinkResult): TableSheet => {
  const empty = { rows: [], findings: [] }
  const data: PublicationData = {
    ...Model.gather([], { platforms: empty, collaborations: empty, lists: { rows: list, findings: [] }, lighthouses: empty, rounds: empty, spending: empty }, { dataVersion: "test", taiwanPolicy: "separate" }),
    listLinks: result,
  }
  return Observatory.build(data).sheets.find((s) => s.name === "MIIT lists") as TableSheet
}

const listSheet = (result: ListLinkResult): Array<ReadonlyArray<unknown>> =>
  [...iterateRows(sheetOf(result).rows)].map((r) => [r[1], r[7], r[8], r[9], r[10], r[11]])

describe("the MIIT lists sheet", () => {
  const expected = [
    ["海智科技有限公司", "911", 9, "auto", "miit/a.csv", 2],
    ["青岛测试有限公司", "", 0, "none", "miit/a.csv", 3],
    ["北京中晨有限公司", "922", 7, "decided", "miit/b.csv", 2],
  ]

  it("shows each list row with its link, one per row in list order", () => {
    expect(listSheet(links([["miit/a.csv", 2, "911", 9, 1], ["miit/a.csv", 3, "", 0, 0], ["miit/b.csv", 2, "922", 7, 2]]))).toEqual(expected)
  })

  it("finds each row's own link by its provenance when the links are not in list order", () => {
    // Same rows at row 2 in both sources: only the source tells them apart.
    expect(listSheet(links([["miit/b.csv", 2, "922", 7, 2], ["miit/a.csv", 3, "", 0, 0], ["miit/a.csv", 2, "911", 9, 1]]))).toEqual(expected)
    // A row without a link shows none, never another row's.
    expect(listSheet(links([["miit/a.csv", 2, "911", 9, 1]])).map((r) => r.slice(1, 4))).toEqual([["911", 9, "auto"], ["", null, ""], ["", null, ""]])
  })

  it("is given in columns too, with the same cells, when every link is its own row's", () => {
    const rows = (sheet: TableSheet) => [...iterateRows(sheet.rows)]
    const aligned = sheetOf(links([["miit/a.csv", 2, "911", 9, 1], ["miit/a.csv", 3, "", 0, 0], ["miit/b.csv", 2, "922", 7, 2]]))
    const source = aligned.rows as RowSource
    expect(source.columns).toBeDefined()
    const fromColumns = [...Columns.segmentsOf(source, aligned.columns.length, 2)].flatMap((s) => [...iterateRows(Columns.decode(s))])
    expect(fromColumns).toEqual(rows(aligned))
    // Out of order, the rows find their links by provenance and the columns are not offered.
    expect((sheetOf(links([["miit/b.csv", 2, "922", 7, 2], ["miit/a.csv", 3, "", 0, 0], ["miit/a.csv", 2, "911", 9, 1]])).rows as RowSource).columns).toBeUndefined()
  })
})
