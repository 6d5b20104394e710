/** `published/pack`: the default briefing pack (template `china-iiot-overview`) of every refresh. */
import { Effect } from "effect"
import { createHash } from "node:crypto"
import { readFileSync, readdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import * as Asset from "../../engine/AssetSpec.js"
import type { Asset as AssetT } from "../../engine/AssetSpec.js"
import * as Finding from "../../domain/Finding.js"
import type { RawTable } from "../../ingest/Ingest.js"
import type { PublicationData } from "../../publish/Data.js"
import * as Build from "../../publish/pack/Build.js"
import * as Render from "../../publish/pdf/Render.js"
import { Workspace } from "../Workspace.js"
import * as Model from "./model.js"

/** The template of the pack every refresh renders (`iiot brief` renders any other on demand). */
export const DEFAULT_TEMPLATE = "china-iiot-overview"
/** The pack's file name inside the asset's files folder. */
const PACK_FILE = "iiot-briefing.pdf"

/** Hash of a template folder's files: editing a template re-renders the pack. */
const templateVersion = (dir: string): string => {
  const h = createHash("sha256")
  for (const name of readdirSync(dir).sort()) h.update(name).update(readFileSync(join(dir, name)))
  return h.digest("hex").slice(0, 16)
}

/** Renders a pack and turns characters the font lacks into findings naming where they occur. */
export const renderPack = (templateDir: string, data: PublicationData, options: Build.BuildOptions) =>
  Effect.gen(function* () {
    const doc = yield* Build.buildPack(templateDir, data, options)
    const pdf = yield* Render.render(doc)
    const findings = pdf.missingGlyphs.map((g) =>
      Finding.make("warn", "missing-glyph", `the PDF font has no glyph for "${g.char}" (${g.codePoint}) in "${g.context}"; shown as "?"`, { value: g.context }),
    )
    return { pdf, findings }
  })

/** `published/pack`: re-rendered when its inputs, its code or the template's files change. */
export const packAsset = (
  summary: AssetT<ReadonlyArray<RawTable>, any>,
  clean: Model.AssetsOf<Model.CleanInputs>,
  reconciled: Model.AssetsOf<Model.ReconciledInputs>,
) =>
  Asset.make({
    key: "published/pack",
    description: `the default briefing pack (template ${DEFAULT_TEMPLATE}): key figures, charts, platforms, collaborations, data-quality annex, sources`,
    // 2: the coverage annex gives each source's age.
    codeVersion: "2",
    deps: Model.publishingDeps(summary, clean, reconciled),
    observe: Effect.map(Workspace, (ws) => templateVersion(join(ws.templatesDir, "briefing", DEFAULT_TEMPLATE))),
    checks: [
      {
        name: "pack-size",
        description: "the default pack stays under 3 MB",
        severity: "warn",
        blocking: false,
        run: (v: { readonly bytes: number }) => ({ passed: v.bytes <= 3_000_000, message: `pack is ${v.bytes} bytes` }),
      },
    ],
    run: (inputs, ctx) =>
      Effect.gen(function* () {
        const ws = yield* Workspace
        const data = Model.gatherNamed((name) => inputs[name], { dataVersion: ctx.fingerprint, taiwanPolicy: "separate" })
        const { pdf, findings } = yield* renderPack(join(ws.templatesDir, "briefing", DEFAULT_TEMPLATE), data, {})
        writeFileSync(join(ctx.filesDir, PACK_FILE), pdf.bytes)
        return { value: { file: PACK_FILE, pages: pdf.pages, bytes: pdf.bytes.length }, rows: pdf.pages, findings, files: [{ name: PACK_FILE }] }
      }),
  })
