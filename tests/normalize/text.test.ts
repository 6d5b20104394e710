import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { displayWidth, foldLookalikes, normalizeText } from "../../pipeline/normalize/text.js"
import { anyText, runs } from "./support.js"

describe("normalizeText", () => {
  it.each([
    ["full-width brackets and digits", "海智科技（青岛）有限公司１２３", "海智科技(青岛)有限公司123"],
    ["ideographic space and NBSP collapse", "\u3000Haier\u00A0\u00A0Smart  Home\u3000", "Haier Smart Home"],
    ["tabs and newlines are spaces", "Haier\t\nCOSMOPlat", "Haier COSMOPlat"],
    ["zero-width characters removed", "海\u200B尔\uFEFF\u2060集\u200D团", "海尔集团"],
    ["NFKC compatibility forms", "ﬁne Ⅻ ㈱", "fine XII (株)"],
    ["clean text unchanged", "青岛海智科技有限公司", "青岛海智科技有限公司"],
    ["empty", "", ""],
    ["only spaces", " \u3000\u00A0 ", ""],
  ])("%s", (_name, input, expected) => {
    expect(normalizeText(input)).toBe(expected)
  })

  it("is total and idempotent on any string", () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const once = normalizeText(s)
        expect(normalizeText(once)).toBe(once)
        expect(once).toBe(once.trim())
        expect(once).not.toMatch(/[\u200B-\u200D\uFEFF\u2060\u3000\u00A0]| {2}/)
      }),
      runs,
    )
  })

  it("handles lone surrogates and huge strings", () => {
    expect(normalizeText("\uD800a\uDFFF")).toBe("\uD800a\uDFFF")
    const huge = "（青岛）\u3000 ".repeat(200_000)
    const out = normalizeText(huge)
    expect(out.startsWith("(青岛) (青岛)")).toBe(true)
    expect(normalizeText(out)).toBe(out)
  })
})

describe("foldLookalikes", () => {
  it.each([
    ["a Cyrillic СММ in a Latin name", "СММ Humi", "CMM Humi"],
    ["mixed-script token", "Hаier", "Haier"],
    ["Greek capitals", "ΑΒΒ", "ABB"],
    ["genuine Russian text stays", "ООО Газпром", "ООО Газпром"],
    ["a Russian word with letters that have no twin stays", "СММ Газ", "СММ Газ"],
    ["Latin text unchanged", "Haier COSMOPlat", "Haier COSMOPlat"],
    ["Chinese unchanged", "海尔（СММ）", "海尔（CMM）"],
  ])("%s", (_name, input, expected) => {
    expect(foldLookalikes(input)).toBe(expected)
  })

  it("is total and idempotent on any string", () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const once = foldLookalikes(s)
        expect(foldLookalikes(once)).toBe(once)
      }),
      runs,
    )
  })
})

describe("displayWidth", () => {
  it.each([
    ["ASCII", "Haier", 5],
    ["CJK counts 2", "海尔", 4],
    ["full-width counts 2", "（Ａ）", 6],
    ["combining marks count 0", "e\u0301", 1],
    ["astral CJK counts 2", "\u{20000}", 2],
    ["empty", "", 0],
  ])("%s", (_name, input, expected) => {
    expect(displayWidth(input)).toBe(expected)
  })

  it("is total and never negative", () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const w = displayWidth(s)
        expect(Number.isInteger(w) && w >= 0 && w <= 2 * s.length).toBe(true)
      }),
      runs,
    )
  })
})
