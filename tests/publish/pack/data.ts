/** Builds the publication model from the bundled `sources/` with the real ingest and normalisers (test helper). */
import { Effect } from "effect"
import * as path from "node:path"
import { normaliseLists } from "../../../pipeline/assets/clean/lists.js"
import * as N from "../../../pipeline/assets/clean/normalise.js"
import * as Model from "../../../pipeline/assets/published/model.js"
import type { RawTable } from "../../../pipeline/ingest/Ingest.js"
import { ingest } from "../../../pipeline/ingest/Ingest.js"
import * as SourceCatalog from "../../../pipeline/ingest/SourceCatalog.js"
import type { PublicationData } from "../../../pipeline/publish/Data.js"

/** The repository's bundled sources folder. */
export const SOURCES = path.resolve(import.meta.dirname, "../../../sources")

/** Ingests and normalises every bundled source, then gathers the publication model. */
export const bundledData = (sources: string = SOURCES): Effect.Effect<PublicationData, unknown> =>
  Effect.gen(function* () {
    const catalog = yield* SourceCatalog.discover(sources)
    const raws: Array<RawTable> = []
    for (const e of catalog.entries) raws.push(yield* ingest(e))
    const of = (kind: string) => raws.filter((r) => r.source.kind === kind)
    const { rows, findings } = yield* Effect.promise(() => normaliseLists(of("miit-list")))
    return Model.gather(
      raws,
      {
        platforms: N.platforms(of("miit-platforms")),
        collaborations: N.collaborations(of("collaborations")),
        lists: { rows, findings },
        lighthouses: N.lighthouses(of("wef-lighthouses")),
        rounds: N.rounds(of("wef-rounds")),
        spending: N.spending(of("idc-spending")),
      },
      { dataVersion: "0123456789abcdef", taiwanPolicy: "separate" },
    )
  })
