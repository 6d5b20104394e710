/**
 * `npm run bench`: runs each measured part as a child process (under GNU `time -v`, so peak RSS
 * is measured from outside), side by side with the pandas peer on the same data in the same run,
 * and prints markdown tables readable in a terminal. Performance is quoted as ratios against
 * what was measured in this run, never as absolute promises: machines (and shared CI) are noisy.
 *
 *   npm run bench -- [--sizes 100000,1000000] [--only engine,coldstart,ingest,entities,workbook,e2e,pack] [--phases] [--fresh-peer] [--repeats 5]
 *
 * Parts live in the `parts` registry below; adding one is adding an entry.
 */
import { mkdirSync, writeFileSync } from "node:fs"
import { cpus, loadavg, totalmem } from "node:os"
import { join } from "node:path"
import {
  cacheRoot,
  ensureData,
  fmtInt,
  fmtMb,
  fmtMs,
  fmtRatio,
  hasGnuTime,
  log,
  mark,
  measure,
  type Measured,
  type PeerResult,
  peerFor,
  peerUnavailable,
  sizeLabel,
  table,
  tsPart,
} from "./lib.js"
import type { LinkQuality } from "./truth.js"

/** A goal from an issue, with what this run measured and whether it was met (null: not measurable here). */
interface Goal {
  readonly part: string
  readonly goal: string
  readonly measured: string
  readonly ok: boolean | null
}

/** What a part prints: markdown text, the goals it checked, and raw figures for the JSON record. */
interface Section {
  readonly text: string
  readonly goals: ReadonlyArray<Goal>
  readonly raw: unknown
}

/** What every part gets: the options and shared, cached helpers (data and peer per size). */
interface BenchContext {
  readonly sizes: ReadonlyArray<number>
  readonly repeats: number
  readonly phases: boolean
  /** Generated extracts for a size (generated once, then cached). */
  readonly data: (rows: number) => Promise<string>
  /** The pandas peer's figures for a size, or undefined when the peer cannot run here. */
  readonly peer: (rows: number) => Promise<PeerResult | undefined>
  /** Runs a bench/*.ts part in a child under `time -v`; fails on a non-zero exit or a missing BENCH line. */
  readonly runPart: (file: string, args: ReadonlyArray<string>) => Promise<Measured & { readonly result: Record<string, any> }>
}

/** One entry of the bench: a name for `--only`, a title, and how to run it. */
interface Part {
  readonly name: string
  readonly title: string
  readonly run: (ctx: BenchContext) => Promise<Section>
}

/** One size's data and peer figures, and one run of a part on that data. */
interface SizeRun {
  readonly size: number
  readonly peer: PeerResult | undefined
  readonly m: Measured & { readonly result: Record<string, any> }
  /** The part's BENCH line (`m.result`). */
  readonly r: Record<string, any>
}

/** For each size in turn: its data and peer figures, then `file --data DIR …args` run on them. */
async function* sizeRuns(ctx: BenchContext, name: string, file: string, args: ReadonlyArray<string> = []): AsyncGenerator<SizeRun> {
  for (const size of ctx.sizes) {
    const data = await ctx.data(size)
    const peer = await ctx.peer(size)
    log(`${name} ${sizeLabel(size)} …`)
    const m = await ctx.runPart(file, ["--data", data, ...args])
    yield { size, peer, m, r: m.result }
  }
}

/** A stage of the peer's own timer in ms, or undefined when the peer did not run or has no such stage. */
const peerStageMs = (peer: PeerResult | undefined, stage: string): number | undefined => {
  const s = peer?.stages[stage]
  return s === undefined ? undefined : s * 1000
}

/** The scores the link-quality goals read (bench/entities.ts prints them without `linkRows`). */
type Scores = Pick<LinkQuality, "precision" | "recall" | "reviewShare">

/** The link-quality goals of issue 4, checked wherever list links are scored against truth.csv. */
const linkQualityGoals = (part: string, label: string, q: Scores, what = ""): Array<Goal> => [
  { part, goal: `${label}: ${what}precision ≥ 0.995`, measured: q.precision.toFixed(4), ok: q.precision >= 0.995 },
  { part, goal: `${label}: ${what}recall ≥ 0.97`, measured: q.recall.toFixed(4), ok: q.recall >= 0.97 },
  { part, goal: `${label}: ≤ 2% sent to review`, measured: `${(100 * q.reviewShare).toFixed(2)}%`, ok: q.reviewShare <= 0.02 },
]

