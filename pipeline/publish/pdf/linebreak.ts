/**
 * Line breaking for mixed Latin/Chinese text over real advance widths. Hand-written because no
 * maintained JS library does UAX #14 line breaking *with* measured widths and justification
 * (linebreak/xregexp give opportunities only); the rules needed here are short:
 * CJK may break between any two characters (with basic kinsoku), Latin only after spaces and
 * hyphens, and a word longer than the line is broken hard.
 */
import type { FontStyle, Metrics } from "./metrics.js"

/** A stretch of text with one style; `attrs` travel untouched to the pieces it produces. */
export interface Span<A> {
  readonly text: string
  readonly style: FontStyle
  readonly size: number
  readonly attrs: A
  /** Glue to the preceding character (footnote markers never start a line). */
  readonly noBreakBefore?: boolean
}

/** A drawable piece of a line: one style, one position. */
export interface Piece<A> {
  readonly text: string
  readonly style: FontStyle
  readonly size: number
  readonly attrs: A
  /** Offset from the line's start, in points. */
  readonly x: number
  readonly width: number
}

/** One laid-out line. */
export interface Line<A> {
  readonly pieces: ReadonlyArray<Piece<A>>
  /** Natural width (before justification), trailing spaces excluded. */
  readonly width: number
  /** Largest font size on the line (for leading). */
  readonly size: number
  /** The line's plain text (for tests and diagnostics). */
  readonly text: string
}

/** Characters that must not start a line (closing punctuation, small kana, ASCII closers). */
export const noLineStart = new Set(
  Array.from("，。、；：？！）」』】〕〉》〙〗｝］”’…‥·・ー々〻ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ%％,.;:?!)]}"),
)
/** Characters that must not end a line (opening brackets and quotes, currency signs). */
export const noLineEnd = new Set(Array.from("（「『【〔〈《〘〖｛［“‘([{$＄￥£€"))

/** Whether a code point is set as CJK (ideographs, kana, hangul, CJK and full-width punctuation). */
export const isCjk = (cp: number): boolean =>
  (cp >= 0x2e80 && cp <= 0x9fff) ||
  (cp >= 0xac00 && cp <= 0xd7af) ||
  (cp >= 0xf900 && cp <= 0xfaff) ||
  (cp >= 0xfe30 && cp <= 0xfe4f) ||
  (cp >= 0xff00 && cp <= 0xffef) ||
  (cp >= 0x20000 && cp <= 0x3ffff)

// Whitespace that collapses to one breakable space; NBSP (U+00A0) and U+3000 stay as they are.
const collapsible = new Set([" ", "\t", "\n", "\r", "\f", "\v", "\u2028", "\u2029", "\u2002", "\u2003", "\u2009"])

const isAlnum = (ch: string): boolean => /[\p{L}\p{N}]/u.test(ch)
const breakAfter = new Set(["-", "‐", "–", "/"])

interface Ch {
  readonly ch: string
  readonly cjk: boolean
  readonly span: number
  readonly w: number
}

/** Whether a line may break between `a` and `b` (not counting spaces, handled by the caller). */
export const canBreakBetween = (a: string, b: string, beforeA?: string): boolean => {
  if (b === " ") return false
  if (a === " ") return !noLineStart.has(b)
  if (noLineStart.has(b) || noLineEnd.has(a)) return false
  const ca = isCjk(a.codePointAt(0)!)
  const cb = isCjk(b.codePointAt(0)!)
  if (ca || cb) return true
  // "cross-industry" may break after the hyphen, "-5" or "a - b" may not
  if (breakAfter.has(a)) return beforeA !== undefined && isAlnum(beforeA) && isAlnum(b)
  return false
}

/**
 * Breaks spans into lines no wider than `maxWidth` points (greedy, first fit). When `justify` is
 * set, every line but the last is stretched to `maxWidth` at spaces and between CJK characters,
 * unless that would open gaps wider than half an em (then it stays left-aligned).
 */
