import { describe, expect, it } from "vitest"
import { describePolicy, toCountry } from "../../../pipeline/normalize/country.js"
import { parsePeriod } from "../../../pipeline/normalize/period.js"
import { classifySource, describePrecedence, reconcileRounds, ROUND_PRECEDENCE } from "../../../pipeline/reconcile/figures/Lighthouses.js"
import { shuffle } from "../../support/shuffle.js"
import { roundRows, ROUNDS, rowOf, siteRows, SITES } from "./support.js"

import type { LighthouseRow, RoundClaimRow } from "../../../pipeline/domain/Clean.js"
import type { Finding } from "../../../pipeline/domain/Finding.js"
import type { RoundPrecedence } from "../../../pipeline/reconcile/figures/Lighthouses.js"

const real = reconcileRounds(roundRows(), siteRows(), { taiwan: "separate" })
const round = (id: string, r = real) => {
  const x = r.rounds.find((y) => y.round === id)
  if (x === undefined) throw new Error(`no round ${id}`)
  return x
}
const cites = (f: Finding, id: string, row: number) => f.message.includes(`${id} row ${row} `)
const code = (c: string, r = real) => r.findings.filter((f) => f.code === c)

describe("reconcileRounds on the bundled WEF extracts", () => {
  it("finds one round per announcement, clustering same-round claims and later status statements", () => {
    expect(real.rounds.map((r) => r.round)).toEqual([
      "2018-09", "2019-01", "2019-07", "2020-01", "2020-09", "2021-03", "2021-09", "2022-03", "2022-10", "2023-01", "2023-12", "2024-10", "2025-01", "2025-09", "2026-01",
    ])
    // McKinsey's December 2025 "85 of 201" is a statement about the September round, not a round.
    expect(round("2025-09").totalClaims.map((c) => c.attached)).toContain("status")
  })

  it("catches China 72 / 74 / 75 in Oct 2024 as a contradiction naming every source, and applies the precedence rule", () => {
    const rows = [rowOf(ROUNDS, "bastillepost"), rowOf(ROUNDS, "2024-10,,172,75"), rowOf(ROUNDS, "l4.net.cn")]
    const f = code("contradiction").filter((x) => x.message.includes("2024-10, China total: sources disagree"))
    expect(f).toHaveLength(1)
    for (const r of rows) expect(cites(f[0]!, ROUNDS, r)).toBe(true)
    const r = round("2024-10")
    expect(r.chinaTotal.value).toBe(72) // MIIT spokesman: government release outranks press
    expect(r.chinaTotal.rule).toContain("company or government release")
    const lost = r.chinaTotalClaims.filter((c) => !c.won)
    expect(lost.map((c) => c.value).sort()).toEqual([74, 75])
    for (const c of lost) expect(c.why).toContain("source class")
  })

  it("catches 153 + 22 ≠ 172 with the previous round's total, the new count and the total each cited", () => {
    const f = code("contradiction").find((x) => x.message.includes("2024-10, network total: previous round's 153"))!
    expect(f.message).toContain("= 175, but the total is 172")
    expect(f.message).toContain("re-designations")
    expect(cites(f, ROUNDS, rowOf(ROUNDS, "2023-12-14"))).toBe(true)
    expect(cites(f, ROUNDS, rowOf(ROUNDS, "bastillepost"))).toBe(true)
  })

  it("catches 'eight new China sites in 2022' against the two 2022 rounds (6 + 5)", () => {
    const lee = rowOf(ROUNDS, "2022,8,,42")
    const f = code("contradiction").filter((x) => x.row === lee)
    expect(f).toHaveLength(1)
    expect(f[0]!.message).toContain("13 + 11 = 24")
    expect(f[0]!.message).toContain("6 + 5 = 11 new China sites")
    expect(cites(f[0]!, ROUNDS, rowOf(ROUNDS, "weforum.org/press/2022/03"))).toBe(true)
    expect(cites(f[0]!, ROUNDS, rowOf(ROUNDS, "shine.cn"))).toBe(true)
    // Lee's "8" is dated only by year; it never becomes the new-site count of a 2022 round.
    expect(round("2022-10").newSites.value).toBe(11)
  })

  it("recognises the source that counts Taiwan with China (79 vs 85 in Jan 2025) and keeps both counts", () => {
    const f = code("taiwan-policy").find((x) => x.message.includes("2025-01, China total"))!
    expect(cites(f, ROUNDS, rowOf(ROUNDS, "zgcsrx"))).toBe(true)
    expect(cites(f, ROUNDS, rowOf(ROUNDS, "dzwww"))).toBe(true)
    const r = round("2025-01")
    expect(r.chinaTotalBoth.separate.value).toBe(79)
    expect(r.chinaTotalBoth["with-china"].value).toBe(85)
    expect(r.chinaTotalClaims.find((c) => c.value === 85)!.taiwan!.policy).toBe("with-china")
    expect(r.chinaTotalClaims.filter((c) => c.value === 79).map((c) => c.taiwan!.policy)).toEqual(["separate", "separate"])
    // New China sites 7 vs 8: the extract's one Taiwanese site of the round (UMC Tainan) explains the gap.
    expect(code("taiwan-policy").some((x) => x.message.includes("2025-01, new China sites"))).toBe(true)
    expect(r.extract.taiwan).toBe(1)
    expect(r.extract.chinaInclTaiwan - r.extract.chinaExclTaiwan).toBe(1)
  })

  it("has every China count both ways, each with its policy label", () => {
    for (const r of real.rounds)
      for (const both of [r.chinaTotalBoth, r.chinaNewBoth]) {
        expect(both.separate.label).toBe(describePolicy("separate"))
        expect(both["with-china"].label).toBe(describePolicy("with-china"))
        expect(both.separate.value === null).toBe(both["with-china"].value === null)
        if (both.separate.value !== null) expect(both["with-china"].value!).toBeGreaterThanOrEqual(both.separate.value)
      }
    expect(real.rounds.filter((r) => r.chinaTotal.value !== null).length).toBeGreaterThanOrEqual(8)
  })

  it("computes the Oct 2022 China total and share both ways", () => {
    const r = round("2022-10")
    expect(r.total.value).toBe(114)
    expect(r.chinaTotal.value).toBe(42)
    expect(r.chinaTotalPolicy.policy).toBe("unknown")
    expect(r.chinaTotalBoth.separate.value).toBe(42)
    expect(r.chinaTotalBoth.separate.basis).toContain("assumed to exclude Taiwan")
    // Including Taiwan: 42 + the extract's Taiwanese sites by then (Micron Taiwan, 2020-09), a lower bound.
    expect(r.chinaTotalBoth["with-china"].value).toBe(43)
    expect(r.chinaTotalBoth["with-china"].basis).toContain("lower bound")
    expect(r.shareChina).toEqual({ exclTaiwan: 36.84, inclTaiwan: 37.72 })
    expect(r.extract).toMatchObject({ sites: 5, chinaExclTaiwan: 4, chinaInclTaiwan: 4, taiwan: 0, redesignations: 3 })
  })

  it("reports duplicate sites, keeps the earliest designation and does not double count", () => {
    const dup = code("duplicate-site")
    const rowsNamed = (needle: string) => dup.filter((f) => f.message.includes(needle))
    const ericsson = rowsNamed("Ericsson")
    expect(ericsson).toHaveLength(1)
    expect(ericsson[0]!.row).toBe(rowOf(SITES, "Ericsson", "2021-03"))
    expect(cites(ericsson[0]!, SITES, rowOf(SITES, "Ericsson", "2021-09"))).toBe(true)
    // Two sources give different rounds for Midea Shunde: a warning, kept at the earlier round.
    const midea = rowsNamed("Midea, Shunde")[0]!
    expect(midea.severity).toBe("warn")
    expect(midea.message).toContain("first designated 2021-03")
    // Schneider Wuxi: counted in Sep 2021, its Jan 2025 re-designation is not a new China site.
    const wuxi = rowsNamed("Schneider Electric, Wuxi")[0]!
    expect(wuxi.row).toBe(rowOf(SITES, "Schneider Electric (施耐德电气),Wuxi,China,2021"))
    expect(round("2025-01").extract.chinaExclTaiwan).toBe(6)
    expect(round("2025-01").extract.redesignations).toBe(1)
    // Haier's Qingdao factories are different sites, not duplicates.
    expect(dup.some((f) => f.message.startsWith("Haier, Qingdao"))).toBe(false)
    const distinct = real.rounds[real.rounds.length - 1]!.extract.cumulative.sites
    expect(distinct).toBeLessThan(siteRows().length)
  })

  it("handles dates: year-only claims attach with lower confidence, 'pre-2020' is a bound, undated sites are reported", () => {
    const y2018 = round("2018-09").totalClaims.find((c) => c.row === rowOf(ROUNDS, "aleafairchild"))!
    expect(y2018.attached).toBe("year")
    expect(y2018.won).toBe(false)
    expect(y2018.why).toContain("lower confidence")
    const y2023 = round("2023-12").totalClaims.find((c) => c.row === rowOf(ROUNDS, "saulcontrol"))!
    expect(y2023.attached).toBe("year")
    const bounds = code("bound-date").map((f) => f.row)
    expect(bounds).toEqual([rowOf(SITES, "Foxconn (富士康),,China,pre-2020"), rowOf(SITES, "SAIC Maxus")])
    expect(code("undated-site").some((f) => f.row === rowOf(SITES, "Hitachi"))).toBe(true)
    expect(code("date-disagreement").some((f) => f.message.includes("2018-09-07") && f.message.includes("2018-09-27"))).toBe(true)
  })

  it("does not let a stale total win: Jan 2026 '189 / China 82' is below the previous round", () => {
    const r = round("2026-01")
    const stale = rowOf(ROUNDS, "mffb")
    expect(code("contradiction").filter((f) => f.row === stale)).toHaveLength(2)
    expect(r.total.value).toBe(224)
    expect(r.total.confidence).toBe("derived")
    expect(r.chinaTotal.value).toBe(101)
    expect(r.totalClaims.find((c) => c.row === stale)!.why).toContain("does not shrink")
  })

  it("classes sources by URL host and note text, from one rule stated once", () => {
    const cls = (needle: string) => {
      const c = roundRows().find((r) => r.provenance.row === rowOf(ROUNDS, needle))!
      return classifySource(c.sourceUrl, c.note).class
    }
    expect(cls("weforum.org/press/2025")).toBe("wef")
    expect(cls("cn.weforum.org")).toBe("wef")
    expect(cls("technologyforyou")).toBe("wef-text")
    expect(cls("tatasteeleurope")).toBe("official")
    expect(cls("l4.net.cn")).toBe("official")
    expect(cls("mckinsey.com")).toBe("consultancy")
    expect(cls("2022,8,,42")).toBe("research") // citation text mentions weforum.org but is no URL
    expect(cls("bastillepost")).toBe("press")
    expect(real.precedence).toBe(describePrecedence(ROUND_PRECEDENCE))
    expect(real.precedence).toMatch(/^Where sources disagree.*WEF.*> company or government release > consultancy.*> press/)
  })

  it("uses no claim or site after the as-of date", () => {
    const r = reconcileRounds(roundRows(), siteRows(), { taiwan: "separate", asOf: "2022-10" })
    expect(r.rounds[r.rounds.length - 1]!.round).toBe("2022-10")
    for (const x of r.rounds)
      for (const c of [...x.totalClaims, ...x.newSitesClaims, ...x.chinaTotalClaims, ...x.chinaNewClaims]) expect(c.date <= "2022-10-31").toBe(true)
    const late = new Set(roundRows().filter((c) => !(c.date._tag !== "Bound" && (c.date._tag === "Year" ? c.date.year < 2022 : c.date.year < 2022 || (c.date.year === 2022 && c.date.month <= 10)))).map((c) => c.provenance.row))
    for (const f of r.findings) for (const m of f.message.matchAll(new RegExp(`${ROUNDS} row (\\d+) `, "g"))) expect(late.has(Number(m[1]))).toBe(false)
    const lateSites = new Set(siteRows().filter((s) => { const p = s.announced ?? s.yearJoined; return p === undefined || p._tag === "Bound" || p.year > 2022 || (p._tag === "Month" && p.year === 2022 && p.month > 10) }).map((s) => s.provenance.row))
    for (const f of r.findings) if (f.source === SITES && f.code === "duplicate-site") for (const m of f.message.matchAll(new RegExp(`${SITES} row (\\d+) `, "g"))) expect(lateSites.has(Number(m[1]))).toBe(false)
    expect(round("2022-10", r).chinaTotal.value).toBe(42)
    // Lee 2023 ("2022") is not known by October 2022.
    expect(round("2022-10", r).chinaTotalClaims.some((c) => c.attached === "year")).toBe(false)
  })

  it("gives identical output for shuffled input", () => {
    const claims = roundRows()
    const sites = siteRows()
    for (const seed of [7, 8, 9]) expect(reconcileRounds(shuffle(claims, seed), shuffle(sites, seed + 1), { taiwan: "separate" })).toEqual(real)
  })
})

