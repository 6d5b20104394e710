/**
 * The observatory workbook for the generated MIIT-style list, rendered by the real renderer.
 *
 * What is measured, and why this way: the figure is "the workbook for the 1M-row list,
 * side by side with the peer's xlsxwriter workbook", and the peer's `workbook=` stage writes a
 * frame already in memory. So this process first gets the list into memory the way a refresh
 * does (real catalog + `ingest(entry)` + the `miit/lists` normaliser, `normaliseLists`; untimed for the goal), then
 * times exactly what `published/workbook` does with it: `gather` the publication model,
 * `Observatory.build` the WorkbookDoc, `Render.prepare`, the open-data bundle, `Render.write`
 * the .xlsx, in the asset's order (the bundle is written while worker threads write the sheet, so
 * it is inside the render time although the peer writes none; its own span is reported too).
 * Running the whole graph instead would
 * fold entity resolution and the 2M-row registry into the process's peak RSS, which says nothing
 * about the workbook; `bench/e2e.ts` reports the real `published/workbook` asset inside a refresh.
 *
 *   node --import tsx bench/workbook.ts --data DIR [--keep]
 *
 * `IIOT_BENCH_RENDER_IN_THREAD=1` writes the big table's segments on this thread (profiling).
 *
 * Prints one `BENCH {json}` line. Peak RSS of the whole process is taken from outside (`time -v`);
 * inside, RSS is sampled every 25 ms so the render's own peak can be told from the ingest's.
 */
import { Effect } from "effect"
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs"
import { basename, join } from "node:path"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { normaliseLists } from "../pipeline/assets/clean/lists.js"
import type { CleanInputs } from "../pipeline/assets/published/model.js"
import * as Model from "../pipeline/assets/published/model.js"
import * as Ingest from "../pipeline/ingest/Ingest.js"
import * as SourceCatalog from "../pipeline/ingest/SourceCatalog.js"
import * as DataBundle from "../pipeline/publish/workbook/DataBundle.js"
import * as Observatory from "../pipeline/publish/workbook/Observatory.js"
import * as Render from "../pipeline/publish/workbook/Render.js"
import { BENCH_FILES, cacheRoot, emit, fileBytes, now, parseArgs, writeBenchSources } from "./lib.js"

/** The generated list (kind miit-list), the workbook's only big input. */
const LIST_FILE = BENCH_FILES.find((f) => f.kind === "miit-list")!
const LIST = LIST_FILE.file

// A full collection between phases, so "RSS before render" is what the inputs really hold.
setFlagsFromString("--expose-gc")
const gc = runInNewContext("gc") as () => void

const mb = (bytes: number): number => Math.round(bytes / 2 ** 20)

/** A sources folder holding only the list and its sidecar: the registry is not a workbook input. */
const sourcesFor = (data: string, scratch: string): string => {
  const root = join(scratch, "sources")
  writeBenchSources(data, root, [LIST_FILE])
  return root
}

const empty = { rows: [], findings: [] }

const main = async () => {
  const args = parseArgs(process.argv.slice(2))
  const data = args["data"]
  if (!data || !existsSync(join(data, LIST))) throw new Error(`--data DIR is required (a folder written by gen-extracts.mjs); got ${data}`)
  mkdirSync(cacheRoot, { recursive: true })
  const scratch = mkdtempSync(join(cacheRoot, `workbook-${basename(data)}-`))
  try {
    const catalog = await Effect.runPromise(SourceCatalog.discover(sourcesFor(data, scratch)))
    const entry = catalog.entries.find((e) => e.id.endsWith(`/${LIST}`))
    if (!entry) throw new Error(`the catalog did not find ${LIST}: ${catalog.errors.map((e) => e.message).join("; ")}`)

    // Inputs, as a refresh has them when `published/workbook` starts.
    let t = now()
    const raw = await Effect.runPromise(Ingest.ingest(entry))
    const ingestMs = now() - t
    t = now()
    const { rows, findings } = await normaliseLists([raw])
    const clean = { rows, findings }
    const normaliseMs = now() - t
    gc()
    const inputsRssMb = mb(process.memoryUsage().rss)
    const inputsHeapMb = mb(process.memoryUsage().heapUsed)

    // From here on, the workbook asset's own work; RSS sampled to find the render's peak.
    let peakRss = process.memoryUsage().rss
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss)
    }, 25)
    sampler.unref()
    const file = join(scratch, "iiot-observatory.xlsx")
    t = now()
    const cleanInputs: CleanInputs = { platforms: empty, collaborations: empty, lists: clean, lighthouses: empty, rounds: empty, spending: empty }
    const pub = Model.gather([raw], cleanInputs, { dataVersion: "bench", taiwanPolicy: "separate" })
    const doc = Observatory.build(pub)
    const buildMs = now() - t
    // Exactly as the asset does: prepare (big tables read into columns, workers start on their
    // segments), the data bundle (a big table's CSV from those columns) while the workers write,
    // then the workbook, this thread writing segments too. The bundle is inside the render time
    // (the peer writes none, so this is the stricter figure); its own span is reported apart.
    let renderPeakRssMb = 0
    let xlsxBytes = 0
    let bundleMs = 0
    t = now()
    const { result, bundle } = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const prepared = yield* Render.prepare(doc, file, process.env["IIOT_BENCH_RENDER_IN_THREAD"] === "1" ? { workers: false } : {})
          const b = now()
          const bundle = yield* DataBundle.writeBundle({
            dir: join(scratch, "data"),
            title: pub.title,
            license: "bench",
            generatedAt: pub.asOf,
            tables: DataBundle.tablesOf(
              doc.sheets,
              prepared.encoded,
              pub.sources.map((s) => ({ title: s.info.title })),
            ),
          })
          bundleMs = now() - b
          const result = yield* Render.write(prepared)
          const renderMs = now() - t
          peakRss = Math.max(peakRss, process.memoryUsage().rss)
          renderPeakRssMb = mb(peakRss)
          xlsxBytes = fileBytes(file)
          return { result: { ...result, renderMs }, bundle }
        }),
      ),
    )
    const renderMs = result.renderMs
    clearInterval(sampler)
    const bundlePeakRssMb = mb(Math.max(peakRss, process.memoryUsage().rss))

    emit({
      part: "workbook",
      data,
      rows: clean.rows.length,
      ingestMs: Math.round(ingestMs),
      normaliseMs: Math.round(normaliseMs),
      buildMs: Math.round(buildMs),
      renderMs: Math.round(renderMs),
      workbookMs: Math.round(buildMs + renderMs),
      bundleMs: Math.round(bundleMs),
      bundleTables: bundle.tables.length,
      inputsRssMb,
      inputsHeapMb,
      renderPeakRssMb,
      bundlePeakRssMb,
      xlsxBytes,
      sheets: result.sheets.map((s) => ({ name: s.name, rows: s.rows })),
    })
  } finally {
    if (args["keep"] === undefined) rmSync(scratch, { recursive: true, force: true })
  }
}

main().catch((e) => {
  process.stderr.write(`bench/workbook: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`)
  process.exit(1)
})
