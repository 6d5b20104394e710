/**
 * Runner: one refresh from start to publication. Takes the writer lock, observes inputs,
 * plans, materialises, writes the run folder (outputs + run.json) and switches the
 * publication only when every asset succeeded. Domain-blind: the graph comes from outside.
 */
import { Cause, Clock, Duration, Effect, Exit, Option } from "effect"
import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { availableParallelism, hostname, tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { getHeapStatistics } from "node:v8"
import type { EngineFinding } from "./AssetSpec.js"
import { AssetStore } from "./AssetStore.js"
import type { Definitions } from "./Definitions.js"
import { AssetStoreError } from "./errors.js"
import * as Materializer from "./Materializer.js"
import * as Plan from "./Plan.js"
import * as Publication from "./Publication.js"
import { RunStore } from "./RunStore.js"
import * as Selection from "./Selection.js"

/**
 * What the run ran on, for reading its durations: Node's version, the platform, the cores and
 * the flags Node was started with (bin/iiot.mjs adds V8's young-generation size), and NODE_OPTIONS when set.
 */
const runtime = () => ({
  node: process.version,
  platform: `${process.platform}-${process.arch}`,
  cores: availableParallelism(),
  execArgv: process.execArgv,
  ...(process.env.NODE_OPTIONS ? { nodeOptions: process.env.NODE_OPTIONS } : {}),
  // What V8 made of them: the heap limit includes the young generation's.
  heapLimitMb: Math.round(getHeapStatistics().heap_size_limit / 2 ** 20),
})

export interface RefreshOptions {
  /** The command line as typed, kept in the run history. */
  readonly command: string
  readonly select?: string | undefined
  readonly force: boolean
  /** Publication folder (switched on success). */
  readonly out: string
  readonly concurrency: number
  /** How long to wait for another refresh holding the lock. */
  readonly lockWait: Duration.DurationInput
  /** Stop after checks and leave the run awaiting approval instead of publishing. */
  readonly requireApproval?: boolean
  readonly onEvent?: (event: Materializer.Event) => Effect.Effect<void>
  /** Findings about the run as a whole (e.g. stale sources), reported beside the assets' own. */
  readonly runFindings?: ReadonlyArray<EngineFinding>
}

export interface RunSummary {
  readonly runId: string
  readonly status: "succeeded" | "failed" | "awaiting-approval"
  readonly startedAt: string
  readonly finishedAt: string
  readonly runDir: string
  readonly published: boolean
  readonly outcomes: ReadonlyArray<Materializer.AssetOutcome>
  readonly findings: ReadonlyArray<EngineFinding>
  readonly observed: Readonly<Record<string, string>>
  readonly files: ReadonlyArray<string>
}

/** A sortable, unique run id: UTC time to the second plus a random suffix. */
export const makeRunId = Effect.map(Clock.currentTimeMillis, (ms) => {
  const iso = new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")
  return `${iso}-${randomBytes(2).toString("hex")}`
})

/**
 * Inputs observed at once: one file is read from disk while another's checksum is computed (a
 * 1M-row refresh waited ~0.4 s for reads when they came one after another), and remote sources
 * are asked together.
 */
const OBSERVE_CONCURRENCY = 4

/** Observes every asset's input version (source checksums); an unobservable input forces a run. */
const observe = <R>(defs: Definitions<R>) =>
  Effect.gen(function* () {
    const keys = defs.order.filter((key) => defs.assets.get(key)!.observe !== undefined)
    const versions = yield* Effect.forEach(
      keys,
      (key) =>
        Effect.gen(function* () {
          const v = yield* Effect.either(defs.assets.get(key)!.observe!)
          // A source that cannot be read now must run so it fails with its own, precise error.
          return v._tag === "Right" ? v.right : `unobservable@${yield* Clock.currentTimeMillis}`
        }),
      { concurrency: OBSERVE_CONCURRENCY },
    )
    return new Map(keys.map((key, i) => [key, versions[i]!]))
  })

/** Builds the plan for a selection against what the stores hold. Runs no asset code. */
export const preview = <R>(defs: Definitions<R>, options: { readonly select?: string | undefined; readonly force: boolean }) =>
  Effect.gen(function* () {
    const runs = yield* RunStore
    const assets = yield* AssetStore
    const selected = yield* Selection.resolve(defs, options.select)
    const observed = yield* observe(defs)
    const states = yield* runs.states
    const stored = new Map<string, Plan.StoredState>()
    for (const [key, state] of states) {
      const asset = defs.assets.get(key)
      if (asset && (yield* assets.has(key, state.fingerprint, !asset.spec.persist))) stored.set(key, state)
    }
    return Plan.make(defs, { selected, force: options.force, observed, stored })
  })

const summarise = (outcomes: ReadonlyArray<Materializer.AssetOutcome>, findings: ReadonlyArray<EngineFinding>) => {
  const bySeverity: Record<string, number> = { error: 0, warn: 0, info: 0 }
  const byCode: Record<string, number> = {}
  for (const f of findings) {
    bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1
    byCode[f.code] = (byCode[f.code] ?? 0) + 1
  }
  const byStatus: Record<string, number> = {}
  for (const o of outcomes) byStatus[o.status] = (byStatus[o.status] ?? 0) + 1
  return { assets: byStatus, findings: { total: findings.length, bySeverity, byCode } }
}

/** Runs a refresh; the publication moves only if every asset ran or was current. */
export const refresh = <R>(defs: Definitions<R>, options: RefreshOptions) =>
  Effect.gen(function* () {
    const runs = yield* RunStore
    const runId = yield* makeRunId
    const startedAt = new Date(yield* Clock.currentTimeMillis).toISOString()
    const runDir = join(Publication.runsDirFor(options.out), runId)
    yield* runs.begin(
      { runId, command: options.command, startedAt, pid: process.pid, host: hostname(), runDir, outDir: resolve(options.out) },
      options.lockWait,
    )
    const body = Effect.gen(function* () {
      const plan = yield* preview(defs, options)
      const observed = Object.fromEntries(plan.entries.filter((e) => e.observed !== undefined).map((e) => [e.key, e.observed!]))
      const outcomes = yield* Materializer.materialize(defs, plan, {
        runId,
        concurrency: options.concurrency,
        ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      })
      const ok = outcomes.every((o) => o.status === "ran" || o.status === "skipped")
      const findings = [...(options.runFindings ?? []), ...outcomes.flatMap((o) => o.findings)]
      const files = outcomes.flatMap((o) => o.files)
      yield* Publication.collect(runDir, files)
      const status: RunSummary["status"] = !ok ? "failed" : options.requireApproval ? "awaiting-approval" : "succeeded"
      const finishedAt = new Date(yield* Clock.currentTimeMillis).toISOString()
      const runJson = {
        runId,
        command: options.command,
        startedAt,
        finishedAt,
        status,
        assets: outcomes.map((o) => ({
          key: o.key,
          status: o.status,
          why: o.why,
          rows: o.rows,
          attempts: o.attempts,
          durationMs: Math.round(o.durationMs),
          fingerprint: o.fingerprint,
          ...(o.error ? { error: o.error } : {}),
        })),
        checks: outcomes.flatMap((o) => o.checks),
        summary: summarise(outcomes, findings),
        sources: observed,
        outputs: files.map((f) => f.name).sort(),
        runtime: runtime(),
      }
      yield* Publication.writeJson(join(runDir, "findings.json"), findings)
      yield* Publication.writeJson(join(runDir, "run.json"), runJson)
      const published = status === "succeeded"
      if (published) yield* Publication.switchTo(options.out, runDir)
      yield* runs.finish(runId, status, runJson.summary)
      const summary: RunSummary = { runId, status, startedAt, finishedAt, runDir, published, outcomes, findings, observed, files: runJson.outputs }
      return summary
    })
    // Whatever happens (error, defect, Ctrl-C), the run row is closed and the lock released.
    return yield* body.pipe(
      Effect.onExit((exit) =>
        Exit.isSuccess(exit)
          ? Effect.void
          : Effect.flatMap(runs.run(runId), (row) =>
              Option.isSome(row) && row.value.status === "running"
                ? runs.finish(runId, Exit.isInterrupted(exit) ? "interrupted" : "failed", { error: Exit.isInterrupted(exit) ? "interrupted" : `aborted: ${whyAborted(exit.cause)}` })
                : Effect.void,
            ),
      ),
    )
  })

/** What ended a run early, for its run row (e.g. a stored value that could not be written, naming the asset). */
const whyAborted = (cause: Cause.Cause<unknown>): string => {
  const e = Cause.squash(cause)
  return e instanceof Error ? e.message : String(e)
}

/**
 * The values `keys` had at the end of the last refresh that materialised them (what `iiot brief`
 * shows), by key: read from the asset store, or, for a derived asset whose value is not kept
 * (`persist: false`), computed again from its inputs' values the same way (in memory only,
 * nothing is stored; an input needed by several is read or computed once). A key is left out when
 * its asset never ran, or when a value it needs is gone; an asset that observes an input of its
 * own (a source) and is not kept is not read again (the source may have changed since). A stored
 * value that cannot be read, or a value that cannot be computed again, fails.
 */
export const lastValues = <R>(defs: Definitions<R>, keys: ReadonlyArray<string>): Effect.Effect<Map<string, unknown>, AssetStoreError, RunStore | AssetStore | R> =>
  Effect.gen(function* () {
    const runs = yield* RunStore
    const assets = yield* AssetStore
    const states = yield* runs.states
    const known = new Map<string, Option.Option<unknown>>()
    const valueOf = (k: string): Effect.Effect<Option.Option<unknown>, AssetStoreError, R> =>
      Effect.gen(function* () {
        const done = known.get(k)
        if (done !== undefined) return done
        const state = states.get(k)
        const asset = defs.assets.get(k)
        if (state === undefined || asset === undefined) return Option.none()
        let value = yield* assets.get(k, state.fingerprint)
        if (Option.isNone(value) && !asset.spec.persist && asset.observe === undefined && (yield* assets.has(k, state.fingerprint, true))) {
          const inputs: Record<string, unknown> = {}
          for (const d of asset.spec.deps) {
            const v = yield* valueOf(d)
            if (Option.isNone(v)) return Option.none()
            inputs[d] = v.value
          }
          // A folder for any files the run writes, removed with them: only the value is wanted here.
          const filesDir = mkdtempSync(join(tmpdir(), "iiot-value-"))
          value = yield* asset.run(inputs, { key: k, runId: "recomputed", fingerprint: state.fingerprint, attempt: 1, filesDir }).pipe(
            Effect.map((out) => Option.some<unknown>(out.value)),
            Effect.mapError((e) => new AssetStoreError({ reason: "read", key: k, message: `could not compute the value of \`${k}\` again (it is not kept): ${Materializer.describeError(e)}` })),
            Effect.ensuring(Effect.sync(() => rmSync(filesDir, { recursive: true, force: true }))),
          )
        }
        known.set(k, value)
        return value
      })
    const values = new Map<string, unknown>()
    for (const key of keys) {
      const v = yield* valueOf(key)
      if (Option.isSome(v)) values.set(key, v.value)
    }
    return values
  })
