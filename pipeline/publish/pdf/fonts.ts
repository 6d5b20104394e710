/**
 * Noto Sans SC (regular, bold) from npm, parsed once per process, and the upstream-fontkit
 * adapter pdf-lib needs (STACK.md "Chinese text in PDFs": @pdf-lib/fontkit writes CJK subsets
 * that render blank, upstream fontkit 2 subsets correctly but renamed `encodeStream` to `encode`).
 */
import type * as fontkit from "fontkit"
import { Effect } from "effect"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import { Readable } from "node:stream"
import * as Libraries from "../libraries.js"
import { PdfError } from "./errors.js"
import { fontkitMetrics, type FontStyle, type Metrics } from "./metrics.js"

/** Package paths of the two faces, resolved through node_modules so `npm ci` is all it takes. */
export const fontFiles: Record<FontStyle, string> = {
  regular: "@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf",
  bold: "@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf",
}

/** The loaded faces: raw bytes (for pdf-lib), parsed fontkit fonts, and metrics over them. */
export interface FontSet {
  readonly bytes: Record<FontStyle, Uint8Array>
  readonly faces: Record<FontStyle, fontkit.Font>
  readonly metrics: Metrics
}

// Parsed faces by the identity of their bytes: pdf-lib calls `fontkit.create(bytes)` on every
// embed; handing back the already-parsed face saves ~20 ms and a 10 MB copy per face per render.
const parsed = new WeakMap<Uint8Array, fontkit.Font>()

/**
 * Adapts a parsed face for pdf-lib: `encodeStream` for the subset (fontkit 2 renamed it
 * `encode`), and a `layout` that maps each code point to its cmap glyph. pdf-lib calls `layout`
 * on every drawText; fontkit's full OpenType shaping there cost ~60 % of a render and buys
 * nothing for Latin and Chinese set without ligatures. It also makes drawn glyphs exactly what
 * `Metrics` measured, and keeps "fi" extractable as two letters.
 */
const adapt = (font: fontkit.Font): fontkit.Font => {
  const f = font as fontkit.Font & { createSubset: () => fontkit.Subset; layout: (text: string) => fontkit.GlyphRun }
  const createSubset = f.createSubset.bind(f)
  f.createSubset = () => {
    const s = createSubset() as fontkit.Subset & { encodeStream?: () => Readable }
    s.encodeStream = () => Readable.from([s.encode()])
    return s
  }
  f.layout = (text: string) => {
    const glyphs: Array<fontkit.Glyph> = []
    for (const ch of text) glyphs.push(f.glyphForCodePoint(ch.codePointAt(0)!))
    return { glyphs }
  }
  return f
}

// fontkit, once the first `loadFonts` has loaded it (see libraries.ts).
let fontkitLib: typeof fontkit | undefined

/** The pdf-lib `Fontkit` over upstream fontkit 2 (STACK.md adapter), reusing parsed faces; after `loadFonts`. */
export const fontkitAdapter = {
  create(bytes: Uint8Array, postscriptName?: string): fontkit.Font {
    const known = parsed.get(bytes)
    if (known !== undefined) return known
    if (fontkitLib === undefined) throw new Error("fontkit is not loaded yet: run loadFonts first")
    const font = adapt(fontkitLib.create(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), postscriptName))
    parsed.set(bytes, font)
    return font
  },
}

let loaded: FontSet | undefined

const read = (style: FontStyle): Effect.Effect<Uint8Array, PdfError> =>
  Effect.try({
    try: () => {
      const path = createRequire(import.meta.url).resolve(fontFiles[style])
      return new Uint8Array(fs.readFileSync(path))
    },
    catch: (e) =>
      new PdfError({ reason: "font", message: `cannot read ${fontFiles[style]} (is @expo-google-fonts/noto-sans-sc installed? run npm ci): ${String(e)}` }),
  })

const parse = (style: FontStyle, bytes: Uint8Array): Effect.Effect<fontkit.Font, PdfError> =>
  Effect.try({
    try: () => fontkitAdapter.create(bytes),
    catch: (e) => new PdfError({ reason: "font", message: `cannot parse ${fontFiles[style]}: ${String(e)}` }),
  })

/** Loads fontkit and parses both faces once per process (~0.2 s: the module, two 10 MB reads and parses); later calls are free. */
export const loadFonts: Effect.Effect<FontSet, PdfError> = Effect.suspend(() => {
  if (loaded !== undefined) return Effect.succeed(loaded)
  return Effect.gen(function* () {
    fontkitLib ??= yield* Effect.tryPromise({
      try: () => Libraries.fontkit(),
      catch: (e) => new PdfError({ reason: "font", message: `cannot load fontkit (run npm ci): ${String(e)}` }),
    })
    const regular = yield* read("regular")
    const bold = yield* read("bold")
    const faces = { regular: yield* parse("regular", regular), bold: yield* parse("bold", bold) }
    loaded = { bytes: { regular, bold }, faces, metrics: fontkitMetrics(faces) }
    return loaded
  })
})
