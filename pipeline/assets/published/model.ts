/** Gathers the publication model from the raw and clean assets' values. */
import * as FindingM from "../../domain/Finding.js"
import * as RawRows from "../../domain/RawRows.js"
import { Effect } from "effect"
import * as Asset from "../../engine/AssetSpec.js"
import type { Asset as AssetT } from "../../engine/AssetSpec.js"
import type { RawTable } from "../../ingest/Ingest.js"
import type { PublicationData, TaiwanPolicy } from "../../publish/Data.js"
import type { ListLinkResult } from "../../reconcile/entities/ListLink.js"
import type { ResolveResult } from "../../reconcile/entities/Resolve.js"
import type { ListsValue } from "../clean/lists.js"
import type { CleanTable } from "../clean/normalise.js"
import type { FiguresValue } from "../reconciled/assets.js"

/** The clean tables the publication shows: the names under which the publishing assets receive them. */
const CLEAN_NAMES = ["platforms", "collaborations", "lists", "lighthouses", "rounds", "spending"] as const

/**
 * The clean tables the publication shows, typed by the rows `PublicationData` carries so the two
 * lists cannot drift apart; the large lists come in columns (`miit/lists`).
 */
export type CleanInputs = {
  readonly [K in (typeof CLEAN_NAMES)[number]]: K extends "lists" ? ListsValue : CleanTable<PublicationData[K] extends ReadonlyArray<infer R> ? R : never>
}

/** Values of the reconciled assets the publication shows. */
export interface ReconciledInputs {
  readonly entities: ResolveResult
  readonly listLinks: ListLinkResult
  readonly figures: FiguresValue
}

/** One asset per input name, each producing that input's value: how the publishing assets take their inputs. */
export type AssetsOf<T> = { readonly [K in keyof T]: AssetT<T[K], any> }

/** A publishing asset's deps, under the names `gatherNamed` looks up. */
export const publishingDeps = (summary: AssetT<ReadonlyArray<RawTable>, any>, clean: AssetsOf<CleanInputs>, reconciled: AssetsOf<ReconciledInputs>) =>
  ({ ...clean, ...reconciled, summary }) as Record<string, AssetT<unknown, any>>

/**
 * `sources/summary`: each source's provenance, counts, quarantine and findings without its rows,
 * so the publishing assets need not hold every raw table (millions of rows) in memory.
 */
export const summaryAsset = (raws: ReadonlyArray<AssetT<RawTable, any>>) =>
  Asset.make({
    key: "sources/summary",
    description: "every source's provenance, row counts, quarantine and validation findings (rows left out)",
    deps: Object.fromEntries(raws.map((r) => [r.spec.key, r])) as Record<string, AssetT<RawTable, any>>,
    run: (inputs) =>
      Effect.sync(() => {
        const value: ReadonlyArray<RawTable> = raws.map((r) => {
          const t = inputs[r.spec.key] as RawTable
          return { ...t, rows: RawRows.empty(t.rows.columns) }
        })
        return { value, rows: value.length }
      }),
  })

/** The as-of date of a publication: the latest date a source was retrieved. */
const asOfOf = (raws: ReadonlyArray<RawTable>): string =>
  raws.map((r) => r.source.retrieved).sort().at(-1) ?? "1970-01-01"

/** The publication model from the raw summaries, the clean tables and (when given) the reconciled values. */
export const gather = (
  raws: ReadonlyArray<RawTable>,
  clean: CleanInputs,
  options: { readonly dataVersion: string; readonly taiwanPolicy: TaiwanPolicy; readonly reconciled?: ReconciledInputs | undefined },
): PublicationData => {
  const sorted = [...raws].sort((a, b) => a.source.id.localeCompare(b.source.id))
  const findings = [
    ...sorted.flatMap((r) => r.findings),
    ...Object.values(clean).flatMap((t) => t.findings),
    ...(options.reconciled ? [...options.reconciled.entities.findings, ...options.reconciled.listLinks.findings, ...options.reconciled.figures.spending.findings, ...options.reconciled.figures.rounds.findings] : []),
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
    entities: options.reconciled?.entities,
    listLinks: options.reconciled?.listLinks,
    figures: options.reconciled?.figures,
  }
}

/** The names under which the publishing assets receive the reconciled values. */
const RECONCILED_NAMES = ["entities", "listLinks", "figures"] as const

/**
 * The publication model from values looked up by input name (`summary`, the clean and the
 * reconciled names): the publishing assets pass their inputs, `iiot brief` its stored values.
 */
export const gatherNamed = (
  value: (name: string) => unknown,
  options: { readonly dataVersion: string; readonly taiwanPolicy: TaiwanPolicy },
): PublicationData =>
  gather(
    value("summary") as ReadonlyArray<RawTable>,
    Object.fromEntries(CLEAN_NAMES.map((n) => [n, value(n)])) as unknown as CleanInputs,
    { ...options, reconciled: Object.fromEntries(RECONCILED_NAMES.map((n) => [n, value(n)])) as unknown as ReconciledInputs },
  )
