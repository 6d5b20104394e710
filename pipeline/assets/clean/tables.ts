/**
 * Clean assets, one per family: every raw table of a kind, normalised into one clean table
 * (`miit/platforms`, `wef/lighthouses`, …). Each row keeps its provenance.
 */
import { Effect } from "effect"
import * as Asset from "../../engine/AssetSpec.js"
import type { AnyAsset, Asset as AssetT, CheckSpec } from "../../engine/AssetSpec.js"
import type * as Clean from "../../domain/Clean.js"
import type { SourceKind } from "../../domain/Source.js"
import type { RawTable } from "../../ingest/Ingest.js"
import * as N from "./normalise.js"

type Normaliser<A> = (tables: ReadonlyArray<RawTable>) => N.CleanTable<A>

const withProvenance = <A extends { readonly provenance: { readonly source: string; readonly row: number } }>(): CheckSpec<N.CleanTable<A>> => ({
  name: "provenance",
  description: "every clean row names its source and row",
  severity: "error",
  blocking: true,
  run: (t) => {
    const bad = t.rows.filter((r) => !r.provenance.source || !(r.provenance.row > 0)).length
    return { passed: bad === 0, message: `${bad} of ${t.rows.length} rows without provenance` }
  },
})

const cleanAsset = <A extends { readonly provenance: { readonly source: string; readonly row: number } }>(
  key: string,
  description: string,
  raws: ReadonlyArray<AssetT<RawTable, any>>,
  normalise: Normaliser<A>,
  options: { readonly persist?: boolean; readonly codeVersion?: string } = {},
) =>
  Asset.make({
    key,
    description,
    codeVersion: "1",
    ...options,
    deps: Object.fromEntries(raws.map((r) => [r.spec.key, r])) as Record<string, AssetT<RawTable, any>>,
    checks: [withProvenance<A>()],
    run: (inputs) =>
      Effect.sync(() => {
        const tables = raws.map((r) => inputs[r.spec.key] as RawTable)
        const t = normalise(tables)
        return { value: t, rows: t.rows.length, findings: t.findings }
      }),
  })

/** The clean assets over the raw assets of each kind. */
export const cleanAssets = (raws: ReadonlyArray<{ readonly kind: SourceKind; readonly asset: AnyAsset }>) => {
  const of = (kind: SourceKind) => raws.filter((r) => r.kind === kind).map((r) => r.asset as AssetT<RawTable, any>)
  return {
    platforms: cleanAsset<Clean.PlatformRow>("miit/platforms", "MIIT cross-industry industrial internet platforms, every list year", of("miit-platforms"), N.platforms),
    collaborations: cleanAsset<Clean.CollaborationRow>("miit/collaborations", "international collaborations of leading Chinese platforms", of("collaborations"), N.collaborations),
    lists: cleanAsset<Clean.ListRow>("miit/lists", "other MIIT lists of firms (e.g. little giants)", of("miit-list"), N.lists),
    lighthouses: cleanAsset<Clean.LighthouseRow>("wef/lighthouses", "WEF Global Lighthouse Network sites", of("wef-lighthouses"), N.lighthouses),
    rounds: cleanAsset<Clean.RoundClaimRow>("wef/rounds", "claims about lighthouse announcement rounds, one per source", of("wef-rounds"), N.rounds),
    spending: cleanAsset<Clean.SpendingRow>("idc/spending", "IoT spending and device figures, every vintage", of("idc-spending"), N.spending),
    // Not kept: a 2M-row registry is quicker to normalise again (~10 s in the last 1M bench) than to store (9 s) and load (5.6 s).
    // Version 2: English name keys for curated reference rows only (Clean.RegistryRow.nameEn).
    registry: cleanAsset<Clean.RegistryRow>("reference/companies", "company registries and the curated reference of groups and aliases", of("reference"), N.registry, { persist: false, codeVersion: "2" }),
  }
}
