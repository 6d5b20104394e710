/**
 * `iiot refresh` end to end on the generated extracts: the MIIT-style list (`miit-list`) and the
 * company registry (`reference`) get sidecars in a temp sources folder, and the BUILT CLI
 * (`node bin/iiot.mjs refresh`, the esbuild bundle `npm run bench` builds first) runs on it as a
 * child under GNU `time -v`, so wall time, exit code and peak RSS are those of the CLI process
 * (time's peak RSS covers the process it started and the CLI that one starts, see bin/iiot.mjs).
 * Afterwards: per-asset durations from run.json (`<out>/latest/run.json`, or the run folder's
 * when the run failed), and the link quality of the stored `reconciled/list-links` value (read
 * from the asset store by the fingerprint run.json gives) scored against truth.csv.
 *
 *   node --import tsx bench/e2e.ts --data DIR [--timeout-min 15] [--keep]
 *
 * A run over the timeout is killed (its process group) and reported as such, with the last asset
 * seen finishing and the CLI's RSS at the time, so the bench always finishes.
 * Prints one `BENCH {json}` line.
 */
import { spawn } from "node:child_process"
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { basename, join } from "node:path"
import { readValue } from "../pipeline/engine/ValueCodec.js"
import { VALUE_FILE } from "../pipeline/engine/AssetStore.js"
import type { ListLinkResult } from "../pipeline/reconcile/entities/ListLink.js"
import { cacheRoot, emit, gnuTime, hasGnuTime, now, parseArgs, parsePeakRss, repoRoot, writeBenchSources } from "./lib.js"
import { type LinkQuality, scoreLinks } from "./truth.js"

/** Current and peak RSS (MB) of a process, from /proc (Linux); undefined when it is gone. */
const procRss = (pid: number): { rssMb: number; hwmMb: number } | undefined => {
  try {
    const s = readFileSync(`/proc/${pid}/status`, "utf8")
    const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(s)?.[1] ?? NaN)
    return { rssMb: kb("VmRSS") / 1024, hwmMb: kb("VmHWM") / 1024 }
  } catch {
    return undefined
  }
}

/** The first child of `pid` (e.g. the node process under `time`), found through /proc. */
const childOf = (pid: number): number | undefined => {
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const kids = readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim()
      if (kids !== "") return Number(kids.split(/\s+/)[0])
    }
  } catch {
    // gone already
  }
  return undefined
}

/**
 * The CLI process: the last in the chain of only children under `pid` (`time`, then `bin/iiot.mjs`,
 * which on Linux starts the CLI again with its malloc setting); `pid` itself when it has none.
 */
const cliUnder = (pid: number): number => {
  let cur = pid
  for (let next = childOf(cur); next !== undefined; next = childOf(cur)) cur = next
  return cur
}

interface CliRun {
  readonly code: number | null
  readonly signal: string | null
  readonly wallMs: number
  readonly peakRssMb: number | null
  readonly timedOut: boolean
  readonly stdout: string
  readonly stderr: string
  /** The last `ran`/`failed` line the CLI printed before it ended or was killed. */
  readonly lastLine: string | undefined
  /** RSS of the CLI when it was killed (timeout), MB. */
  readonly rssAtKillMb: number | undefined
  /** RSS samples of the CLI (every second): [seconds since start, MB, last asset line]. */
  readonly samples: ReadonlyArray<readonly [number, number, string]>
}

