/** Findings: data problems reported as values, never as failures (DESIGN.md "Errors and findings"). */
import { Schema } from "effect"

/** How serious a finding is; only a blocking check at `error` stops downstream work. */
export const Severity = Schema.Literal("info", "warn", "error")
export type Severity = typeof Severity.Type

/** One data problem, with the coordinates a person needs to find it in the source. */
export const Finding = Schema.Struct({
  severity: Severity,
  /** Stable, kebab-case code (e.g. `missing-value`, `unit-mismatch`); counted in reports. */
  code: Schema.String,
  /** Asset key that raised it (filled in by the engine when the asset omits it). */
  asset: Schema.optional(Schema.String),
  /** Source id (`sources/<family>/<vintage>/<file>`) the problem was found in. */
  source: Schema.optional(Schema.String),
  sheet: Schema.optional(Schema.String),
  /** Row number as a person sees it in the source (1-based, header row included). */
  row: Schema.optional(Schema.Number),
  field: Schema.optional(Schema.String),
  value: Schema.optional(Schema.String),
  message: Schema.String,
})
export type Finding = typeof Finding.Type

/** Builds a finding; a tiny helper so call sites read as sentences. */
export const make = (severity: Severity, code: string, message: string, at: Omit<Finding, "severity" | "code" | "message"> = {}): Finding => ({
  severity,
  code,
  message,
  ...at,
})

const rank: Record<Severity, number> = { error: 0, warn: 1, info: 2 }

/** Orders findings for display: most severe first, then by source, row and code. */
export const order = (a: Finding, b: Finding): number =>
  rank[a.severity] - rank[b.severity] ||
  (a.source ?? "").localeCompare(b.source ?? "") ||
  (a.row ?? 0) - (b.row ?? 0) ||
  a.code.localeCompare(b.code)

/** Counts findings per severity, always with all three keys. */
export const countBySeverity = (findings: ReadonlyArray<Finding>): Record<Severity, number> => {
  const out: Record<Severity, number> = { error: 0, warn: 0, info: 0 }
  for (const f of findings) out[f.severity]++
  return out
}
