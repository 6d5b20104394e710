/** `published/workbook`: the Excel workbook policy staff work in, and the open-data bundle beside it. */
import { Effect } from "effect"
import { join } from "node:path"
import * as Asset from "../../engine/AssetSpec.js"
import type { Asset as AssetT } from "../../engine/AssetSpec.js"
import type { RawTable } from "../../ingest/Ingest.js"
import * as DataBundle from "../../publish/workbook/DataBundle.js"
import * as Observatory from "../../publish/workbook/Observatory.js"
import * as Render from "../../publish/workbook/Render.js"
import type { TableSheet } from "../../publish/workbook/WorkbookDoc.js"
import type { CleanInputs } from "./model.js"
import * as Model from "./model.js"

export const WORKBOOK_FILE = "iiot-observatory.xlsx"

export const workbookAsset = (
  summary: AssetT<ReadonlyArray<RawTable>, any>,
  clean: { readonly [K in keyof CleanInputs]: AssetT<CleanInputs[K], any> },
  reconciled: { readonly [K in keyof Model.ReconciledInputs]: AssetT<Model.ReconciledInputs[K], any> },
) =>
  Asset.make({
    key: "published/workbook",
    description: "the observatory workbook (About, data sheets, Findings, Quarantine, Sources) and a CSV + JSON data bundle",
    codeVersion: "1",
    deps: { ...clean, ...reconciled, summary } as Record<string, AssetT<unknown, any>>,
    run: (inputs, ctx) =>
      Effect.gen(function* () {
        const data = Model.gatherNamed((name) => inputs[name], { dataVersion: ctx.fingerprint, taiwanPolicy: "separate" })
        const doc = Observatory.build(data)
        const result = yield* Render.render(doc, join(ctx.filesDir, WORKBOOK_FILE))
        const tables = doc.sheets.filter((s): s is TableSheet => s.kind === "table")
        yield* DataBundle.writeBundle({
          dir: join(ctx.filesDir, "data"),
          title: data.title,
          license: "Facts compiled from public material; cite the original publications listed in sources.json / the Sources table.",
          generatedAt: data.asOf,
          tables: tables.map((sheet) => ({
            sheet,
            title: sheet.name,
            description: sheet.name,
            sources: data.sources.map((s) => ({
              title: s.info.title,
              producer: s.info.producer,
              url: s.info.url,
              retrieved: s.info.retrieved,
              ...(s.info.published ? { published: s.info.published } : {}),
              ...(s.info.citation ? { citation: s.info.citation } : {}),
            })),
          })),
        })
        return {
          value: { file: WORKBOOK_FILE, sheets: result.sheets.map((s) => ({ name: s.name, rows: s.rows })), asOf: data.asOf },
          rows: result.sheets.reduce((a, s) => a + s.rows, 0),
          files: [{ name: WORKBOOK_FILE }, { name: "data" }],
        }
      }),
  })
