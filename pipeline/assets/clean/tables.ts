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
import * as Firms from "./firms.js"
import * as Lists from "./lists.js"
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

/**
 * How many of the first `n` rows have an empty source or no row number. On its own, with plain
 * arguments: written inline in the check, the loop ran on two kinds of value (the list, then the
 * registry's firms) and, its optimised code thrown away, took ~0.3 s over 2M firms (~0.1 s for
 * both tables here, in a profile of the 1M refresh).
 */
const withoutProvenance = (source: Clean.CodedText, row: Int32Array, n: number): number => {
  const codes = source.codes
  const empty = new Uint8Array(source.values.length)
  source.values.forEach((s, k) => void (empty[k] = s === "" ? 1 : 0))
  let bad = 0
  for (let i = 0; i < n; i++) if (empty[codes[i]!] === 1 || !(row[i]! > 0)) bad++
  return bad
}

/** The provenance check of a table in columns (`Firms`, `Listed`): every row names its source and row. */
const columnsWithProvenance = <V>(
  description: string,
  rowsAre: string,
  columns: (v: V) => { readonly length: number; readonly source: Clean.CodedText; readonly row: Int32Array },
): CheckSpec<V> => ({
  name: "provenance",
  description,
  severity: "error",
  blocking: true,
  run: (v) => {
    const c = columns(v)
    const bad = withoutProvenance(c.source, c.row, c.length)
    return { passed: bad === 0, message: `${bad} of ${c.length} ${rowsAre} without provenance` }
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
    lists: listsAsset(of("miit-list")),
    lighthouses: cleanAsset<Clean.LighthouseRow>("wef/lighthouses", "WEF Global Lighthouse Network sites", of("wef-lighthouses"), N.lighthouses),
    rounds: cleanAsset<Clean.RoundClaimRow>("wef/rounds", "claims about lighthouse announcement rounds, one per source", of("wef-rounds"), N.rounds),
    spending: cleanAsset<Clean.SpendingRow>("idc/spending", "IoT spending and device figures, every vintage", of("idc-spending"), N.spending),
    // Version 3: curated reference rows only (entity id); registry firms are reference/firms.
    registry: cleanAsset<Clean.RegistryRow>("reference/companies", "the curated reference of companies, groups and aliases (reference rows with an entity id)", of("reference"), N.registry, { codeVersion: "3" }),
    firms: firmsAsset(of("reference")),
  }
}

/**
 * `reference/firms`: the registry firms (reference rows without an entity id) in columns, which
 * list linking reads. Normalised on every core at once (firms.ts). Not kept: for a 2M-row registry,
 * normalising again is quicker than storing and loading.
 */
const firmsAsset = (raws: ReadonlyArray<AssetT<RawTable, any>>) =>
  Asset.make({
    key: "reference/firms",
    description: "company registry firms (reference rows without an entity id): credit code, Chinese name and keys, province, city, sector",
    codeVersion: "1",
    persist: false,
    deps: Object.fromEntries(raws.map((r) => [r.spec.key, r])) as Record<string, AssetT<RawTable, any>>,
    checks: [columnsWithProvenance("every firm names its source and row", "firms", (f: Clean.Firms) => f)],
    run: (inputs) =>
      Effect.promise(() => Firms.normaliseFirms(raws.map((r) => inputs[r.spec.key] as RawTable))).pipe(
        Effect.map(({ firms, findings, workers }) => ({ value: firms, rows: firms.length, findings, metadata: { threads: workers + 1 } })),
      ),
  })

/**
 * `miit/lists`: the other MIIT lists of firms (e.g. little giants) in columns (`Clean.Listed`),
 * normalised on every core at once (lists.ts). Version 2: columns, where version 1 held a row
 * object per firm. Not kept, like the registry's firms: at 1M rows, storing took ~1.1 s of the
 * refresh's main thread and loading 1.9 s, where normalising again from the stored raw list takes
 * ~2.7 s on both cores (end to end 1.0–1.3 s faster on average over seven pairs of runs).
 */
const listsAsset = (raws: ReadonlyArray<AssetT<RawTable, any>>) =>
  Asset.make({
    key: "miit/lists",
    description: "other MIIT lists of firms (e.g. little giants)",
    codeVersion: "2",
    persist: false,
    deps: Object.fromEntries(raws.map((r) => [r.spec.key, r])) as Record<string, AssetT<RawTable, any>>,
    checks: [columnsWithProvenance("every clean row names its source and row", "rows", (v: Lists.ListsValue) => v.rows)],
    run: (inputs) =>
      Effect.promise(() => Lists.normaliseLists(raws.map((r) => inputs[r.spec.key] as RawTable))).pipe(
        Effect.map(({ rows, findings, workers }) => ({ value: { rows, findings } satisfies Lists.ListsValue, rows: rows.length, findings, metadata: { threads: workers + 1 } })),
      ),
  })
