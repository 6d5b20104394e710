import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import JSZip from "jszip"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as Render from "../../../pipeline/publish/workbook/Render.js"
import { sampleDoc } from "./sample.js"

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
})
