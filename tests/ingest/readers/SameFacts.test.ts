/** Issue 3, "Done when": the same facts as UTF-8 CSV, GB18030 CSV with Chinese headers, and XLSX with a title row and English synonyms read to identical field → value rows. */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import ExcelJS from "exceljs"
import iconv from "iconv-lite"
import { mapHeaders } from "../../../pipeline/ingest/HeaderMap.js"
import { readTable } from "../../../pipeline/ingest/Table.js"
import { allRows, tempDir, write } from "./helpers.js"

const dir = tempDir()

// publisher, release_date, region, metric, year, value, unit, is_forecast
const facts: Array<[string, string, string, string, number, number, string, string]> = [
  ["IDC", "2022-06-16", "亚太地区", "物联网支出", 2026, 436, "USD billion", "yes"],
  ["IDC", "2019-01-03", "Worldwide", "IoT spending", 2022, 1.2, "USD trillion", "yes"],
  ["工业和信息化部", "2023-03-01", "中国", "工业互联网产业规模", 2022, 1.2, "万亿元", "no"],
]

const csv = (header: string[]) =>
  [header, ...facts.map((f) => f.map(String))].map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(",")).join("\r\n") + "\r\n"

const asRecords = (table: { head: { headers: ReadonlyArray<string> } }, rows: ReadonlyArray<{ cells: ReadonlyArray<string> }>) => {
  const m = mapHeaders("idc-spending", table.head.headers)
  expect(m.missing).toEqual([])
  expect(m.extras).toEqual([])
  return rows.map((r) => Object.fromEntries(m.fields.map((f) => [f.field, r.cells[f.index] ?? ""])))
}

describe("same facts, three shapes", () => {
  it.effect("UTF-8 CSV (English), GB18030 CSV (Chinese headers, undeclared) and XLSX (title row, other synonyms, real dates and numbers) give identical rows", () =>
    Effect.gen(function* () {
      const english = write(dir, "facts-en.csv", csv(["Publisher", "Release date", "Region", "Metric", "Year", "Value", "Unit", "Forecast"]))
      const chinese = write(dir, "facts-zh.csv", iconv.encode(csv(["发布机构", "发布日期", "地区", "指标", "年份", "数值", "单位", "预测"]), "gb18030"))

      const wb = new ExcelJS.Workbook()
      const ws = wb.addWorksheet("Spending")
      ws.getCell("A1").value = "IoT spending figures, compiled for the briefing"
      ws.mergeCells("A1:H1")
      ws.addRow([])
      ws.addRow(["Source", "Published", "Geography", "Indicator", "Year", "Amount", "Units", "Projection"])
      for (const [pub, date, ...rest] of facts) ws.addRow([pub, new Date(`${date}T00:00:00Z`), ...rest])
      const xlsx = `${dir}/facts.xlsx`
      yield* Effect.promise(() => wb.xlsx.writeFile(xlsx))

      const results = []
      for (const file of [english, chinese, xlsx]) {
        const t = yield* readTable(file)
        results.push({ encoding: t.head.encoding, records: asRecords(t, yield* allRows(t)) })
      }
      expect(results.map((r) => r.encoding)).toEqual(["utf-8", "gb18030", "xlsx"])
      expect(results[0]!.records).toEqual([
        { publisher: "IDC", release_date: "2022-06-16", region: "亚太地区", metric: "物联网支出", year: "2026", value: "436", unit: "USD billion", is_forecast: "yes" },
        { publisher: "IDC", release_date: "2019-01-03", region: "Worldwide", metric: "IoT spending", year: "2022", value: "1.2", unit: "USD trillion", is_forecast: "yes" },
        { publisher: "工业和信息化部", release_date: "2023-03-01", region: "中国", metric: "工业互联网产业规模", year: "2022", value: "1.2", unit: "万亿元", is_forecast: "no" },
      ])
      expect(results[1]!.records).toEqual(results[0]!.records)
      expect(results[2]!.records).toEqual(results[0]!.records)
    }),
  )
})