const runCli = (ws: string, timeoutMs: number): Promise<CliRun> =>
  new Promise((resolvePromise, reject) => {
    const timeFile = join(ws, "time.txt")
    const cli = [
      join(repoRoot, "bin", "iiot.mjs"),
      "refresh",
      "--sources",
      join(ws, "sources"),
      "--out",
      join(ws, "out", "latest"),
      "--store",
      join(ws, "out", ".iiot", "runs.sqlite"),
    ]
    const withTime = hasGnuTime()
    const [cmd, argv] = withTime ? [gnuTime, ["-v", "-o", timeFile, process.execPath, ...cli]] : [process.execPath, cli]
    const started = now()
    // Its own process group, so a timeout kills `time` and the CLI under it together.
    const child = spawn(cmd, argv, { cwd: ws, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"], detached: true })
    let stdout = ""
    let stderr = ""
    let lastLine: string | undefined
    const samples: Array<readonly [number, number, string]> = []
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d
      for (const l of d.split("\n")) if (/^(ran|failed|blocked|skipped)\s/.test(l.trim())) lastLine = l.trim().replace(/\s+/g, " ")
    })
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d))
    let cliPid: number | undefined
    let timedOut = false
    let rssAtKillMb: number | undefined
    const sampler = setInterval(() => {
      // Until the CLI has started, the deepest process is still `time` or the launcher: looked up at every sample.
      cliPid = cliUnder(child.pid!)
      const r = procRss(cliPid)
      if (r) samples.push([Math.round((now() - started) / 1000), Math.round(r.rssMb), lastLine ?? "(starting)"])
    }, 1000)
    const timer = setTimeout(() => {
      timedOut = true
      const r = cliPid === undefined ? undefined : procRss(cliPid)
      rssAtKillMb = r?.rssMb
      try {
        process.kill(-child.pid!, "SIGKILL")
      } catch {
        // already gone
      }
    }, timeoutMs)
    child.on("error", reject)
    child.on("close", (code, signal) => {
      clearInterval(sampler)
      clearTimeout(timer)
      const wallMs = now() - started
      let peakRssMb: number | null = null
      if (withTime && existsSync(timeFile)) peakRssMb = parsePeakRss(readFileSync(timeFile, "utf8"))
      // A killed run leaves no time report: the last /proc sample's high-water mark stands in.
      if (peakRssMb === null && samples.length > 0) peakRssMb = Math.max(...samples.map((s) => s[1]))
      resolvePromise({ code, signal, wallMs, peakRssMb, timedOut, stdout, stderr, lastLine, rssAtKillMb, samples })
    })
  })

/** The run.json of the run: `latest` when it published, else the newest run folder's. */
const readRunJson = (ws: string): { file: string; run: Record<string, any> } | undefined => {
  const latest = join(ws, "out", "latest", "run.json")
  if (existsSync(latest)) return { file: latest, run: JSON.parse(readFileSync(latest, "utf8")) }
  const runs = join(ws, "out", "runs")
  if (!existsSync(runs)) return undefined
  const newest = readdirSync(runs)
    .filter((d) => existsSync(join(runs, d, "run.json")))
    .sort()
    .at(-1)
  return newest === undefined ? undefined : { file: join(runs, newest, "run.json"), run: JSON.parse(readFileSync(join(runs, newest, "run.json"), "utf8")) }
}

