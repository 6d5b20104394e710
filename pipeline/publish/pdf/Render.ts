/**
 * Render: draws a laid-out PackDoc with pdf-lib 1.17 and upstream fontkit 2 (STACK.md), with
 * Noto Sans SC regular and bold embedded as subsets. A thin applier: every decision was made in
 * `Layout`; this file only turns operations into PDF objects, plus the parts pdf-lib has no API
 * for (outline, link annotations, a deterministic /ID).
 */
import { Effect } from "effect"
import { createHash } from "node:crypto"
import type * as PdfLib from "pdf-lib"
import type { PDFArray, PDFDict, PDFDocument, PDFFont, PDFName, PDFOperator, PDFPage, PDFRef } from "pdf-lib"
import * as Libraries from "../libraries.js"
import { PdfError } from "./errors.js"
import { fontkitAdapter, loadFonts, type FontSet } from "./fonts.js"
import * as Layout from "./Layout.js"
import type { FontStyle } from "./metrics.js"
import type { Color, Op } from "./ops.js"
import type * as PackDoc from "./PackDoc.js"

/** What a render produced: the PDF, its page count, and the characters drawn as "?". */
export interface RenderResult {
  readonly bytes: Uint8Array
  readonly pages: number
  /** Characters the font lacks; the caller turns them into findings naming the entity. */
  readonly missingGlyphs: ReadonlyArray<Layout.MissingGlyph>
}

/** Fixed Creator and Producer, so they never leak a version or a date into the bytes. */
export const creator = "iiot-observatory briefing pack"
/** Fixed Producer string (see `creator`). */
export const producer = "iiot-observatory (pdf-lib 1.17.1, fontkit 2.0.4)"

/** pdf-lib, once the first `write` has loaded it (see libraries.ts): the functions that draw run inside `write`. */
let P: typeof PdfLib

const color = (c: Color) => P.rgb(c[0], c[1], c[2])

/** A six-letter subset tag (PDF 32000 §9.6.4) derived from the document, never random. */
const subsetTag = (hash: string, style: FontStyle): string =>
  Array.from(createHash("sha256").update(hash + style).digest().subarray(0, 6), (b) => String.fromCharCode(65 + (b % 26))).join("")

/** URIs in PDF are 7-bit ASCII: percent-encode the rest (IRIs with Chinese paths stay clickable). */
const asciiUri = (url: string): string => {
  try {
    return new URL(url).href
  } catch {
    return encodeURI(url)
  }
}

/** Parses the ISO `createdAt` (a date or a date-time); an invalid one is a layout error. */
const parseDate = (iso: string): Effect.Effect<Date, PdfError> => {
  const d = new Date(/^\d{4}-\d{2}(-\d{2})?$/.test(iso) ? `${iso.length === 7 ? `${iso}-01` : iso}T00:00:00Z` : iso)
  return Number.isNaN(d.getTime())
    ? Effect.fail(new PdfError({ reason: "layout", message: `meta.createdAt "${iso}" is not an ISO date (expected e.g. 2022-10-31)` }))
    : Effect.succeed(d)
}

/** Renders a PackDoc to PDF bytes; the same document always gives the same bytes. */
export const render = (doc: PackDoc.PackDoc): Effect.Effect<RenderResult, PdfError> =>
  Effect.gen(function* () {
    const problems = Layout.validate(doc)
    if (problems.length > 0) return yield* Effect.fail(new PdfError({ reason: "layout", message: `the pack cannot be laid out: ${problems.join("; ")}` }))
    const created = yield* parseDate(doc.meta.createdAt)
    const fonts = yield* loadFonts
    const laid = Layout.layout(doc, fonts.metrics)
    const bytes = yield* Effect.tryPromise({
      try: () => write(doc, laid, fonts, created),
      catch: (e) => new PdfError({ reason: "write", message: `pdf-lib could not write the pack "${doc.meta.title}": ${e instanceof Error ? e.message : String(e)}` }),
    })
    return { bytes, pages: laid.pages.length, missingGlyphs: laid.missingGlyphs }
  })