// ---------------------------------------------------------------------------------------------
// Parts.

const ENGINE_GOAL_MS = 1000

/** Issue 2: engine overhead on 1,000 no-op assets, chain and fan, cold and fully cached. */
const engine: Part = {
  name: "engine",
  title: "Engine overhead: 1,000 no-op assets (real SQLite run store and on-disk asset store)",
  run: async (ctx) => {
    const rows = []
    const goals: Array<Goal> = []
    const raw = []
    for (const shape of ["chain", "fan"] as const) {
      log(`engine: ${shape} …`)
      const m = await ctx.runPart("engine.ts", ["--shape", shape, "--assets", "1000", "--cached-repeats", "3"])
      const r = m.result
      raw.push({ ...r, peakRssMb: m.peakRssMb })
      const cached = r.cachedRefreshMedianMs as number
      rows.push([
        shape,
        fmtInt(r.assets),
        fmtMs(r.openMs),
        `${fmtMs(r.coldRefreshMs)} (${r.coldRan} ran)`,
        fmtMs(r.cachedPlanMedianMs),
        `${fmtMs(r.cachedRefreshMs)} / ${fmtMs(cached)} (${r.cachedSkipped} skipped)`,
        fmtMb(m.peakRssMb),
        `${mark(cached < ENGINE_GOAL_MS)} (${fmtRatio(cached / ENGINE_GOAL_MS)} of 1 s)`,
      ])
      goals.push({ part: "engine", goal: `${shape}: 1,000 assets fully cached plan + refresh < 1 s engine time`, measured: fmtMs(cached), ok: cached < ENGINE_GOAL_MS })
    }
    const text = [
      table(["shape", "assets", "store open", "cold refresh", "cached plan", "cached refresh: 1st / median of 3", "peak RSS", "goal < 1 s"], rows),
      "",
      "Engine time = wall time of `Runner.refresh` inside the process (a refresh plans, materialises, writes run.json and",
      "switches `latest`); \"cached plan\" is `Runner.preview` alone. Store open (SQLite + migrations) is once per process.",
    ].join("\n")
    return { text, goals, raw }
  },
}

/** Issue 2: cold start of whole processes next to `node -e 0`. */
const coldstart: Part = {
  name: "coldstart",
  title: "Cold start (wall time of whole processes, median of repeats)",
  run: async (ctx) => {
    log("coldstart …")
    const m = await ctx.runPart("coldstart.ts", ["--repeats", String(ctx.repeats)])
    const cases = m.result.cases as Array<{ name: string; medianMs: number; minMs: number; peakRssMb: number | null }>
    const floor = cases.find((c) => c.name === "node -e 0")!.medianMs
    const rows = cases.map((c) => [c.name, fmtMs(c.medianMs), fmtMs(c.minMs), fmtRatio(c.medianMs / floor), fmtMb(c.peakRssMb)])
    const text = [
      table(["command", `median of ${m.result.repeats}`, "min", "× node -e 0", "peak RSS"], rows),
      "",
      "`iiot` = `node bin/iiot.mjs` (the esbuild bundle in dist/); the cached refresh runs on the bundled `sources/` in a",
      "temp folder after one filling run; each command is run once unmeasured first (warm OS file cache).",
    ].join("\n")
    return { text, goals: [], raw: { ...m.result, peakRssMb: m.peakRssMb } }
  },
}

const INGEST_RSS_GOAL_MB = 1536

