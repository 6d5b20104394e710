/**
 * Periods as published: a year, a month, a day, or a bound ("pre-2020" is a bound, not a date).
 * Parsed from ISO-ish text, English month names, Chinese 年月日 and Excel serial numbers.
 */
import { normalizeText } from "./text.js"

import type { Day, Exact, Month, Period, Year } from "../domain/Period.js"
export type { Bound, Day, Exact, Month, Period, Year } from "../domain/Period.js"

// Years outside this range are typos or other numbers (a serial, a count), not dates we publish.
const MIN_YEAR = 1900
const MAX_YEAR = 2100

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
const daysIn = (y: number, m: number): number => (m === 2 ? (isLeap(y) ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31)

const year = (y: number): Year | undefined => (Number.isInteger(y) && y >= MIN_YEAR && y <= MAX_YEAR ? { _tag: "Year", year: y } : undefined)
const month = (y: number, m: number): Month | undefined =>
  year(y) !== undefined && Number.isInteger(m) && m >= 1 && m <= 12 ? { _tag: "Month", year: y, month: m } : undefined
const day = (y: number, m: number, d: number): Day | undefined =>
  month(y, m) !== undefined && Number.isInteger(d) && d >= 1 && d <= daysIn(y, m) ? { _tag: "Day", year: y, month: m, day: d } : undefined

const MONTHS: ReadonlyMap<string, number> = new Map([
  ["jan", 1], ["feb", 2], ["mar", 3], ["apr", 4], ["may", 5], ["jun", 6], ["jul", 7], ["aug", 8], ["sep", 9], ["sept", 9], ["oct", 10], ["nov", 11], ["dec", 12],
  ["january", 1], ["february", 2], ["march", 3], ["april", 4], ["june", 6], ["july", 7], ["august", 8], ["september", 9], ["october", 10], ["november", 11], ["december", 12],
])

const YEAR_RE = /^(\d{4})$/
const YM_RE = /^(\d{4})[-/.](\d{1,2})$/
const YMD_RE = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/
const ZH_RE = /^(\d{4})年(?:(\d{1,2})月(?:(\d{1,2})[日号])?)?$/
// "June 2018", "Jun. 2018", "18 June 2018", "June 18, 2018"
const MONTH_YEAR_RE = /^(?:(\d{1,2})\s+)?([a-z]+)\.?,?\s+(?:(\d{1,2}),?\s+)?(\d{4})$/
// Excel day serials: five digits (four would be a year), optional time fraction.
const SERIAL_RE = /^(\d{5})(?:\.\d+)?$/
const BEFORE_RE = /^(?:pre|before|prior to|earlier than|<)\s*-?\s*(.+)$/
const AFTER_RE = /^(?:post|after|later than|>)\s*-?\s*(.+)$/
const ZH_BEFORE_RE = /^(.+?)(?:年)?(?:以前|之前|前)$/
const ZH_AFTER_RE = /^(.+?)(?:年)?(?:以后|之后|后)$/

// Excel's day 1 is 1900-01-01 and it counts a 29 Feb 1900 that never was; from serial 61 on,
// days since 1899-12-30 are right (earlier serials are outside the accepted year range anyway).
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30)
const fromSerial = (serial: number): Day | undefined => {
  const d = new Date(EXCEL_EPOCH_MS + serial * 86_400_000)
  return day(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate())
}

const parseExact = (t: string): Exact | undefined => {
  let m = YEAR_RE.exec(t)
  if (m) return year(Number(m[1]))
  if ((m = YM_RE.exec(t))) return month(Number(m[1]), Number(m[2]))
  if ((m = YMD_RE.exec(t))) return day(Number(m[1]), Number(m[2]), Number(m[3]))
  if ((m = ZH_RE.exec(t))) {
    const y = Number(m[1])
    return m[2] === undefined ? year(y) : m[3] === undefined ? month(y, Number(m[2])) : day(y, Number(m[2]), Number(m[3]))
  }
  if ((m = MONTH_YEAR_RE.exec(t))) {
    const mo = MONTHS.get(m[2]!)
    if (mo === undefined || (m[1] !== undefined && m[3] !== undefined)) return undefined
    const d = m[1] ?? m[3]
    return d === undefined ? month(Number(m[4]), mo) : day(Number(m[4]), mo, Number(d))
  }
  if ((m = SERIAL_RE.exec(t))) return fromSerial(Number(m[1]))
  return undefined
}

