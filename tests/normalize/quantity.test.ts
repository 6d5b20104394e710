import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { formatQuantity, parseQuantity, sameDimension } from "../../pipeline/normalize/quantity.js"
import { anyText, readData, runs } from "./support.js"

describe("parseQuantity", () => {
  it.each([
    ["436", "USD billion", { value: 436e9, display: 436, dimension: "money", currency: "USD", bound: "exact" }],
    ["742", "USD million (sic)", { value: 742e6, dimension: "money", currency: "USD", remark: "sic" }],
    ["1.2", "CNY trillion", { value: 1.2e12, dimension: "money", currency: "CNY" }],
    ["9.7", "billion devices", { value: 9.7e9, dimension: "count", what: "devices" }],
    ["10.25", "billion connections", { value: 10.25e9, dimension: "count", what: "connections" }],
    ["60", "percent", { value: 60, dimension: "percent" }],
    ["-7", "percent YoY", { value: -7, dimension: "percent", what: "yoy" }],
    ["1,234.5", "unit", { value: 1234.5, dimension: "count", what: "units" }],
    ["1.2万亿元", "", { value: 1.2e12, display: 1.2, unitText: "万亿元", dimension: "money", currency: "CNY" }],
    ["超过100亿元", "", { value: 1e10, bound: "lower", currency: "CNY", unitText: "亿元" }],
    ["约3000万台", "", { value: 3e7, bound: "approx", dimension: "count", what: "devices" }],
    ["exceeding 1", "USD trillion", { value: 1e12, bound: "lower" }],
    ["over 1.0", "USD trillion", { value: 1e12, bound: "lower" }],
    ["more than 20", "billion devices", { value: 2e10, bound: "lower" }],
    [">1", "USD trillion", { bound: "lower" }],
    ["under 5", "percent", { value: 5, bound: "upper" }],
    ["up to 25", "billion devices", { bound: "upper" }],
    ["<3", "percent", { bound: "upper" }],
    ["~730", "USD billion", { value: 730e9, bound: "approx" }],
    ["about 730", "USD billion", { bound: "approx" }],
    ["approximately 730", "USD billion", { bound: "approx" }],
    ["$1.2 trillion", "", { value: 1.2e12, currency: "USD" }],
    ["USD 1.2tn", "", { value: 1.2e12, currency: "USD" }],
    ["€5bn", "", { value: 5e9, currency: "EUR" }],
    ["１２０", "ＵＳＤ　billion", { value: 120e9, currency: "USD" }],
  ] as const)("%s %s", (value, unit, expected) => {
    expect(parseQuantity(value, unit)).toMatchObject(expected)
  })

  it.each([["", "USD billion"], ["", ""], ["n/a", "USD billion"], ["1,2", "percent"], ["2023-2028", "percent"]])("gives undefined for %j %j", (value, unit) => {
    expect(parseQuantity(value, unit)).toBeUndefined()
  })

  it("parses every (value, unit) pair with a value in idc_iot_spending.csv", () => {
    const rows = readData("idc_iot_spending.csv")
    let parsed = 0
    for (const r of rows) {
      if (r["value"] === "") {
        expect(parseQuantity(r["value"]!, r["unit"]!)).toBeUndefined()
        continue
      }
      const q = parseQuantity(r["value"]!, r["unit"]!)
      expect(q, `${r["value"]} ${r["unit"]}`).toBeDefined()
      expect(Number.isFinite(q!.value)).toBe(true)
      parsed++
    }
    expect(parsed).toBeGreaterThan(60)
  })

  it("keeps the MIIT CNY figure and the IDC USD figure apart, and shares from growth rates", () => {
    const miit = parseQuantity("1.2万亿元", "")!
    const idc = parseQuantity("1.2", "USD trillion")!
    expect(miit.value).toBe(idc.value)
    expect(sameDimension(miit, idc)).toBe(false)
    expect(sameDimension(parseQuantity("1.2", "CNY trillion")!, miit)).toBe(true)
    expect(sameDimension(parseQuantity("60", "percent")!, parseQuantity("-7", "percent YoY")!)).toBe(false)
    expect(sameDimension(parseQuantity("9.7", "billion devices")!, parseQuantity("4.1", "billion connections")!)).toBe(false)
    expect(sameDimension(parseQuantity("exceeding 1", "USD trillion")!, idc)).toBe(true)
  })

  it("is total", () => {
    fc.assert(
      fc.property(anyText, anyText, (v, u) => {
        const q = parseQuantity(v, u)
        if (q !== undefined) {
          expect(Number.isNaN(q.value)).toBe(false)
          expect(typeof formatQuantity(q)).toBe("string")
        }
      }),
      runs,
    )
    expect(parseQuantity("1".repeat(1_000_000), "USD billion")).toBeUndefined()
  })
})

describe("formatQuantity", () => {
  it.each([
    ["1200", "USD billion", "USD 1.2 trillion"],
    ["exceeding 1", "USD trillion", "> USD 1.0 trillion"],
    ["730", "USD billion", "USD 730 billion"],
    ["754.28", "USD billion", "USD 754.28 billion"],
    ["1.2万亿元", "", "CNY 1.2 trillion"],
    ["9.7", "billion devices", "9.7 billion devices"],
    ["60", "percent", "60%"],
    ["-7", "percent YoY", "-7% YoY"],
    ["~730", "USD billion", "~ USD 730 billion"],
    ["1,234.5", "unit", "1,234.5 units"],
  ])("%s %s → %s", (value, unit, text) => {
    expect(formatQuantity(parseQuantity(value, unit)!)).toBe(text)
  })

  it("reads back what it writes for money", () => {
    const amount = fc.integer({ min: 1, max: 99_999 }).map((n) => n / 100)
    const scale = fc.constantFrom("million", "billion", "trillion")
    const currency = fc.constantFrom("USD", "CNY", "EUR")
    const bound = fc.constantFrom("", "over ", "under ", "about ")
    fc.assert(
      fc.property(amount, scale, currency, bound, (a, s, c, b) => {
        const q = parseQuantity(`${b}${a}`, `${c} ${s}`)!
        const back = parseQuantity(formatQuantity(q), "")!
        expect(back.currency).toBe(q.currency)
        expect(back.bound).toBe(q.bound)
        expect(Math.abs(back.value - q.value) / q.value).toBeLessThan(1e-9)
      }),
      runs,
    )
  })
})
