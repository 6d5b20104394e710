import { describe, expect, it } from "vitest"
import { parsePeriod } from "../../../pipeline/normalize/period.js"
import { parseQuantity } from "../../../pipeline/normalize/quantity.js"
import { boundFromNote, normalizeRegion, publisherFamily, reconcileSpending } from "../../../pipeline/reconcile/figures/Spending.js"
import { shuffle } from "../../support/shuffle.js"
import { rowOf, SPENDING, spendingRows } from "./support.js"

import type { SpendingRow } from "../../../pipeline/domain/Clean.js"
import type { Finding } from "../../../pipeline/domain/Finding.js"

const real = reconcileSpending(spendingRows())
const byKey = (key: string) => {
  const s = real.series.find((x) => x.key === key)
  if (s === undefined) throw new Error(`no series ${key}`)
  return s
}
const withCode = (fs: ReadonlyArray<Finding>, code: string) => fs.filter((f) => f.code === code)
/** The message names the row as "<source> row N". */
const names = (f: Finding, row: number) => f.message.includes(`${SPENDING} row ${row} `)

describe("reconcileSpending on the bundled IDC extract", () => {
  it("keeps every vintage of IDC worldwide 2022 and makes the 2023 release current", () => {
    const s = byKey("idc/worldwide/iot-spending/2022")
    expect(s.question).toBe("IDC Worldwide IoT spending, 2022")
    expect(s.vintages.map((v) => [v.release, v.display])).toEqual([
      ["2018", "USD 1.2 trillion"],
      ["2018-06-18", "USD 1.2 trillion"],
      ["2019-06-13", "> USD 1.0 trillion"],
      ["2023-07-18", "~ USD 730 billion"],
    ])
    const bound = s.vintages.find((v) => v.release === "2019-06-13")!
    expect(bound.quantity.bound).toBe("lower")
    expect(bound.boundFromNote).toBe(true)
    expect(s.current.release).toBe("2023-07-18")
    expect(s.current.row).toBe(rowOf(SPENDING, "approximately $730 billion"))
    expect(s.current.quantity.value).toBe(730e9)
    expect(s.vintages.filter((v) => v.superseded).map((v) => v.release)).toEqual(["2018", "2018-06-18", "2019-06-13"])
    // The quoted 2018 vintage in Lee 2023 is the same IDC family.
    expect(s.vintages[0]!.publisher).toBe("IDC (quoted in Lee 2023)")
  })

  it("records revisions with the right change % and gives none across a bound", () => {
    const r2023 = real.revisions.filter((r) => r.key === "idc/worldwide/iot-spending/2023")
    expect(r2023).toHaveLength(1)
    expect(r2023[0]!.from.release).toBe("2019-06-13")
    expect(r2023[0]!.to.release).toBe("2023-06-20")
    expect(r2023[0]!.changePct).toBe(-26.75) // (805.7 − 1100) / 1100
    const r2021 = real.revisions.find((r) => r.key === "idc/worldwide/iot-spending/2021")!
    expect(r2021.changePct).toBe(-46.12) // (754.28 − 1400) / 1400
    const r2022 = real.revisions.filter((r) => r.key === "idc/worldwide/iot-spending/2022")
    expect(r2022.map((r) => [r.from.release, r.to.release, r.changePct])).toEqual([
      ["2018-06-18", "2019-06-13", null],
      ["2019-06-13", "2023-07-18", null],
    ])
    expect(r2022[1]!.note).toContain("below the earlier floor")
    const f = withCode(real.findings, "forecast-revision").find((x) => x.message.startsWith("IDC Worldwide IoT spending, 2022 "))!
    for (const needles of [["internetofbusiness"], ["convergedigest.com/2018"], ["2022,1000,USD billion"], ["2022,730,USD billion"]]) expect(f.message).toContain(`row ${rowOf(SPENDING, ...needles)} `)
  })

  it("flags the 'USD million (sic)' row as a unit error with a derived ×1000 value, keeping the raw one", () => {
    const row = rowOf(SPENDING, "USD million (sic)")
    const billionRow = rowOf(SPENDING, "finleyusa.com")
    const f = withCode(real.findings, "unit-suspect")
    expect(f).toHaveLength(1)
    expect(f[0]!.row).toBe(row)
    expect(names(f[0]!, billionRow)).toBe(true)
    const s = byKey("idc/worldwide/iot-spending/2020")
    const suspect = s.vintages.find((v) => v.row === row)!
    expect(suspect.status).toBe("unit-suspect")
    expect(suspect.quantity.value).toBe(742e6) // raw kept
    expect(suspect.unitSuspect?.corrected.value).toBe(742e9)
    expect(suspect.unitSuspect?.corrected.unitText).toContain("derived")
    expect(s.current.row).toBe(billionRow)
  })

  it("treats enterprise-level scope as a separate question with a scope-change finding, not a revision", () => {
    const scoped = rowOf(SPENDING, "690.26")
    const plain = rowOf(SPENDING, "754.28")
    const f = withCode(real.findings, "scope-change").find((x) => x.row === scoped)!
    expect(f.message).toContain("enterprise-level")
    expect(names(f, plain)).toBe(true)
    expect(byKey("idc/worldwide/iot-spending--enterprise-level/2021").current.row).toBe(scoped)
    expect(byKey("idc/worldwide/iot-spending/2021").vintages.map((v) => v.row)).not.toContain(scoped)
    expect(real.revisions.some((r) => r.from.row === scoped || r.to.row === scoped)).toBe(false)
    expect(withCode(real.findings, "scope-change").some((x) => x.row === rowOf(SPENDING, "IoT spending (enterprise market)"))).toBe(true)
  })

  it("never compares MIIT's CNY industry scale with IDC's USD IoT spending, and says so", () => {
    const miit = rowOf(SPENDING, "1.2,CNY trillion")
    const f = withCode(real.findings, "incomparable").filter((x) => x.message.includes(`row ${miit} `))
    expect(f).toHaveLength(1)
    expect(f[0]!.severity).toBe("info")
    expect(names(f[0]!, rowOf(SPENDING, "IDC (quoted in Lee 2023),2018,Worldwide"))).toBe(true)
    expect(f[0]!.message).toContain("currency (USD vs CNY)")
    for (const s of real.series) expect(new Set(s.vintages.map((v) => `${v.quantity.dimension}/${v.quantity.currency ?? ""}`)).size).toBe(1)
    // Revisions stay inside one question, so never between the two currencies.
    for (const r of real.revisions) expect(byKey(r.key).vintages.map((v) => v.row)).toEqual(expect.arrayContaining([r.from.row, r.to.row]))
    // "超过1.2万亿元" in the note makes the MIIT figure a lower bound.
    expect(byKey("miit/china/industrial-internet-industry-scale/2022").current.display).toBe("> CNY 1.2 trillion")
  })

  it("reports growth figures of one release with opposite signs as a contradiction naming both rows", () => {
    const f = withCode(real.findings, "contradiction")
    expect(f).toHaveLength(1)
    expect(names(f[0]!, rowOf(SPENDING, "frontier-enterprise"))).toBe(true)
    expect(names(f[0]!, rowOf(SPENDING, "7.1,percent YoY"))).toBe(true)
  })

  it("gives every blank release date a finding and never lets it beat a dated release", () => {
    const blank = spendingRows().filter((r) => r.release === undefined).map((r) => r.provenance.row)
    expect(withCode(real.findings, "undated-release").map((f) => f.row ?? 0).sort((a, b) => a - b)).toEqual(blank)
    const ww2019 = byKey("idc/worldwide/iot-spending/2019")
    expect(ww2019.current.release).toBe("2019-06-13")
    expect(ww2019.vintages.find((v) => v.release === null)?.status).toBe("undated")
    // Statista 2030: three undated reposts and one dated quote; the dated "more than 29 billion" wins, as a bound.
    const st = byKey("statista/worldwide/connected-iot-devices/2030")
    expect(st.current.display).toBe("> 29 billion devices")
  })

  it("uses nothing released after the as-of date", () => {
    const r = reconcileSpending(spendingRows(), { asOf: "2022-10" })
    for (const s of r.series)
      for (const v of s.vintages) {
        expect(v.release).not.toBeNull()
        expect(parsePeriod(v.release!)).toBeDefined()
        expect(v.release! <= "2022-10-31" && !v.release!.startsWith("2022-11")).toBe(true)
      }
    expect(r.series.find((s) => s.key === "idc/worldwide/iot-spending/2022")!.current.display).toBe("> USD 1.0 trillion")
    expect(r.series.some((s) => s.key.startsWith("idc/worldwide/iot-spending--enterprise-level"))).toBe(false) // released "2022": not known by Oct
    expect(withCode(r.findings, "as-of-excluded")).toHaveLength(1)
    for (const f of r.findings) for (const row of f.message.matchAll(/row (\d+) /g)) expect(spendingRows().find((x) => x.provenance.row === Number(row[1]))!.release).toBeDefined()
  })

  it("gives identical output for shuffled input", () => {
    const rows = spendingRows()
    for (const seed of [1, 2, 3]) expect(reconcileSpending(shuffle(rows, seed))).toEqual(real)
  })
})

