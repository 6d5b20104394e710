/**
 * Quantities as published: a number, its scale (million … 万亿), currency or metric, and whether
 * it is a point value or a bound ("exceeding USD 1 trillion" is a lower bound, not 1 trillion).
 * A value is only ever compared with one of the same dimension, currency and metric.
 */
import { normalizeText } from "./text.js"

import type { BoundKind, Currency, Dimension, Quantity } from "../domain/Quantity.js"
export type { BoundKind, Currency, Dimension, Quantity } from "../domain/Quantity.js"

// Longest phrases first; each is removed from the text once found. 不超过 must come before 超过.
const BOUND_WORDS: ReadonlyArray<readonly [string, BoundKind]> = [
  ["more than", "lower"], ["greater than", "lower"], ["at least", "lower"], ["exceeding", "lower"], ["exceeds", "lower"],
  ["in excess of", "lower"], ["upwards of", "lower"], ["over", "lower"], ["above", "lower"],
  ["less than", "upper"], ["fewer than", "upper"], ["at most", "upper"], ["up to", "upper"], ["under", "upper"], ["below", "upper"],
  ["approximately", "approx"], ["approx", "approx"], ["about", "approx"], ["around", "approx"], ["roughly", "approx"],
  ["nearly", "approx"], ["almost", "approx"], ["circa", "approx"],
  ["不超过", "upper"], ["不到", "upper"], ["以下", "upper"], ["以内", "upper"], ["低于", "upper"], ["少于", "upper"],
  ["超过", "lower"], ["以上", "lower"], ["逾", "lower"], ["多于", "lower"], ["高于", "lower"], ["突破", "lower"],
  ["大约", "approx"], ["约", "approx"], ["左右", "approx"], ["近", "approx"],
  [">=", "lower"], ["≥", "lower"], [">", "lower"], ["<=", "upper"], ["≤", "upper"], ["<", "upper"], ["~", "approx"], ["≈", "approx"],
]
const WORDY_BOUND = /^[a-z ]+$/

const SCALES: ReadonlyArray<readonly [string, number]> = [
  ["trillion", 1e12], ["billion", 1e9], ["million", 1e6], ["thousand", 1e3],
  ["tn", 1e12], ["bn", 1e9], ["mn", 1e6], ["mln", 1e6], ["mio", 1e6], ["trn", 1e12], ["k", 1e3],
]
// Chinese scales attach to the number ("1.2万亿元"); longest first.
const ZH_SCALES: ReadonlyArray<readonly [string, number]> = [["万亿", 1e12], ["千亿", 1e11], ["百亿", 1e10], ["十亿", 1e9], ["亿", 1e8], ["千万", 1e7], ["百万", 1e6], ["万", 1e4], ["千", 1e3]]
const CURRENCIES: ReadonlyArray<readonly [string, Currency]> = [
  // 美元 and 欧元 before 元, which alone means CNY.
  ["美元", "USD"], ["欧元", "EUR"], ["人民币", "CNY"], ["元", "CNY"],
  ["us$", "USD"], ["usd", "USD"], ["us dollars", "USD"], ["dollars", "USD"], ["$", "USD"],
  ["rmb", "CNY"], ["cny", "CNY"], ["yuan", "CNY"], ["¥", "CNY"],
  ["eur", "EUR"], ["euros", "EUR"], ["euro", "EUR"], ["€", "EUR"],
]
const PERCENT_WORDS = ["percent", "per cent", "pct", "%", "百分比"]
const RATIO_WORDS = ["ratio", "times", "倍"]
// Metrics a count can be of; the plural is the canonical `what`.
const COUNT_WHAT: ReadonlyArray<readonly [string, string]> = [
  ["devices", "devices"], ["device", "devices"], ["connections", "connections"], ["connection", "connections"],
  ["units", "units"], ["unit", "units"], ["sites", "sites"], ["firms", "firms"], ["companies", "firms"], ["platforms", "platforms"],
  ["台", "devices"], ["个", "units"], ["家", "firms"], ["连接", "connections"],
]

const NUMBER_RE = /[-+]?(?:\d+(?:,\d{3})*(?:\.\d+)?|\.\d+)/
const THOUSANDS_RE = /,/g
const REMARK_RE = /\(([^()]*)\)/
const REMARKS_RE = /\([^()]*\)/g
const SPACES_RE = / {2,}/g
const PLUS_RE = /\d\+/
const MINUS_RE = /[\u2212\u2013]/g

const isWordChar = (c: number): boolean => (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39)

/** Finds `word` in `t` as a whole word (for Latin words) or anywhere (for CJK and symbols). */
const findWord = (t: string, word: string): number => {
  const latin = isWordChar(word.charCodeAt(0))
  let at = t.indexOf(word)
  while (at >= 0) {
    if (!latin) return at
    const before = at === 0 ? 0 : t.charCodeAt(at - 1)
    const after = at + word.length >= t.length ? 0 : t.charCodeAt(at + word.length)
    // A Latin word may touch a digit ("1.2tn", "5bn") but not another letter.
    const letter = (c: number) => c >= 0x61 && c <= 0x7a
    if (!letter(before) && !letter(after)) return at
    at = t.indexOf(word, at + 1)
  }
  return -1
}
const cut = (t: string, at: number, len: number): string => t.slice(0, at) + " " + t.slice(at + len)

/**
 * Parses a value and its unit as two cells ("436", "USD billion") or one ("1.2万亿元", "").
 * Undefined when there is no single readable number; never throws.
 */
