/**
 * Layout: PackDoc → pages of drawing operations, over real font metrics, A4 portrait. Pure:
 * no PDF library, no IO, so pagination, wrapping and table breaks are tested without a PDF.
 * One pass: the TOC reserves its page-number column up front, so its length never depends on
 * the numbers, which are filled in once every heading has landed; links resolve when drawn.
 */
import * as Charts from "./Charts.js"
import { breakLines, type Line, type Span } from "./linebreak.js"
import type { FontStyle, Metrics } from "./metrics.js"
import { colors, type Color, type Op, type Target } from "./ops.js"
import * as PackDoc from "./PackDoc.js"

/** A4 portrait in points. */
export const pageSize = { width: 595.28, height: 841.89 } as const

/** Margins and the band used by the running header and footer. */
export const margins = { left: 56, right: 56, top: 72, bottom: 64 } as const

/** Where an anchor (heading, note, source) landed: 0-based page index and the y of its top. */
export interface Anchor {
  readonly page: number
  readonly y: number
}

/** One PDF outline (bookmark) entry; level-2 headings nest under the level-1 before them. */
export interface OutlineItem {
  readonly title: string
  readonly anchor: string
  readonly children: ReadonlyArray<OutlineItem>
}

/** A character the font lacks, replaced by "?" when drawn and reported to the caller. */
export interface MissingGlyph {
  readonly char: string
  /** "U+13000" */
  readonly codePoint: string
  /** The text it was in (as written in the PackDoc), so the caller can name the entity. */
  readonly context: string
}

/** A laid-out page. */
export interface Page {
  readonly ops: ReadonlyArray<Op>
  /** Cover pages carry no running header or footer. */
  readonly cover: boolean
}

/** The laid-out document: everything `Render` needs. */
export interface LaidOutDoc {
  readonly pageSize: { readonly width: number; readonly height: number }
  readonly pages: ReadonlyArray<Page>
  readonly anchors: ReadonlyMap<string, Anchor>
  readonly outline: ReadonlyArray<OutlineItem>
  readonly missingGlyphs: ReadonlyArray<MissingGlyph>
}

/** The character drawn in place of one the font lacks. */
export const placeholder = "?"

// type scale
const body = { size: 10, leading: 1.45 }
const headingStyle = {
  1: { size: 16, before: 16, after: 8, color: colors.accent },
  2: { size: 12.5, before: 12, after: 5, color: colors.accent },
  3: { size: 10.5, before: 9, after: 3, color: colors.text },
} as const
const cell = { size: 8.5, leading: 1.38, padX: 4, padY: 3 }
const noteSize = 8
const supScale = 0.62
const supRise = 0.4

/** Characters dropped silently: invisible format characters that have no glyph by design. */
const invisible = /[\u00ad\u200b-\u200f\u2060\ufeff\ufe00-\ufe0f]/gu

/** Text attributes carried through line breaking. */
interface Attrs {
  readonly color: Color
  readonly italic: boolean
  readonly rise: number
  readonly link: Target | undefined
}

const plain = (color: Color = colors.text): Attrs => ({ color, italic: false, rise: 0, link: undefined })

