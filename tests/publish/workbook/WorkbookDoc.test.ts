import { describe, expect, it } from "vitest"
import * as Doc from "../../../pipeline/publish/workbook/WorkbookDoc.js"
import { displayWidth } from "../../../pipeline/publish/workbook/Render.js"
import { colLetter, escapeXml, insertWorksheetElement } from "../../../pipeline/publish/workbook/xml.js"
import { links, numberedList, sampleDoc } from "./sample.js"

describe("WorkbookDoc", () => {
  it("splits an oversized table into noted parts without losing or repeating a row", () => {
    const doc = Doc.splitOversized({ properties: sampleDoc.properties, sheets: [numberedList(2500)] }, 1000)
    expect(doc.sheets.map((s) => s.name)).toEqual(["List", "List (2)", "List (3)"])
    const parts = doc.sheets as ReadonlyArray<Doc.TableSheet>
    expect(parts.map((p) => Doc.rowCount(p.rows))).toEqual([998, 998, 504])
    expect(parts.map((p) => p.tableName)).toEqual(["List", "List_2", "List_3"])
    expect(parts[1]!.note).toContain("Part 2 of 3")
    expect(parts[1]!.note).toContain('Continued on sheet "List (3)"')
    const keys = parts.flatMap((p) => [...Doc.iterateRows(p.rows)].map((r) => r[0]))
    expect(keys).toEqual(Array.from({ length: 2500 }, (_, i) => `K${i}`))
    // Idempotent: a split document stays as it is.
    expect(Doc.splitOversized(doc, 1000).sheets.map((s) => s.name)).toEqual(doc.sheets.map((s) => s.name))
  })

  it("gives each part of a table held in columns the same part of its columns", () => {
    const list = numberedList(2500)
    const n = 2500
    const columns: ReadonlyArray<Doc.SourceColumn> = [
      { t: "text", values: Array.from({ length: n }, (_, i) => `K${i}`) },
      { t: "coded", values: ["企业甲", "企业乙"], codes: Uint8Array.from({ length: n }, (_, i) => i % 2) },
      { t: "num", values: Float64Array.from({ length: n }, (_, i) => i) },
    ]
    const source: Doc.RowSource = { count: n, rows: () => [...Doc.iterateRows(list.rows)], columns: () => columns }
    const parts = Doc.splitOversized({ properties: sampleDoc.properties, sheets: [{ ...list, rows: source }] }, 1000).sheets as ReadonlyArray<Doc.TableSheet>
    const second = (parts[1]!.rows as Doc.RowSource).columns!()
    expect(second.map((c) => (c.t === "coded" ? c.codes.length : c.values.length))).toEqual([998, 998, 998])
    expect((second[0] as { values: ReadonlyArray<string> }).values[0]).toBe("K998")
    expect((second[1] as { codes: ArrayLike<number> }).codes[1]).toBe(1)
    expect((second[2] as { values: ArrayLike<number> }).values[997]).toBe(1995)
    // A part of a source without columns has none.
    expect((Doc.splitOversized({ properties: sampleDoc.properties, sheets: [list] }, 1000).sheets[0] as Doc.TableSheet & { rows: Doc.RowSource }).rows.columns).toBeUndefined()
  })

  it("keeps a table that exactly fits in one sheet", () => {
    expect(Doc.splitOversized({ properties: sampleDoc.properties, sheets: [numberedList(999)] }, 1000).sheets).toHaveLength(1)
    expect(Doc.splitOversized({ properties: sampleDoc.properties, sheets: [numberedList(1000)] }, 1000).sheets).toHaveLength(2)
  })

  it("reports unusable names, duplicate headers and charts on unknown columns", () => {
    const bad: Doc.WorkbookDoc = {
      properties: { ...sampleDoc.properties, created: "yesterday" },
      sheets: [
        { ...links, name: "Links" },
        { ...links, name: "links", tableName: "Links2", columns: [...links.columns, { header: "link KEY", key: "k2", kind: "text" }] },
        { kind: "text", name: "a/b", lines: [] },
        { ...links, name: "Charted", tableName: "C", charts: [{ kind: "line", title: "T", categoriesFrom: { column: "nope" }, series: [{ column: "score" }], anchor: { col: 0, row: 0, width: 1, height: 1 } }] },
      ],
    }
    const messages = Doc.problems(bad).map((p) => p.message)
    expect(messages.some((m) => m.includes("not an ISO date"))).toBe(true)
    expect(messages.some((m) => m.includes('"links" is used twice'))).toBe(true)
    expect(messages.some((m) => m.includes('header "link KEY" is used twice'))).toBe(true)
    expect(messages.some((m) => m.includes("[]:*?/\\"))).toBe(true)
    expect(Doc.problems(bad).find((p) => p.about === "chart")?.message).toContain('no column with key "nope"')
    expect(Doc.problems(sampleDoc)).toEqual([])
  })

  it("makes table names Excel accepts", () => {
    expect(Doc.safeTableName("Links")).toBe("Links")
    expect(Doc.safeTableName("2022 list")).toBe("_2022_list")
    expect(Doc.safeTableName("A1")).toBe("T_A1")
    expect(Doc.safeTableName("R1C1")).toBe("T_R1C1")
    expect(Doc.safeTableName("平台 列表")).toBe("平台_列表")
  })

  it("converts ISO dates to Excel serials and refuses non-dates", () => {
    expect(Doc.excelDateSerial("1900-03-01")).toBe(61)
    expect(Doc.excelDateSerial("2022-10-31")).toBe(44865)
    expect(Doc.excelDateSerial("2022-02-30")).toBeUndefined()
    expect(Doc.excelDateSerial("31/10/2022")).toBeUndefined()
    expect(Doc.partName("A very long sheet name for data", 12)).toBe("A very long sheet name for (12)")
  })

  it("counts CJK characters double in display width", () => {
    expect(displayWidth("abc")).toBe(3)
    expect(displayWidth("海尔卡奥斯")).toBe(10)
    expect(displayWidth("Haier 海尔")).toBe(10)
    expect(displayWidth("𠀀")).toBe(2)
  })

  it("escapes XML and the characters XML cannot hold", () => {
    expect(escapeXml(`a<b & "c"`)).toBe("a&lt;b &amp; &quot;c&quot;")
    expect(escapeXml("x\u0001y")).toBe("x_x0001_y")
    expect(escapeXml("_x0041_")).toBe("_x005F_x0041_")
    expect(escapeXml("海尔")).toBe("海尔")
    expect(colLetter(1) + colLetter(26) + colLetter(27) + colLetter(16384)).toBe("AZAAXFD")
  })

  it("inserts worksheet elements in schema order", () => {
    const xml = "<worksheet><sheetData/><pageMargins/><tableParts/></worksheet>"
    expect(insertWorksheetElement(xml, "drawing", "<drawing/>")).toBe("<worksheet><sheetData/><pageMargins/><drawing/><tableParts/></worksheet>")
    expect(insertWorksheetElement(xml, "hyperlinks", "<hyperlinks/>")).toBe("<worksheet><sheetData/><hyperlinks/><pageMargins/><tableParts/></worksheet>")
    expect(insertWorksheetElement("<worksheet><sheetData/></worksheet>", "drawing", "<drawing/>")).toBe("<worksheet><sheetData/><drawing/></worksheet>")
  })
})
