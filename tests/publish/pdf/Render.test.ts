import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { execFileSync, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { PDFDocument } from "pdf-lib"
import { fontkitAdapter, loadFonts } from "../../../pipeline/publish/pdf/fonts.js"
import * as Layout from "../../../pipeline/publish/pdf/Layout.js"
import type { TextOp } from "../../../pipeline/publish/pdf/ops.js"
import * as P from "../../../pipeline/publish/pdf/PackDoc.js"
import { render, type RenderResult } from "../../../pipeline/publish/pdf/Render.js"
import { chineseNames, hieroglyph, samplePack, tableHeaders } from "./sample.js"

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "iiot-pdf-"))
const file = path.join(tmp, "pack.pdf")
let result: RenderResult

const run = (cmd: string, args: ReadonlyArray<string>, env: NodeJS.ProcessEnv = process.env) => execFileSync(cmd, [...args], { encoding: "utf8", env, maxBuffer: 64 << 20 })

/** An environment in which poppler sees no system font at all, so only embedded fonts can draw. */
const noFontsEnv = (): NodeJS.ProcessEnv => {
  const dir = path.join(tmp, "nofonts")
  fs.mkdirSync(path.join(dir, "empty"), { recursive: true })
  fs.mkdirSync(path.join(dir, "cache"), { recursive: true })
  const conf = path.join(dir, "fonts.conf")
  fs.writeFileSync(conf, `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <dir>${dir}/empty</dir>\n  <cachedir>${dir}/cache</cachedir>\n</fontconfig>\n`)
  return { ...process.env, FONTCONFIG_FILE: conf, FONTCONFIG_PATH: dir }
}

/** Reads a binary PGM (P5) as written by `pdftoppm -gray`. */
const readPgm = (f: string): { w: number; h: number; px: Uint8Array } => {
  const buf = fs.readFileSync(f)
  const header = buf.subarray(0, 64).toString("latin1").match(/^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/)
  if (header === null) throw new Error(`${f} is not a PGM`)
  return { w: Number(header[1]), h: Number(header[2]), px: buf.subarray(header[0].length) }
}

const dpi = 50
/** Dark pixels inside a text op's box (baseline-descender to ascender), rendered with system fonts hidden. */
const darkPixelsIn = (page: number, box: { x: number; y0: number; y1: number; w: number }, tag: string): { dark: number; total: number } => {
  const k = dpi / 72
  const out = path.join(tmp, `crop-${tag}`)
  const x = Math.floor(box.x * k)
  const y = Math.floor((Layout.pageSize.height - box.y1) * k)
  const W = Math.ceil(box.w * k)
  const H = Math.ceil((box.y1 - box.y0) * k)
  const r = spawnSync("pdftoppm", ["-r", String(dpi), "-f", String(page), "-l", String(page), "-x", String(x), "-y", String(y), "-W", String(W), "-H", String(H), "-gray", "-singlefile", file, out], { env: noFontsEnv(), encoding: "utf8" })
  expect(r.status, r.stderr).toBe(0)
  const img = readPgm(`${out}.pgm`)
  let dark = 0
  for (const v of img.px) if (v < 140) dark++
  return { dark, total: img.w * img.h }
}

beforeAll(async () => {
  result = await Effect.runPromise(render(samplePack()))
  fs.writeFileSync(file, result.bytes)
})
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