/** Lists what is wrong with a document before layout (an empty table, a ragged row, …). */
export const validate = (doc: PackDoc.PackDoc): Array<string> => {
  const problems: Array<string> = []
  doc.blocks.forEach((b, i) => {
    const at = `block ${i + 1} (${b._tag})`
    switch (b._tag) {
      case "Table":
        if (b.columns.length === 0) problems.push(`${at}: a table needs at least one column`)
        b.rows.forEach((r, k) => {
          if (r.length !== b.columns.length)
            problems.push(`${at}${b.caption ? ` "${b.caption}"` : ""}: row ${k + 1} has ${r.length} cells, expected ${b.columns.length}`)
        })
        b.columns.forEach((c, k) => {
          if (c.width !== undefined && !(c.width > 0)) problems.push(`${at}: column ${k + 1} ("${c.header}") has width ${c.width}; widths are positive weights`)
        })
        break
      case "Chart":
        b.series.forEach((s) => {
          if (s.values.length !== b.categories.length)
            problems.push(`${at} "${b.title}": series "${s.name}" has ${s.values.length} values for ${b.categories.length} categories`)
        })
        break
      case "Heading":
        if (![1, 2, 3].includes(b.level)) problems.push(`${at}: heading level ${String(b.level)} is not 1, 2 or 3`)
        break
      default:
        break
    }
  })
  const ids = new Set<string>()
  doc.blocks.forEach((b, i) => {
    if (b._tag !== "Heading") return
    const id = PackDoc.headingId(b, i)
    if (ids.has(id)) problems.push(`block ${i + 1} (Heading): duplicate heading id "${id}"`)
    ids.add(id)
  })
  return problems
}

/** Replaces characters the fonts lack by `placeholder`, recording each (deduplicated) in `missing`. */
const makeCleaner = (metrics: Metrics, missing: Map<string, MissingGlyph>) => {
  const cache = new Map<string, string>()
  return (s: string): string => {
    const hit = cache.get(s)
    if (hit !== undefined) return hit
    let out = ""
    for (const ch of s.replace(invisible, "")) {
      const cp = ch.codePointAt(0)!
      if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
        out += " "
      } else if (metrics.hasGlyph(cp, "regular") && metrics.hasGlyph(cp, "bold")) {
        out += ch
      } else {
        const codePoint = `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`
        const key = `${codePoint}|${s}`
        if (!missing.has(key)) missing.set(key, { char: ch, codePoint, context: s })
        out += placeholder
      }
    }
    cache.set(s, out)
    return out
  }
}

/** Lays out the document; `metrics` are real font metrics (or a fake in tests). */
export const layout = (doc: PackDoc.PackDoc, metrics: Metrics): LaidOutDoc => pass(doc, metrics)