const write = async (doc: PackDoc.PackDoc, laid: Layout.LaidOutDoc, fonts: FontSet, created: Date): Promise<Uint8Array> => {
  P = await Libraries.pdfLib()
  // updateMetadata: false, or pdf-lib stamps the current time as CreationDate/ModDate
  const pdf = await P.PDFDocument.create({ updateMetadata: false })
  pdf.registerFontkit(fontkitAdapter as unknown as Parameters<PDFDocument["registerFontkit"]>[0])
  const docHash = createHash("sha256").update(JSON.stringify(doc)).digest("hex")
  const embed = (style: FontStyle) =>
    pdf.embedFont(fonts.bytes[style], { subset: true, customName: `${subsetTag(docHash, style)}+${fonts.faces[style].postscriptName}` })
  const font: Record<FontStyle, PDFFont> = { regular: await embed("regular"), bold: await embed("bold") }

  const { meta } = doc
  pdf.setTitle(meta.title, { showInWindowTitleBar: true })
  pdf.setAuthor(meta.author)
  pdf.setSubject(meta.subject)
  pdf.setKeywords([...meta.keywords])
  pdf.setLanguage(meta.language)
  pdf.setCreator(creator)
  pdf.setProducer(producer)
  pdf.setCreationDate(created)
  pdf.setModificationDate(created)

  const { width: W, height: H } = laid.pageSize
  const pages: Array<PDFPage> = laid.pages.map(() => pdf.addPage([W, H]))
  const ctx = pdf.context
  const dest = (anchor: string) => {
    const a = laid.anchors.get(anchor)
    if (a === undefined) return undefined
    return ctx.obj([pages[a.page]!.ref, P.PDFName.of("XYZ"), P.PDFNull, P.PDFNumber.of(Math.round(a.y)), P.PDFNull])
  }

  laid.pages.forEach((lp, i) => {
    const page = pages[i]!
    drawPage(page, lp.ops, font, H)
    const annots = lp.ops.flatMap((op) => {
      if (op.kind !== "link") return []
      const rect = [op.x, op.y, op.x + op.w, op.y + op.h].map((v) => Math.round(v * 100) / 100)
      if ("url" in op.target) {
        return [ctx.obj({ Type: "Annot", Subtype: "Link", Rect: rect, Border: [0, 0, 0], A: { Type: "Action", S: "URI", URI: P.PDFString.of(asciiUri(op.target.url)) } })]
      }
      const d = dest(op.target.anchor)
      return d === undefined ? [] : [ctx.obj({ Type: "Annot", Subtype: "Link", Rect: rect, Border: [0, 0, 0], Dest: d })]
    })
    for (const a of annots) page.node.addAnnot(ctx.register(a))
  })

  writeOutline(pdf, laid.outline, dest)
  // a stable file identifier from the document, so two renders are byte-identical
  const id = P.PDFHexString.of(docHash.slice(0, 32))
  ctx.trailerInfo.ID = ctx.obj([id, id])
  return pdf.save({ useObjectStreams: true, addDefaultPage: false })
}

/**
 * Draws a page's operations in order. Text is written with pdf-lib's operators directly, one
 * BT…ET block per stretch of consecutive text ops: `drawText` with a `font` option adds a new
 * /Font resource key per call (found by a linear search: quadratic, and hundreds of duplicate
 * entries per page). Each face gets one key per page here.
 */
const drawPage = (page: PDFPage, ops: ReadonlyArray<Op>, font: Record<FontStyle, PDFFont>, H: number) => {
  const keys: Partial<Record<FontStyle, PDFName>> = {}
  const keyOf = (style: FontStyle): PDFName => (keys[style] ??= page.node.newFontDictionary(font[style].name, font[style].ref))
  let text: Array<PDFOperator> | undefined
  let cur: { key: PDFName; size: number; color: string } | undefined
  const flush = () => {
    if (text === undefined) return
    page.pushOperators(P.pushGraphicsState(), P.beginText(), ...text, P.endText(), P.popGraphicsState())
    text = undefined
    cur = undefined
  }
  for (const op of ops) {
    if (op.kind !== "text") {
      flush()
      drawOp(page, op, H)
      continue
    }
    text ??= []
    const key = keyOf(op.style)
    if (cur === undefined || cur.key !== key || cur.size !== op.size) text.push(P.setFontAndSize(key, op.size))
    const c = op.color.join(" ")
    if (cur === undefined || cur.color !== c) text.push(P.setFillingRgbColor(op.color[0], op.color[1], op.color[2]))
    cur = { key, size: op.size, color: c }
    const r = ((op.rotate ?? 0) * Math.PI) / 180
    // Noto Sans SC has no italic: a 12° synthetic oblique
    const skew = op.italic === true ? Math.tan((12 * Math.PI) / 180) : 0
    text.push(P.setTextMatrix(Math.cos(r), Math.sin(r), -Math.sin(r) + skew, Math.cos(r), op.x, op.y))
    text.push(P.showText(font[op.style].encodeText(op.text)))
  }
  flush()
}

