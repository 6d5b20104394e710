/** `published/workbook`: the Excel workbook policy staff work in, and the open-data bundle beside it. */
import { Effect } from "effect"
import { join } from "node:path"
import * as Asset from "../../engine/AssetSpec.js"
import type { Asset as AssetT } from "../../engine/AssetSpec.js"
import type { RawTable } from "../../ingest/Ingest.js"
import * as DataBundle from "../../publish/workbook/DataBundle.js"
import * as Observatory from "../../publish/workbook/Observatory.js"
import * as Render from "../../publish/workbook/Render.js"
import * as Model from "./model.js"

/** The workbook's file name inside the asset's files folder. */
const WORKBOOK_FILE = "iiot-observatory.xlsx"

/** `published/workbook`: the workbook and, in `data/`, one CSV + JSON per table sheet. */
export const workbookAsset = (
  summary: AssetT<ReadonlyArray<RawTable>, any>,
  clean: Model.AssetsOf<Model.CleanInputs>,
  reconciled: Model.AssetsOf<Model.ReconciledInputs>,
) =>
  Asset.make({
    key: "published/workbook",
    description: "the observatory workbook (About, data sheets, Findings, Quarantine, Sources) and a CSV + JSON data bundle",
    // Version 2: big tables' repeated texts are shared strings.
    codeVersion: "2",
    deps: Model.publishingDeps(summary, clean, reconciled),
    run: (inputs, ctx) =>
      Effect.gen(function* () {
        const data = Model.gatherNamed((name) => inputs[name], { dataVersion: ctx.fingerprint, taiwanPolicy: "separate" })
        const doc = Observatory.build(data)
        // Every table rests on every source, so the list is built once for all of them.
        const sources = data.sources.map((s) => ({
          title: s.info.title,
          producer: s.info.producer,
          url: s.info.url,
          retrieved: s.info.retrieved,
          ...(s.info.published ? { published: s.info.published } : {}),
          ...(s.info.citation ? { citation: s.info.citation } : {}),
        }))
        // The workbook's big tables go to worker threads first; this thread then writes the bundle
        // (a big table's CSV from the columns the workbook read it into), then the workbook,
        // writing segments of the big tables beside the workers.
        const result = yield* Effect.scoped(
          Effect.gen(function* () {
            const prepared = yield* Render.prepare(doc, join(ctx.filesDir, WORKBOOK_FILE))
            yield* DataBundle.writeBundle({
              dir: join(ctx.filesDir, "data"),
              title: data.title,
              license: "Facts compiled from public material; cite the original publications listed in sources.json / the Sources table.",
              generatedAt: data.asOf,
              tables: DataBundle.tablesOf(doc.sheets, prepared.encoded, sources),
            })
            return yield* Render.write(prepared)
          }),
        )
        return {
          value: { file: WORKBOOK_FILE, sheets: result.sheets.map((s) => ({ name: s.name, rows: s.rows })), asOf: data.asOf },
          rows: result.sheets.reduce((a, s) => a + s.rows, 0),
          files: [{ name: WORKBOOK_FILE }, { name: "data" }],
        }
      }),
  })
