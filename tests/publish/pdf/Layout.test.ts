import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { loadFonts } from "../../../pipeline/publish/pdf/fonts.js"
import * as Layout from "../../../pipeline/publish/pdf/Layout.js"
import type { Op, TextOp } from "../../../pipeline/publish/pdf/ops.js"
import * as P from "../../../pipeline/publish/pdf/PackDoc.js"
import { chineseNames, hieroglyph, samplePack, tableHeaders } from "./sample.js"

const metrics = (await Effect.runPromise(loadFonts)).metrics
const laid = Layout.layout(samplePack(), metrics)
const texts = (ops: ReadonlyArray<Op>): Array<TextOp> => ops.filter((o): o is TextOp => o.kind === "text")
const { width: W, height: H } = Layout.pageSize

describe("Layout", () => {
  it("breaks the 120-row table across pages and repeats its header row on each", () => {
    const row = /^(Haier COSMOPlat|Rootcloud|Inspur Yunzhou|CASICloud|Yonyou|Huawei FusionPlant) \d+$/
    const withRows = laid.pages.filter((p) => texts(p.ops).some((t) => row.test(t.text)))
    expect(withRows.length).toBeGreaterThanOrEqual(3)
    for (const p of withRows) {
      const ts = texts(p.ops)
      for (const h of tableHeaders) expect(ts.some((t) => t.text === h)).toBe(true)
      // the header sits above every row on the page
      const headerY = ts.find((t) => t.text === "Employees")!.y
      for (const t of ts.filter((t) => row.test(t.text))) expect(t.y).toBeLessThan(headerY)
    }
    const continued = laid.pages.flatMap((p) => texts(p.ops)).filter((t) => t.text.endsWith("(continued)"))
    expect(continued.length).toBe(withRows.length - 1)
    // all 120 rows are there, once each
    const rowNumbers = laid.pages.flatMap((p) => texts(p.ops)).filter((t) => row.test(t.text))
    expect(rowNumbers.length).toBe(120)
  })

  it("numbers pages 'Page n of N' except the cover, and heads them with the title", () => {
    const N = laid.pages.length
    laid.pages.forEach((p, i) => {
      const footer = texts(p.ops).filter((t) => /^Page \d+ of \d+$/.test(t.text))
      if (p.cover) expect(footer).toEqual([])
      else {
        expect(footer.map((t) => t.text)).toEqual([`Page ${i + 1} of ${N}`])
        expect(texts(p.ops).some((t) => t.text.startsWith("China IIoT overview"))).toBe(true)
      }
    })
    expect(laid.pages[0]!.cover).toBe(true)
  })

  it("fills the table of contents with the pages the headings landed on", () => {
    const tocPage = laid.pages[1]!
    const headings = samplePack().blocks.flatMap((b, i) => (b._tag === "Heading" && b.level <= 2 ? [{ text: b.text, id: P.headingId(b, i) }] : []))
    const nums = texts(tocPage.ops).filter((t) => /^\d+$/.test(t.text) && t.x + t.width > W - Layout.margins.right - 1)
    expect(nums.map((t) => Number(t.text))).toEqual(headings.map((h) => laid.anchors.get(h.id)!.page + 1))
    // and each entry links to its heading
    const links = tocPage.ops.filter((o) => o.kind === "link")
    expect(links.map((l) => (l.kind === "link" && "anchor" in l.target ? l.target.anchor : ""))).toEqual(headings.map((h) => h.id))
  })

  it("builds the outline from level-1 headings with level-2 nested", () => {
    expect(laid.outline.map((o) => o.title)).toEqual(["Key figures", "Lighthouses", "Platform companies", "Notes and sources"])
    expect(laid.outline[0]!.children.map((c) => c.title)).toEqual(["Platforms by ownership"])
    expect(laid.outline[3]!.children.map((c) => c.title)).toEqual(["Sources"])
  })

  it("keeps text inside the page's margins and never overlaps two runs of text", () => {
    laid.pages.forEach((p, pi) => {
      const ts = texts(p.ops).filter((t) => t.rotate === undefined)
      for (const t of ts) {
        expect(t.x, `page ${pi + 1}: "${t.text}"`).toBeGreaterThanOrEqual(Layout.margins.left - 0.01)
        expect(t.x + t.width, `page ${pi + 1}: "${t.text}"`).toBeLessThanOrEqual(W - Layout.margins.right + 0.01)
        expect(t.y).toBeGreaterThan(20)
        expect(t.y).toBeLessThan(H - 20)
      }
      // ink boxes (baseline-descender to cap height) of distinct runs must not intersect
      const boxes = ts.map((t) => ({ t, x0: t.x, x1: t.x + t.width, y0: t.y - 0.12 * t.size, y1: t.y + 0.75 * t.size }))
      const overlaps: Array<string> = []
      for (let a = 0; a < boxes.length; a++)
        for (let b = a + 1; b < boxes.length; b++) {
          const A = boxes[a]!
          const B = boxes[b]!
          if (A.x0 < B.x1 - 0.01 && B.x0 < A.x1 - 0.01 && A.y0 < B.y1 - 0.01 && B.y0 < A.y1 - 0.01) overlaps.push(`page ${pi + 1}: "${A.t.text}" overlaps "${B.t.text}"`)
        }
      expect(overlaps).toEqual([])
    })
  })

  it("draws the Chinese company names in the table cells exactly", () => {
    const all = laid.pages.flatMap((p) => texts(p.ops)).map((t) => t.text)
    for (const n of chineseNames) expect(all).toContain(n)
  })

  it("replaces a character the font lacks by '?' and reports it with its context", () => {
    expect(laid.missingGlyphs).toEqual([
      { char: hieroglyph, codePoint: "U+13000", context: expect.stringContaining("Pharaoh") },
    ])
    const all = laid.pages.flatMap((p) => texts(p.ops)).map((t) => t.text).join("")
    expect(all).not.toContain(hieroglyph)
    expect(all).toContain("Pharaoh ?")
  })

  it("lists what makes a document impossible to lay out", () => {
    const bad: P.PackDoc = {
      ...samplePack(),
      blocks: [
        P.table({ caption: "Ragged", columns: [{ header: "a" }, { header: "b" }], rows: [["1", "2"], ["3"]] }),
        P.chart({ kind: "bar", title: "Short", categories: ["x", "y"], series: [{ name: "s", values: [1] }] }),
        P.heading(1, "A", "dup"),
        P.heading(2, "B", "dup"),
      ],
    }
    expect(Layout.validate(bad)).toEqual([
      'block 1 (Table) "Ragged": row 2 has 1 cells, expected 2',
      'block 2 (Chart) "Short": series "s" has 1 values for 2 categories',
      'block 4 (Heading): duplicate heading id "dup"',
    ])
    expect(Layout.validate(samplePack())).toEqual([])
  })
})
