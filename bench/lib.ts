/**
 * Shared helpers of the bench harness: where things are, how a measured child process is run
 * (under GNU `time -v`, so peak RSS is taken from outside the process), the `BENCH {json}` line
 * protocol between parts and `main.ts`, the cached synthetic data and the cached pandas peer,
 * and the generated files' sources folder the parts share (truth scoring: see truth.ts).
 * This is tooling, not pipeline code: throwing is fine here.
 */
import { spawn, spawnSync } from "node:child_process"
import { copyFileSync, existsSync, linkSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

/** The repository root (the folder holding `bench/`), wherever the clone lives. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..")
/** `../shared/bench` beside the repository: the data generator and the pandas peer. */
const sharedBench = resolve(repoRoot, "../shared/bench")
/** The generator of synthetic extracts with ground truth. */
const genScript = join(sharedBench, "gen-extracts.mjs")
/** The pandas peer script. */
const peerScript = join(sharedBench, "peer_pandas.py")
/** Cache of generated data, peer outputs and scratch folders, kept between bench runs. */
export const cacheRoot = join(tmpdir(), "iiot-bench")
/** GNU time, for peak RSS measured from outside. */
export const gnuTime = "/usr/bin/time"
/** The Python the peer needs: Debian's, where python3-pandas installs, unless IIOT_BENCH_PYTHON names another. */
export const peerPython = process.env["IIOT_BENCH_PYTHON"] ?? "/usr/bin/python3"

/** Prints the one machine-readable line a measured part hands back to `main.ts`. */
export const emit = (result: Record<string, unknown>): void => {
  process.stdout.write(`BENCH ${JSON.stringify(result)}\n`)
}

/** Milliseconds since an arbitrary origin, sub-millisecond resolution. */
export const now = (): number => performance.now()

/** Median of a non-empty list. */
export const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/** `--name value` pairs and bare `--flag`s from an argv tail. */
export const parseArgs = (argv: ReadonlyArray<string>): Record<string, string> => {
  const out: Record<string, string> = {}
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (!a.startsWith("--")) continue
    const eq = a.indexOf("=")
    if (eq > 0) out[a.slice(2, eq)] = a.slice(eq + 1)
    else if (i + 1 < argv.length && !argv[i + 1]!.startsWith("--")) out[a.slice(2)] = argv[++i]!
    else out[a.slice(2)] = "true"
  }
  return out
}

/** What a measured child process did. */
export interface Measured {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
  /** Wall time seen by the parent, ms. */
  readonly wallMs: number
  /** Peak resident set size in MB, from `time -v`; null when GNU time is not available. */
  readonly peakRssMb: number | null
  /** Parsed `BENCH {json}` lines, in order. */
  readonly results: ReadonlyArray<Record<string, any>>
}

/** True when GNU time is installed (it is a Debian package, `time`). */
export const hasGnuTime = (): boolean => existsSync(gnuTime)

/** Parses "Maximum resident set size (kbytes): N" from `time -v` output. */
export const parsePeakRss = (timeOutput: string): number | null => {
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(timeOutput)
  return m ? Number(m[1]) / 1024 : null
}

/** The `BENCH {json}` lines of a part's stdout. */
const parseBenchLines = (stdout: string): Array<Record<string, any>> =>
  stdout
    .split("\n")
    .filter((l) => l.startsWith("BENCH "))
    .map((l) => JSON.parse(l.slice(6)) as Record<string, any>)

/**
 * Runs a command as a child under `time -v` (time's report goes to a file of its own, so the
 * child's stderr stays readable). Output is collected, and stderr is echoed when `echo` is set.
 */
export const measure = (
  command: string,
  args: ReadonlyArray<string>,
  options: { readonly cwd?: string; readonly echoStderr?: boolean; readonly env?: NodeJS.ProcessEnv } = {},
): Promise<Measured> =>
  new Promise((resolvePromise, reject) => {
    mkdirSync(cacheRoot, { recursive: true })
    const timeFile = join(cacheRoot, `time-${process.pid}-${Math.random().toString(36).slice(2)}.txt`)
    const withTime = hasGnuTime()
    const [cmd, argv] = withTime ? [gnuTime, ["-v", "-o", timeFile, command, ...args]] : [command, [...args]]
    const started = now()
    const child = spawn(cmd, argv, { cwd: options.cwd ?? repoRoot, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d))
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d
      if (options.echoStderr) process.stderr.write(d)
    })
    child.on("error", reject)
    child.on("close", (code) => {
      const wallMs = now() - started
      let peakRssMb: number | null = null
      if (withTime && existsSync(timeFile)) {
        peakRssMb = parsePeakRss(readFileSync(timeFile, "utf8"))
        rmSync(timeFile, { force: true })
      }
      let results: Array<Record<string, any>> = []
      try {
        results = parseBenchLines(stdout)
      } catch (e) {
        stderr += `\n(bench: unparsable BENCH line: ${String(e)})`
      }
      resolvePromise({ code: code ?? 1, stdout, stderr, wallMs, peakRssMb, results })
    })
  })

