/**
 * English (Latin-script) company names: company forms, punctuation, case, diacritics and
 * look-alike letters for the key; a bracketed Chinese name split out ("Haier (海尔)").
 */
import { toSimplified } from "./companyZh.js"
import { foldLookalikes, normalizeText } from "./text.js"

/** An English company name cleaned for display and reduced to a comparison key. */
export interface EnCompanyName {
  /** As written, cleaned (spaces, width, look-alikes), without a bracketed Chinese name. */
  readonly display: string
  /** Lowercase ASCII-folded tokens joined by single spaces, without forms or bracketed remarks. */
  readonly key: string
  /** The Chinese name given in brackets (simplified), or the whole name when it has no Latin letters. */
  readonly zh?: string
  /** A bracketed remark in Latin script ("Search" in "Baidu (Search)"), kept out of the key. */
  readonly aside?: string
}

// Trailing tokens that say what kind of company it is, not which one. Compared after
// punctuation is gone, so "Co., Ltd." arrives as "co", "ltd" and "S.A." as "sa".
const FORM_TOKENS = new Set([
  "co", "company", "ltd", "limited", "inc", "incorporated", "corp", "corporation", "group", "holdings", "holding",
  "ag", "se", "gmbh", "sa", "plc", "llc", "lp", "llp", "nv", "bv", "spa", "srl", "sarl", "sas", "kg", "kgaa", "ab",
  "oy", "oyj", "asa", "pte", "pty", "kk", "bhd", "sdn", "tbk", "pt", "jsc", "pjsc",
])
// Two-token forms where each half alone is a common word ("the company of", "as" in Norwegian).
const FORM_PAIRS = new Set(["co kg", "s a", "s p a", "a s", "k k"])

const HAN_RE = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/
const LATIN_RE = /[A-Za-z\u00c0-\u024f]/
const MARKS_RE = /\p{M}+/gu
// Apostrophes and dots vanish inside a word (De'Longhi, S.A.); every other non-word is a break.
const JOINERS_RE = /['’`.]/g
const NON_WORD_RE = /[^\p{L}\p{N}]+/gu
const AMP_RE = /&/g
const SPACE_RUN_RE = / {2,}/g

/**
 * Tokens of a plain-ASCII name without regexes or Unicode normalisation (the common case, and
 * a hot path); undefined as soon as a non-ASCII character shows up. Same rules as below.
 */
const asciiTokens = (s: string): Array<string> | undefined => {
  const t = s.toLowerCase()
  const tokens: Array<string> = []
  let cur = ""
  let start = -1
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i)
    if (c > 0x7f) return undefined
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39)) {
      if (start < 0) start = i
      continue
    }
    if (start >= 0) cur += t.slice(start, i)
    start = -1
    if (c === 0x27 || c === 0x2e || c === 0x60) continue // ' . ` join the word around them
    if (cur !== "") tokens.push(cur)
    cur = ""
    if (c === 0x26) tokens.push("and") // &
  }
  if (start >= 0) cur += t.slice(start)
  if (cur !== "") tokens.push(cur)
  return tokens
}

/** Tokens of any name: diacritics stripped (Arçelik → arcelik), joiners dropped, rest breaks. */
const unicodeTokens = (s: string): Array<string> => {
  // Recompose after stripping marks so that what is left (Hangul, for one) stays composed.
  let t = s.toLowerCase().normalize("NFD").replace(MARKS_RE, "").normalize("NFC")
  t = t.replace(AMP_RE, " and ").replace(JOINERS_RE, "").replace(NON_WORD_RE, " ").trim()
  return t === "" ? [] : t.split(" ")
}

const keyTokens = (s: string): Array<string> => {
  const tokens = asciiTokens(s) ?? unicodeTokens(s)
  // Forms go from the end only, and never the last remaining token ("Group" alone stays).
  let stripped = false
  while (tokens.length > 1) {
    const last = tokens[tokens.length - 1]!
    // "Henkel AG & Co. KGaA": once a form is gone, a dangling "and" goes with it.
    if (FORM_TOKENS.has(last) || (stripped && last === "and")) {
      tokens.pop()
      stripped = true
      continue
    }
    if (tokens.length > 2 && FORM_PAIRS.has(tokens[tokens.length - 2] + " " + last)) {
      tokens.length -= 2
      stripped = true
      continue
    }
    break
  }
  return tokens
}

/** Splits bracket groups out of a name: Chinese ones become `zh`, Latin ones an aside. */
const splitBrackets = (s: string): { rest: string; zh?: string; aside?: string } => {
  if (s.indexOf("(") < 0) return { rest: s }
  let rest = ""
  let zh: string | undefined
  let aside: string | undefined
  let at = 0
  while (at < s.length) {
    const open = s.indexOf("(", at)
    const close = open < 0 ? -1 : s.indexOf(")", open + 1)
    if (open < 0 || close < 0) {
      rest += s.slice(at)
      break
    }
    const inner = s.slice(open + 1, close).trim()
    if (HAN_RE.test(inner)) {
      rest += s.slice(at, open)
      zh ??= inner
    } else {
      rest += s.slice(at, close + 1)
      if (inner !== "") aside ??= inner
    }
    at = close + 1
  }
  return { rest, ...(zh !== undefined ? { zh } : {}), ...(aside !== undefined ? { aside } : {}) }
}

const isAsciiKey = (k: string): boolean => {
  for (let i = 0; i < k.length; i++) {
    const c = k.charCodeAt(i)
    if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x20)) return false
  }
  return true
}

const BRACKETS_RE = /\([^()]*\)/g

/** Cleans an English company name and derives its key; "Haier (海尔)" → display "Haier", zh "海尔". */
export const enCompanyName = (raw: string): EnCompanyName => {
  const { rest, zh, aside } = splitBrackets(normalizeText(raw))
  // Folded after the Chinese name is split out: what counts as "mostly Latin" is the name shown.
  let display = foldLookalikes(rest.replace(SPACE_RUN_RE, " ").trim())
  let zhName = zh
  // A name with no Latin letters at all is a Chinese name given in the English column.
  if (zhName === undefined && HAN_RE.test(display) && !LATIN_RE.test(display)) zhName = display
  if (display === "" && zhName !== undefined) display = zhName
  let tokens = keyTokens(display.indexOf("(") < 0 ? display : display.replace(BRACKETS_RE, " "))
  if (tokens.length === 0) tokens = keyTokens(display)
  let key = tokens.join(" ")
  // Re-keying a key must give the key (NFKC after mark-stripping can shift odd scripts);
  // plain ASCII keys are fixed points already.
  for (let round = 0; round < 3 && !isAsciiKey(key); round++) {
    const next = keyTokens(foldLookalikes(normalizeText(key))).join(" ")
    if (next === key) break
    key = next
  }
  return {
    display,
    key,
    ...(zhName !== undefined ? { zh: toSimplified(zhName) } : {}),
    ...(aside !== undefined ? { aside } : {}),
  }
}

/** Only the comparison key of an English company name. */
export const enCompanyKey = (raw: string): string => enCompanyName(raw).key
