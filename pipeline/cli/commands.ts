/** The `iiot` commands: option parsing and printing only; the work lives in the engine and assets. */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Args from "@effect/cli/Args"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as ValidationError from "@effect/cli/ValidationError"
import { Console, Duration, Effect, Either, Option, Schema, Stream } from "effect"
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { userInfo } from "node:os"
import { dirname, join, resolve } from "node:path"
import * as Model from "../assets/published/model.js"
import * as ReviewImport from "../publish/review/Import.js"
import * as Freshness from "../assets/freshness.js"
import * as Retention from "../engine/Retention.js"
import * as Scheduler from "../engine/Scheduler.js"
import * as Watcher from "../engine/Watcher.js"
import * as Config from "./Config.js"
import * as Pack from "../assets/published/pack.js"
import { AssetStore } from "../engine/AssetStore.js"
import * as Graph from "../assets/graph.js"
import * as RawAssets from "../assets/raw/sources.js"
import * as Definitions from "../engine/Definitions.js"
import * as Plan from "../engine/Plan.js"
import * as Publication from "../engine/Publication.js"
import { RunStore } from "../engine/RunStore.js"
import * as Runner from "../engine/Runner.js"
import * as Fetch from "../ingest/Fetch.js"
import * as Ingest from "../ingest/Ingest.js"
import * as Parallel from "../ingest/Parallel.js"
import * as Libraries from "../publish/libraries.js"
import * as Parts from "../assets/clean/parts.js"
import * as SourceCatalog from "../ingest/SourceCatalog.js"
import * as Layers from "./layers.js"
import * as Output from "./output.js"

/** Assets materialised at once by `refresh` and scheduled refreshes (see the `--concurrency` option). */
const REFRESH_CONCURRENCY = 1

/** Ends the command with an exit code after its output was printed. */
export class Exit {
  readonly _tag = "Exit"
  constructor(readonly code: number) {}
}

const sources = Options.directory("sources", { exists: "either" }).pipe(
  Options.withDefault("sources"),
  Options.withDescription("folder of source extracts with .source.yml sidecars"),
)
const out = Options.text("out").pipe(
  Options.withDefault("outputs/latest"),
  Options.withDescription("publication folder, switched to the new run only when it succeeds"),
)
const store = Options.text("store").pipe(
  Options.withDefault("outputs/.iiot/runs.sqlite"),
  Options.withDescription("run history (SQLite); materialised values are kept in a folder beside it"),
)
const force = Options.boolean("force").pipe(Options.withDescription("re-run the selected assets even when they are current"))
const select = Options.text("select").pipe(
  Options.optional,
  Options.withDescription("assets to run: `wef/*`, `raw/miit+` (and downstream), `+published/workbook` (and upstream), comma-separated"),
)
const json = Options.boolean("json").pipe(Options.withDescription("machine-readable JSON output"))
const config = Options.text("config").pipe(
  Options.withDefault(Config.defaultFile),
  Options.withDescription("configuration: schedules, watcher, freshness limits, approval, retention (optional file)"),
)

/** Loads the configuration, printing its errors (with line numbers) and exiting 1 when it is invalid. */
const loadConfig = (file: string) =>
  Config.loadConfig(file).pipe(
    Effect.catchAll((e) => Effect.zipRight(Console.error(`iiot: ${e.message}`), Effect.fail(new Exit(1)))),
  )