describe("render → real PDF tools", () => {
  it("pdftotext finds the Chinese company names exactly and the table header on every continuation page", () => {
    const all = run("pdftotext", ["-enc", "UTF-8", file, "-"])
    for (const n of chineseNames) expect(all).toContain(n)
    expect(all).toContain("海尔卡奥斯物联生态科技有限公司 operates COSMOPlat")
    expect(all).toContain("数据来源：工业和信息化部")
    const pages = all.split("\f")
    const tablePages = pages.filter((p) => /Huawei FusionPlant \d+|Yonyou \d+/.test(p))
    expect(tablePages.length).toBeGreaterThanOrEqual(3)
    for (const p of tablePages) for (const h of tableHeaders) expect(p).toContain(h)
    expect(pages.filter((p) => p.includes("(continued)")).length).toBe(tablePages.length - 1)
    // the sources section with its URLs
    expect(all).toContain("Global Lighthouse Network")
    expect(all).toContain("https://www.weforum.org/projects/global_lighthouse_network")
  })

  it("pdfinfo shows the title, author, A4 pages and the page count; the file is small", () => {
    const info = run("pdfinfo", [file])
    expect(info).toMatch(/^Title:\s+China IIoT overview: platforms, lighthouses and spending$/m)
    expect(info).toMatch(/^Author:\s+iiot-observatory$/m)
    expect(info).toMatch(/^Subject:\s+Briefing pack on China's Industrial Internet of Things$/m)
    expect(info).toMatch(/^Keywords:\s+IIoT China MIIT lighthouses$/m)
    expect(info).toMatch(new RegExp(`^Pages:\\s+${result.pages}$`, "m"))
    expect(info).toMatch(/^Page size:\s+595\.28 x 841\.89 pts \(A4\)$/m)
    expect(info).toMatch(/^CreationDate:\s+Mon Oct 31 00:00:00 2022 UTC$/m)
    expect(result.pages).toBeGreaterThanOrEqual(7)
    // subsets: two faces of a 10 MB font in tens of KB
    expect(result.bytes.length).toBeLessThan(250_000)
  })

  it("qpdf --check finds no structural error; the catalog carries /Lang and the outline", () => {
    const check = spawnSync("qpdf", ["--check", file], { encoding: "utf8" })
    expect(check.status, check.stdout + check.stderr).toBe(0)
    expect(check.stdout).toContain("No syntax or stream encoding errors found")
    const qdf = execFileSync("qpdf", ["--qdf", "--object-streams=disable", file, "-"], { maxBuffer: 64 << 20 }).toString("latin1")
    expect(qdf).toContain("/Lang (en-GB)")
    expect(qdf).toContain("/PageMode /UseOutlines")
  })

  it("has one outline entry per level-1 heading, level-2 nested, each pointing at its page", () => {
    const json = JSON.parse(run("qpdf", ["--json", "--json-key=outlines", file])) as { outlines: Array<{ title: string; destpageposfrom1: number; kids: Array<{ title: string }> }> }
    const level1 = samplePack().blocks.filter((b): b is P.Heading => b._tag === "Heading" && b.level === 1)
    expect(json.outlines.map((o) => o.title)).toEqual(level1.map((h) => h.text))
    expect(json.outlines[0]!.kids.map((k) => k.title)).toEqual(["Platforms by ownership"])
    const text = run("pdftotext", ["-enc", "UTF-8", file, "-"]).split("\f")
    for (const o of json.outlines) expect(text[o.destpageposfrom1 - 1]).toContain(o.title)
  })

  it("has clickable URI links for link runs and source URLs, and internal links from the TOC", () => {
    const json = JSON.parse(run("qpdf", ["--json", "--json-key=qpdf", file])) as { qpdf: [unknown, Record<string, { value?: Record<string, unknown> }>] }
    const annots = Object.values(json.qpdf[1])
      .map((o) => o.value)
      .filter((v): v is Record<string, unknown> => v !== undefined && v["/Subtype"] === "/Link")
    const uris = annots.flatMap((a) => {
      const action = a["/A"] as Record<string, string> | undefined
      return action?.["/URI"] !== undefined ? [action["/URI"].replace(/^u:/, "")] : []
    })
    expect(uris).toContain("https://www.miit.gov.cn/jgsj/xxjsfzs/gzdt/art/2022/art_1.html")
    expect(uris).toContain("https://www.weforum.org/projects/global_lighthouse_network")
    expect(uris).toContain("https://www.idc.com/getdoc.jsp?containerId=IDC_P29475")
    const internal = annots.filter((a) => Array.isArray(a["/Dest"]))
    // one per TOC entry (6) plus footnote markers
    expect(internal.length).toBeGreaterThanOrEqual(6 + 4)
  })

  it("renders every page with system fonts hidden, and the pixels inside Chinese text are not blank", async () => {
    const out = path.join(tmp, "page")
    const r = spawnSync("pdftoppm", ["-r", String(dpi), "-gray", file, out], { env: noFontsEnv(), encoding: "utf8" })
    expect(r.status, r.stderr).toBe(0)
    expect(fs.readdirSync(tmp).filter((f) => f.startsWith("page") && f.endsWith(".pgm")).length).toBe(result.pages)
    const metrics = (await Effect.runPromise(loadFonts)).metrics
    const laid = Layout.layout(samplePack(), metrics)
    const find = (text: string): { page: number; op: TextOp } => {
      for (const [i, p] of laid.pages.entries()) {
        const op = p.ops.find((o): o is TextOp => o.kind === "text" && o.text === text)
        if (op !== undefined) return { page: i + 1, op }
      }
      throw new Error(`no text op "${text}"`)
    }
    const boxOf = (op: TextOp) => ({ x: op.x, w: op.width, y0: op.y - metrics.descent * op.size, y1: op.y + metrics.ascent * op.size })
    for (const [k, text] of [chineseNames[0], chineseNames[1], "数据来源：工业和信息化部"].entries()) {
      const { page, op } = find(text)
      const { dark, total } = darkPixelsIn(page, boxOf(op), `zh${k}`)
      // CJK strokes cover a good share of a line box; a blank subset gives 0
      expect(dark / total, `"${text}" on page ${page}`).toBeGreaterThan(0.03)
    }
    // the same check on an empty stretch of the same page finds nothing, so it can fail
    const { page, op } = find(chineseNames[0])
    const blank = darkPixelsIn(page, { x: 300, w: 100, y0: 45, y1: 55 }, "blank")
    expect(blank.dark).toBe(0)
    expect(op.y).toBeGreaterThan(55)
  })

  it("reports a character Noto lacks and draws '?' instead of tofu", () => {
    expect(result.missingGlyphs).toEqual([{ char: hieroglyph, codePoint: "U+13000", context: expect.stringContaining("Pharaoh") }])
    const all = run("pdftotext", ["-enc", "UTF-8", file, "-"])
    expect(all).toContain("Pharaoh ? Industrial Co.")
    expect(all).not.toContain(hieroglyph)
  })

  it.effect("gives byte-identical output for the same document, and different bytes for another date", () =>
    Effect.gen(function* () {
      const again = yield* render(samplePack())
      expect(Buffer.from(again.bytes).equals(Buffer.from(result.bytes))).toBe(true)
      const other = yield* render({ ...samplePack(), meta: { ...samplePack().meta, createdAt: "2022-11-30" } })
      expect(Buffer.from(other.bytes).equals(Buffer.from(result.bytes))).toBe(false)
    }),
  )

  it.effect("fails with a layout PdfError naming the problem for a malformed document or date", () =>
    Effect.gen(function* () {
      const ragged = yield* Effect.either(render({ ...samplePack(), blocks: [P.table({ caption: "Platforms", columns: [{ header: "a" }, { header: "b" }], rows: [["1"]] })] }))
      expect(Either.isLeft(ragged) && ragged.left.reason).toBe("layout")
      expect(Either.isLeft(ragged) && ragged.left.message).toContain('"Platforms": row 1 has 1 cells, expected 2')
      const date = yield* Effect.either(render({ ...samplePack(), meta: { ...samplePack().meta, createdAt: "31/10/2022" } }))
      expect(Either.isLeft(date) && date.left.message).toContain('meta.createdAt "31/10/2022" is not an ISO date')
    }),
  )

  it.effect("renders a pack with no blocks as one valid page", () =>
    Effect.gen(function* () {
      const empty = yield* render({ meta: samplePack().meta, blocks: [] })
      expect(empty.pages).toBe(1)
      const f = path.join(tmp, "empty.pdf")
      fs.writeFileSync(f, empty.bytes)
      expect(spawnSync("qpdf", ["--check", f]).status).toBe(0)
      expect(run("pdftotext", [f, "-"])).toContain("Page 1 of 1")
    }),
  )

  it.effect("measures text exactly as pdf-lib draws it (layout decisions match the PDF)", () =>
    Effect.gen(function* () {
      const fonts = yield* loadFonts
      const doc = yield* Effect.promise(() => PDFDocument.create())
      doc.registerFontkit(fontkitAdapter as unknown as Parameters<PDFDocument["registerFontkit"]>[0])
      const font = yield* Effect.promise(() => doc.embedFont(fonts.bytes.regular, { subset: true }))
      for (const s of ["海尔卡奥斯物联生态科技有限公司 operates COSMOPlat", "office efficiency fi ffl", "（见表一）。12,500 €"])
        expect(fonts.metrics.width(s, "regular", 10)).toBeCloseTo(font.widthOfTextAtSize(s, 10), 6)
    }),
  )
})
