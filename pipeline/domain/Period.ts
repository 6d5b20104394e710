/** Periods as sources state them: a year, a month, a day, or a bound ("pre-2020"). Parsed in `normalize/period.ts`. */

/** A calendar year. */
export interface Year {
  readonly _tag: "Year"
  readonly year: number
}
/** A calendar month (1-12). */
export interface Month {
  readonly _tag: "Month"
  readonly year: number
  readonly month: number
}
/** A calendar day. */
export interface Day {
  readonly _tag: "Day"
  readonly year: number
  readonly month: number
  readonly day: number
}
/** A period known only as a bound: "before 2020" (pre-2020) or "after 2019". */
export interface Bound {
  readonly _tag: "Bound"
  readonly side: "before" | "after"
  readonly period: Exact
}
/** A period with a known start and end. */
export type Exact = Year | Month | Day
/** Any period a source may state. */
export type Period = Exact | Bound