const refresh = Command.make(
  "refresh",
  {
    sources,
    out,
    store,
    force,
    select,
    // One at a time by default: assets share one JavaScript thread, so running CPU-bound ones side
    // by side only interleaves them and holds both working sets (1M-row bench refresh: 61 s and
    // 3.0 GB at 2, 55 s and 2.6 GB at 1). Downloads happen while planning, before any asset runs.
    concurrency: Options.integer("concurrency").pipe(Options.withDefault(REFRESH_CONCURRENCY), Options.withDescription("assets run at once (default 1; more only helps assets that wait on I/O)")),
    lockTimeout: Options.integer("lock-timeout").pipe(
      Options.withDefault(10),
      Options.withDescription("seconds to wait for another refresh to finish before giving up"),
    ),
    requireApproval: Options.boolean("require-approval").pipe(
      Options.withDescription("stop after checks: the run waits for `iiot approve <run-id>` before it is published"),
    ),
    config,
  },
  (o) =>
    Effect.gen(function* () {
      const cfg = yield* loadConfig(o.config)
      const { defs, catalog } = yield* Graph.build(o.sources)
      // Big sources are read and normalised on every core: their workers start loading now, while
      // the sources are hashed (see WorkerScript.prestart), and so do the writers' libraries on
      // this thread, which would otherwise wait (~0.35 s; see publish/libraries.ts). Should the
      // plan skip everything (unchanged sources), that loading was spent for nothing.
      if (Parallel.prestartFor(catalog.entries.map((e) => e.file))) {
        Parts.prestartCleanWorkers()
        Libraries.preload()
      }
      const stale = Freshness.findings(Freshness.check(catalog.entries, cfg.freshness, new Date()))
      const run = yield* Runner.refresh(defs, {
        runFindings: stale,
        command: process.argv.slice(2).join(" "),
        select: Option.getOrUndefined(o.select),
        force: o.force,
        out: o.out,
        concurrency: o.concurrency,
        lockWait: `${o.lockTimeout} seconds`,
        requireApproval: o.requireApproval || cfg.approval.required,
        onEvent: Output.progress(defs.order.length),
      }).pipe(Effect.provide(Layers.pipeline({ sources: o.sources, store: o.store })))
      const count = (s: string) => run.outcomes.filter((x) => x.status === s).length
      const sev = { error: 0, warn: 0, info: 0 }
      for (const f of run.findings) sev[f.severity]++
      yield* Console.log(
        [
          `run ${run.runId} ${run.status}: ${count("ran")} ran, ${count("skipped")} skipped, ${count("failed")} failed, ${count("blocked")} blocked`,
          `findings: ${sev.error} error, ${sev.warn} warn, ${sev.info} info (details: ${run.runDir}/findings.json)`,
          run.published
            ? `published: ${o.out} → ${run.runDir}\n  ${[...run.files, "run.json"].join(", ")}`
            : run.status === "awaiting-approval"
              ? `awaiting approval: outputs in ${run.runDir}; publish with \`iiot approve ${run.runId}\` or discard with \`iiot reject ${run.runId} --why …\``
              : `not published: ${o.out} still holds the last good publication${Publication.current(o.out) ? ` (${Publication.current(o.out)})` : ""}`,
        ].join("\n"),
      )
      if (run.status === "failed") return yield* Effect.fail(new Exit(1))
    }),
).pipe(Command.withDescription("materialise the asset graph and publish the workbook and the default pack"))

const plan = Command.make("plan", { sources, store, force, select }, (o) =>
  Effect.gen(function* () {
    const { defs } = yield* Graph.build(o.sources)
    const p = yield* Runner.preview(defs, { select: Option.getOrUndefined(o.select), force: o.force }).pipe(
      Effect.provide(Layers.pipeline({ sources: o.sources, store: o.store })),
    )
    yield* Console.log(Plan.describe(p).join("\n"))
    const n = p.entries.filter((e) => e.action === "run").length
    yield* Console.log(`\n${n} of ${p.entries.length} assets would run`)
  }),
).pipe(Command.withDescription("show what a refresh would run and why (runs no asset code)"))

const graph = Command.make("graph", { sources }, (o) =>
  Effect.gen(function* () {
    const { defs } = yield* Graph.build(o.sources)
    yield* Console.log(Definitions.toMermaid(defs))
  }),
).pipe(Command.withDescription("print the asset graph as a Mermaid flowchart"))

const runs = Command.make(
  "runs",
  { store, limit: Options.integer("limit").pipe(Options.withDefault(20)), json },
  (o) =>
    Effect.gen(function* () {
      const s = yield* RunStore
      yield* s.recoverInterrupted
      const rows = yield* s.runs(o.limit)
      if (o.json) return yield* Console.log(JSON.stringify(rows, null, 2))
      if (rows.length === 0) return yield* Console.log("no runs yet; run `iiot refresh`")
      yield* Console.log(
        Output.table(
          ["run", "status", "started", "finished", "command"],
          rows.map((r) => [r.runId, r.status, r.startedAt, r.finishedAt ?? "", r.command]),
        ),
      )
    }).pipe(Effect.provide(Layers.storeLayers(o.store))),
).pipe(Command.withDescription("list past runs, newest first"))