// ---------------------------------------------------------------------------------------------
// Synthetic rows for each general rule.

let nextRow = 2
const row = (over: Partial<SpendingRow> & { value: string; unit: string }): SpendingRow => {
  const { value, unit, ...rest } = over
  return {
    publisher: "ACME",
    region: "Worldwide",
    metric: "IoT spending",
    year: 2030,
    quantity: parseQuantity(value, unit)!,
    valueText: value,
    unitText: unit,
    isForecast: true,
    note: "",
    sourceUrl: "https://example.org/a",
    provenance: { source: "sources/test/x.csv", row: nextRow++ },
    ...rest,
  }
}
const rel = (s: string) => parsePeriod(s)!

describe("reconcileSpending general rules (synthetic)", () => {
  it("raises nothing on a consistent series (a later release confirming a figure is no revision)", () => {
    const r = reconcileSpending([row({ value: "100", unit: "USD billion", release: rel("2020-05") }), row({ value: "100", unit: "USD billion", release: rel("2021-05") }), row({ value: "120", unit: "USD billion", year: 2031, release: rel("2021-05") })])
    expect(r.findings).toEqual([])
    expect(r.revisions).toEqual([])
    expect(r.series[0]!.vintages.map((v) => v.status)).toEqual(["corroborates", "current"])
  })

  it("records a revision with its change % and a forecast-revision finding naming both rows", () => {
    const a = row({ value: "100", unit: "USD billion", release: rel("2020-05") })
    const b = row({ value: "110", unit: "USD billion", release: rel("2021-05") })
    const r = reconcileSpending([b, a])
    expect(r.revisions.map((x) => x.changePct)).toEqual([10])
    expect(r.findings.map((f) => f.code)).toEqual(["forecast-revision"])
    expect(r.findings[0]!.message).toContain(`row ${a.provenance.row} `)
    expect(r.series[0]!.current.display).toBe("USD 110 billion")
  })

  it("catches a fabricated same-release contradiction", () => {
    const a = row({ value: "100", unit: "USD billion", release: rel("2020-05-01") })
    const b = row({ value: "130", unit: "USD billion", release: rel("2020-05-02"), sourceUrl: "https://other.example/b" })
    const f = reconcileSpending([a, b]).findings.filter((x) => x.code === "contradiction")
    expect(f).toHaveLength(1)
    expect(f[0]!.message).toContain(`row ${a.provenance.row} `)
    expect(f[0]!.message).toContain(`row ${b.provenance.row} `)
  })

  it("catches opposite-sign growth in one release, and not across releases", () => {
    const g = (v: string, release: string, region = "Asia") => row({ value: v, unit: "percent YoY", metric: "IoT spending growth", release: rel(release), region })
    expect(reconcileSpending([g("5", "2021-02"), g("-5", "2021-02-10", "Asia excluding Japan")]).findings.map((f) => f.code)).toEqual(["contradiction"])
    expect(reconcileSpending([g("5", "2021-02"), g("-5", "2022-02")]).findings.map((f) => f.code)).toEqual(["forecast-revision"])
  })

  it("flags a thousand-fold unit error against neighbouring vintages and corrects only a derived field", () => {
    const r = reconcileSpending([
      row({ value: "500", unit: "USD billion", year: 2024, release: rel("2022-01") }),
      row({ value: "600", unit: "USD billion", year: 2026, release: rel("2022-01") }),
      row({ value: "550", unit: "USD million", year: 2025, release: rel("2023-01") }),
    ])
    const s = r.series.find((x) => x.year === 2025)!
    expect(r.findings.map((f) => f.code)).toEqual(["unit-suspect"])
    expect(s.vintages[0]!.quantity.value).toBe(550e6)
    expect(s.vintages[0]!.unitSuspect?.corrected.value).toBe(550e9)
    expect(s.current.display).toContain("unit suspect")
  })

  it("settles a mutual 1000x pair by the '(sic)' remark, and flags both when nothing tells", () => {
    const sic = row({ value: "742", unit: "USD million (sic)", release: rel("2020-06") })
    const r = reconcileSpending([row({ value: "742", unit: "USD billion", release: rel("2020-06") }), sic])
    expect(r.findings.filter((f) => f.code === "unit-suspect").map((f) => f.row)).toEqual([sic.provenance.row])
    const both = reconcileSpending([row({ value: "742", unit: "USD billion", release: rel("2020-06") }), row({ value: "742", unit: "USD million", release: rel("2020-06") })])
    expect(both.findings.filter((f) => f.code === "unit-suspect")).toHaveLength(2)
  })

  it("keeps bounds as bounds: no change % between a floor and a value", () => {
    const r = reconcileSpending([row({ value: "1000", unit: "USD billion", release: rel("2020-01"), note: "'exceeding $1.0 trillion'" }), row({ value: "900", unit: "USD billion", release: rel("2021-01") })])
    expect(r.series[0]!.vintages[0]!.quantity.bound).toBe("lower")
    expect(r.revisions[0]!.changePct).toBeNull()
    expect(r.revisions[0]!.note).toContain("below the earlier floor")
  })

  it("reads a bound from the note only when it is about the same number", () => {
    const q = parseQuantity("202", "USD billion")!
    expect(boundFromNote(q, "'up from less than $180 billion in 2020'")).toBeUndefined()
    expect(boundFromNote(parseQuantity("1.2", "CNY trillion")!, "'产业规模已经超过1.2万亿元'")).toBe("lower")
    expect(boundFromNote(parseQuantity("1.0", "CNY trillion")!, "首次突破10000亿元")).toBe("lower")
    expect(boundFromNote(q, "'around $202 billion'")).toBe("approx")
  })

  it("reports a scope change, and an incomparable currency, each once", () => {
    const r = reconcileSpending([
      row({ value: "700", unit: "USD billion", release: rel("2022-01") }),
      row({ value: "650", unit: "USD billion", release: rel("2022-01"), metric: "IoT spending (enterprise-level)" }),
      row({ value: "700", unit: "CNY billion", release: rel("2022-01"), publisher: "Ministry", metric: "industry scale" }),
    ])
    expect(r.findings.map((f) => f.code).sort()).toEqual(["incomparable", "scope-change"])
    expect(r.revisions).toEqual([])
  })

  it("normalises publisher families and region variants", () => {
    expect(["IDC (quoted in Lee 2023)", "IDC (keynote, V. Turner)", "IDC"].map(publisherFamily)).toEqual(["IDC", "IDC", "IDC"])
    expect(normalizeRegion("Asia/Pacific excluding Japan (APEJ)").key).toBe(normalizeRegion("Asia/Pacific excluding Japan").key)
    expect(normalizeRegion("Asia/Pacific (IDC 'Asia/Pacific*')").key).toBe(normalizeRegion("Asia-Pacific").key)
    expect(normalizeRegion("China (share of Asia-Pacific excluding Japan)").label).toBe("China (share of Asia-Pacific excluding Japan)")
  })

  it("is total on odd input", () => {
    const odd = [
      { ...row({ value: "1", unit: "USD billion" }), year: Number.NaN },
      { ...row({ value: "1", unit: "USD billion" }), quantity: undefined as never },
      row({ value: "0", unit: "USD billion", release: rel("2020") }),
      row({ value: "-3", unit: "percent", metric: "" , publisher: "", region: "" }),
    ]
    const r = reconcileSpending(odd, { asOf: "not a date" })
    expect(r.series).toEqual([])
    expect(reconcileSpending(odd).findings.filter((f) => f.code === "unusable-figure")).toHaveLength(2)
    expect(reconcileSpending([])).toEqual({ series: [], revisions: [], findings: [] })
  })
})
