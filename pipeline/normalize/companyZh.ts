/**
 * Chinese company names: traditional → simplified, bracket and space variants, company-form
 * words, location prefix vs bracketed location, and forms cut short by PDF text extraction.
 * `display` is what a person reads; `key` is what two spellings of one firm have in common.
 */
import * as OpenCC from "opencc-js/t2cn"
import { normalizeText } from "./text.js"
import { BRACKET_ONLY, CITIES, PROVINCES } from "./zhPlaces.js"

// ---- traditional → simplified -------------------------------------------------------------

type Convert = (text: string) => string
interface T2S {
  readonly convert: Convert
  /** BMP code units that some dictionary entry rewrites; a string with none of them is unchanged. */
  readonly changes: Uint8Array
}
let t2s: T2S | undefined

type Entry = readonly [from: string, to: string]
const entriesOf = (dict: unknown): ReadonlyArray<Entry> =>
  typeof dict === "string"
    ? dict.split("|").map((line) => {
        const sp = line.indexOf(" ")
        return [line.slice(0, sp), line.slice(sp + 1)] as const
      })
    : Array.isArray(dict) ? (dict as ReadonlyArray<Entry>) : []

/** One stage of OpenCC's conversion chain, split into single-character and phrase entries. */
const stageOf = (group: ReadonlyArray<unknown>): { chars: Map<string, string>; phrases: Array<Entry> } => {
  const chars = new Map<string, string>()
  const phrases: Array<Entry> = []
  // Earlier dictionaries in a group win (opencc-js loads the group in reverse order).
  for (let i = group.length - 1; i >= 0; i--) {
    for (const [from, to] of entriesOf(group[i])) {
      if ([...from].length === 1) chars.set(from, to)
      else phrases.push([from, to])
    }
  }
  return { chars, phrases }
}

// Built on first use: the dictionaries take ~40 ms to load into tries, which a run that never
// meets a Chinese name should not pay.
const loadT2S = (): T2S => {
  if (t2s) return t2s
  // Taiwan variants first, then OpenCC's standard traditional → simplified (OpenCC's tw2s).
  const convert = OpenCC.Converter({ from: "tw", to: "cn" })
  type Chain = ReadonlyArray<ReadonlyArray<unknown>>
  const config = (OpenCC.Locale.configs as Record<string, { conversionChain: Chain; normalizationChain?: Chain }>)["tw2s"]
  const changes = new Uint8Array(0x10000)
  const mark = (ch: string) => {
    for (let i = 0; i < ch.length; i++) changes[ch.charCodeAt(i)] = 1
  }
  // Marks the characters of `from` that an entry rewrites (all of them if lengths differ).
  const markDiff = (from: string, to: string) => {
    if (from === to) return
    const a = [...from]
    const b = [...to]
    a.forEach((ch, i) => {
      if (a.length !== b.length || ch !== b[i]) mark(ch)
    })
  }
  // The set must be exact for the identity shortcut below: a text with none of the marked
  // characters converts to itself. A character is marked when the chain can change it:
  // normalisation entries; phrase entries of either stage (at the positions they rewrite);
  // single characters whose two-stage image differs (峰 → 峯 → 峰 does not); and characters
  // that stage 1 rewrites into something a stage-2 phrase could then see. The test suite
  // checks the shortcut against the converter on random text.
  for (const group of config?.normalizationChain ?? []) for (const dict of group) for (const [f, t] of entriesOf(dict)) markDiff(f, t)
  const chain = config?.conversionChain ?? []
  const s1 = stageOf(chain[0] ?? [])
  const s2 = stageOf(chain[1] ?? [])
  const inStage2Phrase = new Set<string>()
  for (const [from, to] of s2.phrases) {
    for (const ch of from) inStage2Phrase.add(ch)
    markDiff(from, to)
    const a = [...from]
    const b = [...to]
    a.forEach((ch, i) => {
      if (a.length !== b.length || ch !== b[i]) for (const [c, x] of s1.chars) if (x === ch) mark(c)
    })
  }
  for (const [from, to] of s1.phrases) markDiff(from, to)
  for (const c of new Set([...s1.chars.keys(), ...s2.chars.keys()])) {
    const x = s1.chars.get(c) ?? c
    const y = s2.chars.get(x) ?? x
    if (y !== c || (s2.chars.get(c) ?? c) !== c || (x !== c && inStage2Phrase.has(x))) mark(c)
  }
  t2s = { convert, changes }
  return t2s
}

