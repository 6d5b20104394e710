import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fc from "fast-check"
import { loadFonts } from "../../../pipeline/publish/pdf/fonts.js"
import { breakLines, canBreakBetween, noLineEnd, noLineStart, type Span } from "../../../pipeline/publish/pdf/linebreak.js"
import type { Metrics } from "../../../pipeline/publish/pdf/metrics.js"

const metrics: Metrics = (await Effect.runPromise(loadFonts)).metrics
const span = (text: string, size = 10): Span<null> => ({ text, style: "regular", size, attrs: null })
const lines = (text: string, width: number, justify = false) => breakLines([span(text)], width, metrics, justify)

describe("breakLines", () => {
  it("never starts a line with closing CJK punctuation nor ends one with an opening bracket", () => {
    const text = "中国的工业互联网平台在“十四五”期间快速发展，跨行业跨领域平台数量从十五家增加到二十八家，其中国有企业占相当比例（见表一）。海尔、树根、浪潮；航天云网：用友！华为？"
    // every width from 3 to 30 characters puts a break in front of every punctuation mark at least once
    for (let chars = 3; chars <= 30; chars++) {
      const ls = lines(text, chars * 10 + 0.5)
      expect(ls.map((l) => l.text).join("")).toBe(text)
      for (const l of ls) {
        expect(noLineStart.has(Array.from(l.text)[0]!), `line starts with "${l.text}" at ${chars}`).toBe(false)
        expect(noLineEnd.has(Array.from(l.text).at(-1)!), `line ends with "${l.text}" at ${chars}`).toBe(false)
        expect(l.width).toBeLessThanOrEqual(chars * 10 + 0.5 + 1e-6)
      }
    }
  })

  it("splits CJK anywhere: a run of ideographs fills each line to the last character that fits", () => {
    const ls = lines("海尔卡奥斯物联生态科技有限公司", 50.5) // Noto ideographs are 1 em = 10 pt wide
    expect(ls.map((l) => l.text)).toEqual(["海尔卡奥斯", "物联生态科", "技有限公司"])
  })

  it("breaks Latin only at spaces and after hyphens, never inside a word that fits", () => {
    const text = "The cross-industry platforms operated by Haier COSMOPlat and Rootcloud are listed by the Ministry of Industry and Information Technology"
    const words = new Set(text.split(/[\s]/))
    for (let w = 60; w <= 300; w += 7) {
      const ls = lines(text, w)
      expect(ls.map((l) => l.text).join(" ").replace("cross- industry", "cross-industry")).toBe(text)
      for (const l of ls) for (const piece of l.text.split(" ")) expect(words.has(piece) || piece === "cross-" || piece === "industry").toBe(true)
    }
  })

  it("breaks a Latin word longer than the line hard, keeping every character", () => {
    const word = "Supercalifragilisticexpialidociousplatformintegration"
    const ls = lines(`see ${word} here`, 80)
    expect(ls.map((l) => l.text).join("").replace(/ /g, "")).toBe(`see${word}here`)
    for (const l of ls) expect(l.width).toBeLessThanOrEqual(80 + 1e-6)
    expect(ls.length).toBeGreaterThan(3)
  })

  it("mixes scripts: Latin words stay whole next to Chinese names", () => {
    const ls = lines("海尔卡奥斯物联生态科技有限公司 operates COSMOPlat with 树根互联股份有限公司", 120)
    const all = ls.map((l) => l.text).join("\n")
    expect(all).toContain("COSMOPlat")
    expect(all).toContain("operates")
    expect(ls.length).toBeGreaterThan(2)
  })

  it("justifies every line but the last to the full width", () => {
    const text = "The World Economic Forum's Global Lighthouse Network recognises factories that lead in the adoption of Fourth Industrial Revolution technologies across many industries."
    const ls = lines(text, 200, true)
    expect(ls.length).toBeGreaterThan(2)
    let justified = 0
    ls.slice(0, -1).forEach((l) => {
      const last = l.pieces.at(-1)!
      const gaps = l.text.split(" ").length - 1
      // a line stays ragged only when stretching would open gaps wider than half an em
      if ((200 - l.width) / gaps <= 5) {
        expect(last.x + last.width).toBeCloseTo(200, 3)
        justified++
      } else expect(last.x + last.width).toBeCloseTo(l.width, 3)
    })
    expect(justified).toBeGreaterThanOrEqual(2)
    const tail = ls.at(-1)!.pieces.at(-1)!
    expect(tail.x + tail.width).toBeLessThan(200)
  })

  it("keeps a footnote marker glued to the word before it", () => {
    const ls = breakLines([span("aaaa bbbb cccc"), { text: "12", style: "regular", size: 6, attrs: null, noBreakBefore: true }], metrics.width("aaaa bbbb cccc", "regular", 10) + 2, metrics)
    expect(ls.at(-1)!.text).toBe("cccc12")
  })

  it("is total: any text comes back complete (whitespace collapsed) and within the width", () => {
    const alphabet = fc.constantFrom(..."ab cd-ef 海尔，。（）「」 gh  COSMO 树根？！12".split(""))
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 80 }), fc.integer({ min: 12, max: 200 }), (cs, w) => {
        const text = cs.join("")
        const ls = lines(text, w)
        const collapsed = text.replace(/\s+/g, " ").trim()
        expect(ls.map((l) => l.text).join(" ").replace(/\s+/g, "")).toBe(collapsed.replace(/\s+/g, ""))
        // a line may exceed the width only when it holds a single character
        for (const l of ls) if (Array.from(l.text).length > 1) expect(l.width).toBeLessThanOrEqual(w + 1e-6)
      }),
      { numRuns: 300 },
    )
  })
})

describe("canBreakBetween", () => {
  it("allows breaks between ideographs and after spaces, not inside Latin words", () => {
    expect(canBreakBetween("海", "尔")).toBe(true)
    expect(canBreakBetween("司", "，")).toBe(false)
    expect(canBreakBetween("（", "见")).toBe(false)
    expect(canBreakBetween("a", "b")).toBe(false)
    expect(canBreakBetween(" ", "b")).toBe(true)
    expect(canBreakBetween("-", "i", "s")).toBe(true)
    expect(canBreakBetween("-", "5", " ")).toBe(false)
  })
})
