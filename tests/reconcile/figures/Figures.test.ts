import { describe, expect, it } from "vitest"
import { describePolicy } from "../../../pipeline/normalize/country.js"
import { buildFigures } from "../../../pipeline/reconcile/figures/Figures.js"
import { reconcileRounds } from "../../../pipeline/reconcile/figures/Lighthouses.js"
import { reconcileSpending } from "../../../pipeline/reconcile/figures/Spending.js"
import { shuffle } from "../../support/shuffle.js"
import { roundRows, ROUNDS, rowOf, siteRows, SPENDING, spendingRows } from "./support.js"

const figures = buildFigures(reconcileSpending(spendingRows()), reconcileRounds(roundRows(), siteRows(), { taiwan: "separate" }))
const fig = (id: string) => {
  const f = figures.find((x) => x.id === id)
  if (f === undefined) throw new Error(`no figure ${id}`)
  return f
}

describe("buildFigures on the bundled data", () => {
  it("gives every figure a unique id, a question, and provenance unless it has no value", () => {
    const ids = figures.map((f) => f.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect([...ids].sort()).toEqual(ids)
    for (const f of figures) {
      expect(f.question.length).toBeGreaterThan(10)
      if (f.value !== null) expect(f.sources.length).toBeGreaterThan(0)
      for (const s of f.sources) expect(s.row === null || s.row >= 2).toBe(true)
      if (f.alternatives.length > 0) expect(f.rule).not.toBe("")
    }
  })

  it("footnotes IDC worldwide 2022 with the current source, the rule and the superseded vintages", () => {
    const f = fig("spending/idc/worldwide/iot-spending/2022")
    expect(f.question).toBe("IDC Worldwide IoT spending, 2022")
    expect(f).toMatchObject({ value: 730e9, display: "~ USD 730 billion", unit: "USD", bound: "approx", asOf: "2023-07-18" })
    expect(f.sources).toEqual([{ source: SPENDING, row: rowOf(SPENDING, "2022,730,USD billion"), url: "https://jw.ijiwei.com/n/869724" }])
    expect(f.rule).toContain("latest dated release wins")
    expect(f.alternatives.map((a) => [a.display, a.why])).toEqual([
      ["USD 1.2 trillion", "superseded by the 2023-07-18 release"],
      ["USD 1.2 trillion", "superseded by the 2023-07-18 release"],
      ["> USD 1.0 trillion", "superseded by the 2023-07-18 release"],
    ])
    expect(fig("spending/idc/worldwide/iot-spending/2020").alternatives[0]!.why).toContain("likely USD 742 billion")
  })

  it("leaves the rule empty when there was one source", () => {
    const f = fig("spending/idc/india/iot-spending/2018")
    expect(f.rule).toBe("")
    expect(f.alternatives).toEqual([])
  })

  it("publishes China counts and shares under both Taiwan policies, labelled, with the configured headline", () => {
    const excl = fig("rounds/2025-01/china-total/excl-taiwan")
    const incl = fig("rounds/2025-01/china-total/incl-taiwan")
    expect([excl.value, incl.value]).toEqual([79, 85])
    expect(excl.policy).toEqual({ policy: "separate", label: describePolicy("separate"), headline: true })
    expect(incl.policy?.headline).toBe(false)
    expect(incl.question).toContain(describePolicy("with-china"))
    expect(excl.alternatives.map((a) => [a.display, a.row])).toEqual([["85", rowOf(ROUNDS, "zgcsrx")]])
    expect(fig("rounds/2022-10/china-share/excl-taiwan")).toMatchObject({ value: 36.84, display: "36.84%", unit: "%" })
    expect(fig("rounds/2022-10/china-share/incl-taiwan")).toMatchObject({ value: 37.72, bound: "lower", display: "≥ 37.72%" })
  })

  it("keeps the losing Oct 2024 China totals beside the chosen one", () => {
    const f = fig("rounds/2024-10/china-total/excl-taiwan")
    expect(f.value).toBe(72)
    expect(f.rule).toContain("company or government release")
    expect(f.alternatives.map((a) => a.display).sort()).toEqual(["74", "75"])
  })

  it("cites the inputs of a derived figure", () => {
    const f = fig("rounds/2026-01/total")
    expect(f.value).toBe(224)
    expect(f.rule).toContain("derived: 201 + 23")
    expect(f.sources.map((s) => s.row).sort()).toEqual([rowOf(ROUNDS, "miragenews"), rowOf(ROUNDS, "cn.weforum.org")].sort())
    expect(f.alternatives.map((a) => a.display)).toEqual(["189"])
  })

  it("is identical for shuffled input", () => {
    const again = buildFigures(reconcileSpending(shuffle(spendingRows(), 5)), reconcileRounds(shuffle(roundRows(), 6), shuffle(siteRows(), 7), { taiwan: "separate" }))
    expect(again).toEqual(figures)
  })
})
