/**
 * Text normalisation shared by every other normaliser: width, spaces, invisible characters,
 * look-alike letters and display width. Pure, total and allocation-light (hot path: millions
 * of names per refresh), so each function first scans for a fast path that returns its input.
 */

// Zero-width and invisible format characters that PDF text and web copies leave inside names.
// U+00AD (soft hyphen) and U+180E (Mongolian vowel separator, formerly a space) are added
// because they are just as invisible in a registry name.
const INVISIBLE_RE = /[\u200B-\u200D\uFEFF\u2060\u00AD\u180E]/g

// Every Unicode space: `\s` covers U+3000, NBSP, U+2000-U+200A, U+2028/9, U+202F, U+205F;
// U+0085 (NEL) is added because Windows-1252 round trips produce it.
const SPACES_RE = /[\s\u0085]+/g

const FULL_WIDTH_RE = /[\uFF01-\uFF5E]/g
const toHalfWidth = (ch: string): string => String.fromCharCode(ch.charCodeAt(0) - 0xfee0)

/** True for code units that NFKC, space collapsing and invisible-removal all leave unchanged. */
const isStableUnit = (c: number): boolean =>
  (c > 0x20 && c < 0x7f) || // printable ASCII
  (c >= 0x4e00 && c <= 0x9fff) || // CJK unified ideographs
  (c >= 0x3400 && c <= 0x4dbf) || // CJK extension A
  c === 0x3001 || c === 0x3002 || (c >= 0x3008 && c <= 0x3011) // 、。〈〉《》「」『』【】

/**
 * NFKC, full-width → half-width, every Unicode space collapsed to one ASCII space and trimmed,
 * zero-width characters removed. Idempotent and total (lone surrogates pass through).
 */
export const normalizeText = (s: string): string => {
  // Fast path: names that are already clean (ASCII words and CJK ideographs) are returned as is;
  // names whose only blemish is full-width ASCII (（）, digits) are mapped without NFKC, which
  // maps U+FF01-U+FF5E to exactly U+0021-U+007E.
  const n = s.length
  let clean = true
  let fullWidth = false
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i)
    if (isStableUnit(c)) continue
    if (c === 0x20 && i > 0 && i < n - 1 && s.charCodeAt(i + 1) !== 0x20) continue
    if (c >= 0xff01 && c <= 0xff5e) {
      fullWidth = true
      continue
    }
    clean = false
    break
  }
  if (clean) return fullWidth ? s.replace(FULL_WIDTH_RE, toHalfWidth) : s
  // Invisible characters go first so that NFKC can compose what they separated.
  let t = s.replace(INVISIBLE_RE, "").normalize("NFKC")
  t = t.replace(SPACES_RE, " ")
  // NFKC never yields the invisible set from visible characters; trim last so edges are clean.
  return t.trim()
}

// Cyrillic and Greek letters that render like Latin ones (homoglyphs seen in copied names, e.g.
// a Cyrillic "СММ"). Only unambiguous shapes: a letter that merely resembles a small capital
// in some fonts (Cyrillic т, Greek τ) is left alone.
const LOOKALIKES: ReadonlyArray<readonly [string, string]> = [
  // Cyrillic capitals
  ["А", "A"], ["В", "B"], ["Е", "E"], ["К", "K"], ["М", "M"], ["Н", "H"], ["О", "O"], ["Р", "P"],
  ["С", "C"], ["Т", "T"], ["Х", "X"], ["У", "Y"], ["Ү", "Y"], ["Ѕ", "S"], ["І", "I"], ["Ј", "J"], ["Ԛ", "Q"], ["Ԝ", "W"],
  // Cyrillic small
  ["а", "a"], ["е", "e"], ["о", "o"], ["р", "p"], ["с", "c"], ["у", "y"], ["х", "x"], ["ѕ", "s"], ["і", "i"],
  ["ј", "j"], ["һ", "h"], ["ԛ", "q"], ["ԝ", "w"], ["ԁ", "d"], ["ү", "y"],
  // Greek capitals
  ["Α", "A"], ["Β", "B"], ["Ε", "E"], ["Ζ", "Z"], ["Η", "H"], ["Ι", "I"], ["Κ", "K"], ["Μ", "M"], ["Ν", "N"],
  ["Ο", "O"], ["Ρ", "P"], ["Τ", "T"], ["Υ", "Y"], ["Χ", "X"],
  // Greek small
  ["ο", "o"], ["ν", "v"], ["ι", "i"], ["ρ", "p"], ["υ", "u"],
]
const FOLD = new Map<number, string>(LOOKALIKES.map(([from, to]) => [from.charCodeAt(0), to]))

