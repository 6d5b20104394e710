import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fc from "fast-check"
import * as Charts from "../../../pipeline/publish/pdf/Charts.js"
import { loadFonts } from "../../../pipeline/publish/pdf/fonts.js"
import type { Op } from "../../../pipeline/publish/pdf/ops.js"
import * as P from "../../../pipeline/publish/pdf/PackDoc.js"

const metrics = (await Effect.runPromise(loadFonts)).metrics
const box: Charts.Box = { x: 56, y: 300, w: 483, h: 235 }
const id = (s: string) => s

/** Every point an operation touches (text by its unrotated start and end). */
const points = (op: Op): Array<[number, number]> => {
  switch (op.kind) {
    case "text":
      return op.rotate === undefined ? [[op.x, op.y], [op.x + op.width, op.y]] : [[op.x, op.y]]
    case "rect":
      return [[op.x, op.y], [op.x + op.w, op.y + op.h]]
    case "line":
      return [[op.x1, op.y1], [op.x2, op.y2]]
    case "path":
      return op.points.map(([x, y]) => [x, y])
    case "marker":
      return [[op.x, op.y]]
    case "link":
      return [[op.x, op.y]]
  }
}

describe("niceTicks", () => {
  it("uses steps of 1, 2 or 5 × 10^n, covers the data and gives 3 to 11 ticks", () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: 1e-3, max: 1e6, noNaN: true }), (lo, span) => {
        const t = Charts.niceTicks(lo, lo + span)
        const mant = t.step / 10 ** Math.floor(Math.log10(t.step) + 1e-9)
        expect([1, 2, 5, 10].some((m) => Math.abs(mant - m) < 1e-6)).toBe(true)
        expect(t.min).toBeLessThanOrEqual(lo + t.step * 1e-6)
        expect(t.max).toBeGreaterThanOrEqual(lo + span - t.step * 1e-6)
        expect(t.values.length).toBeGreaterThanOrEqual(3)
        expect(t.values.length).toBeLessThanOrEqual(11)
      }),
    )
  })

  it("gives the familiar ticks for familiar ranges", () => {
    expect(Charts.niceTicks(0, 28).values).toEqual([0, 5, 10, 15, 20, 25, 30])
    expect(Charts.niceTicks(0, 221.6).values).toEqual([0, 50, 100, 150, 200, 250])
    expect(Charts.niceTicks(0, 0).values).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1])
    expect(Charts.niceTicks(-3, 7).values).toEqual([-4, -2, 0, 2, 4, 6, 8])
    expect(Charts.formatTick(12500, 2500)).toBe("12,500")
    expect(Charts.formatTick(0.25, 0.05)).toBe("0.25")
  })
})

describe("layoutChart", () => {
  const line = P.chart({
    kind: "line",
    title: "Lighthouse sites per round",
    categories: ["2019-01", "2019-07", "2020-01", "2020-09", "2021-03"],
    series: [
      { name: "China", values: [6, 9, null, 15, 21] },
      { name: "Rest", values: [10, 17, 22, 29, 48] },
    ],
    yLabel: "Sites",
  })

  it("leaves a gap in a line where a value is missing", () => {
    const ops = Charts.layoutChart(line, box, metrics, id)
    const paths = ops.filter((o) => o.kind === "path")
    // China: two stretches around the null; Rest: one
    expect(paths.map((p) => p.points.length)).toEqual([2, 2, 5])
    expect(ops.filter((o) => o.kind === "marker").length).toBe(2 + 4 + 5)
  })

  it("keeps every mark inside its box, for every kind, with long labels", () => {
    for (const kind of ["bar", "stacked-bar", "line"] as const) {
      const c = P.chart({
        kind,
        title: "A chart",
        categories: Array.from({ length: 12 }, (_, i) => `A rather long category label number ${i + 1} 类别`),
        series: [
          { name: "One", values: Array.from({ length: 12 }, (_, i) => i * 3 - 5) },
          { name: "Two", values: Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? null : i)) },
        ],
      })
      const ops = Charts.layoutChart(c, box, metrics, id)
      for (const op of ops)
        for (const [x, y] of points(op)) {
          expect(x, `${kind} ${op.kind}`).toBeGreaterThanOrEqual(box.x - 0.01)
          expect(x, `${kind} ${op.kind}`).toBeLessThanOrEqual(box.x + box.w + 0.01)
          expect(y, `${kind} ${op.kind}`).toBeGreaterThanOrEqual(box.y - 0.01)
          expect(y, `${kind} ${op.kind}`).toBeLessThanOrEqual(box.y + box.h + 0.01)
        }
      // long labels are rotated, never overlapping horizontally
      expect(ops.some((o) => o.kind === "text" && o.rotate === 45)).toBe(true)
    }
  })

  it("stacks segments: each category's bar reaches the sum of its values", () => {
    const c = P.chart({ kind: "stacked-bar", title: "t", categories: ["a", "b"], series: [{ name: "x", values: [4, 6] }, { name: "y", values: [6, null] }] })
    const ops = Charts.layoutChart(c, box, metrics, id)
    const rects = ops.filter((o) => o.kind === "rect" && o.stroke !== undefined)
    expect(rects.length).toBe(3)
    const tops = rects.map((r) => (r.kind === "rect" ? r.y + r.h : 0))
    const zero = Math.min(...rects.map((r) => (r.kind === "rect" ? r.y : 0)))
    // the stack of a (4 + 6 = 10) is 10/6 as tall as b (6)
    expect((Math.max(...tops) - zero) / (tops[2]! - zero)).toBeCloseTo(10 / 6, 5)
  })
})