const status = Command.make("status", { store, out, json, sources, config }, (o) =>
  Effect.gen(function* () {
    const cfg = yield* loadConfig(o.config)
    // Freshness needs only the sidecars, not the asset graph.
    const catalog = yield* Effect.either(SourceCatalog.discover(o.sources))
    const fresh = catalog._tag === "Right" ? Freshness.check(catalog.right.entries, cfg.freshness, new Date()) : []
    const s = yield* RunStore
    const interrupted = yield* s.recoverInterrupted
    const last = (yield* s.runs(1))[0]
    const holder = yield* s.lockHolder
    const states = yield* s.states
    const published = Publication.current(o.out)
    const pending = (yield* s.runs(200)).filter((r) => r.status === "awaiting-approval")
    const info = {
      publication: published ?? null,
      lastRun: last ?? null,
      refreshRunning: Option.getOrNull(holder),
      assetsMaterialised: states.size,
      awaitingApproval: pending.map((r) => r.runId),
      markedInterrupted: interrupted,
      freshness: fresh,
    }
    if (o.json) return yield* Console.log(JSON.stringify(info, null, 2))
    yield* Console.log(
      [
        `publication: ${published ? `${resolve(o.out)} → ${published}` : "none yet (run `iiot refresh`)"}`,
        `last run:    ${last ? `${last.runId} ${last.status} (started ${last.startedAt})` : "none"}`,
        `running:     ${Option.isSome(holder) ? `run ${holder.value.runId} (pid ${holder.value.pid}, started ${holder.value.startedAt})` : "no refresh running"}`,
        `assets:      ${states.size} materialised`,
        `approvals:   ${pending.length === 0 ? "none pending" : pending.map((r) => r.runId).join(", ")}`,
        ...(interrupted.length > 0 ? [`interrupted: ${interrupted.join(", ")} (killed before finishing; marked now)`] : []),
        "",
        Output.table(
          ["source", "kind", "retrieved", "age (days)", "limit (days)", "fresh"],
          fresh.map((f) => [f.source, f.kind, f.retrieved, String(f.ageDays), f.limitDays === undefined ? "-" : String(f.limitDays), f.stale ? "STALE" : "ok"]),
        ),
      ].join("\n"),
    )
  }).pipe(Effect.provide(Layers.storeLayers(o.store))),
).pipe(Command.withDescription("the current publication, the last run, a running refresh and pending approvals"))

const validate = Command.make("validate", { sources, json }, (o) =>
  Effect.gen(function* () {
    const { catalog } = yield* Graph.build(o.sources)
    const reports: Array<{ source: string; status: "ok" | "failed"; read: number; kept: number; rejected: number; error?: string; findings: ReadonlyArray<unknown> }> = []
    for (const e of catalog.errors) reports.push({ source: e.file, status: "failed", read: 0, kept: 0, rejected: 0, error: e.message, findings: [] })
    for (const entry of catalog.entries) {
      const r = yield* Effect.either(Ingest.ingest(entry))
      if (r._tag === "Left") reports.push({ source: entry.id, status: "failed", read: 0, kept: 0, rejected: 0, error: r.left.message, findings: [] })
      else reports.push({ source: entry.id, status: "ok", ...r.right.counts, findings: r.right.findings })
    }
    reports.sort((a, b) => a.source.localeCompare(b.source))
    const failed = reports.some((r) => r.status === "failed")
    if (o.json) {
      yield* Console.log(JSON.stringify({ ok: !failed, sources: reports }, null, 2))
    } else {
      yield* Console.log(
        Output.table(
          ["source", "status", "read", "kept", "rejected", "findings"],
          reports.map((r) => [r.source, r.status, String(r.read), String(r.kept), String(r.rejected), String(r.findings.length)]),
        ),
      )
      for (const r of reports) {
        if (r.error) yield* Console.log(`\n${r.source}: FAILED\n  ${r.error.split("\n").join("\n  ")}`)
        const byCode = Ingest.countByCode(r.findings as any)
        if (byCode.length === 0) continue
        yield* Console.log(`\n${r.source}:`)
        for (const [code, severity, n] of byCode) {
          const first = (r.findings as ReadonlyArray<any>).find((f) => f.code === code)
          yield* Console.log(`  ${severity.padEnd(5)} ${code} ×${n}  e.g. ${first.row ? `row ${first.row}` : ""}${first.field ? ` ${first.field}` : ""}: ${first.message}`)
        }
      }
    }
    if (failed) return yield* Effect.fail(new Exit(1))
  }),
).pipe(Command.withDescription("read and validate every source; print the report (exit 1 when a source fails)"))

