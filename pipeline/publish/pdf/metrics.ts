/** Font metrics as the layout sees them: advance widths and coverage, nothing PDF-specific. */
import type * as fontkit from "fontkit"

/** The two faces every pack uses (Noto Sans SC has no italic; italic is a synthetic oblique). */
export type FontStyle = "regular" | "bold"

/** What layout needs from fonts; a fake implementation makes layout testable without font files. */
export interface Metrics {
  /** Width in points of `text` set in `style` at `size`, as pdf-lib will draw it. */
  readonly width: (text: string, style: FontStyle, size: number) => number
  /** Advance of one code point, in em (1 = font size). */
  readonly advance: (codePoint: number, style: FontStyle) => number
  /** Whether the face has a real glyph (not .notdef) for the code point. */
  readonly hasGlyph: (codePoint: number, style: FontStyle) => boolean
  /** Ascender above the baseline, in em. */
  readonly ascent: number
  /** Descender below the baseline, in em (positive number). */
  readonly descent: number
}

/**
 * Metrics over real fontkit faces. Widths are summed per code point from a cache: equal to
 * pdf-lib's own measure because the font adapter (fonts.ts) draws one cmap glyph per code point.
 */
export const fontkitMetrics = (faces: Record<FontStyle, fontkit.Font>): Metrics => {
  const caches: Record<FontStyle, Map<number, number>> = { regular: new Map(), bold: new Map() }
  const glyphCaches: Record<FontStyle, Map<number, boolean>> = { regular: new Map(), bold: new Map() }
  const advance = (cp: number, style: FontStyle): number => {
    const cache = caches[style]
    let w = cache.get(cp)
    if (w === undefined) {
      const face = faces[style]
      w = face.glyphForCodePoint(cp).advanceWidth / face.unitsPerEm
      cache.set(cp, w)
    }
    return w
  }
  const hasGlyph = (cp: number, style: FontStyle): boolean => {
    const cache = glyphCaches[style]
    let has = cache.get(cp)
    if (has === undefined) {
      has = faces[style].hasGlyphForCodePoint(cp)
      cache.set(cp, has)
    }
    return has
  }
  const width = (text: string, style: FontStyle, size: number): number => {
    let w = 0
    for (const ch of text) w += advance(ch.codePointAt(0)!, style)
    return w * size
  }
  const r = faces.regular
  return { width, advance, hasGlyph, ascent: r.ascent / r.unitsPerEm, descent: Math.abs(r.descent) / r.unitsPerEm }
}