/** Issue 3: ingest + validate throughput against read+decode and the peer's read. */
const ingest: Part = {
  name: "ingest",
  title: "Ingest + validate (MIIT-style list `miit-list` + registry `reference`, real catalog and `ingest(entry)`)",
  run: async (ctx) => {
    const rows = []
    const fileRows = []
    const phaseRows = []
    const goals: Array<Goal> = []
    const raw = []
    for (const size of ctx.sizes) {
      const data = await ctx.data(size)
      const peer = await ctx.peer(size)
      log(`ingest ${sizeLabel(size)}: read+decode baseline …`)
      const base = await ctx.runPart("ingest.ts", ["--data", data, "--baseline"])
      log(`ingest ${sizeLabel(size)}: ingest + validate …`)
      const ing = await ctx.runPart("ingest.ts", ["--data", data])
      const b = base.result
      const r = ing.result
      const mb = r.bytes / 1e6
      const peerReadMs = peerStageMs(peer, "read")
      const vsPeer = peerReadMs !== undefined ? r.totalMs / peerReadMs : undefined
      rows.push([
        sizeLabel(size),
        `${fmtInt(mb)} MB`,
        fmtInt(r.rows),
        fmtMs(r.totalMs),
        `${(mb / (r.totalMs / 1000)).toFixed(1)} MB/s`,
        `${fmtInt(r.rows / (r.totalMs / 1000))}/s`,
        fmtMb(ing.peakRssMb),
        `${fmtMs(b.totalMs)} (${(b.bytes / 1e6 / (b.totalMs / 1000)).toFixed(0)} MB/s)`,
        fmtRatio(r.totalMs / b.totalMs),
        peerReadMs !== undefined ? fmtMs(peerReadMs) : "–",
        fmtRatio(vsPeer),
        fmtMb(peer?.peakRssMb),
      ])
      for (const f of r.files as Array<Record<string, any>>) {
        fileRows.push([
          sizeLabel(size),
          f.file,
          f.kind,
          fmtInt(f.read),
          `${fmtInt(f.bytes / 1e6)} MB`,
          fmtMs(f.ms),
          `${(f.bytes / 1e6 / (f.ms / 1000)).toFixed(1)} MB/s`,
          `${fmtInt(f.kept)} / ${fmtInt(f.rejected)}`,
          fmtInt(f.findings),
        ])
      }
      goals.push({
        part: "ingest",
        goal: `${sizeLabel(size)}: ingest + validate ≤ 1.0× peer read`,
        measured: vsPeer !== undefined ? `${fmtRatio(vsPeer)} (${fmtMs(r.totalMs)} vs ${fmtMs(peerReadMs)})` : "peer not run",
        ok: vsPeer !== undefined ? vsPeer <= 1.0 : null,
      })
      goals.push({
        part: "ingest",
        goal: `${sizeLabel(size)}: ingest peak RSS < 1.5 GB`,
        measured: fmtMb(ing.peakRssMb),
        ok: ing.peakRssMb === null ? null : ing.peakRssMb < INGEST_RSS_GOAL_MB,
      })
      let phases: Record<string, any> | undefined
      if (ctx.phases) {
        log(`ingest ${sizeLabel(size)}: phases …`)
        phases = (await ctx.runPart("ingest.ts", ["--data", data, "--phases"])).result
        for (const f of phases["files"] as Array<Record<string, any>>) {
          phaseRows.push([
            sizeLabel(size),
            f.file,
            fmtMs(f.checksumMs),
            fmtMs(f.openMs + f.readParseMs),
            fmtMs(f.rowObjectsMs),
            fmtMs(f.validateMs),
            fmtMs(f.storeMs),
            fmtMs(f.totalMs),
          ])
        }
      }
      raw.push({ size, baseline: { ...b, peakRssMb: base.peakRssMb }, ingest: { ...r, peakRssMb: ing.peakRssMb }, peer, phases })
    }
    const text = [
      table(
        ["size", "bytes", "rows", "ingest", "throughput", "rows/s", "peak RSS", "read+decode", "× read+decode", "peer read=", "× peer read", "peer RSS"],
        rows,
      ),
      "",
      table(["size", "file", "kind", "rows", "bytes", "ingest", "MB/s", "kept / rejected", "findings"], fileRows),
      ...(phaseRows.length > 0
        ? [
            "",
            "Where the time goes (`--phases`, a separate process reading each file start to end as `ingest` does without",
            "parallel ranges, sha256 first; \"row objects\" is an upper bound; GC lands in whichever step allocates, so the split is indicative):",
            "",
            table(["size", "file", "sha256", "read+decode+parse", "row objects", "validation", "keep rows", "sum"], phaseRows),
          ]
        : []),
      "",
      "ingest = in-process wall of `ingest(entry)` for both files (sha256, read, decode, parse, header map, row",
      "objects, validation; both raw tables held in memory as a refresh holds them); peak RSS of that process from",
      "`time -v`. read+decode = the same bytes streamed through `TextDecoder` counting newlines. peer read= is pandas",
      "`read_csv` of both files (its own timer); peer RSS is its whole run (read, link, workbook, PDF).",
    ].join("\n")
    return { text, goals, raw }
  },
}

