/**
 * Unified social credit codes (统一社会信用代码, GB 32100-2015): 18 characters from a 31-letter
 * alphabet, the last a check character. An invalid code is a finding for the caller; the row
 * still links by name.
 */
import { normalizeText } from "./text.js"

/** The result of checking a code: normalised text, and why it failed when it did. */
export type CreditCodeResult =
  | { readonly normalized: string; readonly valid: true }
  | { readonly normalized: string; readonly valid: false; readonly reason: "format" | "check-digit" }

// GB 32100-2015 alphabet: digits and capitals without I, O, S, V, Z (too easily misread).
const ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const
// Value of each ASCII code unit in the alphabet, -1 outside it.
const VALUE = new Int8Array(128).fill(-1)
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i

// Separators clerks type inside a code; removed before checking.
const SEPARATORS_RE = /[\s-]/g

const clean = (s: string): string => normalizeText(s).toUpperCase().replace(SEPARATORS_RE, "")
const isAscii = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false
  return true
}

/** The check character GB 32100 assigns to the first 17 characters, or undefined if they are not valid. */
export const creditCodeCheckChar = (first17: string): string | undefined => {
  if (first17.length !== 17) return undefined
  let sum = 0
  for (let i = 0; i < 17; i++) {
    const c = first17.charCodeAt(i)
    const v = c < 128 ? VALUE[c]! : -1
    if (v < 0) return undefined
    sum += v * WEIGHTS[i]!
  }
  return ALPHABET[(31 - (sum % 31)) % 31]
}

/** The verdict on a code of 18 alphabet characters (no normalisation needed), or undefined when it needs cleaning. */
const checkClean = (code: string): CreditCodeResult | undefined => {
  let sum = 0
  for (let i = 0; i < 17; i++) {
    const c = code.charCodeAt(i)
    const v = c < 128 ? VALUE[c]! : -1
    if (v < 0) return undefined
    sum += v * WEIGHTS[i]!
  }
  const last = code.charCodeAt(17)
  if (last >= 128 || VALUE[last]! < 0) return undefined
  return last === ALPHABET.charCodeAt((31 - (sum % 31)) % 31) ? { normalized: code, valid: true } : { normalized: code, valid: false, reason: "check-digit" }
}

/**
 * Checks a unified social credit code after normalising width, case and separators.
 * `format`: not 18 characters of the alphabet; `check-digit`: the last character is wrong.
 */
export const checkCreditCode = (raw: string): CreditCodeResult => {
  // Longer than any spelling of a code: report it without normalising a huge string.
  if (raw.length > 64) return { normalized: raw.slice(0, 64), valid: false, reason: "format" }
  // Fast path: 18 characters of the alphabet are already what clean() would return (ASCII
  // capitals and digits are NFKC-, case- and separator-stable), so skip NFKC, upper-casing and
  // the regex; this is the common case on registries and costs ~10% of ingest CPU otherwise.
  if (raw.length === 18) {
    const fast = checkClean(raw)
    if (fast !== undefined) return fast
  }
  let normalized = clean(raw)
  // Dropping a separator can let NFKC compose across it ("R \u0301" → "Ŕ"); settle such text.
  for (let round = 0; round < 3 && !isAscii(normalized); round++) {
    const again = clean(normalized)
    if (again === normalized) break
    normalized = again
  }
  if (normalized.length !== 18) return { normalized, valid: false, reason: "format" }
  const expected = creditCodeCheckChar(normalized.slice(0, 17))
  if (expected === undefined) return { normalized, valid: false, reason: "format" }
  const last = normalized.charCodeAt(17)
  if (last >= 128 || VALUE[last]! < 0) return { normalized, valid: false, reason: "format" }
  return normalized[17] === expected ? { normalized, valid: true } : { normalized, valid: false, reason: "check-digit" }
}
