import * as fc from "fast-check"
import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import { countsAsChina, describePolicy, TaiwanPolicy, toCountries, toCountry } from "../../pipeline/normalize/country.js"
import { anyText, readData, runs } from "./support.js"

describe("toCountry", () => {
  it.each([
    ["China", "CN"], ["PRC", "CN"], ["中国", "CN"], ["Mainland China", "CN"], ["People's Republic of China", "CN"],
    ["Taiwan", "TW"], ["Taiwan (China)", "TW"], ["台湾", "TW"], ["中国台湾", "TW"], ["Taiwan (parent Hon Hai)", "TW"],
    ["Hong Kong", "HK"], ["香港", "HK"], ["USA", "US"], ["United States", "US"], ["US", "US"], ["U.S.", "US"],
    ["United States (J&J)", "US"], ["UK", "GB"], ["United Kingdom", "GB"], ["Germany", "DE"], ["德国", "DE"],
    ["Türkiye", "TR"], ["Turkey", "TR"], ["Türkiye (Ford/Koç JV)", "TR"], ["Czech Republic", "CZ"], ["Czechia", "CZ"],
    ["South Korea", "KR"], ["韩国", "KR"], ["Switzerland (Swiss-Swedish group)", "CH"], ["  Saudi\u00A0Arabia ", "SA"],
    ["China/United States (JV)", "CN"], ["Germany / China", "DE"],
  ])("%s → %s", (name, iso2) => {
    expect(toCountry(name)?.iso2).toBe(iso2)
  })

  it("lists every country of a joint venture in the order written", () => {
    expect(toCountries("China/United States (JV)").map((c) => c.iso2)).toEqual(["CN", "US"])
    expect(toCountries("United States/Switzerland").map((c) => c.iso2)).toEqual(["US", "CH"])
    expect(toCountries("China/Japan (JV)").map((c) => c.iso2)).toEqual(["CN", "JP"])
  })

  it.each(["", "Europe (European initiative)", "Europe", "Other", "Asia-Pacific", "Worldwide", "us", "it"])("gives undefined for %j", (name) => {
    expect(toCountry(name)).toBeUndefined()
  })

  it("resolves every country and owner_hq_country in wef_lighthouses.csv", () => {
    const rows = readData("wef_lighthouses.csv")
    const names = new Set(rows.flatMap((r) => [r["country"]!, r["owner_hq_country"]!]).filter((n) => n !== ""))
    expect(names.size).toBeGreaterThan(20)
    for (const n of names) expect(toCountry(n), n).toBeDefined()
  })

  it("resolves every partner_country in miit_collaborations.csv except the European initiative", () => {
    const names = new Set(readData("miit_collaborations.csv").map((r) => r["partner_country"]!).filter((n) => n !== ""))
    for (const n of names) {
      if (n.startsWith("Europe")) expect(toCountry(n), n).toBeUndefined()
      else expect(toCountry(n), n).toBeDefined()
    }
  })

  it("resolves every named country the bench generator writes", () => {
    for (const n of ["China", "United States", "Germany", "India", "Japan", "Saudi Arabia", "Singapore", "Italy", "Mexico", "France"]) {
      expect(toCountry(n), n).toBeDefined()
    }
  })

  it("is total", () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const c = toCountry(s)
        if (c !== undefined) expect(c.iso2).toMatch(/^[A-Z]{2}$/)
      }),
      runs,
    )
  })
})

describe("Taiwan policy", () => {
  it("counts Taiwan with China only under with-china", () => {
    expect(countsAsChina("CN", "separate")).toBe(true)
    expect(countsAsChina("TW", "separate")).toBe(false)
    expect(countsAsChina("TW", "with-china")).toBe(true)
    expect(countsAsChina("HK", "separate")).toBe(true)
    expect(countsAsChina("DE", "with-china")).toBe(false)
  })

  it("gives both China counts of the lighthouse extract, and they differ by the Taiwanese sites", () => {
    const iso = readData("wef_lighthouses.csv").map((r) => toCountry(r["country"]!)?.iso2 ?? "")
    const separate = iso.filter((c) => countsAsChina(c, "separate")).length
    const withChina = iso.filter((c) => countsAsChina(c, "with-china")).length
    expect(withChina - separate).toBe(iso.filter((c) => c === "TW").length)
    expect(withChina).toBeGreaterThan(separate)
  })

  it("describes each policy in a sentence that says what happens to Taiwan", () => {
    expect(describePolicy("separate")).toMatch(/excluding Taiwan/)
    expect(describePolicy("with-china")).toMatch(/including Taiwan/)
    expect(Schema.decodeUnknownSync(TaiwanPolicy)("with-china")).toBe("with-china")
    expect(() => Schema.decodeUnknownSync(TaiwanPolicy)("both")).toThrow()
  })
})
