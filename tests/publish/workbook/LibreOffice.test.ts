import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import JSZip from "jszip"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as Render from "../../../pipeline/publish/workbook/Render.js"
import type { TableSheet } from "../../../pipeline/publish/workbook/WorkbookDoc.js"
import { numberedList, sampleDoc } from "./sample.js"

/** Runs LibreOffice headless with a private profile so parallel runs do not share (and lock) one. */
const soffice = (dir: string, to: string, file: string, outdir: string) =>
  Effect.sync(() =>
    execFileSync("soffice", [`-env:UserInstallation=file://${path.join(dir, "lo-profile")}`, "--headless", "--convert-to", to, "--outdir", outdir, file], {
      stdio: "pipe",
      timeout: 110_000,
    }),
  )

describe("LibreOffice", () => {
  it.effect("opens the workbook, prints the charts, and keeps them when saving as xlsx", () =>
    Effect.gen(function* () {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wb-lo-"))
      const file = path.join(dir, "sample.xlsx")
      yield* Render.render(sampleDoc, file)
      yield* soffice(dir, "pdf", file, path.join(dir, "pdf"))
      const pdf = path.join(dir, "pdf", "sample.pdf")
      expect(fs.existsSync(pdf)).toBe(true)
      const text = execFileSync("pdftotext", [pdf, "-"], { encoding: "utf8" })
      expect(text).toContain("Lighthouses per round: China vs rest")
      expect(text).toContain("IoT spending by vintage")
      expect(text).toContain("海尔卡奥斯物联生态科技有限公司")
      expect(text).toContain("=cmd|' /C calc'!A0")
      yield* soffice(dir, "xlsx", file, path.join(dir, "xlsx"))
      const zip = yield* Effect.promise(() => JSZip.loadAsync(fs.readFileSync(path.join(dir, "xlsx", "sample.xlsx"))))
      const charts = Object.keys(zip.files).filter((n) => /^xl\/charts\/chart\d+\.xml$/.test(n))
      expect(charts).toHaveLength(2)
      const all = yield* Effect.promise(() => Promise.all(charts.map((n) => zip.file(n)!.async("string"))))
      expect(all.some((x) => x.includes("barChart") && x.includes('grouping val="stacked"'))).toBe(true)
      expect(all.some((x) => x.includes("lineChart"))).toBe(true)
      fs.rmSync(dir, { recursive: true, force: true })
    }),
  )

  it.effect("reads a big table written in segments by worker threads, shared strings included", () =>
    Effect.gen(function* () {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wb-lo-big-"))
      const file = path.join(dir, "big.xlsx")
      const n = 600
      const sheet: TableSheet = {
        ...numberedList(n),
        columns: [...numberedList(n).columns, { header: "Status", key: "status", kind: "text" }],
        rows: { count: n, rows: function* () { for (let i = 0; i < n; i++) yield [`K${i}`, `企业${i}`, i, ["auto", "review", " none"][i % 3]!] } },
      }
      // In three segments of 250 rows, deflated apart (here by worker threads only) and joined into one stream.
      const result = yield* Render.render({ properties: sampleDoc.properties, sheets: [sheet] }, file, { bigTableRows: 100, segmentRows: 250, ownLane: false })
      expect(result.workers).toBe(3)
      yield* soffice(dir, "csv:Text - txt - csv (StarCalc):44,34,76", file, path.join(dir, "csv"))
      const lines = fs.readFileSync(path.join(dir, "csv", "big.csv"), "utf8").trim().split(/\r?\n/)
      expect(lines).toHaveLength(n + 1)
      expect(lines[0]).toBe("Key,Company (zh),N,Status")
      expect(lines[1]).toBe("K0,企业0,0,auto")
      expect(lines[3]).toBe("K2,企业2,2, none")
      expect(lines[n]).toBe(`K${n - 1},企业${n - 1},${n - 1}, none`)
      fs.rmSync(dir, { recursive: true, force: true })
    }),
  )
})