/** Node arguments that run a TypeScript bench part (tsx loader), plus extra node flags. */
export const tsPart = (file: string, nodeFlags: ReadonlyArray<string> = []): Array<string> => [...nodeFlags, "--import", "tsx", join(repoRoot, "bench", file)]

/** Log line to stderr (progress), so stdout stays for tables and BENCH lines. */
export const log = (message: string): void => {
  process.stderr.write(`[bench] ${message}\n`)
}

// ---------------------------------------------------------------------------------------------
// Synthetic data and the pandas peer, both cached under cacheRoot.

/** Folder of the cached synthetic extracts for a size. */
const dataDir = (rows: number): string => join(cacheRoot, `ex${rows}`)

/**
 * Generated extracts for a size, generated once and reused: the generator writes into a
 * `.partial` folder that is renamed only when complete, so a killed run never leaves a half set.
 */
export const ensureData = async (rows: number): Promise<string> => {
  const dir = dataDir(rows)
  if (existsSync(join(dir, "truth.csv"))) return dir
  if (!existsSync(genScript)) throw new Error(`the data generator is missing: ${genScript} (expected ../shared/bench beside the repository)`)
  const partial = `${dir}.partial`
  rmSync(partial, { recursive: true, force: true })
  log(`generating ${rows.toLocaleString("en")} rows into ${dir} (1M rows take about 40 s) …`)
  const r = await measure(process.execPath, [genScript, "--rows", String(rows), "--out", partial])
  if (r.code !== 0) throw new Error(`gen-extracts failed (exit ${r.code}):\n${r.stderr}`)
  rmSync(dir, { recursive: true, force: true })
  renameSync(partial, dir)
  return dir
}

/** Bytes of a file. */
export const fileBytes = (file: string): number => statSync(file).size

/** Stage timings and link quality printed by the pandas peer. */
export interface PeerResult {
  /** Seconds per stage: read, normalise, link, workbook, pdf, total. */
  readonly stages: Readonly<Record<string, number>>
  readonly rows: number | null
  readonly precision: number | null
  readonly recall: number | null
  /** Peak RSS of the peer process, MB (null when unknown). */
  readonly peakRssMb: number | null
  /** Wall time of the whole peer process (Python start and imports included), ms. */
  readonly wallMs: number
  /** True when read from the cache instead of measured in this run. */
  readonly cached: boolean
}

/** Why the peer cannot run here, or undefined when it can. */
export const peerUnavailable = (): string | undefined => {
  if (!existsSync(peerScript)) return `the peer script is missing: ${peerScript}`
  if (!existsSync(peerPython)) return `${peerPython} is missing; install Python 3 (apt-get install -y python3)`
  const probe = spawnSync(peerPython, ["-c", "import pandas, xlsxwriter, reportlab, matplotlib"], { encoding: "utf8" })
  if (probe.status !== 0) {
    return (
      "the pandas peer needs Debian's python3-pandas, python3-xlsxwriter, python3-reportlab and python3-matplotlib:\n" +
      "  sudo apt-get install -y python3-pandas python3-xlsxwriter python3-reportlab python3-matplotlib\n" +
      `(${(probe.stderr || "").trim().split("\n").pop()})`
    )
  }
  return undefined
}

/** Parses the peer's two output lines. */
const parsePeer = (text: string): Omit<PeerResult, "peakRssMb" | "wallMs" | "cached"> => {
  const stages: Record<string, number> = {}
  for (const m of text.matchAll(/(\w+)=([\d.]+)s\b/g)) stages[m[1]!] = Number(m[2])
  const num = (re: RegExp) => {
    const m = re.exec(text)
    return m ? Number(m[1]) : null
  }
  return { stages, rows: num(/rows=(\d+)/), precision: num(/precision=([\d.]+)/), recall: num(/recall=([\d.]+)/) }
}

/** A cache key for a data folder: its path plus the size and mtime of its files. */
const dataKey = (dir: string): string =>
  [dir, ...readdirSync(dir).sort().map((f) => `${f}:${statSync(join(dir, f)).size}:${Math.round(statSync(join(dir, f)).mtimeMs)}`)].join("|")

