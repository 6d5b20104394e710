/**
 * The domain graph: raw assets discovered from the sources folder, then the clean, reconciled
 * and published assets built on them. The engine validates it; this file only lists it.
 */
import { Effect } from "effect"
import type { AnyAsset } from "../engine/AssetSpec.js"
import * as Definitions from "../engine/Definitions.js"
import type * as Fetch from "../ingest/Fetch.js"
import * as SourceCatalog from "../ingest/SourceCatalog.js"
import type { Workspace } from "./Workspace.js"
import * as CleanAssets from "./clean/tables.js"
import * as Model from "./published/model.js"
import * as Pack from "./published/pack.js"
import * as Workbook from "./published/workbook.js"
import * as Reconciled from "./reconciled/assets.js"
import * as Raw from "./raw/sources.js"

/** Builds and validates the graph for a sources folder. */
export const build = (sourcesDir: string) =>
  Effect.gen(function* () {
    const catalog = yield* SourceCatalog.discover(sourcesDir)
    const raws = catalog.entries.map((entry) => ({ kind: entry.sidecar.kind, asset: Raw.rawAsset(entry) as AnyAsset }))
    const clean = CleanAssets.cleanAssets(raws)
    const decisions = Reconciled.decisionsAsset(raws.filter((r) => r.kind === "review-decisions").map((r) => r.asset as any))
    // Each asset gets only the clean tables it reads: `reference/firms` is not kept, and an asset
    // depending on it without reading it would have it normalised again for nothing.
    const entities = Reconciled.entitiesAsset({
      platforms: clean.platforms,
      collaborations: clean.collaborations,
      lighthouses: clean.lighthouses,
      registry: clean.registry,
      decisions,
    })
    const listLinks = Reconciled.listLinksAsset({ lists: clean.lists, firms: clean.firms, decisions })
    const figures = Reconciled.figuresAsset({ spending: clean.spending, rounds: clean.rounds, lighthouses: clean.lighthouses })
    // Data sources feed the publication; review decisions only feed reconciliation.
    const published = raws.filter((r) => r.kind !== "review-decisions").map((r) => r.asset as any)
    const cleanForPublishing = {
      platforms: clean.platforms,
      collaborations: clean.collaborations,
      lists: clean.lists,
      lighthouses: clean.lighthouses,
      rounds: clean.rounds,
      spending: clean.spending,
    }
    const reconciledForPublishing = { entities, listLinks, figures }
    const summary = Model.summaryAsset(published)
    const assets: Array<AnyAsset> = [
      ...raws.map((r) => r.asset),
      ...catalog.errors.map(Raw.brokenSource),
      ...Object.values(clean),
      decisions,
      entities,
      listLinks,
      figures,
      Reconciled.findingsAsset({ entities, listLinks, figures }),
      summary,
      Workbook.workbookAsset(summary, cleanForPublishing, reconciledForPublishing),
      Pack.packAsset(summary, cleanForPublishing, reconciledForPublishing),
    ]
    // Every asset needs at most the workspace and the fetcher; the engine adds its stores.
    const defs = (yield* Definitions.make(assets)) as Definitions.Definitions<Workspace | Fetch.Fetcher>
    // Where `iiot brief` finds the stored values the publication is built from.
    const publication = {
      summary: summary.spec.key,
      clean: Object.fromEntries(Object.entries(cleanForPublishing).map(([k, a]) => [k, a.spec.key])),
      reconciled: Object.fromEntries(Object.entries(reconciledForPublishing).map(([k, a]) => [k, a.spec.key])),
    }
    return { catalog, defs, publication }
  })