const runId = Args.text({ name: "run-id" }).pipe(Args.withDescription("the run, as listed by `iiot runs`"))
const by = Options.text("by").pipe(Options.optional, Options.withDescription("who decides (default: the current user)"))
const who = (o: Option.Option<string>) => Option.getOrElse(o, () => process.env["IIOT_USER"] ?? userInfo().username)

/** Loads a run awaiting approval, or explains why it cannot be decided. */
const pendingRun = (id: string) =>
  Effect.gen(function* () {
    const s = yield* RunStore
    const row = yield* s.run(id)
    if (Option.isNone(row)) {
      yield* Console.error(`iiot: no run ${id}; see \`iiot runs\``)
      return yield* Effect.fail(new Exit(1))
    }
    if (row.value.status !== "awaiting-approval") {
      yield* Console.error(`iiot: run ${id} is ${row.value.status}, not awaiting approval`)
      return yield* Effect.fail(new Exit(1))
    }
    return row.value
  })

const approve = Command.make("approve", { runId, store, by }, (o) =>
  Effect.gen(function* () {
    const s = yield* RunStore
    const run = yield* pendingRun(o.runId)
    const current = Publication.current(run.outDir)
    const newer = (yield* s.runs(1000)).find((r) => r.status === "succeeded" && r.runDir === current && r.startedAt > run.startedAt)
    if (newer) {
      yield* Console.error(`iiot: ${run.outDir} already holds a newer run (${newer.runId}); approving ${run.runId} would publish older data. Reject it instead.`)
      return yield* Effect.fail(new Exit(1))
    }
    yield* Publication.switchTo(run.outDir, run.runDir)
    yield* s.decide(run.runId, "approved", who(o.by), undefined)
    yield* Console.log(`approved ${run.runId} by ${who(o.by)}: ${run.outDir} → ${run.runDir}`)
  }).pipe(Effect.provide(Layers.storeLayers(o.store))),
).pipe(Command.withDescription("publish a run that awaits approval, recording who and when"))

const reject = Command.make(
  "reject",
  { runId, store, by, why: Options.text("why").pipe(Options.withDescription("the reason, kept in the run history")) },
  (o) =>
    Effect.gen(function* () {
      const s = yield* RunStore
      const run = yield* pendingRun(o.runId)
      yield* s.decide(run.runId, "rejected", who(o.by), o.why)
      // The outputs are discarded; the history keeps the run, its findings and the reason.
      yield* Effect.sync(() => rmSync(run.runDir, { recursive: true, force: true }))
      yield* Console.log(`rejected ${run.runId} by ${who(o.by)}: ${o.why}`)
    }).pipe(Effect.provide(Layers.storeLayers(o.store))),
).pipe(Command.withDescription("discard a run that awaits approval, recording who, when and why"))

/** Renders a briefing pack from the stored values of the last refresh (used by `brief` and by schedules). */
export const briefOnce = (o: {
  readonly sources: string
  readonly store: string
  readonly template: string
  readonly focus?: string | undefined
  readonly asOf?: string | undefined
  readonly out?: string | undefined
}) =>
  Effect.gen(function* () {
    const asOf = o.asOf
    if (asOf !== undefined && !/^\d{4}(-\d{2}(-\d{2})?)?$/.test(asOf)) {
      yield* Console.error(`iiot: --as-of ${asOf} is not YYYY, YYYY-MM or YYYY-MM-DD`)
      return yield* Effect.fail(new Exit(2))
    }
    const { defs, publication } = yield* Graph.build(o.sources)
    const layers = Layers.pipeline({ sources: o.sources, store: o.store })
    const { values, stale } = yield* Effect.gen(function* () {
      const plan = yield* Runner.preview(defs, { force: false })
      const keys = [publication.summary, ...Object.values(publication.clean), ...Object.values(publication.reconciled)]
      // A value the store does not keep (persist: false) is computed again from the stored ones.
      const values = yield* Runner.lastValues(defs, keys)
      const missing = keys.filter((key) => !values.has(key))
      if (missing.length > 0) {
        yield* Console.error(`iiot: no stored data for ${missing.slice(0, 3).join(", ")}${missing.length > 3 ? ` and ${missing.length - 3} more` : ""}; run \`iiot refresh\` first`)
        return yield* Effect.fail(new Exit(1))
      }
      const stale = keys.filter((k) => plan.byKey.get(k)?.action === "run")
      return { values, stale }
    }).pipe(Effect.provide(layers))
    if (stale.length > 0) {
      yield* Console.error(`note: sources or code changed since the last refresh (${stale.slice(0, 3).join(", ")}${stale.length > 3 ? ", …" : ""}); this brief uses the last refreshed data — run \`iiot refresh\` to update it`)
    }
    const keyOf: Record<string, string> = { summary: publication.summary, ...publication.clean, ...publication.reconciled }
    const data = Model.gatherNamed((name) => values.get(keyOf[name]!), { dataVersion: "brief", taiwanPolicy: "separate" })
    const templateDir = join(Layers.packageRoot(), "templates", "briefing", o.template)
    const focus = o.focus
    const { pdf, findings } = yield* Pack.renderPack(templateDir, data, { ...(asOf ? { asOf } : {}), ...(focus ? { focus } : {}) })
    const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9\u4e00-\u9fff]+/g, "-").replace(/^-|-$/g, "")
    const file = o.out ?? join("outputs", "briefs", [o.template, focus ? slug(focus) : "", asOf ?? ""].filter(Boolean).join("-") + ".pdf")
    mkdirSync(dirname(resolve(file)), { recursive: true })
    const tmp = `${file}.tmp-${process.pid}`
    writeFileSync(tmp, pdf.bytes)
    renameSync(tmp, file)
    for (const f of findings) yield* Console.error(`warn: ${f.message}`)
    yield* Console.log(`wrote ${file}: ${pdf.pages} pages, ${Math.round(pdf.bytes.length / 1024)} KB${asOf ? `, as of ${asOf}` : ""}${focus ? `, focus ${focus}` : ""}`)
  })

