/**
 * Cold start: wall time of whole processes, as an analyst feels it. Median of N runs each of
 * `node -e 0` (the floor on this machine), `iiot --help`, and a fully cached `iiot refresh` on
 * the bundled sources (run once first to fill the cache, in a temp folder). Peak RSS comes from
 * one extra run of each under GNU `time -v`.
 *
 *   node --import tsx bench/coldstart.ts [--repeats 5]
 *
 * Needs the CLI bundle (dist/iiot.js, `npm run build`). Prints one `BENCH {json}` line.
 */
import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { join } from "node:path"
import { cacheRoot, emit, measure, median, now, parseArgs, repoRoot } from "./lib.js"

/** One timed command line. */
interface Case {
  readonly name: string
  readonly args: ReadonlyArray<string>
}

const runOnce = (args: ReadonlyArray<string>): number => {
  const started = now()
  const r = spawnSync(process.execPath, args, { cwd: repoRoot, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" })
  const ms = now() - started
  if (r.status !== 0) throw new Error(`\`node ${args.join(" ")}\` exited ${r.status}:\n${r.stderr}`)
  return ms
}

const main = async () => {
  const args = parseArgs(process.argv.slice(2))
  const repeats = Number(args["repeats"] ?? 5)
  const cli = join(repoRoot, "bin", "iiot.mjs")
  if (!existsSync(join(repoRoot, "dist", "iiot.js"))) throw new Error("dist/iiot.js is missing; run `npm run build` first")
  const dir = mkdtempSync(join(cacheRoot, "coldstart-"))
  const refresh = ["refresh", "--sources", join(repoRoot, "sources"), "--out", join(dir, "latest"), "--store", join(dir, ".iiot", "runs.sqlite")]
  const cases: ReadonlyArray<Case> = [
    { name: "node -e 0", args: ["-e", "0"] },
    { name: "iiot --help", args: [cli, "--help"] },
    { name: "iiot refresh (fully cached)", args: [cli, ...refresh] },
  ]
  // The first refresh runs every asset and fills the store; only the cached ones are timed.
  const fillMs = runOnce([cli, ...refresh])
  const results = []
  for (const c of cases) {
    runOnce(c.args) // warm the OS file cache, as on an analyst's second command
    const samples = Array.from({ length: repeats }, () => runOnce(c.args))
    const rss = await measure(process.execPath, c.args)
    results.push({ name: c.name, medianMs: median(samples), minMs: Math.min(...samples), samples, peakRssMb: rss.peakRssMb })
  }
  rmSync(dir, { recursive: true, force: true })
  emit({ part: "coldstart", repeats, fillMs, cases: results })
}

main().catch((e) => {
  process.stderr.write(`bench/coldstart: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`)
  process.exit(1)
})