// ---------------------------------------------------------------------------------------------
// Synthetic claims for each general rule.

let n = 2
const claim = (date: string, v: Partial<Omit<RoundClaimRow, "date" | "provenance">> = {}): RoundClaimRow => ({
  date: parsePeriod(date)!,
  sourceUrl: "https://news.example/a",
  note: "",
  provenance: { source: "sources/test/rounds.csv", row: n++ },
  ...v,
})
const site = (company: string, siteName: string, country: string, announced: string, type = ""): LighthouseRow => {
  const iso2 = toCountry(country)?.iso2
  const p = parsePeriod(announced)
  return {
    company: { display: company, key: company.toLowerCase() },
    site: siteName,
    country: iso2 === undefined ? { label: country } : { label: country, iso2 },
    ...(p !== undefined ? { announced: p } : {}),
    industry: "",
    type,
    ownerHq: { label: "" },
    sourceUrl: "https://news.example/s",
    verification: "",
    notes: "",
    provenance: { source: "sources/test/sites.csv", row: n++ },
  }
}
const consistent = () => [
  claim("2030-01", { newSites: 10, totalSites: 10, chinaTotal: 4, chinaNew: 4 }),
  claim("2030-01-12", { newSites: 10, totalSites: 10, chinaTotal: 4, chinaNew: 4, sourceUrl: "https://weforum.org/press/x" }),
  claim("2030-06", { newSites: 5, totalSites: 15, chinaTotal: 6, chinaNew: 2 }),
]