/** Issue 4: entity resolution at scale. */
const entities: Part = {
  name: "entities",
  title: "Entity resolution (list → registry links, scored against truth.csv)",
  run: async (ctx) => {
    const rows = []
    const goals: Array<Goal> = []
    const raw: Array<Record<string, any>> = []
    for await (const { size, peer, m, r } of sizeRuns(ctx, "entities", "entities.ts")) {
      raw.push({ size, ...r, peakRssMb: m.peakRssMb, peer })
      const peerNL = peer ? ((peer.stages["normalise"] ?? NaN) + (peer.stages["link"] ?? NaN)) * 1000 : undefined
      const ours = r.normaliseMs + r.linkMs
      rows.push([
        sizeLabel(size),
        fmtInt(r.rows),
        r.precision.toFixed(4),
        r.recall.toFixed(4),
        `${(100 * r.reviewShare).toFixed(2)}%`,
        fmtMs(r.normaliseMs),
        fmtMs(r.linkMs),
        fmtMs(r.totalMs),
        fmtMb(m.peakRssMb),
        peer ? `${peer.precision?.toFixed(4)} / ${peer.recall?.toFixed(4)}` : "–",
        peerNL !== undefined ? fmtMs(peerNL) : "–",
        peerNL !== undefined ? fmtRatio(ours / peerNL) : "–",
        peerNL !== undefined ? fmtRatio(r.linkMs / peerNL) : "–",
      ])
      goals.push(...linkQualityGoals("entities", sizeLabel(size), r as Scores))
      if (size === 1_000_000) {
        goals.push({
          part: "entities",
          goal: "1M: read+normalise+link ≤ peer normalise+link (strict: ours includes the CSV read)",
          measured: peerNL !== undefined ? `${fmtRatio(ours / peerNL)} (${fmtMs(ours)} vs ${fmtMs(peerNL)})` : "peer not run",
          ok: peerNL !== undefined ? ours <= peerNL : null,
        })
        goals.push({
          part: "entities",
          goal: "1M: link alone ≤ peer normalise+link",
          measured: peerNL !== undefined ? `${fmtRatio(r.linkMs / peerNL)} (${fmtMs(r.linkMs)} vs ${fmtMs(peerNL)})` : "peer not run",
          ok: peerNL !== undefined ? r.linkMs <= peerNL : null,
        })
      }
    }
    const small = raw.find((x) => x["size"] === 100_000)
    const big = raw.find((x) => x["size"] === 1_000_000)
    if (small && big) {
      const scale = big["totalMs"] / small["totalMs"]
      goals.push({ part: "entities", goal: "time(1M) / time(100k) ≤ 12", measured: fmtRatio(scale), ok: scale <= 12 })
    }
    const text = [
      table(["size", "rows", "P", "R", "review", "read+normalise", "link", "total", "peak RSS", "peer P / R", "peer norm+link", "ours (norm+link) ÷ peer", "link ÷ peer"], rows),
      "",
      "Ours: bench/entities.ts (read + normalise with the project's reader and normalisers, then `linkList`).",
      "peer norm+link = pandas normalise= + link= (read excluded); ours read+normalise includes the CSV read.",
    ].join("\n")
    return { text, goals, raw }
  },
}

const WORKBOOK_RSS_GOAL_MB = 1024

