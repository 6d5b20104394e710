/** Freshness: each source's age (since it was retrieved) against the limit set for its kind. */
import { Duration } from "effect"
import * as Finding from "../domain/Finding.js"
import type { SourceKind } from "../domain/Source.js"
import type { SourceEntry } from "../ingest/SourceCatalog.js"

export interface Freshness {
  readonly source: string
  readonly kind: SourceKind
  readonly retrieved: string
  readonly ageDays: number
  readonly limitDays: number | undefined
  readonly stale: boolean
}

const DAY = 86_400_000

/** Ages of every source against the limits per kind (a kind without a limit is never stale). */
export const check = (
  entries: ReadonlyArray<SourceEntry>,
  limits: { readonly [K in SourceKind]?: Duration.Duration | undefined },
  now: Date,
): ReadonlyArray<Freshness> =>
  entries
    .map((e) => {
      const limit = limits[e.sidecar.kind]
      const ageDays = Math.floor((now.getTime() - Date.parse(e.sidecar.retrieved)) / DAY)
      const limitDays = limit === undefined ? undefined : Math.floor(Duration.toMillis(limit) / DAY)
      return { source: e.id, kind: e.sidecar.kind, retrieved: e.sidecar.retrieved, ageDays, limitDays, stale: limitDays !== undefined && ageDays > limitDays }
    })
    .sort((a, b) => a.source.localeCompare(b.source))

/** A `stale` finding per source past its limit. */
export const findings = (rows: ReadonlyArray<Freshness>): ReadonlyArray<Finding.Finding> =>
  rows
    .filter((r) => r.stale)
    .map((r) =>
      Finding.make("warn", "stale", `${r.source} was retrieved ${r.retrieved}, ${r.ageDays} days ago; ${r.kind} extracts older than ${r.limitDays} days are stale — fetch a newer one`, {
        source: r.source,
        field: "retrieved",
        value: r.retrieved,
      }),
    )
