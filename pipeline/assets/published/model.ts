/** Gathers the publication model from the raw and clean assets' values. */
import type * as Clean from "../../domain/Clean.js"
import type { Finding } from "../../domain/Finding.js"
import * as FindingM from "../../domain/Finding.js"
import type { RawTable } from "../../ingest/Ingest.js"
import type { PublicationData, TaiwanPolicy } from "../../publish/Data.js"
import type { CleanTable } from "../clean/normalise.js"

export interface CleanInputs {
  readonly platforms: CleanTable<Clean.PlatformRow>
  readonly collaborations: CleanTable<Clean.CollaborationRow>
  readonly lists: CleanTable<Clean.ListRow>
  readonly lighthouses: CleanTable<Clean.LighthouseRow>
  readonly rounds: CleanTable<Clean.RoundClaimRow>
  readonly spending: CleanTable<Clean.SpendingRow>
}

/** The as-of date of a publication: the latest date a source was retrieved. */
export const asOfOf = (raws: ReadonlyArray<RawTable>): string =>
  raws.map((r) => r.source.retrieved).sort().at(-1) ?? "1970-01-01"

export const gather = (
  raws: ReadonlyArray<RawTable>,
  clean: CleanInputs,
  options: { readonly dataVersion: string; readonly taiwanPolicy: TaiwanPolicy; readonly extraFindings?: ReadonlyArray<Finding> },
): PublicationData => {
  const sorted = [...raws].sort((a, b) => a.source.id.localeCompare(b.source.id))
  const findings = [
    ...sorted.flatMap((r) => r.findings),
    ...Object.values(clean).flatMap((t) => t.findings),
    ...(options.extraFindings ?? []),
  ].sort(FindingM.order)
  return {
    title: "China's Industrial Internet of Things: observatory workbook",
    asOf: asOfOf(raws),
    dataVersion: options.dataVersion.slice(0, 12),
    taiwanPolicy: options.taiwanPolicy,
    sources: sorted.map((r) => ({ info: r.source, ...r.counts })),
    quarantine: sorted.flatMap((r) => r.quarantine.map((q) => ({ ...q, source: r.source.id }))),
    findings,
    platforms: clean.platforms.rows,
    collaborations: clean.collaborations.rows,
    lighthouses: clean.lighthouses.rows,
    rounds: clean.rounds.rows,
    spending: clean.spending.rows,
    lists: clean.lists.rows,
  }
}
