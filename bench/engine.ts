/**
 * Engine overhead, no domain: a synthetic graph of no-op assets (a chain, or a wide fan) run
 * through the real engine (Definitions, Runner, SQLite RunStore, on-disk AssetStore) in a temp
 * folder. Measures the first refresh (everything runs) and fully cached ones (everything skipped).
 *
 *   node --import tsx bench/engine.ts --shape chain|fan [--assets 1000] [--cached-repeats 3]
 *
 * Prints one `BENCH {json}` line; times are wall milliseconds inside this process.
 */
import { Effect, Layer, ManagedRuntime } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { join } from "node:path"
import * as Asset from "../pipeline/engine/AssetSpec.js"
import * as AssetStore from "../pipeline/engine/AssetStore.js"
import * as Definitions from "../pipeline/engine/Definitions.js"
import * as RunStore from "../pipeline/engine/RunStore.js"
import * as Runner from "../pipeline/engine/Runner.js"
import { cacheRoot, emit, median, now, parseArgs } from "./lib.js"

/** The two graph shapes of the issue. */
type Shape = "chain" | "fan"

const noop = () => Effect.succeed({ value: null })

/** `n` no-op assets: a chain (each depends on the previous) or a fan (root → n-2 middles → sink). */
const graph = (shape: Shape, n: number): ReadonlyArray<Asset.AnyAsset> => {
  const pad = (i: number) => String(i).padStart(4, "0")
  if (shape === "chain") {
    return Array.from({ length: n }, (_, i) =>
      Asset.fromKeys({ key: `chain/a${pad(i)}`, deps: i === 0 ? [] : [`chain/a${pad(i - 1)}`], run: noop }),
    )
  }
  const middles = Array.from({ length: n - 2 }, (_, i) => `fan/m${pad(i)}`)
  return [
    Asset.fromKeys({ key: "fan/root", run: noop }),
    ...middles.map((key) => Asset.fromKeys({ key, deps: ["fan/root"], run: noop })),
    Asset.fromKeys({ key: "fan/sink", deps: middles, run: noop }),
  ]
}

const main = async () => {
  const args = parseArgs(process.argv.slice(2))
  const shape = (args["shape"] ?? "chain") as Shape
  if (shape !== "chain" && shape !== "fan") throw new Error(`--shape must be chain or fan, not ${shape}`)
  const n = Number(args["assets"] ?? 1000)
  const repeats = Number(args["cached-repeats"] ?? 3)
  const dir = mkdtempSync(join(cacheRoot, `engine-${shape}-`))
  const layer = Layer.merge(RunStore.layer(join(dir, "runs.sqlite")), AssetStore.layer(join(dir, "assets")))
  const options: Runner.RefreshOptions = { command: `bench ${shape}`, force: false, out: join(dir, "latest"), concurrency: 2, lockWait: "0 millis" }

  // Opening the store (SQLite open + migrations) is timed apart: it is per process, not per refresh.
  let t = now()
  const runtime = ManagedRuntime.make(layer)
  await runtime.runPromise(Effect.void)
  const openMs = now() - t

  t = now()
  const defs = await runtime.runPromise(Definitions.make(graph(shape, n)))
  const defineMs = now() - t

  const timed = async <A>(eff: Effect.Effect<A, any, RunStore.RunStore | AssetStore.AssetStore>) => {
    const start = now()
    const value = await runtime.runPromise(eff)
    return { value, ms: now() - start }
  }
  const count = (outcomes: ReadonlyArray<{ readonly status: string }>, status: string) => outcomes.filter((o) => o.status === status).length

  const coldPlan = await timed(Runner.preview(defs, { force: false }))
  const cold = await timed(Runner.refresh(defs, options))
  const cachedPlans: Array<number> = []
  const cachedRefreshes: Array<number> = []
  let skipped = 0
  for (let i = 0; i < repeats; i++) {
    const plan = await timed(Runner.preview(defs, { force: false }))
    cachedPlans.push(plan.ms)
    const run = await timed(Runner.refresh(defs, options))
    cachedRefreshes.push(run.ms)
    skipped = count(run.value.outcomes, "skipped")
    if (plan.value.entries.some((e) => e.action !== "skip")) throw new Error("a cached plan wanted to run an asset")
  }
  await runtime.dispose()
  rmSync(dir, { recursive: true, force: true })

  emit({
    part: "engine",
    shape,
    assets: n,
    openMs,
    defineMs,
    coldPlanMs: coldPlan.ms,
    coldRefreshMs: cold.ms,
    coldRan: count(cold.value.outcomes, "ran"),
    coldStatus: cold.value.status,
    cachedPlanMs: cachedPlans[0],
    cachedRefreshMs: cachedRefreshes[0],
    cachedPlanMedianMs: median(cachedPlans),
    cachedRefreshMedianMs: median(cachedRefreshes),
    cachedSkipped: skipped,
    repeats,
  })
}

main().catch((e) => {
  process.stderr.write(`bench/engine: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`)
  process.exit(1)
})