/** Issue 5: the observatory workbook for the generated list (real model, builder and renderer), next to the peer's xlsxwriter workbook. */
const workbook: Part = {
  name: "workbook",
  title: "Workbook for the generated MIIT-style list (real `gather` + `Observatory.build` + `Render.render`)",
  run: async (ctx) => {
    const rows = []
    const goals: Array<Goal> = []
    const raw: Array<Record<string, any>> = []
    for await (const { size, peer, m, r } of sizeRuns(ctx, "workbook", "workbook.ts")) {
      raw.push({ size, ...r, peakRssMb: m.peakRssMb, peer })
      const peerMs = peerStageMs(peer, "workbook")
      const vsPeer = peerMs !== undefined ? r.workbookMs / peerMs : undefined
      rows.push([
        sizeLabel(size),
        fmtInt(r.rows),
        fmtMs(r.ingestMs + r.normaliseMs),
        fmtMs(r.buildMs),
        fmtMs(r.renderMs),
        fmtMs(r.workbookMs),
        `${fmtInt(r.xlsxBytes / 1e6)} MB`,
        fmtMs(r.bundleMs),
        fmtMb(r.inputsRssMb),
        fmtMb(r.renderPeakRssMb),
        fmtMb(m.peakRssMb),
        peerMs !== undefined ? fmtMs(peerMs) : "–",
        fmtRatio(vsPeer),
        fmtMb(peer?.peakRssMb),
      ])
      if (size === 1_000_000) {
        goals.push({
          part: "workbook",
          goal: "1M: workbook ≤ 0.5× peer workbook=",
          measured: vsPeer !== undefined ? `${fmtRatio(vsPeer)} (${fmtMs(r.workbookMs)} vs ${fmtMs(peerMs)})` : "peer not run",
          ok: vsPeer !== undefined ? vsPeer <= 0.5 : null,
        })
        goals.push({
          part: "workbook",
          goal: "1M: peak RSS ≤ 1 GB (whole process, list held in memory)",
          measured: fmtMb(m.peakRssMb),
          ok: m.peakRssMb === null ? null : m.peakRssMb <= WORKBOOK_RSS_GOAL_MB,
        })
      }
    }
    const small = raw.find((x) => x["size"] === 100_000)
    const big = raw.find((x) => x["size"] === 1_000_000)
    const growth = small && big ? `; workbook time 1M ÷ 100k = ${fmtRatio(big["workbookMs"] / small["workbookMs"])}` : ""
    const text = [
      table(
        ["size", "rows", "inputs (ingest+normalise)", "model+doc", "render", "workbook", ".xlsx", "data bundle", "RSS inputs held", "RSS peak in render", "peak RSS (process)", "peer workbook=", "× peer", "peer RSS"],
        rows,
      ),
      "",
      "workbook = `gather` + `Observatory.build` + render of the list (the \"MIIT lists\" sheet, plus About, Findings,",
      "Sources …), what `published/workbook` does once its inputs are in memory; the peer's workbook= likewise writes a",
      "frame already in memory (xlsxwriter, constant_memory). inputs = real `ingest(entry)` + `lists` normaliser, untimed",
      "for the goal. render = `Render.prepare`, the data bundle (CSV + JSON beside the workbook, written while worker",
      "threads write the sheet), `Render.write`, as the asset does: the bundle is inside it though the peer writes none;",
      "data bundle is its own span. RSS peak in",
      "render is sampled in-process (25 ms); peak RSS (process) from `time -v` includes the held inputs and the ingest.",
      `peer RSS is the peer's whole run (read, link, workbook, PDF)${growth}.`,
    ].join("\n")
    return { text, goals, raw }
  },
}