// One pass suffices: links resolve anchors when drawn, and the TOC reserves a fixed column for
// its page numbers, so its length never depends on them; the numbers are filled in at the end.
const pass = (doc: PackDoc.PackDoc, metrics: Metrics): LaidOutDoc => {
  const missing = new Map<string, MissingGlyph>()
  const clean = makeCleaner(metrics, missing)
  const W = pageSize.width
  const H = pageSize.height
  const left = margins.left
  const width = W - margins.left - margins.right
  const top = H - margins.top
  const bottom = margins.bottom
  const asc = metrics.ascent
  const desc = metrics.descent

  // `own`: the page's section was set by a level-1 heading on it (else carried over)
  const pages: Array<{ ops: Array<Op>; cover: boolean; section: string | undefined; own: boolean }> = []
  const anchors = new Map<string, Anchor>()
  const outline: Array<{ title: string; anchor: string; children: Array<OutlineItem> }> = []
  let ops: Array<Op> = []
  let y = top
  let section: string | undefined
  let forceBreak = false
  const tocNumbers: Array<{ ops: Array<Op>; id: string; right: number; base: number; style: FontStyle; size: number }> = []

  const newPage = (cover = false) => {
    ops = []
    pages.push({ ops, cover, section, own: false })
    y = top
    forceBreak = false
  }
  const atTop = () => pages.length > 0 && y === top && !forceBreak
  const ensure = (h: number) => {
    if (pages.length === 0 || forceBreak || (y - h < bottom && !atTop())) newPage()
  }
  const text = (x: number, baseline: number, s: string, style: FontStyle, size: number, attrs: Attrs, w?: number) => {
    if (s.trim() === "") return
    const width = w ?? metrics.width(s, style, size)
    ops.push({ kind: "text", x, y: baseline + attrs.rise, text: s, style, size, color: attrs.color, width, ...(attrs.italic ? { italic: true } : {}) })
    if (attrs.link !== undefined) ops.push({ kind: "link", x, y: baseline - desc * size, w: width, h: (asc + desc) * size, target: attrs.link })
  }
  /** Baseline of a line whose box starts at `lineTop` with line height `lh`. */
  const baselineIn = (lineTop: number, lh: number, size: number) => lineTop - (lh - (asc + desc) * size) / 2 - asc * size
  const drawLine = (line: Line<Attrs>, x0: number, lineTop: number, lh: number, alignRight?: number) => {
    const base = baselineIn(lineTop, lh, line.size)
    const shift = alignRight !== undefined ? alignRight - line.width : 0
    for (const p of line.pieces) text(x0 + shift + p.x, base, p.text, p.style, p.size, p.attrs, p.width)
  }
  const marker = (n: number, size: number, color: Color = colors.link): Span<Attrs> => ({
    text: String(n),
    style: "regular",
    size: size * supScale,
    attrs: { color, italic: false, rise: size * supRise, link: { anchor: `fn-${n}` } },
    noBreakBefore: true,
  })
  const wrap = (spans: ReadonlyArray<Span<Attrs>>, w: number, justify = false) => breakLines(spans, w, metrics, justify)
  /** Places lines, breaking pages between lines (a lone first line moves to the next page). */
  const flowLines = (lines: ReadonlyArray<Line<Attrs>>, x0: number, lh: number) => {
    lines.forEach((line, i) => {
      const need = i === 0 && lines.length > 1 ? 2 * lh : lh
      ensure(need)
      drawLine(line, x0, y, lh)
      y -= lh
    })
  }

  doc.blocks.forEach((block, bi) => {
    switch (block._tag) {
      case "Cover": {
        if (pages.length === 0 || !atTop() || pages[pages.length - 1]!.ops.length > 0) newPage(true)
        else pages[pages.length - 1]!.cover = true
        const bandH = 300
        ops.push({ kind: "rect", x: 0, y: H - bandH, w: W, h: bandH, fill: colors.accent })
        let cy = H - 120
        const titleLines = wrap([{ text: clean(block.title), style: "bold", size: 26, attrs: plain(colors.white) }], width)
        for (const l of titleLines) {
          drawLine(l, left, cy, 34)
          cy -= 34
        }
        if (block.subtitle !== undefined) {
          cy -= 8
          for (const l of wrap([{ text: clean(block.subtitle), style: "regular", size: 14, attrs: plain([0.85, 0.9, 0.97]) }], width)) {
            drawLine(l, left, cy, 20)
            cy -= 20
          }
        }
        cy = H - bandH - 36
        for (const line of block.lines) {
          for (const l of wrap([{ text: clean(line), style: "regular", size: 11, attrs: plain() }], width)) {
            drawLine(l, left, cy, 17)
            cy -= 17
          }
        }
        forceBreak = true
        break
      }
      case "PageBreak": {
        if (pages.length > 0 && !atTop()) forceBreak = true
        break
      }
      case "Heading": {
        const st = headingStyle[block.level]
        const lh = st.size * 1.3
        const lines = wrap([{ text: clean(block.text), style: "bold", size: st.size, attrs: plain(st.color) }], width)
        const h = lines.length * lh + st.after + (block.level === 1 ? 4 : 0)
        // keep with next: the heading and three body lines, or a new page
        ensure(st.before + h + 3 * body.size * body.leading)
        if (!atTop()) y -= st.before
        const id = PackDoc.headingId(block, bi)
        anchors.set(id, { page: pages.length - 1, y: y + 4 })
        if (block.level === 1) {
          section = clean(block.text)
          const page = pages[pages.length - 1]!
          // the running header names the first section that starts on the page, else the one carried over
          if (!page.own) {
            page.section = section
            page.own = true
          }
          outline.push({ title: block.text, anchor: id, children: [] })
        } else if (block.level === 2) {
          const parent = outline[outline.length - 1]
          if (parent !== undefined) parent.children.push({ title: block.text, anchor: id, children: [] })
          else outline.push({ title: block.text, anchor: id, children: [] })
        }
        for (const l of lines) {
          drawLine(l, left, y, lh)
          y -= lh
        }
        if (block.level === 1) {
          y -= 2
          ops.push({ kind: "line", x1: left, y1: y, x2: left + width, y2: y, color: colors.rule, width: 0.7 })
          y -= 2
        }
        y -= st.after
        break
      }
      case "Paragraph": {
        const spans: Array<Span<Attrs>> = []
        for (const r of block.runs) {
          const attrs: Attrs = { color: r.link !== undefined ? colors.link : colors.text, italic: r.italic === true, rise: 0, link: r.link !== undefined ? { url: r.link } : undefined }
          spans.push({ text: clean(r.text), style: r.bold === true ? "bold" : "regular", size: body.size, attrs })
          if (r.footnote !== undefined) spans.push(marker(r.footnote, body.size))
        }
        const lh = body.size * body.leading
        ensure(lh)
        flowLines(wrap(spans, width, block.align !== "left"), left, lh)
        y -= 6
        break
      }
      case "KeyFigures": {
        const n = block.items.length
        if (n === 0) break
        const rows = Math.ceil(n / 4)
        const cols = Math.ceil(n / rows)
        const gap = 8
        const pad = 8
        const bw = (width - gap * (cols - 1)) / cols
        const inner = bw - 2 * pad - 3
        for (let r = 0; r < rows; r++) {
          const items = block.items.slice(r * cols, r * cols + cols)
          const boxes = items.map((it) => {
            const value = wrap([{ text: clean(it.value), style: "bold", size: 17, attrs: plain(colors.accent) }, ...(it.footnote !== undefined ? [marker(it.footnote, 17)] : [])], inner)
            const label = wrap([{ text: clean(it.label), style: "regular", size: 8.5, attrs: plain() }], inner)
            const note = it.note !== undefined ? wrap([{ text: clean(it.note), style: "regular", size: 7.5, attrs: plain(colors.muted) }], inner) : []
            const h = value.length * 21 + 3 + label.length * 11.5 + (note.length > 0 ? 3 + note.length * 10 : 0)
            return { value, label, note, h }
          })
          const boxH = Math.max(...boxes.map((b) => b.h)) + 2 * pad
          ensure(boxH + gap)
          boxes.forEach((b, k) => {
            const x = left + k * (bw + gap)
            ops.push({ kind: "rect", x, y: y - boxH, w: bw, h: boxH, fill: colors.boxFill })
            ops.push({ kind: "rect", x, y: y - boxH, w: 3, h: boxH, fill: colors.accent })
            let ty = y - pad
            const x0 = x + pad + 3
            for (const l of b.value) {
              drawLine(l, x0, ty, 21)
              ty -= 21
            }
            ty -= 3
            for (const l of b.label) {
              drawLine(l, x0, ty, 11.5)
              ty -= 11.5
            }
            if (b.note.length > 0) ty -= 3
            for (const l of b.note) {
              drawLine(l, x0, ty, 10)
              ty -= 10
            }
          })
          y -= boxH + gap
        }
        y -= 4
        break
      }
      case "Table": {
        tableBlock(block)
        break
      }
      case "Chart": {
        const h = 235
        ensure(h + 10)
        ops.push(...Charts.layoutChart(block, { x: left, y: y - h, w: width, h }, metrics, clean))
        y -= h + 14
        break
      }
      case "Footnotes": {
        const lh = noteSize * 1.4
        if (block.title !== undefined) {
          const l = wrap([{ text: clean(block.title), style: "bold", size: 10, attrs: plain() }], width)
          ensure(l.length * 14 + 2 * lh)
          for (const line of l) {
            drawLine(line, left, y, 14)
            y -= 14
          }
          y -= 2
        }
        for (const note of block.items) {
          const spans: Array<Span<Attrs>> = [{ text: clean(note.text), style: "regular", size: noteSize, attrs: plain() }]
          if (note.link !== undefined) spans.push({ text: ` ${clean(note.link)}`, style: "regular", size: noteSize, attrs: { ...plain(colors.link), link: { url: note.link } } })
          const lines = wrap(spans, width - 18)
          ensure(lines.length <= 2 ? lines.length * lh : 2 * lh)
          const key = `fn-${note.n}`
          if (!anchors.has(key)) anchors.set(key, { page: pages.length - 1, y: y + 2 })
          const num = String(note.n)
          text(left + 12 - metrics.width(num, "bold", noteSize), baselineIn(y, lh, noteSize), num, "bold", noteSize, plain(colors.accent))
          lines.forEach((line, i) => {
            if (i > 0) ensure(lh)
            drawLine(line, left + 18, y, lh)
            y -= lh
          })
          y -= 1.5
        }
        y -= 6
        break
      }
      case "SourceList": {
        const lh = 8.5 * 1.42
        block.items.forEach((s, i) => {
          const spans: Array<Span<Attrs>> = [{ text: clean(s.title), style: "bold", size: 8.5, attrs: plain() }]
          const add = (t: string, attrs: Attrs = plain()) => spans.push({ text: t, style: "regular", size: 8.5, attrs })
          if (s.producer !== undefined) add(`. ${clean(s.producer)}`)
          if (s.retrieved !== undefined) add(`. Retrieved ${clean(s.retrieved)}`)
          add(".")
          if (s.citation !== undefined) add(` ${clean(s.citation)}`, { ...plain(colors.muted), italic: true })
          if (s.url !== undefined) {
            add(" ")
            add(clean(s.url), { ...plain(colors.link), link: { url: s.url } })
          }
          const lines = wrap(spans, width - 26)
          ensure(Math.min(lines.length, 2) * lh)
          anchors.set(`src-${i + 1}`, { page: pages.length - 1, y: y + 2 })
          const num = `[${i + 1}]`
          text(left, baselineIn(y, lh, 8.5), num, "regular", 8.5, plain(colors.muted))
          lines.forEach((line, k) => {
            if (k > 0) ensure(lh)
            drawLine(line, left + 26, y, lh)
            y -= lh
          })
          y -= 3
        })
        y -= 6
        break
      }
      case "Toc": {
        const title = clean(block.title ?? "Contents")
        ensure(60)
        for (const l of wrap([{ text: title, style: "bold", size: 15, attrs: plain(colors.accent) }], width)) {
          drawLine(l, left, y, 20)
          y -= 20
        }
        y -= 8
        const numW = 34
        doc.blocks.forEach((h, hi) => {
          if (h._tag !== "Heading" || h.level > 2) return
          const lvl1 = h.level === 1
          const size = lvl1 ? 10.5 : 9.5
          const lh = size * 1.5
          const indent = lvl1 ? 0 : 14
          const id = PackDoc.headingId(h, hi)
          const lines = wrap([{ text: clean(h.text), style: lvl1 ? "bold" : "regular", size, attrs: plain() }], width - indent - numW - 8)
          if (lvl1) y -= 4
          ensure(lines.length * lh)
          const entryTop = y
          lines.forEach((l) => {
            drawLine(l, left + indent, y, lh)
            y -= lh
          })
          const last = lines[lines.length - 1]
          const base = baselineIn(y + lh, lh, size)
          const leaderFrom = left + indent + (last?.width ?? 0) + 4
          const leaderTo = left + width - numW + 4
          if (leaderTo > leaderFrom) ops.push({ kind: "line", x1: leaderFrom, y1: base + 1, x2: leaderTo, y2: base + 1, color: colors.muted, width: 0.6, dash: [0.6, 2.4] })
          tocNumbers.push({ ops, id, right: left + width, base, style: lvl1 ? "bold" : "regular", size })
          ops.push({ kind: "link", x: left + indent, y, w: width - indent, h: entryTop - y, target: { anchor: id } })
        })
        y -= 10
        break
      }
    }
  })

  function tableBlock(t: PackDoc.Table) {
    const ncol = t.columns.length
    if (ncol === 0) return
    const lh = cell.size * cell.leading
    const cellSpans = (c: PackDoc.TableCell, header: boolean, footnote?: number): Array<Span<Attrs>> => {
      const s: Array<Span<Attrs>> = [{ text: clean(PackDoc.cellText(c)), style: header || (typeof c !== "string" && c.bold === true) ? "bold" : "regular", size: cell.size, attrs: plain() }]
      const fn = footnote ?? (typeof c === "string" ? undefined : c.footnote)
      if (fn !== undefined) s.push(marker(fn, cell.size))
      return s
    }
    const header = t.columns.map((c) => cellSpans(c.header, true, c.footnote))
    const body = t.rows.map((r) => t.columns.map((_, k) => cellSpans(r[k] ?? "", false)))
    const widths = columnWidths(t, header, body, width)
    const wrapRow = (row: ReadonlyArray<ReadonlyArray<Span<Attrs>>>) => {
      const cells = row.map((spans, k) => wrap(spans, widths[k]! - 2 * cell.padX))
      return { cells, h: Math.max(1, ...cells.map((c) => c.length)) * lh + 2 * cell.padY }
    }
    const head = wrapRow(header)
    const caption = t.caption !== undefined ? clean(t.caption) : undefined
    const captionLines = (cont: boolean) =>
      caption === undefined
        ? []
        : wrap(
            cont
              ? [{ text: `${caption} (continued)`, style: "regular", size: 9, attrs: plain(colors.muted) }]
              : [{ text: caption, style: "bold", size: 9, attrs: plain() }, ...(t.footnote !== undefined ? [marker(t.footnote, 9)] : [])],
            width,
          )
    const drawRow = (r: { cells: ReadonlyArray<ReadonlyArray<Line<Attrs>>>; h: number }, fill: Color | undefined) => {
      if (fill !== undefined) ops.push({ kind: "rect", x: left, y: y - r.h, w: width, h: r.h, fill })
      let x = left
      r.cells.forEach((lines, k) => {
        const right = t.columns[k]!.align === "right"
        lines.forEach((l, i) => drawLine(l, x + cell.padX, y - cell.padY - i * lh, lh, right ? widths[k]! - 2 * cell.padX : undefined))
        x += widths[k]!
      })
      y -= r.h
    }
    const startPage = (cont: boolean) => {
      const cl = captionLines(cont)
      for (const l of cl) {
        drawLine(l, left, y, 13)
        y -= 13
      }
      if (cl.length > 0) y -= 2
      drawRow(head, colors.headerFill)
      ops.push({ kind: "line", x1: left, y1: y, x2: left + width, y2: y, color: colors.accent, width: 0.8 })
    }
    const rows = body.map(wrapRow)
    const capH = captionLines(false).length * 13 + 2
    ensure(capH + head.h + (rows[0]?.h ?? 0))
    startPage(false)
    rows.forEach((r, i) => {
      if (y - r.h < bottom) {
        newPage()
        startPage(true)
      }
      drawRow(r, i % 2 === 1 ? colors.zebra : undefined)
    })
    ops.push({ kind: "line", x1: left, y1: y, x2: left + width, y2: y, color: colors.rule, width: 0.6 })
    y -= 4
    for (const note of t.notes ?? []) {
      const lines = wrap([{ text: clean(note), style: "regular", size: 7.5, attrs: plain(colors.muted) }], width)
      for (const l of lines) {
        ensure(10.5)
        drawLine(l, left, y, 10.5)
        y -= 10.5
      }
    }
    y -= 10
  }

  // a PDF needs at least one page, even for a pack with no blocks
  if (pages.length === 0) newPage()
  // TOC page numbers, now that every heading has its page
  for (const t of tocNumbers) {
    const a = anchors.get(t.id)
    if (a === undefined) continue
    const num = String(a.page + 1)
    const w = metrics.width(num, t.style, t.size)
    t.ops.push({ kind: "text", x: t.right - w, y: t.base, text: num, style: t.style, size: t.size, color: colors.text, width: w })
  }
  // running header and footer, now that the page count is known
  const total = pages.length
  pages.forEach((p, i) => {
    if (p.cover) return
    const hs = 8
    const hb = H - 44
    const title = Charts.truncate(clean(doc.meta.title), width * 0.55, metrics, hs)
    p.ops.push({ kind: "text", x: left, y: hb, text: title, style: "regular", size: hs, color: colors.muted, width: metrics.width(title, "regular", hs) })
    if (p.section !== undefined) {
      const s = Charts.truncate(p.section, width * 0.4, metrics, hs)
      const sw = metrics.width(s, "regular", hs)
      p.ops.push({ kind: "text", x: left + width - sw, y: hb, text: s, style: "regular", size: hs, color: colors.muted, width: sw })
    }
    p.ops.push({ kind: "line", x1: left, y1: hb - 6, x2: left + width, y2: hb - 6, color: colors.rule, width: 0.5 })
    const f = `Page ${i + 1} of ${total}`
    const fw = metrics.width(f, "regular", hs)
    p.ops.push({ kind: "text", x: left + (width - fw) / 2, y: 34, text: f, style: "regular", size: hs, color: colors.muted, width: fw })
  })

  return {
    pageSize,
    pages: pages.map((p) => ({ ops: p.ops, cover: p.cover })),
    anchors,
    outline,
    missingGlyphs: [...missing.values()],
  }

  /** Column widths: explicit weights when every column has one, else sized from the content. */
  function columnWidths(t: PackDoc.Table, header: ReadonlyArray<ReadonlyArray<Span<Attrs>>>, body: ReadonlyArray<ReadonlyArray<ReadonlyArray<Span<Attrs>>>>, total: number): Array<number> {
    const cols = t.columns
    if (cols.every((c) => c.width !== undefined)) {
      const sum = cols.reduce((a, c) => a + c.width!, 0)
      return cols.map((c) => (total * c.width!) / sum)
    }
    const pad = 2 * cell.padX
    const natural = cols.map(() => 0)
    const minimum = cols.map(() => 0)
    const measure = (spans: ReadonlyArray<Span<Attrs>>, k: number) => {
      let w = 0
      for (const s of spans) {
        w += metrics.width(s.text, s.style, s.size)
        // the longest unbreakable token bounds how narrow the column may get (CJK breaks anywhere)
        for (const tok of s.text.split(/\s+/u)) {
          const cjk = /[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]/u.test(tok)
          const tw = cjk ? 2 * s.size : metrics.width(tok, s.style, s.size)
          minimum[k] = Math.max(minimum[k]!, Math.min(tw + pad, total * 0.35))
        }
      }
      natural[k] = Math.max(natural[k]!, w + pad + 1)
    }
    header.forEach((h, k) => measure(h, k))
    body.forEach((r) => r.forEach((c, k) => measure(c, k)))
    const sumNat = natural.reduce((a, b) => a + b, 0)
    if (sumNat <= total) return natural.map((n) => n + ((total - sumNat) * n) / sumNat)
    const sumMin = minimum.reduce((a, b) => a + b, 0)
    if (sumMin >= total) return minimum.map((m) => (total * m) / sumMin)
    const slack = natural.map((n, k) => n - minimum[k]!)
    const sumSlack = slack.reduce((a, b) => a + b, 0)
    return minimum.map((m, k) => m + ((total - sumMin) * slack[k]!) / sumSlack)
  }
}