/**
 * Parses a published period: "2022", "2022-05", "2022-5", "2022-05-18", "2022/05/18", "June 2018",
 * "2022年5月18日", an Excel serial (44700), or a bound ("pre-2020", "after 2019", "2020年以前").
 * Undefined for blanks and anything else; never throws.
 */
export const parsePeriod = (raw: string): Period | undefined => {
  // Lengths beyond any date spelling are not dates; skip the regexes on them.
  if (raw.length > 64) return undefined
  const t = normalizeText(raw).toLowerCase()
  if (t === "") return undefined
  const exact = parseExact(t)
  if (exact !== undefined) return exact
  let m = BEFORE_RE.exec(t) ?? ZH_BEFORE_RE.exec(t)
  if (m) {
    const p = parseExact(m[1]!.trim())
    if (p !== undefined) return { _tag: "Bound", side: "before", period: p }
  }
  m = AFTER_RE.exec(t) ?? ZH_AFTER_RE.exec(t)
  if (m) {
    const p = parseExact(m[1]!.trim())
    if (p !== undefined) return { _tag: "Bound", side: "after", period: p }
  }
  return undefined
}

const pad2 = (n: number): string => (n < 10 ? "0" + n : String(n))

/** ISO-ish text: "2022", "2022-05", "2022-05-18", "before 2020", "after 2019". */
export const periodText = (p: Period): string => {
  switch (p._tag) {
    case "Year":
      return String(p.year)
    case "Month":
      return `${p.year}-${pad2(p.month)}`
    case "Day":
      return `${p.year}-${pad2(p.month)}-${pad2(p.day)}`
    case "Bound":
      return `${p.side} ${periodText(p.period)}`
  }
}

const exactStart = (p: Exact): string =>
  p._tag === "Year" ? `${p.year}-01-01` : p._tag === "Month" ? `${p.year}-${pad2(p.month)}-01` : periodText(p)
const exactEnd = (p: Exact): string =>
  p._tag === "Year" ? `${p.year}-12-31` : p._tag === "Month" ? `${p.year}-${pad2(p.month)}-${pad2(daysIn(p.year, p.month))}` : periodText(p)

const shiftDay = (iso: string, days: number): string => {
  const d = new Date(Date.parse(iso + "T00:00:00Z") + days * 86_400_000)
  return `${String(d.getUTCFullYear()).padStart(4, "0")}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`
}

/** First day of a period as "YYYY-MM-DD"; undefined when it is open at the start ("before 2020"). */
export function periodStart(p: Exact): string
export function periodStart(p: Period): string | undefined
export function periodStart(p: Period): string | undefined {
  if (p._tag !== "Bound") return exactStart(p)
  return p.side === "after" ? shiftDay(exactEnd(p.period), 1) : undefined
}

/** Last day of a period as "YYYY-MM-DD"; undefined when it is open at the end ("after 2019"). */
export function periodEnd(p: Exact): string
export function periodEnd(p: Period): string | undefined
export function periodEnd(p: Period): string | undefined {
  if (p._tag !== "Bound") return exactEnd(p)
  return p.side === "before" ? shiftDay(exactStart(p.period), -1) : undefined
}

/**
 * True when the period ends on or before the as-of date ("YYYY", "YYYY-MM" or "YYYY-MM-DD",
 * each meaning its last day). A period open at the end ("after 2019") is never known by a
 * date, and an unreadable as-of matches nothing: the filter errs on leaving rows out.
 */
export const knownBy = (p: Period, asOf: string): boolean => {
  const limit = parsePeriod(asOf)
  if (limit === undefined || limit._tag === "Bound") return false
  const end = periodEnd(p)
  return end !== undefined && end <= exactEnd(limit)
}