export const parseQuantity = (value: string, unit: string): Quantity | undefined => {
  if (value.length + unit.length > 200) return undefined
  let unitClean = normalizeText(unit).replace(MINUS_RE, "-")
  let t = (normalizeText(value).replace(MINUS_RE, "-") + " " + unitClean).toLowerCase()
  const remarkMatch = REMARK_RE.exec(t)
  const remark = remarkMatch?.[1]?.trim()
  t = t.replace(REMARKS_RE, " ")

  let bound: BoundKind = "exact"
  let boundWord = ""
  for (const [word, kind] of BOUND_WORDS) {
    const at = WORDY_BOUND.test(word) ? findWord(t, word) : t.indexOf(word)
    if (at >= 0) {
      bound = kind
      boundWord = word
      t = cut(t, at, word.length)
      break
    }
  }
  // "1.2+" is a floor too.
  const plus = PLUS_RE.exec(t)
  if (plus && bound === "exact") {
    bound = "lower"
    t = cut(t, plus.index + 1, 1)
  }

  const num = NUMBER_RE.exec(t)
  if (num === null) return undefined
  const display = Number(num[0].replace(THOUSANDS_RE, ""))
  if (!Number.isFinite(display)) return undefined
  t = cut(t, num.index, num[0].length)
  // A second number means a range or a sentence, not one value.
  if (NUMBER_RE.test(t)) return undefined

  let scale = 1
  for (const [word, factor] of ZH_SCALES) {
    const at = t.indexOf(word)
    if (at >= 0) {
      scale *= factor
      t = cut(t, at, word.length)
      break
    }
  }
  let currency: Currency | undefined
  for (const [word, code] of CURRENCIES) {
    const at = findWord(t, word)
    if (at >= 0) {
      currency = code
      t = cut(t, at, word.length)
      break
    }
  }
  for (const [word, factor] of SCALES) {
    const at = findWord(t, word)
    if (at >= 0) {
      scale *= factor
      t = cut(t, at, word.length)
      break
    }
  }
  let dimension: Dimension = currency !== undefined ? "money" : "count"
  if (currency === undefined) {
    for (const word of PERCENT_WORDS) {
      const at = findWord(t, word)
      if (at >= 0) {
        dimension = "percent"
        t = cut(t, at, word.length)
        break
      }
    }
  }
  if (dimension === "count") {
    for (const word of RATIO_WORDS) {
      const at = findWord(t, word)
      if (at >= 0) {
        dimension = "ratio"
        t = cut(t, at, word.length)
        break
      }
    }
  }
  let what: string | undefined
  if (dimension === "count") {
    for (const [word, canonical] of COUNT_WHAT) {
      const at = findWord(t, word)
      if (at >= 0) {
        what = canonical
        t = cut(t, at, word.length)
        break
      }
    }
  }
  // Whatever words are left qualify the metric ("YoY", "IoT devices"): keep them in `what`.
  const rest = t.replace(SPACES_RE, " ").trim()
  if (rest !== "") what = what === undefined ? rest : `${what} ${rest}`
  if (unitClean === "") {
    // The unit was written inside the value ("1.2万亿元"): show that part as the unit.
    let v = normalizeText(value).replace(MINUS_RE, "-").replace(NUMBER_RE, " ")
    const at = boundWord === "" ? -1 : v.toLowerCase().indexOf(boundWord)
    if (at >= 0) v = cut(v, at, boundWord.length)
    unitClean = normalizeText(v)
  }
  return {
    value: display * scale,
    display,
    unitText: unitClean,
    dimension,
    ...(currency !== undefined ? { currency } : {}),
    ...(what !== undefined ? { what } : {}),
    bound,
    ...(remark !== undefined && remark !== "" ? { remark } : {}),
  }
}

/** True only when two quantities can be compared: same dimension, currency and metric. */
export const sameDimension = (a: Quantity, b: Quantity): boolean =>
  a.dimension === b.dimension && a.currency === b.currency && a.what === b.what

const SHOW_SCALES: ReadonlyArray<readonly [number, string]> = [[1e12, "trillion"], [1e9, "billion"], [1e6, "million"]]
const BOUND_SIGN: Record<BoundKind, string> = { exact: "", lower: "> ", upper: "< ", approx: "~ " }

/** Up to two decimals, at least one below ten ("1.0", "1.2", "436", "754.28"). */
const mantissa = (n: number): string => {
  const r = Math.round(n * 100) / 100
  const s = Number.isInteger(r) && Math.abs(r) < 10 ? r.toFixed(1) : String(r)
  return s
}

/** Display text: "USD 1.2 trillion", "> USD 1.0 trillion", "9.7 billion devices", "60%", "-7% YoY". */
export const formatQuantity = (q: Quantity): string => {
  const sign = BOUND_SIGN[q.bound]
  if (q.dimension === "percent") {
    const what = q.what === undefined ? "" : q.what === "yoy" ? " YoY" : " " + q.what
    return `${sign}${Math.round(q.value * 100) / 100}%${what}`
  }
  if (q.dimension === "ratio") return `${sign}${mantissa(q.value)}x`
  let number = Math.abs(q.value) >= 1e6 ? "" : q.value.toLocaleString("en-US", { maximumFractionDigits: 2 })
  if (number === "") {
    for (const [factor, word] of SHOW_SCALES) {
      if (Math.abs(q.value) >= factor) {
        number = `${mantissa(q.value / factor)} ${word}`
        break
      }
    }
  }
  if (q.dimension === "money") return `${sign}${q.currency ?? ""} ${number}`.replace(SPACES_RE, " ").trim()
  return `${sign}${number}${q.what !== undefined ? " " + q.what : ""}`
}
