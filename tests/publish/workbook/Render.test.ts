import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import ExcelJS from "exceljs"
import JSZip from "jszip"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as Render from "../../../pipeline/publish/workbook/Render.js"
import type { TableSheet, WorkbookDoc } from "../../../pipeline/publish/workbook/WorkbookDoc.js"
import { INJECTION, links, numberedList, sampleDoc } from "./sample.js"

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "wb-render-"))

const read = (file: string) =>
  Effect.promise(async () => {
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.readFile(file)
    return wb
  })

const zipOf = (file: string) => Effect.promise(() => JSZip.loadAsync(fs.readFileSync(file)))

describe("Render", () => {
  it.effect("writes sheets, tables, frozen headers, formats, links and properties that exceljs reads back", () =>
    Effect.gen(function* () {
      const file = path.join(tmp(), "sample.xlsx")
      const result = yield* Render.render(sampleDoc, file)
      expect(result.sheets.map((s) => s.name)).toEqual(["About", "Links", "Rounds"])
      expect(result.charts).toBe(2)
      const wb = yield* read(file)
      expect(wb.worksheets.map((w) => w.name)).toEqual(["About", "Links", "Rounds"])
      expect(wb.title).toBe("China IIoT observatory")
      expect(wb.subject).toBe("Industrial Internet of Things in China")
      expect(wb.company).toBe("Policy Unit")
      expect(wb.creator).toBe("iiot-observatory")
      expect(wb.created.toISOString()).toBe("2022-10-31T00:00:00.000Z")
      expect(wb.modified.toISOString()).toBe("2022-10-31T00:00:00.000Z")

      const ws = wb.getWorksheet("Links")!
      expect((ws.getRow(1).values as Array<unknown>).slice(1)).toEqual(links.columns.map((c) => c.header))
      const tables = ws.getTables() as unknown as Array<{ table: { name: string; tableRef?: string; ref?: string; style?: { theme?: string; showRowStripes?: boolean } } }>
      expect(tables).toHaveLength(1)
      const table = tables[0]!.table
      expect(table.name).toBe("Links")
      expect(table.tableRef ?? table.ref).toBe("A1:H6")
      expect(table.style?.theme).toBe("TableStyleMedium2")
      expect(table.style?.showRowStripes).toBe(true)
      expect(ws.views[0]).toMatchObject({ state: "frozen", ySplit: 1 })
      expect(ws.pageSetup.orientation).toBe("landscape")
      expect(ws.pageSetup.fitToWidth).toBe(1)
      expect(ws.pageSetup.fitToHeight).toBe(0)
      expect(ws.pageSetup.printTitlesRow).toBe("1:1")

      // Cells: Chinese text exactly as given, formula-looking text as plain strings, typed numbers and dates.
      expect(ws.getCell("B2").value).toBe("海尔卡奥斯物联生态科技有限公司")
      expect(ws.getCell("B4").value).toBe(INJECTION)
      expect(ws.getCell("B4").formula).toBeUndefined()
      expect(ws.getCell("B5").value).toBe("+86 10 1234")
      expect(ws.getCell("B6").value).toBe("@SUM(A1)")
      expect(ws.getCell("C6").value).toBe("-2+3")
      expect(ws.getCell("D2").value).toBe(0.97)
      expect(ws.getCell("D2").numFmt).toBe("0.0%")
      expect((ws.getCell("E2").value as Date).toISOString()).toBe("2022-10-31T00:00:00.000Z")
      expect(ws.getCell("E2").numFmt).toBe("yyyy-mm-dd")
      expect(ws.getCell("E5").value).toBe("not a date")
      expect(ws.getCell("F6").value).toBe(12345)
      expect(ws.getCell("F6").numFmt).toBe("#,##0")
      expect(ws.getCell("H3").value).toBe("accept")

      // Hyperlinks: external from the URL column, internal from a link cell.
      expect(ws.getCell("C2").hyperlink).toBe("https://www.miit.gov.cn/a.html")
      expect(ws.getCell("C4").text).toBe("see About")
      const about = wb.getWorksheet("About")!
      expect(about.getCell("B8").hyperlink).toBe("https://www.miit.gov.cn/")
      // exceljs' reader drops location-only (internal) links, so read those from the sheet XML.
      const zip = yield* zipOf(file)
      const xml = (name: string) => Effect.promise(() => zip.file(name)!.async("string"))
      expect(yield* xml("xl/worksheets/sheet2.xml")).toContain('<hyperlink ref="C4" location="&apos;About&apos;!A1" display="see About"/>')
      expect(yield* xml("xl/worksheets/sheet1.xml")).toContain('<hyperlink ref="A5" location="&apos;Links&apos;!A1"/>')

      // Validation on every Decision cell, none elsewhere.
      for (const ref of ["H2", "H6"]) {
        expect(ws.getCell(ref).dataValidation).toMatchObject({ type: "list", formulae: ['"accept,reject,merge,split"'] })
      }
      expect(ws.getCell("G2").dataValidation).toBeUndefined()

      // Widths fitted with CJK counted double (15 characters → 30 + padding), header-only columns narrower.
      expect(ws.getColumn(2).width).toBe(32)
      expect(ws.getColumn(1).width).toBeLessThan(15)

      // Conditional formatting on the severity column.
      const cf = (ws as unknown as { conditionalFormattings: unknown }).conditionalFormattings as Array<{ ref: string; rules: Array<{ formulae: Array<string> }> }>
      expect(cf[0]!.ref).toBe("G2:G6")
      expect(cf[0]!.rules.map((r) => r.formulae[0])).toEqual(['"error"', '"warn"', '"info"'])
    }),
  )

  it.effect("adds chart parts, a drawing before tableParts, content types, and never a formula for user text", () =>
    Effect.gen(function* () {
      const file = path.join(tmp(), "sample.xlsx")
      yield* Render.render(sampleDoc, file)
      const zip = yield* zipOf(file)
      const text = (name: string) => Effect.promise(() => zip.file(name)!.async("string"))
      expect(Object.keys(zip.files).filter((n) => n.startsWith("xl/charts/"))).toEqual(["xl/charts/chart1.xml", "xl/charts/chart2.xml"])
      const chart1 = yield* text("xl/charts/chart1.xml")
      expect(chart1).toContain('<c:grouping val="stacked"/>')
      expect(chart1).toContain('<c:overlap val="100"/>')
      expect(chart1).toContain("<c:f>&apos;Rounds&apos;!$B$2:$B$5</c:f>")
      expect(chart1).toContain('<c:numCache><c:formatCode>#,##0</c:formatCode><c:ptCount val="4"/><c:pt idx="0"><c:v>2</c:v>')
      expect(chart1).toContain("<c:v>2018-09</c:v>")
      const chart2 = yield* text("xl/charts/chart2.xml")
      expect(chart2).toContain("<c:lineChart>")
      const types = yield* text("[Content_Types].xml")
      expect(types).toContain('PartName="/xl/charts/chart1.xml" ContentType="application/vnd.openxmlformats-officedocument.drawingml.chart+xml"')
      expect(types).toContain('PartName="/xl/drawings/drawing1.xml" ContentType="application/vnd.openxmlformats-officedocument.drawing+xml"')
      const rounds = yield* text("xl/worksheets/sheet3.xml")
      expect(rounds).toMatch(/<pageSetup[^>]*\/><drawing [^>]*r:id="rIdDrawing1"\/><tableParts/)
      expect(yield* text("xl/worksheets/_rels/sheet3.xml.rels")).toContain('Target="../drawings/drawing1.xml"')
      expect(yield* text("xl/drawings/_rels/drawing1.xml.rels")).toContain('Target="../charts/chart2.xml"')
      for (const name of Object.keys(zip.files).filter((n) => /^xl\/worksheets\/sheet\d+\.xml$/.test(n))) {
        expect(yield* text(name)).not.toMatch(/<f[ >]/)
      }
      expect(yield* text("xl/worksheets/sheet2.xml")).toContain("<t>=cmd|&apos; /C calc&apos;!A0</t>")
    }),
  )

  it.effect("gives byte-identical files for the same document", () =>
    Effect.gen(function* () {
      const dir = tmp()
      yield* Render.render(sampleDoc, path.join(dir, "a.xlsx"))
      yield* Effect.promise(() => new Promise((r) => setTimeout(r, 1100))) // a clock tick that must not show
      yield* Render.render(sampleDoc, path.join(dir, "b.xlsx"))
      const a = fs.readFileSync(path.join(dir, "a.xlsx"))
      const b = fs.readFileSync(path.join(dir, "b.xlsx"))
      expect(a.length).toBeGreaterThan(1000)
      expect(a.equals(b)).toBe(true)
    }),
  )

  it.effect("splits a table over the row limit across noted sheets, each a table, losing no row", () =>
    Effect.gen(function* () {
      const n = 2_345
      const list = numberedList(n)
      const file = path.join(tmp(), "split.xlsx")
      const result = yield* Render.render({ properties: sampleDoc.properties, sheets: [list] }, file, { maxRowsPerSheet: 1_000 })
      expect(result.sheets.map((s) => [s.name, s.rows])).toEqual([
        ["List", 998],
        ["List (2)", 998],
        ["List (3)", 349],
      ])
      const wb = yield* read(file)
      const seen: Array<string> = []
      for (const ws of wb.worksheets) {
        expect(ws.rowCount).toBeLessThanOrEqual(1_000)
        expect(String(ws.getCell("A1").value)).toContain(`Part ${wb.worksheets.indexOf(ws) + 1} of 3`)
        expect((ws.getRow(2).values as Array<unknown>).slice(1)).toEqual(["Key", "Company (zh)", "N"])
        expect(ws.views[0]).toMatchObject({ state: "frozen", ySplit: 2 })
        expect(ws.getTables()).toHaveLength(1)
        ws.eachRow((row, r) => {
          if (r > 2) {
            seen.push(String(row.getCell(1).value))
            expect(row.getCell(2).value).toBe(`企业${Number(String(row.getCell(1).value).slice(1))}`)
          }
        })
      }
      expect(seen).toEqual(Array.from({ length: n }, (_, i) => `K${i}`))
      const zip = yield* zipOf(file)
      expect(yield* Effect.promise(() => zip.file("xl/tables/table3.xml")!.async("string"))).toContain('ref="A2:C351"')
    }),
  )

  it.effect("fails with a typed error, and leaves no file, when a row source yields fewer rows than declared", () =>
    Effect.gen(function* () {
      const file = path.join(tmp(), "short.xlsx")
      const lying: TableSheet = { ...links, rows: { count: 10, rows: () => [["only one"]] } }
      const exit = yield* Effect.exit(Render.render({ properties: sampleDoc.properties, sheets: [lying] }, file))
      expect(Exit.isFailure(exit)).toBe(true)
      const error = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
      expect(error).toMatchObject({ _tag: "WorkbookError", reason: "write", sheet: "Links" })
      expect(error?.message).toContain("1 rows but 10 were declared")
      expect(fs.existsSync(file)).toBe(false)
    }),
  )

  it.effect("refuses a chart on a missing column with reason chart, naming the sheet", () =>
    Effect.gen(function* () {
      const file = path.join(tmp(), "bad.xlsx")
      const doc: WorkbookDoc = {
        properties: sampleDoc.properties,
        sheets: [{ ...links, charts: [{ kind: "column", title: "X", categoriesFrom: { column: "key" }, series: [{ column: "missing" }], anchor: { col: 0, row: 0, width: 4, height: 4 } }] }],
      }
      const error = yield* Effect.flip(Render.render(doc, file))
      expect(error.reason).toBe("chart")
      expect(error.sheet).toBe("Links")
      expect(error.message).toContain('no column with key "missing"')
    }),
  )

  it.effect("writes an empty table as a valid table with one blank row", () =>
    Effect.gen(function* () {
      const file = path.join(tmp(), "empty.xlsx")
      yield* Render.render({ properties: sampleDoc.properties, sheets: [{ ...links, rows: [] }] }, file)
      const wb = yield* read(file)
      const ws = wb.getWorksheet("Links")!
      const table = (ws.getTables() as unknown as Array<{ table: { tableRef?: string; ref?: string } }>)[0]!.table
      expect(table.tableRef ?? table.ref).toBe("A1:H2")
      expect(ws.getCell("A2").value).toBeNull()
    }),
  )
})