describe("reconcileRounds general rules (synthetic)", () => {
  it("raises nothing on consistent rounds", () => {
    const r = reconcileRounds(consistent(), [site("Acme", "Wuhan", "China", "2030-01"), site("Acme", "Lyon", "France", "2030-06")], { taiwan: "separate" })
    expect(r.findings).toEqual([])
    expect(r.rounds.map((x) => [x.round, x.total.value, x.chinaTotal.value])).toEqual([["2030-01", 10, 4], ["2030-06", 15, 6]])
    expect(r.rounds[0]!.total.source).toBe("sources/test/rounds.csv")
    expect(r.rounds[0]!.date).toBe("2030-01-12") // the WEF claim's date
  })

  it("catches a fabricated same-date disagreement and an arithmetic break", () => {
    const cs = [...consistent(), claim("2030-06-03", { totalSites: 17 })]
    const f = reconcileRounds(cs, [], { taiwan: "separate" }).findings.filter((x) => x.code === "contradiction")
    expect(f.some((x) => x.message.includes("network total: sources disagree") && x.message.includes(`row ${cs[2]!.provenance.row} `) && x.message.includes(`row ${cs[3]!.provenance.row} `))).toBe(true)
    const broken = [consistent()[0]!, claim("2030-06", { newSites: 5, totalSites: 14 })]
    expect(reconcileRounds(broken, [], { taiwan: "separate" }).findings.map((x) => x.message).join("\n")).toContain("= 15, but the total is 14")
  })

  it("catches a year claim that does not match the sum of the year's rounds", () => {
    const cs = [...consistent(), claim("2030", { newSites: 12 })]
    const f = reconcileRounds(cs, [], { taiwan: "separate" }).findings.filter((x) => x.code === "contradiction")
    expect(f).toHaveLength(1)
    expect(f[0]!.message).toContain("10 + 5 = 15")
  })

  it("explains a China gap by Taiwan only when the evidence says so", () => {
    const sites = [site("Acme", "Tainan", "Taiwan", "2030-01"), site("Acme", "Wuhan", "China", "2030-01")]
    const taiwanish = [claim("2030-01", { chinaNew: 1 }), claim("2030-01-05", { chinaNew: 2, note: "lists 2 China sites incl. Tainan (Taiwan)" })]
    const r1 = reconcileRounds(taiwanish, sites, { taiwan: "with-china" })
    expect(r1.findings.map((f) => f.code)).toEqual(["taiwan-policy"])
    expect(r1.rounds[0]!.chinaNewBoth).toMatchObject({ separate: { value: 1 }, "with-china": { value: 2 } })
    expect(r1.rounds[0]!.headline.policy).toBe("with-china")
    const plain = [claim("2030-01", { chinaTotal: 40 }), claim("2030-01-05", { chinaTotal: 43 })]
    expect(reconcileRounds(plain, sites, { taiwan: "separate" }).findings.map((f) => f.code)).toEqual(["contradiction"])
  })

  it("takes the precedence rule as data: reordering classes changes the winner", () => {
    const cs = [claim("2030-01", { chinaTotal: 40, note: "ministry spokesman" }), claim("2030-01-05", { chinaTotal: 41 })]
    expect(reconcileRounds(cs, [], { taiwan: "separate" }).rounds[0]!.chinaTotal.value).toBe(40)
    const pressFirst: RoundPrecedence = { ...ROUND_PRECEDENCE, classes: ROUND_PRECEDENCE.classes.map((c) => (c.class === "press" ? { ...c, rank: 0 } : c)) }
    const r = reconcileRounds(cs, [], { taiwan: "separate", precedence: pressFirst })
    expect(r.rounds[0]!.chinaTotal.value).toBe(41)
    expect(r.precedence.startsWith("Where sources disagree on a round, the value is taken from the highest class: press")).toBe(true)
  })

  it("detects a re-designation and two rounds for one site", () => {
    const sites = [site("Acme", "Wuhan (plant 1)", "China", "2030-01"), site("Acme", "Wuhan", "China", "2030-06", "sustainability (re-designation)"), site("Acme", "Wuhan (plant 2)", "China", "2030-06")]
    const r = reconcileRounds(consistent(), sites, { taiwan: "separate" })
    // Two bracketed variants: the bare "Wuhan" cannot be told apart, so nothing is merged.
    expect(r.findings.filter((f) => f.code === "duplicate-site")).toEqual([])
    const two = [site("Acme", "Wuhan", "China", "2030-06"), site("Acme", "Wuhan", "China", "2030-01")]
    const d = reconcileRounds(consistent(), two, { taiwan: "separate" })
    expect(d.findings.map((f) => [f.code, f.severity])).toEqual([["duplicate-site", "warn"]])
    expect(d.rounds.map((x) => x.extract.sites)).toEqual([1, 0])
  })

  it("is total on odd input", () => {
    expect(reconcileRounds([], [], { taiwan: "separate" }).rounds).toEqual([])
    const odd = [
      { ...claim("2030-01"), date: parsePeriod("pre-2020")! },
      { ...claim("2030-01"), date: undefined as never },
      claim("2031", { totalSites: 3 }),
      claim("2030-02", {}),
    ]
    const r = reconcileRounds(odd, [site("", "", "", ""), site("X", "(site not given)", "Atlantis", "2099-13")], { taiwan: "separate", asOf: "" })
    expect(r.rounds.map((x) => x.round)).toEqual(["2030-02"])
    expect(r.findings.map((f) => f.code).sort()).toEqual(["undated-claim", "undated-claim", "undated-site", "undated-site", "unplaced-claim"])
  })
})
