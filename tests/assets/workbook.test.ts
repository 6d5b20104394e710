import { describe, expect, it } from "vitest"
import ExcelJS from "exceljs"
import Papa from "papaparse"
import JSZip from "jszip"
import { execFile } from "node:child_process"
import { appendFileSync, mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { promisify } from "node:util"
import { join } from "node:path"
import { refresh, workspace } from "./harness.js"

const load = async (file: string) => {
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.readFile(file)
  return wb
}

const headers = (ws: ExcelJS.Worksheet) => (ws.getRow(1).values as Array<unknown>).slice(1).map(String)

/** Rows of a sheet as objects keyed by header. */
const records = (ws: ExcelJS.Worksheet): Array<Record<string, unknown>> => {
  const h = headers(ws)
  const out: Array<Record<string, unknown>> = []
  ws.eachRow((row, n) => {
    if (n === 1) return
    const r: Record<string, unknown> = {}
    h.forEach((name, i) => {
      const v = row.getCell(i + 1).value as unknown
      r[name] = v && typeof v === "object" && "text" in (v as object) ? (v as { text: unknown }).text : v
    })
    out.push(r)
  })
  return out
}

describe("published/workbook on the bundled sources", () => {
  const ws = workspace()
  const ready = refresh(ws)
  const file = join(ws, "outputs/latest/iiot-observatory.xlsx")

  it("has the sheets in order, real tables, frozen headers and readable headers", async () => {
    expect((await ready).status).toBe("succeeded")
    const wb = await load(file)
    const names = wb.worksheets.map((s) => s.name)
    expect(names.slice(0, 2)).toEqual(["About", "Platforms"])
    expect(names.slice(-3)).toEqual(["Findings", "Quarantine", "Sources"])
    for (const name of ["Collaborations", "Lighthouses", "Rounds", "Spending"]) expect(names).toContain(name)
    expect(names.indexOf("Collaborations")).toBeLessThan(names.indexOf("Lighthouses"))
    expect(names.indexOf("Rounds")).toBeLessThan(names.indexOf("Spending"))
    for (const sheet of wb.worksheets.slice(1)) {
      expect(Object.keys((sheet as any).tables ?? {}).length, sheet.name).toBe(1)
      // Sheets with a note line above the table freeze below row 2.
      const table = Object.values((sheet as any).tables)[0] as { table: { ref?: string; tableRef?: string } }
      const headerRow = Number(String(table.table.ref ?? table.table.tableRef).match(/^[A-Z]+(\d+)/)![1])
      expect(sheet.views[0], sheet.name).toMatchObject({ state: "frozen", ySplit: headerRow })
    }
    expect(headers(wb.getWorksheet("Platforms")!)).toEqual([
      "List year", "No.", "Platform", "Platform (zh)", "Company (zh)", "Ownership", "Ownership (as published)", "Source URL", "Notes", "Source", "Source row",
    ])
    expect(wb.created.toISOString().slice(0, 10)).toBe("2026-11-29")
  })

  it("keeps Chinese names exactly as in the source, with links to the sources", async () => {
    await ready
    const wb = await load(file)
    const platforms = records(wb.getWorksheet("Platforms")!)
    const source = Papa.parse<Record<string, string>>(readFileSync(join(ws, "sources/miit/2023-06/miit_platforms.csv"), "utf8"), { header: true, skipEmptyLines: true }).data
    const haier = platforms.find((r) => r["Platform"] === "Haier COSMOPlat" && r["List year"] === 2022)!
    expect(haier["Company (zh)"]).toBe(source.find((r) => r["platform_name_en"] === "Haier COSMOPlat")!["company_name_zh"])
    expect(haier["Company (zh)"]).toBe("海尔卡奥斯物联生态科技有限公司")
    // The truncated name is repaired, the original stays in Findings.
    expect(platforms.some((r) => r["Company (zh)"] === "航天云网科技发展有限责任公司")).toBe(true)
    const sources = wb.getWorksheet("Sources")!
    const urlCell = sources.getRow(2).getCell(headers(sources).indexOf("URL") + 1)
    expect((urlCell.value as { hyperlink: string }).hyperlink).toMatch(/^https?:\/\//)
  })

  it("loses nothing: every source row is in a data sheet or in Quarantine", async () => {
    await ready
    const wb = await load(file)
    const quarantine = records(wb.getWorksheet("Quarantine")!)
    const sheetOf: Record<string, string> = {
      "miit/2023-06/miit_platforms.csv": "Platforms",
      "miit/2023-06/miit_collaborations.csv": "Collaborations",
      "wef/2026-01/wef_lighthouses.csv": "Lighthouses",
      "wef/2026-01/wef_rounds.csv": "Round claims",
      "idc/2025/idc_iot_spending.csv": "Spending",
    }
    for (const [source, sheet] of Object.entries(sheetOf)) {
      const text = readFileSync(join(ws, "sources", source), "utf8")
      const rowsInFile = Papa.parse(text, { header: true, skipEmptyLines: true }).data.length
      const shown = records(wb.getWorksheet(sheet)!).filter((r) => r["Source"] === source).map((r) => r["Source row"])
      const held = quarantine.filter((r) => r["Source"] === source).map((r) => r["Source row"])
      expect(new Set([...shown, ...held]).size, source).toBe(rowsInFile)
    }
    expect(quarantine.length).toBeGreaterThan(0)
  })

  it("writes text that looks like a formula as text", async () => {
    const dir = workspace()
    appendFileSync(join(dir, "sources/miit/2023-06/miit_collaborations.csv"), 'Haier COSMOPlat,"=HYPERLINK(""http://evil"")",Germany,,,x,"@SUM(1)"\r\n')
    expect((await refresh(dir)).status).toBe("succeeded")
    const wb = await load(join(dir, "outputs/latest/iiot-observatory.xlsx"))
    const row = records(wb.getWorksheet("Collaborations")!).find((r) => String(r["Partner"]).includes("HYPERLINK"))!
    expect(row["Partner"]).toBe('=HYPERLINK("http://evil")')
    expect(row["Note"]).toBe("@SUM(1)")
  })

  it("has the Decision dropdown on Links and native charts that survive LibreOffice", async () => {
    await ready
    const wb = await load(file)
    const links = wb.getWorksheet("Links")!
    const decision = headers(links).indexOf("Decision") + 1
    expect(links.getRow(2).getCell(decision).dataValidation).toMatchObject({ type: "list", formulae: ['"accept,reject,merge,split"'] })
    const charts = async (f: string) => {
      const zip = await JSZip.loadAsync(readFileSync(f))
      const names = Object.keys(zip.files).filter((n) => /^xl\/charts\/chart\d+\.xml$/.test(n))
      return Promise.all(names.map((n) => zip.file(n)!.async("string")))
    }
    const ours = await charts(file)
    expect(ours.some((x) => x.includes("<c:barChart>") && x.includes('<c:grouping val="stacked"/>'))).toBe(true)
    expect(ours.some((x) => x.includes("<c:lineChart>"))).toBe(true)
    // LibreOffice opens the workbook and writes it back with both charts.
    const out = mkdtempSync(join(tmpdir(), "iiot-lo-"))
    await promisify(execFile)("soffice", [`-env:UserInstallation=file://${join(out, "profile")}`, "--headless", "--convert-to", "xlsx", "--outdir", join(out, "x"), file], { timeout: 180_000 })
    const back = await charts(join(out, "x", "iiot-observatory.xlsx"))
    expect(back.length).toBeGreaterThanOrEqual(2)
    expect(back.some((x) => x.includes("barChart"))).toBe(true)
    expect(back.some((x) => x.includes("lineChart"))).toBe(true)
  })

  it("the same inputs give a byte-identical workbook", async () => {
    await ready
    const other = workspace()
    expect((await refresh(other)).status).toBe("succeeded")
    expect(readFileSync(join(other, "outputs/latest/iiot-observatory.xlsx")).equals(readFileSync(file))).toBe(true)
  })
})