export const breakLines = <A>(
  spans: ReadonlyArray<Span<A>>,
  maxWidth: number,
  metrics: Metrics,
  justify = false,
): Array<Line<A>> => {
  // 1. flatten to characters, collapsing whitespace runs (also across spans) into one space
  const chars: Array<Ch> = []
  const glue: Array<boolean> = []
  spans.forEach((s, si) => {
    let first = true
    for (const raw of s.text) {
      const ch = collapsible.has(raw) ? " " : raw
      if (ch === " " && (chars.length === 0 || chars[chars.length - 1]!.ch === " ")) continue
      const cp = ch.codePointAt(0)!
      chars.push({ ch, cjk: isCjk(cp), span: si, w: metrics.advance(cp, s.style) * s.size })
      glue.push(first && s.noBreakBefore === true)
      first = false
    }
  })
  const n = chars.length
  // 2. break opportunities: canBreak[i] = a line may start at chars[i]
  const canBreak: Array<boolean> = new Array(n).fill(false)
  for (let i = 1; i < n; i++) {
    canBreak[i] = !glue[i] && canBreakBetween(chars[i - 1]!.ch, chars[i]!.ch, i >= 2 ? chars[i - 2]!.ch : undefined)
  }
  // 3. greedy fill; spaces hang past the margin and are trimmed
  const ranges: Array<[number, number]> = []
  let start = 0
  while (start < n && chars[start]!.ch === " ") start++
  while (start < n) {
    let width = 0
    let lastBreak = -1
    let i = start
    let end = n
    while (i < n) {
      if (i > start && canBreak[i]) lastBreak = i
      const c = chars[i]!
      if (c.ch !== " " && width + c.w > maxWidth + 1e-6 && i > start) {
        end = lastBreak > start ? lastBreak : i
        break
      }
      width += c.w
      i++
    }
    ranges.push([start, end])
    start = end
    while (start < n && chars[start]!.ch === " ") start++
  }
  // 4. pieces, with optional justification
  return ranges.map(([s, e], li) => {
    let last = e
    while (last > s && chars[last - 1]!.ch === " ") last--
    let natural = 0
    for (let i = s; i < last; i++) natural += chars[i]!.w
    // stretch points: after a space; between CJK characters only when the line has too few
    // spaces to absorb the slack (else a mostly-Latin line would letter-space its Chinese names)
    let spaces = 0
    for (let i = s + 1; i < last; i++) if (chars[i - 1]!.ch === " ") spaces++
    const cjkToo = spaces < 3
    const stretchAt = (i: number): boolean => i > s && (chars[i - 1]!.ch === " " || (cjkToo && canBreak[i]! && (chars[i]!.cjk || chars[i - 1]!.cjk)))
    let slots = 0
    if (justify && li < ranges.length - 1) for (let i = s + 1; i < last; i++) if (stretchAt(i)) slots++
    const extra = slots > 0 ? (maxWidth - natural) / slots : 0
    let maxSize = 0
    for (let i = s; i < last; i++) maxSize = Math.max(maxSize, spans[chars[i]!.span]!.size)
    const stretch = slots > 0 && extra > 0 && extra <= maxSize * 0.5
    const pieces: Array<Piece<A>> = []
    let x = 0
    let cur: { text: string; span: number; x: number; width: number } | undefined
    const flush = () => {
      if (cur === undefined) return
      const sp = spans[cur.span]!
      pieces.push({ text: cur.text, style: sp.style, size: sp.size, attrs: sp.attrs, x: cur.x, width: cur.width })
      cur = undefined
    }
    for (let i = s; i < last; i++) {
      const c = chars[i]!
      if (stretch && stretchAt(i)) {
        flush()
        x += extra
      }
      if (cur === undefined || cur.span !== c.span) {
        flush()
        cur = { text: "", span: c.span, x, width: 0 }
      }
      cur.text += c.ch
      cur.width += c.w
      x += c.w
    }
    flush()
    const text = chars
      .slice(s, last)
      .map((c) => c.ch)
      .join("")
    return { pieces, width: natural, size: maxSize, text }
  })
}
