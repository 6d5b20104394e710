/** Quantities as sources state them: value, scale, currency or metric, and bound. Parsed in `normalize/quantity.ts`. */

/** What a number measures. Percent values stay in percentage points (60 means 60 %). */
export type Dimension = "money" | "percent" | "count" | "ratio"
/** Currencies the sources use. */
export type Currency = "USD" | "CNY" | "EUR"
/** Whether the number is the value, a floor, a ceiling or an approximation. */
export type BoundKind = "exact" | "lower" | "upper" | "approx"

/** A parsed quantity. */
export interface Quantity {
  /** In base units: currency units, items, percentage points. */
  readonly value: number
  /** The number as printed, before its scale word. */
  readonly display: number
  /** The unit as printed (scale, currency, metric), normalised. */
  readonly unitText: string
  readonly dimension: Dimension
  readonly currency?: Currency
  /** What is counted or measured: "devices", "connections", "units", "yoy" (for growth rates) … */
  readonly what?: string
  readonly bound: BoundKind
  /** A bracketed remark in the unit, e.g. "sic" in "USD million (sic)": a hint the unit may be wrong. */
  readonly remark?: string
}
