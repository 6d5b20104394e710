/**
 * Drawing operations: the output of layout and the only input of the renderer. Positions are
 * PDF points with the origin at the bottom-left of the page (as pdf-lib draws), text `y` is the
 * baseline. Keeping them plain data makes every layout decision testable without writing a PDF.
 */
import type { FontStyle } from "./metrics.js"

/** RGB, each channel 0..1. */
export type Color = readonly [number, number, number]

/** Where a link goes: an external URL, or an anchor (heading id, `fn-<n>`, `src-<i>`) in the pack. */
export type Target = { readonly url: string } | { readonly anchor: string }

/** A run of text drawn in one font, size and colour. */
export interface TextOp {
  readonly kind: "text"
  readonly x: number
  readonly y: number
  readonly text: string
  readonly style: FontStyle
  readonly size: number
  readonly color: Color
  readonly italic?: boolean
  /** Counter-clockwise rotation in degrees around (x, y). */
  readonly rotate?: number
  /** Measured width (unrotated), so tests can compute bounding boxes. */
  readonly width: number
}

/** A filled and/or stroked rectangle; (x, y) is its bottom-left corner. */
export interface RectOp {
  readonly kind: "rect"
  readonly x: number
  readonly y: number
  readonly w: number
  readonly h: number
  readonly fill?: Color
  readonly stroke?: Color
  readonly lineWidth?: number
}

/** A straight line segment. */
export interface LineOp {
  readonly kind: "line"
  readonly x1: number
  readonly y1: number
  readonly x2: number
  readonly y2: number
  readonly color: Color
  readonly width: number
  readonly dash?: ReadonlyArray<number>
}

/** An open polyline (one unbroken stretch of a line-chart series). */
export interface PathOp {
  readonly kind: "path"
  readonly points: ReadonlyArray<readonly [number, number]>
  readonly color: Color
  readonly width: number
  readonly dash?: ReadonlyArray<number>
}

/** A data-point marker; its shape tells series apart when printed in grey. */
export interface MarkerOp {
  readonly kind: "marker"
  readonly shape: "circle" | "square" | "triangle" | "diamond"
  readonly x: number
  readonly y: number
  readonly r: number
  readonly fill: Color
}

/** A clickable area (a PDF link annotation). */
export interface LinkOp {
  readonly kind: "link"
  readonly x: number
  readonly y: number
  readonly w: number
  readonly h: number
  readonly target: Target
}

/** Everything a page is drawn from. */
export type Op = TextOp | RectOp | LineOp | PathOp | MarkerOp | LinkOp

/** Colours of the house style. */
export const colors = {
  text: [0.12, 0.13, 0.16],
  muted: [0.38, 0.4, 0.44],
  accent: [0.11, 0.23, 0.45],
  link: [0.05, 0.33, 0.66],
  rule: [0.75, 0.78, 0.82],
  grid: [0.88, 0.9, 0.92],
  headerFill: [0.87, 0.91, 0.96],
  zebra: [0.965, 0.97, 0.98],
  boxFill: [0.945, 0.958, 0.975],
  white: [1, 1, 1],
} as const satisfies Record<string, Color>