const drawOp = (page: PDFPage, op: Exclude<Op, { kind: "text" }>, H: number) => {
  switch (op.kind) {
    case "rect":
      page.drawRectangle({
        x: op.x,
        y: op.y,
        width: op.w,
        height: op.h,
        ...(op.fill !== undefined ? { color: color(op.fill) } : {}),
        ...(op.stroke !== undefined ? { borderColor: color(op.stroke), borderWidth: op.lineWidth ?? 0.5 } : { borderWidth: 0 }),
      })
      return
    case "line":
      page.drawLine({
        start: { x: op.x1, y: op.y1 },
        end: { x: op.x2, y: op.y2 },
        thickness: op.width,
        color: color(op.color),
        ...(op.dash !== undefined ? { dashArray: [...op.dash] } : {}),
      })
      return
    case "path": {
      // drawSvgPath flips y around its origin: place the origin at the page's top-left
      const d = op.points.map(([x, y], k) => `${k === 0 ? "M" : "L"}${fmt(x)} ${fmt(H - y)}`).join(" ")
      page.drawSvgPath(d, { x: 0, y: H, borderColor: color(op.color), borderWidth: op.width, ...(op.dash !== undefined ? { borderDashArray: [...op.dash] } : {}) })
      return
    }
    case "marker": {
      const { x, y, r } = op
      const c = color(op.fill)
      if (op.shape === "circle") page.drawCircle({ x, y, size: r, color: c })
      else if (op.shape === "square") page.drawRectangle({ x: x - r * 0.9, y: y - r * 0.9, width: r * 1.8, height: r * 1.8, color: c })
      else {
        const pts =
          op.shape === "triangle"
            ? [[x, y + r * 1.15], [x + r * 1.1, y - r * 0.8], [x - r * 1.1, y - r * 0.8]]
            : [[x, y + r * 1.25], [x + r * 1.1, y], [x, y - r * 1.25], [x - r * 1.1, y]]
        page.drawSvgPath(`${pts.map(([px, py], k) => `${k === 0 ? "M" : "L"}${fmt(px!)} ${fmt(H - py!)}`).join(" ")} Z`, { x: 0, y: H, color: c })
      }
      return
    }
    case "link":
      return
  }
}

const fmt = (v: number): string => (Math.round(v * 100) / 100).toString()

/** Builds /Outlines from the layout's tree (pdf-lib has no outline API: PDF 32000 §12.3.3). */
const writeOutline = (pdf: PDFDocument, items: ReadonlyArray<Layout.OutlineItem>, dest: (anchor: string) => PDFArray | undefined) => {
  if (items.length === 0) return
  const ctx = pdf.context
  const rootRef = ctx.nextRef()
  const build = (list: ReadonlyArray<Layout.OutlineItem>, parent: PDFRef): { first: PDFRef; last: PDFRef; count: number } => {
    const refs = list.map(() => ctx.nextRef())
    let count = 0
    list.forEach((item, i) => {
      const dict: PDFDict = ctx.obj({ Title: P.PDFHexString.fromText(item.title), Parent: parent })
      const d = dest(item.anchor)
      if (d !== undefined) dict.set(P.PDFName.of("Dest"), d)
      if (i > 0) dict.set(P.PDFName.of("Prev"), refs[i - 1]!)
      if (i < list.length - 1) dict.set(P.PDFName.of("Next"), refs[i + 1]!)
      count++
      if (item.children.length > 0) {
        const sub = build(item.children, refs[i]!)
        dict.set(P.PDFName.of("First"), sub.first)
        dict.set(P.PDFName.of("Last"), sub.last)
        // positive Count: the entry opens expanded
        dict.set(P.PDFName.of("Count"), P.PDFNumber.of(sub.count))
        count += sub.count
      }
      ctx.assign(refs[i]!, dict)
    })
    return { first: refs[0]!, last: refs[refs.length - 1]!, count }
  }
  const top = build(items, rootRef)
  ctx.assign(rootRef, ctx.obj({ Type: "Outlines", First: top.first, Last: top.last, Count: P.PDFNumber.of(top.count) }))
  pdf.catalog.set(P.PDFName.of("Outlines"), rootRef)
  pdf.catalog.set(P.PDFName.of("PageMode"), P.PDFName.of("UseOutlines"))
}