const brief = Command.make(
  "brief",
  {
    sources,
    store,
    template: Options.text("template").pipe(Options.withDefault(Pack.DEFAULT_TEMPLATE), Options.withDescription("a folder under templates/briefing/ (china-iiot-overview, entity-profile, …)")),
    focus: Options.text("focus").pipe(Options.optional, Options.withDescription("the company or group an entity profile is about, e.g. Haier")),
    asOf: Options.text("as-of").pipe(Options.optional, Options.withDescription("only what was known at this date: YYYY, YYYY-MM or YYYY-MM-DD (rounds, vintages)")),
    out: Options.text("out").pipe(Options.optional, Options.withDescription("the PDF to write (default outputs/briefs/<template>[-focus][-as-of].pdf)")),
  },
  (o) =>
    briefOnce({ sources: o.sources, store: o.store, template: o.template, focus: Option.getOrUndefined(o.focus), asOf: Option.getOrUndefined(o.asOf), out: Option.getOrUndefined(o.out) }),
).pipe(Command.withDescription("render a briefing pack from the stored reconciled data (run `iiot refresh` first)"))

const reviewImport = Command.make(
  "import",
  {
    sources,
    store,
    by,
    workbook: Options.file("workbook", { exists: "yes" }).pipe(Options.withDescription("the workbook policy staff sent back")),
  },
  (o) =>
    Effect.gen(function* () {
      // The link keys of the last refresh, to tell edited or stale keys from real ones.
      const known = yield* Effect.gen(function* () {
        const runs = yield* RunStore
        const assets = yield* AssetStore
        const state = (yield* runs.states).get("reconciled/entities")
        if (!state) return undefined
        const v = yield* Effect.orElseSucceed(assets.get("reconciled/entities", state.fingerprint), () => Option.none())
        if (Option.isNone(v)) return undefined
        const r = v.value as { links: ReadonlyArray<{ linkKey: string }>; review: ReadonlyArray<{ linkKey: string }> }
        return new Set([...r.links, ...r.review].map((l) => l.linkKey))
      }).pipe(Effect.provide(Layers.storeLayers(o.store)))
      const decisionsFile = join(o.sources, "review", "decisions.csv")
      const now = new Date().toISOString()
      const result = yield* ReviewImport.importDecisions({ workbook: o.workbook, decisionsFile, knownKeys: known, decidedBy: who(o.by), decidedAt: now })
      for (const f of result.findings) yield* Console.log(`${f.severity.padEnd(5)} ${f.code}${f.row ? ` row ${f.row}` : ""}: ${f.message}`)
      yield* Console.log(`imported ${result.imported.length} decisions into ${decisionsFile} (${result.total} in all); the next \`iiot refresh\` applies them`)
    }),
).pipe(Command.withDescription("read the Decision column of a returned workbook into sources/review/decisions.csv"))

