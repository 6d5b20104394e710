import * as fc from "fast-check"
import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import { isRecognisedOwnership, normalizeOwnership, Ownership } from "../../pipeline/normalize/ownership.js"
import { anyText, readData, runs } from "./support.js"

describe("normalizeOwnership", () => {
  it.each([
    ["Private", "Private"],
    ["SOE / SASAC / Ministry controlled", "SOE"],
    ["Mixed (majority private owned)", "Mixed"],
    ["Foreign (Taiwan)", "Foreign"],
    ["Unclear", "Unclear"],
    ["民营", "Private"],
    ["私营", "Private"],
    ["国有", "SOE"],
    ["国有控股", "SOE"],
    ["央企", "SOE"],
    ["地方国企", "SOE"],
    ["混合所有制", "Mixed"],
    ["外资", "Foreign"],
    ["外商独资", "Foreign"],
    ["中外合资", "Foreign"],
    ["台资", "Foreign"],
    ["港澳台", "Foreign"],
    ["不明", "Unclear"],
    ["有限责任公司（自然人投资或控股）", "Private"],
    ["有限责任公司（外商投资、非独资）", "Foreign"],
    ["  private\u3000", "Private"],
  ])("%s → %s", (label, value) => {
    const r = normalizeOwnership(label)
    expect(r?.value).toBe(value)
    expect(r?.recognised).toBe(true)
    expect(isRecognisedOwnership(label)).toBe(true)
  })

  it("keeps the original label beside the value", () => {
    expect(normalizeOwnership("Foreign (Taiwan)")).toEqual({ value: "Foreign", original: "Foreign (Taiwan)", recognised: true })
  })

  it("maps an unknown label to Unclear, not recognised, so the caller can raise a finding", () => {
    expect(normalizeOwnership("cooperative")).toEqual({ value: "Unclear", original: "cooperative", recognised: false })
    expect(isRecognisedOwnership("cooperative")).toBe(false)
  })

  it("gives undefined for blanks", () => {
    expect(normalizeOwnership("")).toBeUndefined()
    expect(normalizeOwnership(" \u3000 ")).toBeUndefined()
    expect(isRecognisedOwnership("")).toBe(false)
  })

  it("maps every ownership label in miit_platforms.csv, none by accident to Unclear", () => {
    const labels = new Set(readData("miit_platforms.csv").map((r) => r["ownership_character"]!).filter((l) => l.trim() !== ""))
    expect(labels.size).toBeGreaterThanOrEqual(5)
    for (const label of labels) {
      const r = normalizeOwnership(label)!
      expect(r.recognised, label).toBe(true)
      // Unclear only where the source itself says so.
      if (r.value === "Unclear") expect(label.toLowerCase()).toContain("unclear")
    }
  })

  it("maps every 企业类型 value the registry generator writes", () => {
    for (const label of ["民营", "国有控股", "中外合资", "外商独资", "混合所有制"]) expect(isRecognisedOwnership(label), label).toBe(true)
  })

  it("is total and its value always decodes as an Ownership", () => {
    const is = Schema.is(Ownership)
    fc.assert(
      fc.property(anyText, (s) => {
        const r = normalizeOwnership(s)
        if (r !== undefined) {
          expect(is(r.value)).toBe(true)
          expect(normalizeOwnership(r.original)).toEqual(r)
        }
      }),
      runs,
    )
  })
})
