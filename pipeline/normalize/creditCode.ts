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

// Index in ALPHABET of the check character for the first 17 characters of `s`, or -1 when one
// of them is outside the alphabet: the one checksum loop both the public helper and the checker use.
const checkIndex = (s: string): number => {
  let sum = 0
  for (let i = 0; i < 17; i++) {
    const c = s.charCodeAt(i)
    const v = c < 128 ? VALUE[c]! : -1
    if (v < 0) return -1
    sum += v * WEIGHTS[i]!
  }
  return (31 - (sum % 31)) % 31
}

/** The check character GB 32100 assigns to the first 17 characters, or undefined if they are not valid. */
export const creditCodeCheckChar = (first17: string): string | undefined => {
  if (first17.length !== 17) return undefined
  const i = checkIndex(first17)
  return i < 0 ? undefined : ALPHABET[i]
}

/** The verdict on 18 characters taken as they are, or undefined when one is outside the alphabet. */
const verdict = (code: string): CreditCodeResult | undefined => {
  const expected = checkIndex(code)
  if (expected < 0) return undefined
  const last = code.charCodeAt(17)
  if (last >= 128 || VALUE[last]! < 0) return undefined
  return last === ALPHABET.charCodeAt(expected) ? { normalized: code, valid: true } : { normalized: code, valid: false, reason: "check-digit" }
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
    const fast = verdict(raw)
    if (fast !== undefined) return fast
  }
  let normalized = clean(raw)
  // Dropping a separator can let NFKC compose across it ("R \u0301" → "Ŕ"); settle such text.
  for (let round = 0; round < 3 && !isAscii(normalized); round++) {
    const again = clean(normalized)
    if (again === normalized) break
    normalized = again
  }
  return (normalized.length === 18 ? verdict(normalized) : undefined) ?? { normalized, valid: false, reason: "format" }
}
