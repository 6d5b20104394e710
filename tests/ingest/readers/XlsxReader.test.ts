import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import ExcelJS from "exceljs"
import JSZip from "jszip"
import * as fs from "node:fs"
import { readTable } from "../../../pipeline/ingest/Table.js"
import { allRows, tempDir, write } from "./helpers.js"

const dir = tempDir()
const save = (wb: ExcelJS.Workbook, name: string) => Effect.promise(() => wb.xlsx.writeFile(`${dir}/${name}`)).pipe(Effect.as(`${dir}/${name}`))

describe("XLSX reader", () => {
  it.effect("title rows and a merged two-row header: 'Parent / Child' names, merged data cells fill every row", () =>
    Effect.gen(function* () {
      const wb = new ExcelJS.Workbook()
      const ws = wb.addWorksheet("Sites")
      ws.getCell("A1").value = "WEF Global Lighthouse Network: China sites"
      ws.mergeCells("A1:E1")
      ws.getCell("A3").value = "Company"
      ws.mergeCells("A3:A4")
      ws.getCell("B3").value = "Location"
      ws.mergeCells("B3:C3")
      ws.getCell("B4").value = "City"
      ws.getCell("C4").value = "Country"
      ws.getCell("D3").value = "Year joined"
      ws.mergeCells("D3:D4")
      ws.getCell("E3").value = "Type"
      ws.mergeCells("E3:E4")
      ws.addRow(["Haier", "Qingdao", "China", 2018, "Factory"])
      ws.addRow([null, "Tianjin", "China", 2020, "End-to-end"])
      ws.mergeCells("A5:A6")
      const t = yield* readTable(yield* save(wb, "two-row-header.xlsx"))
      expect(t.head).toMatchObject({ sheet: "Sites", encoding: "xlsx", headerRow: 3, firstDataRow: 5 })
      expect(t.head.headers).toEqual(["Company", "Location / City", "Location / Country", "Year joined", "Type"])
      expect(yield* allRows(t)).toEqual([
        { row: 5, cells: ["Haier", "Qingdao", "China", "2018", "Factory"] },
        { row: 6, cells: ["Haier", "Tianjin", "China", "2020", "End-to-end"] },
      ])
      expect(t.findings.map((f) => f.code)).toEqual(expect.arrayContaining(["title-rows-skipped", "two-row-header"]))
    }),
  )

  it.effect("a header merged across columns without sub-headers: each column kept, repeats numbered", () =>
    Effect.gen(function* () {
      const wb = new ExcelJS.Workbook()
      const ws = wb.addWorksheet("S")
      ws.addRow(["Company", null, "Country"])
      ws.mergeCells("A1:B1")
      ws.addRow(["海尔", "Haier", "China"])
      const t = yield* readTable(yield* save(wb, "merged-header.xlsx"))
      expect(t.head.headers).toEqual(["Company", "Company (2)", "Country"])
      expect((yield* allRows(t))[0]!.cells).toEqual(["海尔", "Haier", "China"])
      expect(t.findings.map((f) => f.code)).toEqual(expect.arrayContaining(["merged-header", "duplicate-header"]))
    }),
  )

  it.effect("formulas give their cached result (never evaluated), dates ISO, rich text and links plain, numbers short", () =>
    Effect.gen(function* () {
      const wb = new ExcelJS.Workbook()
      const ws = wb.addWorksheet("Figures")
      ws.addRow(["label", "value", "double", "date", "serial", "link"])
      ws.addRow(["a", 1.1 + 0.1, { formula: "B2*2", result: 2.4 }, new Date(Date.UTC(2022, 4, 18)), 44699, { text: "MIIT notice", hyperlink: "https://www.miit.gov.cn/" }])
      ws.getCell("E2").numFmt = "yyyy-mm-dd"
      ws.addRow([{ richText: [{ text: "Haier " }, { font: { bold: true }, text: "COSMOPlat" }] }, 1234567, { formula: "B3*2", result: 999 }, new Date(Date.UTC(2023, 0, 2, 13, 30)), true, null])
      ws.addRow(["no cache", 3, { formula: "B4*2" } as ExcelJS.CellFormulaValue, null, null, null])
      const t = yield* readTable(yield* save(wb, "formulas.xlsx"))
      const rows = yield* allRows(t)
      expect(rows.map((r) => r.cells)).toEqual([
        ["a", "1.2", "2.4", "2022-05-18", "2022-05-18", "MIIT notice"],
        // 999 is the stored result although B3*2 is 2469134: the reader never recalculates.
        ["Haier COSMOPlat", "1234567", "999", "2023-01-02T13:30:00", "TRUE"],
        // The uncached formula reads as empty (trailing empty cells are not kept) and is reported below.
        ["no cache", "3"],
      ])
      const found = yield* t.readFindings
      expect(found.filter((f) => f.code === "formula-without-value").map((f) => f.row)).toEqual([4])
    }),
  )

  it.effect("sheet chosen by name; an unknown sheet is ReadError sheet-not-found listing the sheets", () =>
    Effect.gen(function* () {
      const wb = new ExcelJS.Workbook()
      wb.addWorksheet("Notes").addRow(["read me"])
      wb.addWorksheet("Data").addRows([["Company", "Country"], ["Haier", "China"]])
      const file = yield* save(wb, "sheets.xlsx")
      const first = yield* readTable(file)
      expect(first.head.sheet).toBe("Notes")
      const t = yield* readTable(file, { sheet: "Data" })
      expect((yield* allRows(t)).map((r) => r.cells)).toEqual([["Haier", "China"]])
      const err = yield* Effect.flip(readTable(file, { sheet: "Daten" }))
      expect(err).toMatchObject({ reason: "sheet-not-found", sheet: "Daten" })
      expect(err.message).toContain('"Notes", "Data"')
    }),
  )

  it.effect("an .xlsx that is really CSV text is read as CSV with a csv-renamed finding; a workbook named .csv is read as XLSX", () =>
    Effect.gen(function* () {
      const t = yield* readTable(write(dir, "renamed.xlsx", "Company,Country\nHaier,China\n"))
      expect(t.head.encoding).toBe("utf-8")
      expect(t.findings.map((f) => f.code)).toContain("csv-renamed")
      expect((yield* allRows(t)).map((r) => r.cells)).toEqual([["Haier", "China"]])
      const wb = new ExcelJS.Workbook()
      wb.addWorksheet("S").addRows([["Company"], ["Haier"]])
      const xlsx = yield* save(wb, "real.xlsx")
      fs.copyFileSync(xlsx, `${dir}/misnamed.csv`)
      expect((yield* readTable(`${dir}/misnamed.csv`)).head.encoding).toBe("xlsx")
    }),
  )

  it.effect("a sheet with 100k empty trailing rows yields only the real rows", () =>
    Effect.gen(function* () {
      const wb = new ExcelJS.Workbook()
      wb.addWorksheet("S").addRows([["a", "b"], ["1", "2"], ["3", "4"]])
      const small = yield* save(wb, "trailing-src.xlsx")
      // Empty styled cells and empty strings down to row 100 003, as Excel writes after formatting whole columns.
      const zip = yield* Effect.promise(() => JSZip.loadAsync(fs.readFileSync(small)))
      const xml = yield* Effect.promise(() => zip.file("xl/worksheets/sheet1.xml")!.async("string"))
      const empty: string[] = []
      for (let r = 4; r <= 100_003; r++) empty.push(`<row r="${r}"><c r="A${r}" s="0"/><c r="B${r}" t="inlineStr"><is><t></t></is></c></row>`)
      zip.file("xl/worksheets/sheet1.xml", xml.replace("</sheetData>", `${empty.join("")}</sheetData>`))
      const file = `${dir}/trailing.xlsx`
      fs.writeFileSync(file, yield* Effect.promise(() => zip.generateAsync({ type: "nodebuffer", compression: "DEFLATE" })))
      const rows = yield* allRows(yield* readTable(file))
      expect(rows).toEqual([{ row: 2, cells: ["1", "2"] }, { row: 3, cells: ["3", "4"] }])
    }),
  )

  it.effect("a zip whose parts expand absurdly is refused with too-large before parsing", () =>
    Effect.gen(function* () {
      const zip = new JSZip()
      zip.file("[Content_Types].xml", "<Types/>")
      zip.file("xl/worksheets/sheet1.xml", `<worksheet><sheetData>${" ".repeat(17 * 1024 * 1024)}</sheetData></worksheet>`)
      const bomb = `${dir}/bomb.xlsx`
      fs.writeFileSync(bomb, yield* Effect.promise(() => zip.generateAsync({ type: "nodebuffer", compression: "DEFLATE", compressionOptions: { level: 1 } })))
      expect(fs.statSync(bomb).size).toBeLessThan(200_000)
      const err = yield* Effect.flip(readTable(bomb))
      expect(err.reason).toBe("too-large")
      expect(err.message).toContain("zip bomb")
      const err2 = yield* Effect.flip(readTable(bomb, { maxUncompressedBytes: 1_000_000, maxUncompressedRatio: 1e9 }))
      expect(err2.reason).toBe("too-large")
    }),
  )

  it.effect("a truncated workbook is ReadError bad-xlsx", () =>
    Effect.gen(function* () {
      const wb = new ExcelJS.Workbook()
      wb.addWorksheet("S").addRows([["a"], ["1"]])
      const bytes = fs.readFileSync(yield* save(wb, "whole.xlsx"))
      const err = yield* Effect.flip(readTable(write(dir, "cut.xlsx", bytes.subarray(0, Math.floor(bytes.length / 2)))))
      expect(err.reason).toBe("bad-xlsx")
    }),
  )
})