/** Issue 5: `iiot refresh` end to end (the built CLI, as a child under `time -v`) on the generated list + registry. */
const e2e: Part = {
  name: "e2e",
  title: "End to end: `iiot refresh` (built CLI) on the generated list + registry, against the peer's whole script",
  run: async (ctx) => {
    const rows = []
    const goals: Array<Goal> = []
    const raw: Array<Record<string, any>> = []
    const failures: Array<string> = []
    for await (const { size, peer, r } of sizeRuns(ctx, "e2e: iiot refresh", "e2e.ts", ["--timeout-min", "15"])) {
      raw.push({ size, ...r, peer })
      const q = r.quality as LinkQuality | null
      const peerTotalMs = peerStageMs(peer, "total")
      const ok = r.code === 0
      const outcome = r.timedOut ? `killed after ${r.timeoutMin} min` : ok ? "published" : `exit ${r.code} (${r.status ?? "no run.json"})`
      rows.push([
        sizeLabel(size),
        outcome,
        fmtMs(r.wallMs),
        fmtMb(r.peakRssMb),
        q ? `${q.precision.toFixed(4)} / ${q.recall.toFixed(4)}` : "–",
        q ? `${(100 * q.reviewShare).toFixed(2)}%` : "–",
        peerTotalMs !== undefined ? fmtMs(peerTotalMs) : "–",
        peer ? fmtMs(peer.wallMs) : "–",
        fmtRatio(peerTotalMs !== undefined ? r.wallMs / peerTotalMs : undefined),
        fmtMb(peer?.peakRssMb),
        fmtRatio(peer?.peakRssMb && r.peakRssMb !== null ? r.peakRssMb / peer.peakRssMb : undefined),
        peer ? `${peer.precision?.toFixed(4)} / ${peer.recall?.toFixed(4)}` : "–",
      ])
      for (const f of r.failures as Array<string>) failures.push(`${sizeLabel(size)}: ${f}`)
      if (!r.timedOut && r.runJson === null) failures.push(`${sizeLabel(size)}: the CLI died (exit ${r.code}) without a run.json; last line: ${r.lastLine ?? "–"}; peak RSS ${fmtMb(r.peakRssMb)}; stderr: ${String(r.stderrTail).split("\n").find((l) => /heap out of memory|Error/.test(l)) ?? String(r.stderrTail).split("\n")[0]}`)
      if (r.timedOut) failures.push(`${sizeLabel(size)}: killed after ${r.timeoutMin} min; last line: ${r.lastLine ?? "–"}; RSS then ${fmtMb(r.rssAtKillMb)}`)
      if (r.qualityNote) failures.push(`${sizeLabel(size)}: link quality not scored: ${r.qualityNote}`)
      if (size === 1_000_000) {
        goals.push({ part: "e2e", goal: "1M: refresh succeeds and publishes", measured: outcome, ok })
        goals.push({
          part: "e2e",
          goal: "1M: wall ≤ 0.5× peer total=",
          measured: peerTotalMs !== undefined ? `${fmtRatio(r.wallMs / peerTotalMs)} (${fmtMs(r.wallMs)} vs ${fmtMs(peerTotalMs)})${ok ? "" : ", run did not finish"}` : "peer not run",
          ok: peerTotalMs !== undefined ? ok && r.wallMs <= 0.5 * peerTotalMs : null,
        })
        goals.push({
          part: "e2e",
          goal: "1M: peak RSS ≤ peer peak RSS",
          measured: peer?.peakRssMb && r.peakRssMb !== null ? `${fmtMb(r.peakRssMb)} vs ${fmtMb(peer.peakRssMb)}${ok ? "" : ", run did not finish"}` : "not measured",
          ok: peer?.peakRssMb && r.peakRssMb !== null ? ok && r.peakRssMb <= peer.peakRssMb : null,
        })
      }
      if (q) goals.push(...linkQualityGoals("e2e", sizeLabel(size), q, "list links "))
    }
    const small = raw.find((x) => x["size"] === 100_000)
    const big = raw.find((x) => x["size"] === 1_000_000)
    if (small && big) {
      const both = small["code"] === 0 && big["code"] === 0
      const scale = big["wallMs"] / small["wallMs"]
      goals.push({ part: "e2e", goal: "wall(1M) / wall(100k) ≤ 12", measured: `${fmtRatio(scale)}${both ? "" : " (a run did not finish)"}`, ok: both && scale <= 12 })
    }
    // Where the time goes: every asset's duration per size, from run.json.
    const keys = [...new Set(raw.flatMap((x) => (x["assets"] as Array<{ key: string }>).map((a) => a.key)))]
    const cell = (x: Record<string, any>, key: string) => {
      const a = (x["assets"] as Array<{ key: string; status: string; durationMs: number | null; rows: number | null }>).find((y) => y.key === key)
      if (!a) return "–"
      return `${a.status === "ran" ? "" : `${a.status} `}${a.status === "blocked" ? "" : fmtMs(a.durationMs)}`.trim()
    }
    const rowsOf = (x: Record<string, any>, key: string) => (x["assets"] as Array<{ key: string; rows: number | null }>).find((y) => y.key === key)?.rows
    const assetRows = keys.map((k) => [k, ...raw.flatMap((x) => [fmtInt(rowsOf(x, k)), cell(x, k)])])
    const rssRows = raw.flatMap((x) =>
      (x["rssSamples"] as Array<[number, number, string]>).length === 0
        ? []
        : [[sizeLabel(x["size"]), (x["rssSamples"] as Array<[number, number, string]>).map(([s, mb]) => `${s}s:${mb}`).join(" ")]],
    )
    const text = [
      table(["size", "outcome", "wall", "peak RSS", "P / R (list links)", "review", "peer total=", "peer wall", "wall ÷ peer total=", "peer RSS", "RSS ÷ peer", "peer P / R"], rows),
      "",
      "wall and peak RSS: the CLI process (`node bin/iiot.mjs refresh --sources … --out … --store …`, Node start included)",
      "under `time -v`; peer total= is the peer script's own timer (Python start and imports excluded), peer wall its whole",
      "process. P / R: the stored `reconciled/list-links` value (asset store, by run.json's fingerprint) against truth.csv.",
      "",
      "Per asset (run.json; `latest/run.json`, or the run folder's when the run failed; the CLI's progress lines when it died):",
      "",
      table(["asset", ...raw.flatMap((x) => [`${sizeLabel(x["size"])} rows`, `${sizeLabel(x["size"])} time`])], assetRows),
      ...(failures.length > 0 ? ["", "What went wrong:", "", ...failures.map((f) => `- ${f}`)] : []),
      ...(rssRows.length > 0 ? ["", "CLI RSS over time (seconds:MB, sampled from /proc):", "", ...rssRows.map(([s, t]) => `- ${s}: ${t}`)] : []),
    ].join("\n")
    return { text, goals, raw }
  },
}

