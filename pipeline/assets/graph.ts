/**
 * The domain graph: raw assets discovered from the sources folder, then the clean, reconciled
 * and published assets built on them. The engine validates it; this file only lists it.
 */
import { Effect } from "effect"
import type { AnyAsset } from "../engine/AssetSpec.js"
import * as Definitions from "../engine/Definitions.js"
import * as SourceCatalog from "../ingest/SourceCatalog.js"
import * as CleanAssets from "./clean/tables.js"
import * as Workbook from "./published/workbook.js"
import * as Raw from "./raw/sources.js"

/** Builds and validates the graph for a sources folder. */
export const build = (sourcesDir: string) =>
  Effect.gen(function* () {
    const catalog = yield* SourceCatalog.discover(sourcesDir)
    const raws = catalog.entries.map((entry) => ({ kind: entry.sidecar.kind, asset: Raw.rawAsset(entry) as AnyAsset }))
    const clean = CleanAssets.cleanAssets(raws)
    const assets: Array<AnyAsset> = [
      ...raws.map((r) => r.asset),
      ...catalog.errors.map(Raw.brokenSource),
      ...Object.values(clean),
      Workbook.workbookAsset(
        raws.map((r) => r.asset as any),
        { platforms: clean.platforms, collaborations: clean.collaborations, lists: clean.lists, lighthouses: clean.lighthouses, rounds: clean.rounds, spending: clean.spending },
      ),
    ]
    const defs = yield* Definitions.make(assets)
    return { catalog, defs }
  })
