/** Minimal typings for upstream fontkit 2.x (it ships none); only what the PDF renderer uses. */
declare module "fontkit" {
  /** A glyph; `id` 0 is .notdef (the font lacks the character). */
  export interface Glyph {
    readonly id: number
    readonly advanceWidth: number
    readonly codePoints: ReadonlyArray<number>
  }
  /** A glyph run produced by `layout`. */
  export interface GlyphRun {
    readonly glyphs: ReadonlyArray<Glyph>
  }
  /** A subset being built for embedding. */
  export interface Subset {
    includeGlyph(glyph: number | Glyph): number
    encode(): Uint8Array
  }
  /** A parsed TrueType/OpenType font. */
  export interface Font {
    readonly postscriptName: string
    readonly unitsPerEm: number
    readonly ascent: number
    readonly descent: number
    readonly lineGap: number
    readonly capHeight: number
    readonly xHeight: number
    glyphForCodePoint(codePoint: number): Glyph
    hasGlyphForCodePoint(codePoint: number): boolean
    layout(text: string, features?: Record<string, boolean> | ReadonlyArray<string>): GlyphRun
    createSubset(): Subset
  }
  /** Parses font bytes; `postscriptName` picks a face in a collection. */
  export function create(buffer: Buffer, postscriptName?: string): Font
}