/** Issue 6: the default briefing pack rendered from stored assets, CPU time in one process. */
const pack: Part = {
  name: "pack",
  title: "Default briefing pack from stored assets (what `iiot brief` does), CPU time",
  run: async (ctx) => {
    log("pack …")
    const m = await ctx.runPart("pack.ts", [])
    const r = m.result
    const total = r.totalMs as number
    const text = table(
      ["load stored values", "build + render (first, incl. fonts)", "build + render (again)", "pages", "size", "peak RSS", "goal < 1 s CPU"],
      [[fmtMs(r.loadMs), fmtMs(r.renderMs), fmtMs(r.warmMs), String(r.pages), `${Math.round((r.bytes as number) / 1024)} KB`, fmtMb(m.peakRssMb), `${mark(total < 1000)} (${fmtMs(total)})`]],
    )
    return {
      text,
      goals: [
        { part: "pack", goal: "default pack rendered from stored assets in < 1 s CPU", measured: fmtMs(total), ok: total < 1000 },
        { part: "pack", goal: "default pack ≤ 3 MB", measured: `${Math.round((r.bytes as number) / 1024)} KB`, ok: (r.bytes as number) <= 3_000_000 },
      ],
      raw: { ...r, peakRssMb: m.peakRssMb },
    }
  },
}

/** The registry: `--only` picks from these names, and they run in this order. */
const parts: ReadonlyArray<Part> = [engine, coldstart, ingest, entities, workbook, e2e, pack]

// ---------------------------------------------------------------------------------------------
// Orchestration.

const parseSize = (s: string): number => {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(s.trim())
  if (!m) throw new Error(`--sizes: "${s}" is not a row count (e.g. 100000, 100k, 1M)`)
  const n = Number(m[1]) * (m[2] === "" ? 1 : m[2]!.toLowerCase() === "k" ? 1000 : 1_000_000)
  return Math.round(n)
}

const usage = `usage: npm run bench -- [--sizes 100000,1000000] [--only ${parts.map((p) => p.name).join(",")}] [--phases] [--fresh-peer] [--repeats 5]`

