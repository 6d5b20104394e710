/**
 * Issue 6, "Done when", on the default pack of a real refresh: every page renders with system
 * fonts hidden, and the pixels inside runs of Chinese text are not blank (poppler would otherwise
 * substitute an installed font and hide a broken embed).
 */
import { describe, expect, it } from "vitest"
import { execFileSync } from "node:child_process"
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { refresh, workspace } from "./harness.js"

const noFontsEnv = (dir: string): NodeJS.ProcessEnv => {
  mkdirSync(join(dir, "empty"), { recursive: true })
  mkdirSync(join(dir, "cache"), { recursive: true })
  writeFileSync(join(dir, "fonts.conf"), `<?xml version="1.0"?>\n<fontconfig><dir>${dir}/empty</dir><cachedir>${dir}/cache</cachedir></fontconfig>\n`)
  return { ...process.env, FONTCONFIG_FILE: join(dir, "fonts.conf"), FONTCONFIG_PATH: dir }
}

const readPgm = (f: string) => {
  const buf = readFileSync(f)
  const h = buf.subarray(0, 64).toString("latin1").match(/^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/)!
  return { w: Number(h[1]), h: Number(h[2]), px: buf.subarray(h[0].length) }
}

describe("published/pack on the bundled sources", () => {
  it("renders every page without system fonts, and Chinese text is drawn, not blank", async () => {
    const ws = workspace()
    expect((await refresh(ws)).status).toBe("succeeded")
    const pdf = join(ws, "outputs/latest/iiot-briefing.pdf")
    expect(statSync(pdf).size).toBeLessThan(3_000_000)
    const pages = Number(execFileSync("pdfinfo", [pdf], { encoding: "utf8" }).match(/^Pages:\s+(\d+)/m)![1])
    expect(pages).toBeGreaterThanOrEqual(8)
    expect(pages).toBeLessThanOrEqual(20)
    expect(execFileSync("qpdf", ["--check", pdf], { encoding: "utf8" })).toContain("No syntax or stream encoding errors")

    const tmp = mkdtempSync(join(tmpdir(), "iiot-pack-px-"))
    const env = noFontsEnv(join(tmp, "fc"))
    execFileSync("pdftoppm", ["-r", "30", "-gray", pdf, join(tmp, "page")], { env })
    expect(readdirSync(tmp).filter((f) => f.endsWith(".pgm")).length).toBe(pages)

    // Where the company names are, from the PDF's own text layer.
    const bbox = execFileSync("pdftotext", ["-bbox", pdf, "-"], { encoding: "utf8" })
    const words: Array<{ page: number; x: number; y: number; w: number; h: number; text: string }> = []
    bbox.split("<page ").slice(1).forEach((pageXml, i) => {
      for (const m of pageXml.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*有限公司)<\/word>/g)) {
        words.push({ page: i + 1, x: Number(m[1]), y: Number(m[2]), w: Number(m[3]) - Number(m[1]), h: Number(m[4]) - Number(m[2]), text: m[5]! })
      }
    })
    expect(words.length).toBeGreaterThan(20)
    const dpi = 100
    for (const word of words.slice(0, 6)) {
      const out = join(tmp, `w-${word.page}-${Math.round(word.y)}`)
      const [x, y, W, H] = [word.x, word.y, word.w, word.h].map((v) => Math.round((v * dpi) / 72))
      execFileSync("pdftoppm", ["-r", String(dpi), "-f", String(word.page), "-l", String(word.page), "-x", String(x), "-y", String(y), "-W", String(W), "-H", String(H), "-gray", "-singlefile", pdf, out], { env })
      const img = readPgm(`${out}.pgm`)
      let dark = 0
      for (const v of img.px) if (v < 140) dark++
      expect(dark / (img.w * img.h), `"${word.text}" on page ${word.page}`).toBeGreaterThan(0.05)
    }
  })
})