const review = Command.make("review").pipe(
  Command.withDescription("review round-trip: import decisions from a workbook sent back by policy staff"),
  Command.withSubcommands([reviewImport]),
)

/**
 * Removes old runs by the retention policy (never `latest` nor a run awaiting approval), then the
 * stored values no asset state points at and the download snapshots no one needs (see Fetch.planSnapshotPrune).
 */
export const pruneOnce = (o: { readonly store: string; readonly out: string; readonly keepRuns: number; readonly olderThan: Duration.Duration }) =>
  Effect.gen(function* () {
    const s = yield* RunStore
    const assets = yield* AssetStore
    yield* s.recoverInterrupted
    const runs = yield* s.runs(1_000_000)
    const plan = Retention.planPrune({ runs, current: Publication.current(o.out), keepRuns: o.keepRuns, olderThan: o.olderThan, now: new Date() })
    const result = yield* Retention.applyPrune(plan)
    // Only runs whose folder is gone leave the history; a failed removal is tried again next time.
    const gone = [...result.removed, ...result.missing]
    yield* s.deleteRuns(gone.map((r) => r.runId))
    // Values no asset state points at any more (superseded fingerprints) go too.
    const states = yield* s.states
    const values = yield* assets.prune(new Set([...states].map(([k, st]) => `${k}@${st.fingerprint}`)))
    // Downloads no kept run was built from, and that are no URL's latest, go too.
    const goneIds = new Set(gone.map((r) => r.runId))
    const kept = runs.filter((r) => !goneIds.has(r.runId))
    const observed = [...[...states.values()].map((st) => st.observed), ...kept.flatMap((r) => Object.values(runSources(r.runDir)))]
    const cited = new Set(observed.flatMap((v) => (v ? [RawAssets.observedSha256(v)] : [])))
    const snapshotsDir = Layers.snapshotsDirOf(o.store)
    const snapshots = yield* Fetch.pruneSnapshots(snapshotsDir, Fetch.planSnapshotPrune(snapshotsDir, cited, new Date()))
    return { plan, result, values, snapshots }
  }).pipe(Effect.provide(Layers.storeLayers(o.store)))

/** The observed versions a run's run.json records (asset key → version; a raw asset's is "sidecar hash:sha256"); none when unreadable. */
const runSources = (runDir: string): Record<string, string> => {
  try {
    const sources = (JSON.parse(readFileSync(join(runDir, "run.json"), "utf8")) as { sources?: unknown }).sources
    return typeof sources === "object" && sources !== null ? (sources as Record<string, string>) : {}
  } catch {
    return {}
  }
}

const ValidationErrorInvalid = (text: string) => ValidationError.invalidValue(HelpDoc.p(text))

const DurationOption = (name: string, fallback: string) =>
  Options.text(name).pipe(
    Options.withDefault(fallback),
    Options.mapEffect((text) =>
      Either.match(Schema.decodeEither(Config.DurationText)(text), {
        onLeft: () => Effect.fail(ValidationErrorInvalid(`--${name} ${text} is not a duration such as "30 days"`)),
        onRight: Effect.succeed,
      }),
    ),
  )

const prune = Command.make(
  "prune",
  {
    store,
    out,
    // The same defaults as a configuration file's `retention:` section.
    keepRuns: Options.integer("keep-runs").pipe(Options.withDefault(Config.retentionDefaults.keepRuns), Options.withDescription("always keep the newest N runs")),
    olderThan: DurationOption("older-than", Config.retentionDefaults.olderThan).pipe(Options.withDescription("remove runs older than this beyond the newest N (e.g. 30 days)")),
  },
  (o) =>
    Effect.gen(function* () {
      const { plan, result, values, snapshots } = yield* pruneOnce(o)
      const gone = new Set([...result.removed, ...result.missing].map((r) => r.runId))
      for (const r of plan.removeRuns) if (gone.has(r.runId)) yield* Console.log(`removed ${r.runId}: ${r.why}`)
      for (const f of snapshots.removed) yield* Console.log(`removed snapshot ${f}: superseded, and cited by no kept run`)
      for (const f of [...result.failed.map((x) => x.message), ...snapshots.failed]) yield* Console.error(`warn: ${f}`)
      yield* Console.log(`pruned ${gone.size} runs (kept ${plan.keep.length}), ${values} stored values no longer referenced and ${snapshots.removed.length} snapshots`)
    }),
).pipe(Command.withDescription("remove old run folders, run-store rows, unreferenced stored values and superseded download snapshots (never `latest`, pending runs, or snapshots still needed)"))