const main = async () => {
  const argv = process.argv.slice(2)
  const opt = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`)
    return i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3)
  }
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${usage}\n`)
    return 0
  }
  let sizes: Array<number>
  try {
    sizes = (opt("sizes") ?? "100000,1000000").split(",").map(parseSize)
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${usage}\n`)
    return 2
  }
  const only = opt("only")?.split(",").map((s) => s.trim())
  const unknown = only?.filter((n) => !parts.some((p) => p.name === n)) ?? []
  if (unknown.length > 0) {
    process.stderr.write(`unknown part(s): ${unknown.join(", ")}\n${usage}\n`)
    return 2
  }
  const selected = parts.filter((p) => only === undefined || only.includes(p.name))
  mkdirSync(cacheRoot, { recursive: true })

  // The peer's figures are cached per data set; --fresh-peer measures it again in this run.
  const freshPeer = argv.includes("--fresh-peer")
  const peerProblem = peerUnavailable()
  if (peerProblem !== undefined) {
    process.stderr.write(`\n[bench] the pandas peer cannot run, so its columns are skipped:\n${peerProblem}\n\n`)
  }
  if (!hasGnuTime()) process.stderr.write("[bench] GNU time (/usr/bin/time, Debian package `time`) is missing: peak RSS columns are skipped.\n")

  const dataCache = new Map<number, Promise<string>>()
  const peerCache = new Map<number, Promise<PeerResult | undefined>>()
  const ctx: BenchContext = {
    sizes,
    repeats: Number(opt("repeats") ?? 5),
    phases: argv.includes("--phases"),
    data: (rows) => {
      if (!dataCache.has(rows)) dataCache.set(rows, ensureData(rows))
      return dataCache.get(rows)!
    },
    peer: (rows) => {
      if (peerProblem !== undefined) return Promise.resolve(undefined)
      if (!peerCache.has(rows)) peerCache.set(rows, ctx.data(rows).then((dir) => peerFor(rows, dir, freshPeer)))
      return peerCache.get(rows)!
    },
    runPart: async (file, args) => {
      const m = await measure(process.execPath, [...tsPart(file), ...args])
      const result = m.results[m.results.length - 1]
      if (m.code !== 0 || result === undefined) {
        throw new Error(`bench/${file} ${args.join(" ")} exited ${m.code} without a BENCH line:\n${m.stderr.trim().split("\n").slice(-15).join("\n")}`)
      }
      return { ...m, result }
    },
  }

  const started = new Date()
  const header = [
    `# iiot-observatory bench — ${started.toISOString()}`,
    "",
    `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim() ?? "cpu"}, ${fmtMb(totalmem() / 2 ** 20)} RAM, load average at start ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" / ")}.`,
    `Sizes: ${sizes.map(sizeLabel).join(", ")}; parts: ${selected.map((p) => p.name).join(", ")}; data cached in ${cacheRoot}.`,
    "Timings vary run to run on a shared machine: compare the ratios against the peer measured in this same run.",
  ].join("\n")
  process.stdout.write(`${header}\n`)

  const goals: Array<Goal> = []
  const record: Record<string, unknown> = { started: started.toISOString(), sizes, node: process.version, load: loadavg() }
  let crashed = 0
  for (const part of selected) {
    process.stdout.write(`\n## ${part.title}\n\n`)
    try {
      const section = await part.run(ctx)
      process.stdout.write(`${section.text}\n`)
      goals.push(...section.goals)
      record[part.name] = section.raw
    } catch (e) {
      crashed++
      process.stdout.write(`part \`${part.name}\` failed: ${e instanceof Error ? e.message : String(e)}\n`)
    }
  }
  const peers = await Promise.all(sizes.filter((s) => peerCache.has(s)).map(async (s) => [s, await peerCache.get(s)!.catch(() => undefined)] as const))
  const peerRows = peers.filter(([, p]) => p !== undefined)
  if (peerRows.length > 0) {
    process.stdout.write("\n## The pandas peer (../shared/bench/peer_pandas.py), same data\n\n")
    const stages = ["read", "normalise", "link", "workbook", "pdf", "total"]
    process.stdout.write(
      `${table(
        ["size", ...stages, "P / R", "peak RSS", "measured"],
        peerRows.map(([s, p]) => [
          sizeLabel(s),
          ...stages.map((k) => fmtMs((p!.stages[k] ?? NaN) * 1000)),
          `${p!.precision?.toFixed(4)} / ${p!.recall?.toFixed(4)}`,
          fmtMb(p!.peakRssMb),
          p!.cached ? "earlier run (cached)" : "this run",
        ]),
      )}\n`,
    )
  }
  if (goals.length > 0) {
    process.stdout.write("\n## Goals\n\n")
    process.stdout.write(`${table(["part", "goal", "measured", "result"], goals.map((g) => [g.part, g.goal, g.measured, mark(g.ok)]))}\n`)
  }
  const secs = (Date.now() - started.getTime()) / 1000
  process.stdout.write(`\nFinished in ${secs.toFixed(0)} s; load average at end ${loadavg().map((l) => l.toFixed(2)).join(" / ")}.\n`)
  record["goals"] = goals
  writeFileSync(join(cacheRoot, "last-run.json"), JSON.stringify(record, null, 2))
  process.stdout.write(`Raw figures: ${join(cacheRoot, "last-run.json")}\n`)
  return crashed > 0 ? 1 : 0
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`bench: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`)
    process.exit(1)
  },
)