const needsT2S = (s: string, changes: Uint8Array): boolean => {
  for (let i = 0; i < s.length; i++) if (changes[s.charCodeAt(i)] === 1) return true
  return false
}

/**
 * Traditional → simplified Chinese with opencc-js (Taiwan variants and phrases included).
 * Idempotent: a few dictionary chains (麼 → 么 → 幺) are followed to their end.
 */
export const toSimplified = (s: string): string => {
  // Cheap exit before touching the dictionaries: nothing to convert outside the CJK blocks.
  let cjk = false
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0x2e80) {
      cjk = true
      break
    }
  }
  if (!cjk) return s
  const { changes, convert } = loadT2S()
  let out = s
  for (let round = 0; round < 4 && needsT2S(out, changes); round++) {
    const next = convert(out)
    if (next === out) break
    out = next
  }
  return out
}

// ---- locations ----------------------------------------------------------------------------

interface PlaceForm {
  readonly text: string
  readonly place: string
  /** Written with its administrative suffix (省, 市, 自治区 …): surely a place, not a word. */
  readonly explicit: boolean
}
/**
 * Place forms by their first two characters (every place name has at least two): a name is
 * compared with the few forms that can start it (北京 → 北京市, 北京), not with every place
 * sharing its first character (北 → 北京, 北海, 北票 …), for millions of names.
 */
type PlaceTable = Map<number, Array<PlaceForm>>
const twoChars = (s: string, at: number): number => s.charCodeAt(at) * 0x10000 + s.charCodeAt(at + 1)
const placesByStart: PlaceTable = new Map()
const addForm = (text: string, place: string, explicit: boolean, into: PlaceTable) => {
  // The place lists are constants of this module: a one-character form would be a mistake in them,
  // caught when the module loads (every test loads it), never by a source's data.
  if (text.length < 2) throw new Error(`place form "${text}" is shorter than two characters`)
  const k = twoChars(text, 0)
  const list = into.get(k) ?? []
  list.push({ text, place, explicit })
  list.sort((a, b) => b.text.length - a.text.length) // longest first: 广东省 before 广东
  into.set(k, list)
}
for (const [name, suffix] of PROVINCES) {
  addForm(name + suffix, name, true, placesByStart)
  if (suffix !== "省" && suffix !== "市") addForm(name + "自治区", name, true, placesByStart)
  addForm(name, name, false, placesByStart)
}
for (const city of CITIES) {
  addForm(city + "市", city, true, placesByStart)
  addForm(city, city, false, placesByStart)
}
const bracketOnly: PlaceTable = new Map()
for (const p of BRACKET_ONLY) addForm(p, "中国", false, bracketOnly)

const matchPlace = (s: string, at: number, table: PlaceTable): PlaceForm | undefined => {
  if (at + 1 >= s.length) return undefined
  const list = table.get(twoChars(s, at))
  if (list === undefined) return undefined
  for (const f of list) if (s.startsWith(f.text, at)) return f
  return undefined
}

/** The place a bracket holds when it holds nothing else ("青岛", "山东青岛", "中国"), else undefined. */
const bracketPlace = (inner: string): string | undefined => {
  let at = 0
  let first: string | undefined
  while (at < inner.length) {
    const f = matchPlace(inner, at, placesByStart) ?? matchPlace(inner, at, bracketOnly)
    if (f === undefined) return undefined
    first ??= f.place
    at += f.text.length
  }
  return first
}