const main = async () => {
  const args = parseArgs(process.argv.slice(2))
  const data = args["data"]
  if (!data || !existsSync(join(data, "truth.csv"))) throw new Error(`--data DIR is required (a folder written by gen-extracts.mjs); got ${data}`)
  if (!existsSync(join(repoRoot, "dist", "iiot.js"))) throw new Error("dist/iiot.js is missing: build the CLI first (npm run build; npm run bench does)")
  const timeoutMs = Number(args["timeout-min"] ?? 15) * 60_000
  mkdirSync(cacheRoot, { recursive: true })
  const ws = mkdtempSync(join(cacheRoot, `e2e-${basename(data)}-`))
  try {
    // The product's bundled sources plus the generated list and registry: the default pack needs the
    // real platforms, lighthouses and spending figures, as a real deployment has them.
    cpSync(join(repoRoot, "sources"), join(ws, "sources"), { recursive: true })
    writeBenchSources(data, join(ws, "sources"))
    const cli = await runCli(ws, timeoutMs)
    const found = readRunJson(ws)
    const assets: Array<{ key: string; status: string; rows: number | null; durationMs: number | null; fingerprint?: string; note?: string }> = ((found?.run["assets"] ?? []) as Array<Record<string, any>>).map((a) => ({
      key: a.key as string,
      status: a.status as string,
      rows: (a.rows ?? null) as number | null,
      durationMs: (a.durationMs ?? null) as number | null,
      ...(a.fingerprint !== undefined ? { fingerprint: a.fingerprint as string } : {}),
      // Why it failed or was blocked; a ran asset's "why" ("never materialised") says nothing here.
      ...(a.status !== "ran" && a.status !== "skipped" && (a.error ?? a.message ?? a.why) !== undefined ? { note: String(a.error ?? a.message ?? a.why).slice(0, 200) } : {}),
    }))
    // A run that crashed (out of memory) or was killed writes no run.json: the CLI's progress lines
    // (`ran <key>  <n> rows  <t> ms`) still say which assets finished and how long each took.
    if (found === undefined) {
      for (const l of cli.stdout.split("\n")) {
        const m = /^(ran|failed|skipped)\s+(\S+)\s+(?:([\d,]+) rows\s+)?(?:([\d.]+) (ms|s))?/.exec(l.trim())
        if (!m) continue
        const ms = m[4] === undefined ? null : Number(m[4]) * (m[5] === "s" ? 1000 : 1)
        assets.push({ key: m[2]!, status: m[1]!, rows: m[3] === undefined ? null : Number(m[3].replace(/,/g, "")), durationMs: ms })
      }
    }
    // Link quality from the stored value, whether or not the run as a whole published.
    let quality: LinkQuality | undefined
    let qualityNote: string | undefined
    const ll = assets.find((a) => a.key === "reconciled/list-links")
    // Without run.json (a crashed run) there is no fingerprint; a fresh store holds at most one value.
    const llDir = join(ws, "out", ".iiot", "assets", "reconciled", "list-links")
    const fp = ll?.fingerprint ?? (existsSync(llDir) ? readdirSync(llDir).filter((d) => existsSync(join(llDir, d, VALUE_FILE))) : []).at(0)
    const value = fp === undefined ? undefined : join(llDir, fp, VALUE_FILE)
    if (value !== undefined && existsSync(value)) quality = await scoreLinks(data, readValue(value) as ListLinkResult)
    else qualityNote = `no stored reconciled/list-links value (${ll === undefined ? "asset not in run.json" : `status ${ll.status}`})`
    const failureLines = cli.stdout
      .split("\n")
      .filter((l) => /^(failed|blocked)\s/.test(l.trim()))
      .map((l) => l.trim().replace(/\s+/g, " "))
    emit({
      part: "e2e",
      data,
      code: cli.code,
      signal: cli.signal,
      timedOut: cli.timedOut,
      timeoutMin: timeoutMs / 60_000,
      wallMs: Math.round(cli.wallMs),
      peakRssMb: cli.peakRssMb === null ? null : Math.round(cli.peakRssMb),
      rssAtKillMb: cli.rssAtKillMb === undefined ? null : Math.round(cli.rssAtKillMb),
      lastLine: cli.lastLine ?? null,
      status: found?.run["status"] ?? null,
      runJson: found?.file ?? null,
      assets,
      failures: failureLines,
      quality: quality ?? null,
      qualityNote: qualityNote ?? null,
      // RSS over time, thinned to at most ~60 points, with the last asset line seen at each.
      rssSamples: cli.samples.filter((_, i, a) => i % Math.max(1, Math.ceil(a.length / 60)) === 0 || i === a.length - 1),
      // V8's "FATAL ERROR … heap out of memory" line comes before its stack trace: keep it first.
      stderrTail:
        cli.code === 0
          ? ""
          : [...cli.stderr.split("\n").filter((l) => /FATAL ERROR|out of memory/.test(l)).slice(0, 1), ...cli.stderr.trim().split("\n").slice(-8)].join("\n"),
    })
  } finally {
    if (args["keep"] === undefined) rmSync(ws, { recursive: true, force: true })
  }
}

main().catch((e) => {
  process.stderr.write(`bench/e2e: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`)
  process.exit(1)
})