/**
 * The peer's figures for a data folder: measured once per size and data set, then reused from
 * `peer<rows>.txt` (the first line holds the data key, so regenerated data re-runs the peer);
 * `fresh` measures it again (for ratios taken under the same machine load).
 */
export const peerFor = async (rows: number, dir: string, fresh = false): Promise<PeerResult> => {
  const cacheFile = join(cacheRoot, `peer${rows}.txt`)
  const key = dataKey(dir)
  if (!fresh && existsSync(cacheFile)) {
    const [first, ...rest] = readFileSync(cacheFile, "utf8").split("\n")
    if (first === `data=${key}`) {
      const meta = JSON.parse(rest[0] ?? "{}") as { peakRssMb?: number | null; wallMs?: number }
      return { ...parsePeer(rest.slice(1).join("\n")), peakRssMb: meta.peakRssMb ?? null, wallMs: meta.wallMs ?? 0, cached: true }
    }
  }
  const out = join(cacheRoot, `peer-out${rows}`)
  log(`running the pandas peer on ${dir} (about 60 s at 1M rows) …`)
  const r = await measure(peerPython, [peerScript, dir, out])
  if (r.code !== 0) throw new Error(`the pandas peer failed (exit ${r.code}):\n${r.stderr.slice(-2000)}`)
  writeFileSync(cacheFile, `data=${key}\n${JSON.stringify({ peakRssMb: r.peakRssMb, wallMs: r.wallMs })}\n${r.stdout}`)
  return { ...parsePeer(r.stdout), peakRssMb: r.peakRssMb, wallMs: r.wallMs, cached: false }
}

// ---------------------------------------------------------------------------------------------
// Formatting.

/** A markdown table with padded columns, readable as is in a terminal. */
export const table = (headers: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)))
  const line = (cells: ReadonlyArray<string>) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`
  return [line(headers), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n")
}

/** Milliseconds as "123 ms" or "12.3 s". */
export const fmtMs = (ms: number | null | undefined): string =>
  ms === null || ms === undefined || !Number.isFinite(ms) ? "–" : ms < 10_000 ? `${ms < 100 ? ms.toFixed(1) : Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`

/** A ratio as "1.23×". */
export const fmtRatio = (r: number | null | undefined): string => (r === null || r === undefined || !Number.isFinite(r) ? "–" : `${r.toFixed(2)}×`)

/** Megabytes as "123 MB". */
export const fmtMb = (mb: number | null | undefined): string => (mb === null || mb === undefined ? "–" : `${Math.round(mb)} MB`)

/** A count with thousands separators. */
export const fmtInt = (n: number | null | undefined): string => (n === null || n === undefined ? "–" : Math.round(n).toLocaleString("en"))

/** A pass/fail mark for a goal. */
export const mark = (ok: boolean | null): string => (ok === null ? "n/a" : ok ? "PASS" : "FAIL")

/** "100k" / "1M" for a row count. */
export const sizeLabel = (rows: number): string =>
  rows >= 1_000_000 && rows % 1_000_000 === 0 ? `${rows / 1_000_000}M` : rows >= 1000 && rows % 1000 === 0 ? `${rows / 1000}k` : String(rows)

/** The two generated files the bench ingests, with the kind and place each gets in a sources folder. */
export const BENCH_FILES = [
  { file: "miit-little-giants.csv", kind: "miit-list", family: "miit", title: "Synthetic MIIT little giants list (bench)" },
  { file: "company-registry.csv", kind: "reference", family: "reference", title: "Synthetic company registry (bench)" },
] as const

/** Puts the generated CSVs (hard-linked, copied across file systems) and their sidecars into `root`; `files` picks a subset. */
export const writeBenchSources = (data: string, root: string, files: ReadonlyArray<(typeof BENCH_FILES)[number]> = BENCH_FILES): void => {
  for (const f of files) {
    const dir = join(root, f.family, "bench")
    mkdirSync(dir, { recursive: true })
    const target = join(dir, f.file)
    try {
      linkSync(join(data, f.file), target)
    } catch {
      copyFileSync(join(data, f.file), target)
    }
    writeFileSync(
      `${target}.source.yml`,
      [
        `kind: ${f.kind}`,
        `title: ${f.title}`,
        "producer: shared/bench/gen-extracts.mjs",
        "url: https://example.invalid/bench",
        "retrieved: 2026-01-01",
        "notes: generated for npm run bench; not real data",
        "",
      ].join("\n"),
    )
  }
}