/** The place written at the start of a name (青岛海智… → 青岛), when it leaves a name behind. */
const placePrefix = (name: string): PlaceForm | undefined => {
  const f = matchPlace(name, 0, placesByStart)
  return f !== undefined && name.length - f.text.length >= 2 ? f : undefined
}

// ---- company forms ------------------------------------------------------------------------

// Longest first so that 股份有限公司 is taken whole, not as 有限公司 + a stray 股份. Truncated
// forms are listed too so that a key never ends in half a form.
const FORMS: ReadonlyArray<string> = [
  "集团股份有限公司", "集团有限责任公司", "股份有限公司", "有限责任公司", "集团有限公司", "股份合作公司",
  "有限责任公", "股份公司", "集团公司", "有限公司", "有限责任", "总公司", "有限公", "公司", "集团", "控股", "股份", "有限",
]

// Forms indexed by their last character: most names end in 司, and the lookup skips the rest.
const FORMS_BY_LAST = new Map<number, Array<string>>()
const NO_FORMS: ReadonlyArray<string> = []
for (const f of FORMS) {
  const k = f.charCodeAt(f.length - 1)
  FORMS_BY_LAST.set(k, [...(FORMS_BY_LAST.get(k) ?? []), f])
}

// PDF text extraction drops the last characters of a wrapped cell: 有限责任公 | 司.
const REPAIRS: ReadonlyArray<readonly [cut: string, missing: string]> = [
  ["有限责任公", "司"], ["有限公", "司"], ["有限责任", "公司"], ["有限", "公司"],
]
/** The last characters of those cuts: a name ending otherwise needs no repair (most names end in 司). */
const REPAIR_ENDINGS = new Set(REPAIRS.map(([cut]) => cut.charCodeAt(cut.length - 1)))

// ---- names --------------------------------------------------------------------------------

/** A Chinese company name cleaned for display and reduced to a comparison key. */
export interface ZhCompanyName {
  /** Simplified, spaces removed, brackets written full-width （） as registries do. */
  readonly display: string
  /** Simplified, no spaces, brackets, punctuation, company forms or location: variants meet here. */
  readonly key: string
  /** Province or city found as a prefix or in brackets, without its 省/市 suffix. */
  readonly location?: string
  /** Company-form words found at the end, in reading order (e.g. ["股份有限公司"]). */
  readonly forms: ReadonlyArray<string>
  /** Set when a form cut short by PDF extraction was completed. */
  readonly repaired?: "truncated-form"
}

const isAsciiAlnum = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)

/** Removes spaces (registry names have none), keeping one only between two Latin letters or digits. */
const despace = (s: string): string => {
  if (s.indexOf(" ") < 0) return s
  let out = ""
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) === 0x20 && !(i > 0 && i < s.length - 1 && isAsciiAlnum(s.charCodeAt(i - 1)) && isAsciiAlnum(s.charCodeAt(i + 1)))) continue
    out += s[i]
  }
  return out
}

// Anything that is not a letter or digit is dropped from keys (·, -, &, quotes, stray marks).
const NON_WORD_RE = /[^\p{L}\p{N}]+/gu
const FULL_OPEN_RE = /\(/g
const FULL_CLOSE_RE = /\)/g

const isKeyUnit = (c: number): boolean =>
  (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a)

/** True when every code unit is ASCII or a CJK ideograph: text NFKC cannot change further. */
const isPlain = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0x80 && !(c >= 0x4e00 && c <= 0x9fff) && !(c >= 0x3400 && c <= 0x4dbf)) return false
  }
  return true
}

