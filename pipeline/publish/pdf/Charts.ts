/**
 * Vector charts (bar, stacked bar, line) laid out as drawing operations from the data: nice
 * axis ticks, category labels that wrap or rotate when long, a legend, gaps for missing values.
 * Hand-written because the JS chart libraries draw to a canvas or SVG DOM, not to PDF vectors.
 */
import type * as PackDoc from "./PackDoc.js"
import { breakLines, isCjk } from "./linebreak.js"
import type { Metrics } from "./metrics.js"
import { colors, type Color, type Op } from "./ops.js"

/** A rectangle on the page; (x, y) is its bottom-left corner. */
export interface Box {
  readonly x: number
  readonly y: number
  readonly w: number
  readonly h: number
}

/**
 * Series colours, ordered so neighbours differ strongly in lightness (dark navy, light amber,
 * mid teal, dark brick, light blue, …) and stay distinguishable when printed in grey.
 */
export const palette: ReadonlyArray<Color> = [
  [0.12, 0.23, 0.45],
  [0.94, 0.66, 0.19],
  [0.16, 0.62, 0.56],
  [0.71, 0.25, 0.16],
  [0.61, 0.76, 0.9],
  [0.3, 0.3, 0.3],
  [0.54, 0.6, 0.23],
  [0.85, 0.55, 0.7],
]

/** Line dash patterns per series (solid first), a second cue besides colour for line charts. */
export const dashes: ReadonlyArray<ReadonlyArray<number> | undefined> = [undefined, [5, 2.5], [1.5, 1.8], [7, 2, 1.5, 2]]

const markerShapes = ["circle", "square", "triangle", "diamond"] as const

/** Axis ticks: the scale's ends and a step of 1, 2 or 5 × 10^n. */
export interface Ticks {
  readonly min: number
  readonly max: number
  readonly step: number
  readonly values: ReadonlyArray<number>
}

/** The nice step (1, 2, 5 × 10^n) nearest to `raw` (Heckbert's "nice numbers", rounding). */
export const niceStep = (raw: number): number => {
  const exp = Math.floor(Math.log10(raw))
  const base = 10 ** exp
  const f = raw / base
  const m = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10
  return m * base
}

/** Ticks covering [lo, hi] with about `target` intervals. */
export const niceTicks = (lo: number, hi: number, target = 5): Ticks => {
  if (!(hi > lo)) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.5
    return niceTicks(Math.min(lo, hi) - (lo < 0 ? pad : 0), Math.max(lo, hi) + (lo >= 0 ? pad : 0), target)
  }
  const step = niceStep((hi - lo) / target)
  const min = Math.floor(lo / step + 1e-9) * step
  const max = Math.ceil(hi / step - 1e-9) * step
  const values: Array<number> = []
  for (let k = 0; min + k * step <= max + step * 1e-9; k++) values.push(roundTo(min + k * step, step))
  return { min, max, step, values }
}

const roundTo = (v: number, step: number): number => {
  const d = decimalsFor(step)
  return Number(v.toFixed(d))
}

const decimalsFor = (step: number): number => Math.min(6, Math.max(0, -Math.floor(Math.log10(step) + 1e-9)))

const formatters = new Map<number, Intl.NumberFormat>()
/** Formats a tick label with the step's decimals and thousands separators ("12,500", "0.25"). */
export const formatTick = (v: number, step: number): string => {
  const d = decimalsFor(step)
  let f = formatters.get(d)
  if (f === undefined) {
    f = new Intl.NumberFormat("en-GB", { minimumFractionDigits: d, maximumFractionDigits: d })
    formatters.set(d, f)
  }
  return f.format(v === 0 ? 0 : v)
}

const valueFormat = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 2 })

const titleSize = 10
const labelSize = 7.5
const legendSize = 8

/** Shortens `text` with "…" so it fits `maxWidth` at `size`. */
export const truncate = (text: string, maxWidth: number, metrics: Metrics, size: number, style: "regular" | "bold" = "regular"): string => {
  if (metrics.width(text, style, size) <= maxWidth) return text
  const cps = Array.from(text)
  let lo = 0
  let hi = cps.length
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2)
    if (metrics.width(cps.slice(0, mid).join("") + "…", style, size) <= maxWidth) lo = mid
    else hi = mid - 1
  }
  return cps.slice(0, lo).join("").trimEnd() + "…"
}

