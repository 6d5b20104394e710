import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { knownBy, parsePeriod, periodEnd, periodStart, periodText, type Period } from "../../pipeline/normalize/period.js"
import { anyText, readData, runs } from "./support.js"

describe("parsePeriod", () => {
  it.each([
    ["2022", { _tag: "Year", year: 2022 }],
    ["2022-05", { _tag: "Month", year: 2022, month: 5 }],
    ["2022-5", { _tag: "Month", year: 2022, month: 5 }],
    ["2022-05-18", { _tag: "Day", year: 2022, month: 5, day: 18 }],
    ["2022/05/18", { _tag: "Day", year: 2022, month: 5, day: 18 }],
    ["June 2018", { _tag: "Month", year: 2018, month: 6 }],
    ["Jun 2018", { _tag: "Month", year: 2018, month: 6 }],
    ["10 Jan 2019", { _tag: "Day", year: 2019, month: 1, day: 10 }],
    ["January 10, 2019", { _tag: "Day", year: 2019, month: 1, day: 10 }],
    ["2022年5月", { _tag: "Month", year: 2022, month: 5 }],
    ["2022年5月18日", { _tag: "Day", year: 2022, month: 5, day: 18 }],
    ["２０２２年５月１８日", { _tag: "Day", year: 2022, month: 5, day: 18 }],
    ["2022年", { _tag: "Year", year: 2022 }],
    ["44700", { _tag: "Day", year: 2022, month: 5, day: 19 }],
    ["44700.5", { _tag: "Day", year: 2022, month: 5, day: 19 }],
    ["pre-2020", { _tag: "Bound", side: "before", period: { _tag: "Year", year: 2020 } }],
    ["before 2020", { _tag: "Bound", side: "before", period: { _tag: "Year", year: 2020 } }],
    ["after 2019", { _tag: "Bound", side: "after", period: { _tag: "Year", year: 2019 } }],
    ["2020年以前", { _tag: "Bound", side: "before", period: { _tag: "Year", year: 2020 } }],
  ] as const)("%s", (raw, expected) => {
    expect(parsePeriod(raw)).toEqual(expected)
  })

  it.each(["", "  ", "2022-13", "2022-02-30", "1899", "2101", "99999", "pre-pre-2020", "2023-2028", "soon", "12345678"])("rejects %j", (raw) => {
    expect(parsePeriod(raw)).toBeUndefined()
  })

  it("parses every announcement_date in wef_rounds.csv", () => {
    for (const r of readData("wef_rounds.csv")) expect(parsePeriod(r["announcement_date"]!), r["announcement_date"]).toBeDefined()
  })

  it("parses every year_joined and announcement_ym in wef_lighthouses.csv; pre-2020 is a bound", () => {
    for (const r of readData("wef_lighthouses.csv")) {
      for (const v of [r["year_joined"]!, r["announcement_ym"]!]) if (v !== "") expect(parsePeriod(v), v).toBeDefined()
    }
    expect(parsePeriod("pre-2020")?._tag).toBe("Bound")
  })

  it("parses every non-blank release_date in idc_iot_spending.csv", () => {
    for (const r of readData("idc_iot_spending.csv")) if (r["release_date"] !== "") expect(parsePeriod(r["release_date"]!), r["release_date"]).toBeDefined()
  })

  it("is total, and its text parses back to the same period", () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const p = parsePeriod(s)
        if (p !== undefined) expect(parsePeriod(periodText(p))).toEqual(p)
      }),
      runs,
    )
    expect(parsePeriod("2".repeat(1_000_000))).toBeUndefined()
  })

  it("round-trips every valid day through its text", () => {
    fc.assert(
      fc.property(fc.date({ min: new Date("1900-01-01T00:00:00Z"), max: new Date("2100-12-31T00:00:00Z"), noInvalidDate: true }), (d) => {
        const iso = d.toISOString().slice(0, 10)
        const p = parsePeriod(iso)!
        expect(periodText(p)).toBe(iso)
        expect(periodStart(p)).toBe(iso)
        expect(periodEnd(p)).toBe(iso)
      }),
      runs,
    )
  })
})

describe("periodText, periodStart, periodEnd, knownBy", () => {
  const p = (raw: string): Period => parsePeriod(raw)!

  it.each([
    ["2022", "2022", "2022-01-01", "2022-12-31"],
    ["2024-2", "2024-02", "2024-02-01", "2024-02-29"],
    ["2022/5/18", "2022-05-18", "2022-05-18", "2022-05-18"],
    ["pre-2020", "before 2020", undefined, "2019-12-31"],
    ["after 2019-06", "after 2019-06", "2019-07-01", undefined],
  ])("%s → %s, %s … %s", (raw, text, start, end) => {
    expect(periodText(p(raw))).toBe(text)
    expect(periodStart(p(raw))).toBe(start)
    expect(periodEnd(p(raw))).toBe(end)
  })

  it("knows a period by an as-of date when it ended on or before it", () => {
    expect(knownBy(p("2022-10-11"), "2022-10")).toBe(true)
    expect(knownBy(p("2022-10"), "2022-10")).toBe(true)
    expect(knownBy(p("2022-11"), "2022-10")).toBe(false)
    expect(knownBy(p("2022"), "2022-10")).toBe(false)
    expect(knownBy(p("2022"), "2022")).toBe(true)
    expect(knownBy(p("pre-2020"), "2020-01-01")).toBe(true)
    expect(knownBy(p("after 2019"), "2030")).toBe(false)
    expect(knownBy(p("2022"), "not a date")).toBe(false)
  })
})