/** Cleans the text every later step works on: normalised, simplified, despaced, half-width brackets. */
const clean = (raw: string): { text: string; repaired: boolean } => {
  const simplified = toSimplified(normalizeText(raw))
  let t = despace(simplified)
  // A dropped space can let NFKC compose across it ("r \u0301" → "ŕ"): settle such text.
  for (let round = 0; round < 3 && t !== simplified && !isPlain(t); round++) {
    const again = despace(toSimplified(normalizeText(t)))
    if (again === t) break
    t = again
  }
  let repaired = false
  if (REPAIR_ENDINGS.has(t.charCodeAt(t.length - 1)))
    for (const [cut, missing] of REPAIRS) {
      if (t.length > cut.length && t.endsWith(cut)) {
        t += missing
        repaired = true
        break
      }
    }
  return { text: t, repaired }
}

interface Keyed {
  key: string
  location: string | undefined
  forms: Array<string>
}

const keyOf = (text: string): Keyed => {
  let location: string | undefined
  let body = text
  if (text.indexOf("(") >= 0 || text.indexOf(")") >= 0) {
    body = ""
    let at = 0
    while (at < text.length) {
      const open = text.indexOf("(", at)
      const close = open < 0 ? -1 : text.indexOf(")", open + 1)
      if (open < 0 || close < 0) {
        body += text.slice(at)
        break
      }
      body += text.slice(at, open)
      const inner = text.slice(open + 1, close)
      const place = bracketPlace(inner)
      if (place === undefined) body += inner
      else location ??= place
      at = close + 1
    }
  }
  let pure = true
  for (let i = 0; i < body.length; i++) {
    if (!isKeyUnit(body.charCodeAt(i))) {
      pure = false
      break
    }
  }
  if (!pure) body = body.toLowerCase().replace(NON_WORD_RE, "")
  // Forms as they are cut off the end, the last first (reversed into reading order at the end).
  const forms: Array<string> = []
  for (let changed = true; changed; ) {
    changed = false
    for (const f of FORMS_BY_LAST.get(body.charCodeAt(body.length - 1)) ?? NO_FORMS) {
      if (body.length > f.length && body.endsWith(f)) {
        forms.push(f)
        body = body.slice(0, body.length - f.length)
        changed = true
        break
      }
    }
    if (changed) continue
    const place = placePrefix(body)
    if (place !== undefined) {
      location ??= place.place
      body = body.slice(place.text.length)
      changed = true
    }
  }
  return { key: body, location, forms: forms.reverse() }
}

/**
 * Keys in odd scripts can change again once re-normalised (marks freed by dropped punctuation);
 * follows them to a fixed point so the key is idempotent. CJK and ASCII keys never need this.
 */
const settleKey = (key: string): string => {
  let pure = true
  for (let i = 0; i < key.length; i++) {
    if (!isKeyUnit(key.charCodeAt(i))) {
      pure = false
      break
    }
  }
  if (pure) return key
  for (let round = 0; round < 4; round++) {
    const next = keyOf(clean(key).text).key
    if (next === key) break
    key = next
  }
  return key
}

/** Cleans a Chinese company name and derives its comparison key, location and company forms. */
export const zhCompanyName = (raw: string): ZhCompanyName => {
  const { text, repaired } = clean(raw)
  const keyed = keyOf(text)
  const key = settleKey(keyed.key)
  const display = text.indexOf("(") >= 0 || text.indexOf(")") >= 0 ? text.replace(FULL_OPEN_RE, "（").replace(FULL_CLOSE_RE, "）") : text
  // Optional fields only when set (without spreading a new object for each, on millions of names).
  const name: { -readonly [K in keyof ZhCompanyName]: ZhCompanyName[K] } = { display, key, forms: keyed.forms }
  if (keyed.location !== undefined) name.location = keyed.location
  if (repaired) name.repaired = "truncated-form"
  return name
}

/** Only the comparison key of a Chinese company name (the hot path of entity resolution). */
export const zhCompanyKey = (raw: string): string => settleKey(keyOf(clean(raw).text).key)