/** Data range the value axis must show (stacks summed, 0 included for bars). */
const valueRange = (c: PackDoc.Chart): [number, number] | undefined => {
  let lo = Infinity
  let hi = -Infinity
  if (c.kind === "stacked-bar") {
    c.categories.forEach((_, i) => {
      let pos = 0
      let neg = 0
      for (const s of c.series) {
        const v = s.values[i]
        if (v === null || v === undefined) continue
        if (v >= 0) pos += v
        else neg += v
      }
      hi = Math.max(hi, pos)
      lo = Math.min(lo, neg)
    })
  } else {
    for (const s of c.series)
      for (const v of s.values) {
        if (v === null || v === undefined || !Number.isFinite(v)) continue
        lo = Math.min(lo, v)
        hi = Math.max(hi, v)
      }
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return undefined
  // bars start at zero; a line keeps zero unless its data sit far above it
  if (c.kind !== "line" || lo >= 0 && lo < hi * 0.5) lo = Math.min(lo, 0)
  if (c.kind !== "line") hi = Math.max(hi, 0)
  return [lo, hi]
}

/**
 * Lays out `chart` inside `box`. `text` cleans every string drawn (missing glyphs are replaced
 * and reported by the caller); `footnoteTarget` is the anchor the title's marker links to.
 */
export const layoutChart = (chart: PackDoc.Chart, box: Box, metrics: Metrics, text: (s: string) => string): Array<Op> => {
  const ops: Array<Op> = []
  const top = box.y + box.h
  const asc = metrics.ascent
  // title (+ footnote marker)
  const title = truncate(text(chart.title), box.w - 16, metrics, titleSize, "bold")
  const titleBase = top - asc * titleSize
  const tw = metrics.width(title, "bold", titleSize)
  ops.push({ kind: "text", x: box.x, y: titleBase, text: title, style: "bold", size: titleSize, color: colors.text, width: tw })
  if (chart.footnote !== undefined) {
    const mark = String(chart.footnote)
    const mw = metrics.width(mark, "regular", titleSize * 0.62)
    ops.push({ kind: "text", x: box.x + tw + 1, y: titleBase + titleSize * 0.38, text: mark, style: "regular", size: titleSize * 0.62, color: colors.link, width: mw })
    ops.push({ kind: "link", x: box.x + tw, y: titleBase - 1, w: mw + 2, h: titleSize, target: { anchor: `fn-${chart.footnote}` } })
  }
  // legend: swatch + name, wrapped into rows
  let cursorY = titleBase - metrics.descent * titleSize - 6
  const items = chart.series.map((s, i) => {
    const name = truncate(text(s.name), box.w * 0.45, metrics, legendSize)
    return { name, i, w: 16 + metrics.width(name, "regular", legendSize) + 12 }
  })
  if (items.length > 0) {
    const rowH = legendSize * 1.5
    let x = box.x
    let rowTop = cursorY
    for (const it of items) {
      if (x > box.x && x + it.w > box.x + box.w) {
        x = box.x
        rowTop -= rowH
      }
      const mid = rowTop - rowH / 2
      const col = palette[it.i % palette.length]!
      if (chart.kind === "line") {
        const dash = dashes[it.i % dashes.length]
        ops.push({ kind: "line", x1: x, y1: mid, x2: x + 13, y2: mid, color: col, width: 1.6, ...(dash ? { dash } : {}) })
        ops.push({ kind: "marker", shape: markerShapes[it.i % markerShapes.length]!, x: x + 6.5, y: mid, r: 2.4, fill: col })
      } else {
        ops.push({ kind: "rect", x, y: mid - 4, w: 11, h: 8, fill: col })
      }
      const baseline = mid - (asc - metrics.descent) * legendSize / 2
      ops.push({ kind: "text", x: x + 16, y: baseline, text: it.name, style: "regular", size: legendSize, color: colors.text, width: it.w - 28 })
      x += it.w
    }
    cursorY = rowTop - rowH - 4
  }
  const plotTop = cursorY - 6
  const range = valueRange(chart)
  const ticks = range === undefined ? niceTicks(0, 1) : niceTicks(range[0], range[1])
  const tickLabels = ticks.values.map((v) => formatTick(v, ticks.step))
  const tickW = Math.max(...tickLabels.map((l) => metrics.width(l, "regular", labelSize)))
  const yLabelW = chart.yLabel !== undefined ? labelSize * 1.6 : 0
  const plotLeft = box.x + yLabelW + tickW + 5
  const plotRight = box.x + box.w - 4
  const plotW = plotRight - plotLeft
  const nCat = Math.max(1, chart.categories.length)
  const band = plotW / nCat
  // category labels: one line, else wrapped to up to three, else rotated 45°
  const catTexts = chart.categories.map((c) => text(c))
  const lineH = labelSize * 1.25
  const maxLabel = band - 3
  const oneLine = catTexts.every((c) => metrics.width(c, "regular", labelSize) <= maxLabel)
  const wrapped = oneLine
    ? catTexts.map((c) => [c])
    : catTexts.map((c) => breakLines([{ text: c, style: "regular", size: labelSize, attrs: null }], maxLabel, metrics).map((l) => l.text))
  // wrapping may not cut a Latin word ("Municipalit-y"): every such word must fit the band
  const wordsFit = catTexts.every((c) => c.split(/\s+/u).every((tok) => Array.from(tok).some((ch) => isCjk(ch.codePointAt(0)!)) || metrics.width(tok, "regular", labelSize) <= maxLabel))
  const fitsWrapped = !oneLine && wordsFit && wrapped.every((ls) => ls.length <= 3 && ls.every((l) => metrics.width(l, "regular", labelSize) <= maxLabel + 0.01))
  const rotated = !oneLine && !fitsWrapped
  const rotMax = Math.min(120, box.h * 0.4)
  // a rotated label runs down-left from its tick: shorten the first ones so they stay in the box
  const rotTexts = rotated
    ? catTexts.map((c, i) => {
        const endX = plotLeft + band * (i + 0.5) + labelSize * 0.3
        return truncate(c, Math.min(rotMax, (endX - box.x) / Math.SQRT1_2 - labelSize), metrics, labelSize)
      })
    : []
  const catH = rotated
    ? Math.max(...rotTexts.map((t) => metrics.width(t, "regular", labelSize))) * Math.SQRT1_2 + labelSize + 4
    : Math.max(...wrapped.map((ls) => ls.length)) * lineH + 4
  const plotBottom = box.y + catH
  const plotH = plotTop - plotBottom
  const yOf = (v: number): number => plotBottom + ((v - ticks.min) / (ticks.max - ticks.min)) * plotH
  // grid, tick labels, axes
  ticks.values.forEach((v, k) => {
    const y = yOf(v)
    ops.push({ kind: "line", x1: plotLeft, y1: y, x2: plotRight, y2: y, color: v === 0 ? colors.muted : colors.grid, width: v === 0 ? 0.8 : 0.5 })
    const l = tickLabels[k]!
    const w = metrics.width(l, "regular", labelSize)
    ops.push({ kind: "text", x: plotLeft - 4 - w, y: y - labelSize * 0.33, text: l, style: "regular", size: labelSize, color: colors.muted, width: w })
  })
  ops.push({ kind: "line", x1: plotLeft, y1: plotBottom, x2: plotLeft, y2: plotTop, color: colors.muted, width: 0.6 })
  if (ticks.min < 0 || ticks.min > 0) ops.push({ kind: "line", x1: plotLeft, y1: plotBottom, x2: plotRight, y2: plotBottom, color: colors.muted, width: 0.6 })
  if (chart.yLabel !== undefined) {
    const yl = truncate(text(chart.yLabel), plotH, metrics, labelSize)
    const w = metrics.width(yl, "regular", labelSize)
    ops.push({ kind: "text", x: box.x + labelSize * 1.1, y: plotBottom + (plotH - w) / 2, text: yl, style: "regular", size: labelSize, color: colors.muted, rotate: 90, width: w })
  }
  // category labels
  catTexts.forEach((_, i) => {
    const cx = plotLeft + band * (i + 0.5)
    if (rotated) {
      const t = rotTexts[i]!
      const w = metrics.width(t, "regular", labelSize)
      const endX = cx + labelSize * 0.3
      const endY = plotBottom - 4
      ops.push({ kind: "text", x: endX - w * Math.SQRT1_2, y: endY - w * Math.SQRT1_2 - labelSize * 0.3, text: t, style: "regular", size: labelSize, color: colors.text, rotate: 45, width: w })
    } else {
      wrapped[i]!.forEach((l, k) => {
        const w = metrics.width(l, "regular", labelSize)
        ops.push({ kind: "text", x: cx - w / 2, y: plotBottom - 3 - asc * labelSize * 0.9 - k * lineH, text: l, style: "regular", size: labelSize, color: colors.text, width: w })
      })
    }
  })
  if (range === undefined) {
    const msg = "No data"
    const w = metrics.width(msg, "regular", 9)
    ops.push({ kind: "text", x: plotLeft + (plotW - w) / 2, y: plotBottom + plotH / 2, text: msg, style: "regular", size: 9, color: colors.muted, width: w })
    return ops
  }
  const nSer = Math.max(1, chart.series.length)
  if (chart.kind === "bar") {
    const groupW = band * 0.72
    const barW = groupW / nSer
    const labelled = nSer === 1 && nCat <= 16
    chart.series.forEach((s, si) => {
      const col = palette[si % palette.length]!
      s.values.forEach((v, i) => {
        if (v === null || v === undefined || !Number.isFinite(v) || i >= nCat) return
        const x = plotLeft + band * i + (band - groupW) / 2 + barW * si
        const y0 = yOf(Math.max(0, ticks.min))
        const y1 = yOf(v)
        ops.push({ kind: "rect", x, y: Math.min(y0, y1), w: barW, h: Math.abs(y1 - y0), fill: col })
        if (labelled) {
          const l = valueFormat.format(v)
          const w = metrics.width(l, "regular", labelSize)
          if (w <= band) {
            const ly = v >= 0 ? y1 + 2.5 : y1 - 2.5 - labelSize * 0.75
            ops.push({ kind: "text", x: x + (barW - w) / 2, y: ly, text: l, style: "regular", size: labelSize, color: colors.text, width: w })
          }
        }
      })
    })
  } else if (chart.kind === "stacked-bar") {
    const barW = band * 0.58
    for (let i = 0; i < nCat; i++) {
      let pos = 0
      let neg = 0
      chart.series.forEach((s, si) => {
        const v = s.values[i]
        if (v === null || v === undefined || !Number.isFinite(v) || v === 0) return
        const from = v >= 0 ? pos : neg
        const to = from + v
        if (v >= 0) pos = to
        else neg = to
        const ya = yOf(from)
        const yb = yOf(to)
        // a thin white stroke separates stacked segments even when colours print alike
        ops.push({ kind: "rect", x: plotLeft + band * i + (band - barW) / 2, y: Math.min(ya, yb), w: barW, h: Math.abs(yb - ya), fill: palette[si % palette.length]!, stroke: colors.white, lineWidth: 0.6 })
      })
    }
  } else {
    chart.series.forEach((s, si) => {
      const col = palette[si % palette.length]!
      const dash = dashes[si % dashes.length]
      let stretch: Array<readonly [number, number]> = []
      const points: Array<readonly [number, number]> = []
      const flush = () => {
        if (stretch.length > 1) ops.push({ kind: "path", points: stretch, color: col, width: 1.6, ...(dash ? { dash } : {}) })
        stretch = []
      }
      for (let i = 0; i < nCat; i++) {
        const v = s.values[i]
        if (v === null || v === undefined || !Number.isFinite(v)) {
          flush()
          continue
        }
        const p = [plotLeft + band * (i + 0.5), yOf(v)] as const
        stretch.push(p)
        points.push(p)
      }
      flush()
      for (const [x, y] of points) ops.push({ kind: "marker", shape: markerShapes[si % markerShapes.length]!, x, y, r: 2.4, fill: col })
    })
  }
  return ops
}