const isCyrGreek = (c: number): boolean => (c >= 0x370 && c <= 0x3ff) || (c >= 0x400 && c <= 0x52f) || (c >= 0x1f00 && c <= 0x1fff)
const isLatinLetter = (c: number): boolean =>
  (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0xc0 && c <= 0x24f && c !== 0xd7 && c !== 0xf7)
const isAsciiDigit = (c: number): boolean => c >= 0x30 && c <= 0x39

/**
 * Folds Cyrillic/Greek look-alike letters to Latin, token by token. A token (run of letters and
 * digits) is folded only when every Cyrillic/Greek letter in it has a Latin twin and it is Latin
 * in intent: it already holds a Latin letter, or the whole text holds no Cyrillic/Greek letter
 * without a twin (so genuine Russian or Greek text such as "ООО Газпром" is left as written).
 */
export const foldLookalikes = (s: string): string => {
  const n = s.length
  let any = false
  let foreignOnly = false // a Cyrillic/Greek letter with no Latin twin somewhere in the text
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i)
    if (!isCyrGreek(c)) continue
    any = true
    if (!FOLD.has(c)) foreignOnly = true
  }
  if (!any) return s
  let out = ""
  let folded = false
  let i = 0
  while (i < n) {
    const c = s.charCodeAt(i)
    const inToken = isCyrGreek(c) || isLatinLetter(c) || isAsciiDigit(c)
    if (!inToken) {
      out += s[i]
      i++
      continue
    }
    let j = i
    let hasLatin = false
    let foldable = true
    while (j < n) {
      const d = s.charCodeAt(j)
      if (isCyrGreek(d)) {
        if (!FOLD.has(d)) foldable = false
      } else if (isLatinLetter(d)) hasLatin = true
      else if (!isAsciiDigit(d)) break
      j++
    }
    const token = s.slice(i, j)
    if (foldable && (hasLatin || !foreignOnly)) {
      for (let k = 0; k < token.length; k++) out += FOLD.get(token.charCodeAt(k)) ?? token[k]
      folded = true
    } else out += token
    i = j
  }
  // A Latin letter may now compose with a following mark (Cyrillic С + U+0301 → Ć).
  return folded ? out.normalize("NFC") : out
}

// East Asian Wide and Fullwidth ranges (UAX #11), as [start, end] code point pairs, sorted.
const WIDE: ReadonlyArray<readonly [number, number]> = [
  [0x1100, 0x115f], [0x231a, 0x231b], [0x2329, 0x232a], [0x23e9, 0x23ec], [0x25fd, 0x25fe], [0x2614, 0x2615],
  [0x2e80, 0x303e], [0x3041, 0x33ff], [0x3400, 0x4dbf], [0x4e00, 0x9fff], [0xa000, 0xa4cf], [0xa960, 0xa97f],
  [0xac00, 0xd7a3], [0xf900, 0xfaff], [0xfe10, 0xfe19], [0xfe30, 0xfe6f], [0xff00, 0xff60], [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f], [0x1f900, 0x1f9ff], [0x20000, 0x3fffd],
]
const isWide = (cp: number): boolean => {
  if (cp < 0x1100) return false
  for (const [a, b] of WIDE) {
    if (cp < a) return false
    if (cp <= b) return true
  }
  return false
}
const isZeroWidth = (cp: number): boolean =>
  cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || (cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) ||
  cp === 0x2060 || cp === 0xfeff || cp === 0xad || (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0x1ab0 && cp <= 0x1aff) ||
  (cp >= 0x20d0 && cp <= 0x20ff)

/** Columns a string takes in a terminal or an Excel cell: CJK and full-width count 2, combining marks 0. */
export const displayWidth = (s: string): number => {
  let w = 0
  for (let i = 0; i < s.length; i++) {
    let cp = s.charCodeAt(i)
    if (cp < 0x7f) {
      if (cp >= 0x20) w++
      continue
    }
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < s.length) {
      const lo = s.charCodeAt(i + 1)
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = (cp - 0xd800) * 0x400 + (lo - 0xdc00) + 0x10000
        i++
      }
    }
    w += isZeroWidth(cp) ? 0 : isWide(cp) ? 2 : 1
  }
  return w
}