const schedule = Command.make("schedule", { config, json }, (o) =>
  Effect.gen(function* () {
    const cfg = yield* loadConfig(o.config)
    const log = (e: Scheduler.SchedulerEvent) =>
      Effect.sync(() => process.stdout.write(o.json ? JSON.stringify(e) + "\n" : `${e.at} ${e._tag.padEnd(8)} ${e.job}${e.detail ? `  ${e.detail}` : ""}\n`))
    const refreshJob = (spec: Config.RefreshRun, label: string) =>
      Effect.gen(function* () {
        const { defs, catalog } = yield* Graph.build(cfg.sources)
        const stale = Freshness.findings(Freshness.check(catalog.entries, cfg.freshness, new Date()))
        const run = yield* Runner.refresh(defs, {
          command: label,
          select: spec.select,
          force: spec.force ?? false,
          out: cfg.out,
          concurrency: REFRESH_CONCURRENCY,
          lockWait: "60 seconds",
          requireApproval: cfg.approval.required,
          runFindings: stale,
        }).pipe(Effect.provide(Layers.pipeline({ sources: cfg.sources, store: cfg.store })))
        yield* log({ _tag: "Finished", job: label, at: new Date().toISOString(), detail: `run ${run.runId} ${run.status}` })
        if (cfg.retention.onSchedule) {
          const pruned = yield* pruneOnce({ store: cfg.store, out: cfg.out, keepRuns: cfg.retention.keepRuns, olderThan: cfg.retention.olderThan })
          const gone = pruned.result.removed.length + pruned.result.missing.length
          const snapshots = pruned.snapshots.removed.length
          if (gone + snapshots > 0) yield* log({ _tag: "Finished", job: "prune", at: new Date().toISOString(), detail: `${gone} runs and ${snapshots} snapshots removed` })
          for (const f of [...pruned.result.failed.map((x) => x.message), ...pruned.snapshots.failed]) yield* log({ _tag: "Failed", job: "prune", at: new Date().toISOString(), detail: f })
        }
      })
    const runJob = (job: Scheduler.Job<Config.RunSpec>, reason: Scheduler.Reason): Effect.Effect<void, unknown> => {
      const label = `schedule ${job.name} (${reason})`
      return job.action._tag === "refresh"
        ? refreshJob(job.action, label)
        : briefOnce({ sources: cfg.sources, store: cfg.store, template: job.action.template, focus: job.action.focus, asOf: job.action.asOf, out: job.action.out })
    }
    const lastRunOf = (name: string) =>
      Effect.map(
        Effect.flatMap(RunStore, (s) => s.runs(10_000)),
        (rows) => Option.fromNullable(rows.find((r) => r.command.startsWith(`schedule ${name} `))).pipe(Option.map((r) => new Date(r.startedAt))),
      ).pipe(Effect.provide(Layers.storeLayers(cfg.store)))
    const scheduler = yield* Scheduler.make({ jobs: Config.scheduleJobs(cfg), runJob, lastRunOf, onEvent: log })
    const watchJob: Scheduler.Job<Config.RunSpec> = { name: "sources-watcher", action: { _tag: "refresh", force: false } as Config.RunSpec }
    yield* log({ _tag: "Started", job: "scheduler", at: new Date().toISOString(), detail: `${cfg.schedules.length} schedules${cfg.watch.enabled ? `, watching ${cfg.sources}` : ""}` })
    const watching = cfg.watch.enabled
      ? Watcher.watch(cfg.sources, cfg.watch.quietPeriod).pipe(Stream.runForEach((b) => scheduler.trigger(watchJob, "watch", b.paths.slice(0, 3).join(", "))))
      : Effect.never
    yield* Effect.all([scheduler.run, watching], { concurrency: "unbounded", discard: true })
  }),
).pipe(Command.withDescription("run the configured schedules and the sources watcher until stopped (SIGINT/SIGTERM stop it cleanly)"))

/** The root command. */
export const root = Command.make("iiot").pipe(
  Command.withDescription("iiot-observatory: China IIoT data, reconciled and published for policy briefings"),
  Command.withSubcommands([refresh, validate, plan, status, runs, graph, brief, review, approve, reject, schedule, prune]),
)
