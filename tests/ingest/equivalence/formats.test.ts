/**
 * Issue 3, "Done when": the same facts saved as GB18030 CSV with Chinese headers, or as XLSX
 * with a title row and English synonyms, ingest to identical clean rows.
 */
import { describe, expect, it } from "vitest"
import { Effect } from "effect"
import ExcelJS from "exceljs"
import iconv from "iconv-lite"
import Papa from "papaparse"
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import * as Ingest from "../../../pipeline/ingest/Ingest.js"
import * as SourceCatalog from "../../../pipeline/ingest/SourceCatalog.js"
import * as Normalise from "../../../pipeline/assets/clean/normalise.js"

const repo = resolve(import.meta.dirname, "../../..")
const original = readFileSync(join(repo, "sources/idc/2025/idc_iot_spending.csv"), "utf8")
const parsed = Papa.parse<Array<string>>(original, { skipEmptyLines: true }).data
const [header, ...rows] = parsed as [Array<string>, ...Array<Array<string>>]

const zh: Record<string, string> = {
  publisher: "发布机构", release_date: "发布日期", region: "地区", metric: "指标", year: "年份", value: "数值",
  unit: "单位", is_forecast: "预测", cagr_pct: "年复合增长率", note: "备注", source_url: "来源链接",
}
const en: Record<string, string> = {
  publisher: "Publisher", release_date: "Release date", region: "Region", metric: "Metric", year: "Year", value: "Value",
  unit: "Unit", is_forecast: "Forecast", cagr_pct: "CAGR", note: "Note", source_url: "Source URL",
}

const sidecar = "kind: idc-spending\ntitle: t\nproducer: p\nurl: https://example.org\nretrieved: 2026-11-29\n"

/** Ingests every source of a folder and returns clean spending rows without their provenance. */
const cleanRows = (dir: string) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const catalog = yield* SourceCatalog.discover(dir)
      expect(catalog.errors).toEqual([])
      const tables = yield* Effect.forEach(catalog.entries, (e) => Ingest.ingest(e))
      return { tables, rows: Normalise.spending(tables).rows.map(({ provenance: _p, ...rest }) => rest) }
    }),
  )

describe("the same facts in three shapes", () => {
  it("UTF-8 CSV (English field names), GB18030 CSV with Chinese headers and XLSX with a title row give identical clean rows", async () => {
    const root = mkdtempSync(join(tmpdir(), "iiot-equiv-"))
    const folder = (name: string) => {
      const d = join(root, name, "idc", "x")
      mkdirSync(d, { recursive: true })
      return d
    }

    const a = folder("utf8")
    writeFileSync(join(a, "spending.csv"), original)
    writeFileSync(join(a, "spending.csv.source.yml"), sidecar)

    const b = folder("gb18030")
    const zhCsv = Papa.unparse([header.map((h) => zh[h]!), ...rows], { newline: "\r\n" })
    writeFileSync(join(b, "spending.csv"), iconv.encode(zhCsv, "gb18030"))
    writeFileSync(join(b, "spending.csv.source.yml"), sidecar) // no encoding declared: detected

    const c = folder("xlsx")
    const wb = new ExcelJS.Workbook()
    const ws = wb.addWorksheet("Figures")
    ws.addRow(["IoT spending figures across vintages (extract)"])
    ws.addRow([])
    ws.addRow(header.map((h) => en[h]!))
    // Years and plain numbers as Excel numbers, the way a colleague would type them. ("1.0" stays
    // text: as an Excel number it is 1, and the published text "1.0" would not survive the trip.)
    for (const r of rows) ws.addRow(r.map((v, i) => (["year", "value", "cagr_pct"].includes(header[i]!) && /^-?\d+(\.\d*[1-9])?$/.test(v) ? Number(v) : v)))
    await wb.xlsx.writeFile(join(c, "spending.xlsx"))
    writeFileSync(join(c, "spending.xlsx.source.yml"), sidecar)

    const fromUtf8 = await cleanRows(join(root, "utf8"))
    const fromGb = await cleanRows(join(root, "gb18030"))
    const fromXlsx = await cleanRows(join(root, "xlsx"))

    expect(fromGb.tables[0]!.source.encoding).toBe("gb18030")
    expect(fromXlsx.tables[0]!.source.headerRow).toBe(3)
    expect(fromUtf8.rows.length).toBeGreaterThan(60)
    expect(fromGb.rows).toEqual(fromUtf8.rows)
    expect(fromXlsx.rows).toEqual(fromUtf8.rows)
    // The Chinese and English headers all mapped: nothing was left as an extra column.
    expect(fromGb.tables[0]!.source.extras).toEqual([])
    expect(fromXlsx.tables[0]!.source.extras).toEqual([])
    // And the quarantine is the same rows, by content.
    expect(fromGb.tables[0]!.quarantine.map((q) => q.reasons)).toEqual(fromUtf8.tables[0]!.quarantine.map((q) => q.reasons))
  })
})
