/**
 * Bench part: the default briefing pack rendered from stored assets (what `iiot brief` does):
 * CPU time to load the stored values, build the PackDoc and render the PDF, in one process.
 * Prints `BENCH {json}`. Usage: node --import tsx bench/pack.ts
 */
import { Effect } from "effect"
import { cpSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import * as Graph from "../pipeline/assets/graph.js"
import * as Model from "../pipeline/assets/published/model.js"
import * as Pack from "../pipeline/assets/published/pack.js"
import * as Layers from "../pipeline/cli/layers.js"
import * as Runner from "../pipeline/engine/Runner.js"
import { emit } from "./lib.js"

const repo = resolve(import.meta.dirname, "..")
const dir = mkdtempSync(join(tmpdir(), "iiot-bench-pack-"))
cpSync(join(repo, "sources"), join(dir, "sources"), { recursive: true })
const paths = { sources: join(dir, "sources"), store: join(dir, "out/.iiot/runs.sqlite") }

const cpuMs = (since: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(since)
  return (u.user + u.system) / 1000
}

const program = Effect.gen(function* () {
  const { defs, publication } = yield* Graph.build(paths.sources)
  yield* Runner.refresh(defs, { command: "bench", force: false, out: join(dir, "out/latest"), concurrency: 2, lockWait: "5 seconds" })
  const t0 = process.cpuUsage()
  // As `iiot brief` loads them: a value the store does not keep is computed again from stored ones.
  const keys = [publication.summary, ...Object.values(publication.clean), ...Object.values(publication.reconciled)]
  const values = yield* Runner.lastValues(defs, keys)
  const missing = keys.filter((key) => !values.has(key))
  if (missing.length > 0) throw new Error(`no stored value for ${missing.join(", ")}`)
  const loadMs = cpuMs(t0)
  const t1 = process.cpuUsage()
  const keyOf: Record<string, string> = { summary: publication.summary, ...publication.clean, ...publication.reconciled }
  const data = Model.gatherNamed((name) => values.get(keyOf[name]!), { dataVersion: "bench", taiwanPolicy: "separate" })
  const { pdf } = yield* Pack.renderPack(join(repo, "templates/briefing", Pack.DEFAULT_TEMPLATE), data, {})
  const renderMs = cpuMs(t1)
  const t2 = process.cpuUsage()
  yield* Pack.renderPack(join(repo, "templates/briefing", Pack.DEFAULT_TEMPLATE), data, {})
  const warmMs = cpuMs(t2)
  return { loadMs, renderMs, warmMs, pages: pdf.pages, bytes: pdf.bytes.length }
}).pipe(Effect.provide(Layers.pipeline(paths)))

const r = await Effect.runPromise(program).finally(() => rmSync(dir, { recursive: true, force: true }))
emit({ part: "pack", ...r, totalMs: r.loadMs + r.renderMs })
