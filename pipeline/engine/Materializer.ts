/**
 * Materializer: runs a plan. Assets start as soon as their deps are done (topological order,
 * bounded concurrency); transient failures are retried on an exponential, jittered Schedule;
 * checks run on each new value; a failed blocking check stops everything downstream.
 * It holds no decisions of its own: the Plan decided what runs.
 */
import { Cause, Clock, Deferred, Duration, Effect, Fiber, Option, Ref, Schedule } from "effect"
import type { AnyAsset, AssetResult, EngineFinding } from "./AssetSpec.js"
import { isTransient } from "./AssetSpec.js"
import { AssetStore } from "./AssetStore.js"
import type { Definitions } from "./Definitions.js"
import type { Plan } from "./Plan.js"
import type { AssetStatus, CheckRow, MaterializationRecord } from "./RunStore.js"
import { RunStore } from "./RunStore.js"

/** What happened to one asset in a run. */
export interface AssetOutcome {
  readonly key: string
  readonly status: AssetStatus
  readonly why: string
  readonly fingerprint: string
  readonly attempts: number
  readonly rows: number | null
  readonly durationMs: number
  readonly error: string | null
  readonly checks: ReadonlyArray<CheckRow>
  readonly findings: ReadonlyArray<EngineFinding>
  /** Output files for the publication (absolute paths in the asset store). */
  readonly files: ReadonlyArray<{ readonly name: string; readonly path: string }>
}

/** Progress events, for a TTY progress line or plain log lines. */
export type Event =
  | { readonly _tag: "Started"; readonly key: string; readonly attempt: number }
  | { readonly _tag: "Retrying"; readonly key: string; readonly attempt: number; readonly error: string }
  | { readonly _tag: "Finished"; readonly outcome: AssetOutcome }

export interface MaterializeOptions {
  readonly runId: string
  readonly concurrency: number
  readonly onEvent?: (event: Event) => Effect.Effect<void>
}

/** A person-readable message for whatever an asset failed with. */
export const describeError = (error: unknown): string => {
  if (typeof error === "object" && error !== null && "message" in error && typeof (error as any).message === "string" && (error as any).message !== "") {
    const tag = (error as any)._tag
    return tag ? `${tag}: ${(error as any).message}` : (error as any).message
  }
  return String(error)
}

const firstLine = (s: string) => s.split("\n")[0]!

/** Materialises the planned assets and records each outcome in the run store. */
export const materialize = <R>(defs: Definitions<R>, plan: Plan, options: MaterializeOptions) =>
  // One scope for every fiber the run starts (assets, and values being stored): a run that ends
  // early, interrupted or by a defect, leaves none of them running behind it.
  Effect.scoped(Effect.gen(function* () {
    const assets = yield* AssetStore
    const runs = yield* RunStore
    const semaphore = yield* Effect.makeSemaphore(Math.max(1, options.concurrency))
    const done = new Map<string, Deferred.Deferred<AssetOutcome>>()
    for (const key of defs.order) done.set(key, yield* Deferred.make<AssetOutcome>())
    // Values computed in this run, handed to dependents without a round trip through disk.
    const values = new Map<string, unknown>()
    // A value is dropped from memory once every dependent has finished with it: on a 3M-row
    // refresh the raw tables would otherwise stay alive until the very end of the run.
    const waiting = new Map<string, number>(defs.order.map((k) => [k, (defs.dependents.get(k) ?? []).length]))
    const release = (deps: ReadonlyArray<string>) =>
      Effect.sync(() => {
        for (const d of deps) {
          const left = (waiting.get(d) ?? 1) - 1
          waiting.set(d, left)
          if (left <= 0) values.delete(d)
        }
      })
    const emit = options.onEvent ?? (() => Effect.void)
    // Values being written to the store while the run goes on (see `store` in runOne).
    const storing: Array<Fiber.RuntimeFiber<void, never>> = []

    // A stored value read for one dependent is kept for the others still to come (and dropped
    // with the same rule as a computed one), instead of being read from disk again by each.
    const loadInput = (key: string, fingerprint: string) =>
      values.has(key)
        ? Effect.succeed(values.get(key))
        : Effect.flatMap(assets.get(key, fingerprint), (v) => {
            if (Option.isNone(v)) return Effect.fail(`no stored value for \`${key}\`; run \`iiot refresh --select '${key}'\``)
            if ((waiting.get(key) ?? 0) > 1) values.set(key, v.value)
            return Effect.succeed(v.value)
          })

    // Outcomes are written in batches: one transaction per 200 assets instead of one each.
    const pending: Array<MaterializationRecord> = []
    const flush = Effect.suspend(() => runs.recordMaterializations(pending.splice(0, pending.length)))
    const finishWith = (outcome: AssetOutcome) =>
      Effect.gen(function* () {
        pending.push({
          row: {
            runId: options.runId,
            key: outcome.key,
            fingerprint: outcome.fingerprint,
            status: outcome.status,
            why: outcome.why,
            attempts: outcome.attempts,
            rows: outcome.rows,
            durationMs: outcome.durationMs,
            error: outcome.error,
          },
          checks: outcome.checks,
          findings: outcome.status === "ran" || outcome.status === "failed" ? outcome.findings : [],
        })
        if (pending.length >= 200) yield* flush
        yield* Deferred.succeed(done.get(outcome.key)!, outcome)
        yield* emit({ _tag: "Finished", outcome })
        return outcome
      })

    const base = (key: string, fingerprint: string) => ({
      key,
      fingerprint,
      attempts: 0,
      rows: null,
      durationMs: 0,
      error: null,
      checks: [],
      findings: [],
      files: [],
    })

    const skip = (asset: AnyAsset, why: string, fingerprint: string) =>
      Effect.gen(function* () {
        const key = asset.spec.key
        const meta = yield* assets.meta(key, fingerprint)
        const m = Option.getOrUndefined(meta)
        const dir = assets.filesDir(key, fingerprint)
        return yield* finishWith({
          ...base(key, fingerprint),
          status: "skipped",
          why,
          rows: m?.rows ?? null,
          findings: m?.findings ?? [],
          files: (m?.files ?? []).map((name) => ({ name, path: `${dir}/${name}` })),
        })
      })

    const runOne = (asset: AnyAsset<R>) =>
      Effect.gen(function* () {
        const spec = asset.spec
        const entry = plan.byKey.get(spec.key)!
        const upstream = yield* Effect.forEach(spec.deps, (d) => Deferred.await(done.get(d)!))
        const broken = upstream.find((o) => o.status === "failed" || o.status === "blocked")
        if (broken) {
          return yield* finishWith({
            ...base(spec.key, entry.fingerprint),
            status: "blocked",
            why: `upstream \`${broken.key}\` ${broken.status === "failed" ? "failed" : "was blocked"}; not run`,
          })
        }
        if (entry.action === "skip") return yield* skip(asset, entry.reasons.map((r) => r.text).join("; "), entry.fingerprint)

        return yield* semaphore.withPermits(1)(
          Effect.gen(function* () {
            const started = yield* Clock.currentTimeMillis
            const attempts = yield* Ref.make(0)
            const inputs: Record<string, unknown> = {}
            const loaded = yield* Effect.either(
              Effect.forEach(spec.deps, (d) => Effect.map(loadInput(d, entry.inputs[d]!), (v) => (inputs[d] = v))),
            )
            if (loaded._tag === "Left") {
              return yield* finishWith({
                ...base(spec.key, entry.fingerprint),
                status: "failed",
                why: "an input could not be loaded",
                error: describeError(loaded.left),
              })
            }
            let filesDir = ""
            let lastError = ""
            const attempt = Effect.gen(function* () {
              const n = yield* Ref.updateAndGet(attempts, (k) => k + 1)
              if (n > 1) yield* emit({ _tag: "Retrying", key: spec.key, attempt: n, error: lastError })
              else yield* emit({ _tag: "Started", key: spec.key, attempt: n })
              filesDir = yield* assets.stage(spec.key)
              return yield* asset.run(inputs, { key: spec.key, runId: options.runId, fingerprint: entry.fingerprint, attempt: n, filesDir })
            })
            const schedule = Schedule.exponential(Duration.decode(spec.retry.baseDelay), 2).pipe(
              Schedule.jittered,
              Schedule.intersect(Schedule.recurs(Math.max(0, spec.retry.maxAttempts - 1))),
            )
            // Defects (thrown exceptions) are failures of this asset, never retried, never a crash.
            const result = yield* attempt.pipe(
              Effect.tapError((e) => Effect.sync(() => (lastError = describeError(e)))),
              Effect.retry({ schedule, while: isTransient }),
              Effect.sandbox,
              Effect.either,
            )
            const tries = yield* Ref.get(attempts)
            const elapsed = (yield* Clock.currentTimeMillis) - started
            if (result._tag === "Left") {
              const cause = result.left
              if (Cause.isInterruptedOnly(cause)) return yield* Effect.interrupt
              const failure = Cause.failureOption(cause)
              const message = Option.isSome(failure) ? describeError(failure.value) : firstLine(Cause.pretty(cause))
              const transient = Option.isSome(failure) && isTransient(failure.value)
              return yield* finishWith({
                ...base(spec.key, entry.fingerprint),
                status: "failed",
                why: transient ? `failed after ${tries} attempts (transient error)` : "failed (permanent error, not retried)",
                attempts: tries,
                durationMs: elapsed,
                error: message,
              })
            }
            const out = result.right as AssetResult<unknown>
            const checks: Array<CheckRow> = asset.checks.map((c) => {
              try {
                const r = c.run(out.value)
                return { key: spec.key, name: c.name, severity: c.severity, blocking: c.blocking, passed: r.passed, message: r.message }
              } catch (e) {
                return { key: spec.key, name: c.name, severity: c.severity, blocking: c.blocking, passed: false, message: `check threw: ${String(e)}` }
              }
            })
            const checkFindings: Array<EngineFinding> = checks
              .filter((c) => !c.passed)
              .map((c) => ({ severity: c.severity, code: `check-${c.name}`, asset: spec.key, message: c.message }))
            const findings = [...(out.findings ?? []).map((f) => (f.asset ? f : { ...f, asset: spec.key })), ...checkFindings]
            const stopper = checks.find((c) => !c.passed && c.blocking && c.severity === "error")
            const files = (out.files ?? []).map((f) => f.name)
            const rows = out.rows ?? null
            if (stopper) {
              return yield* finishWith({
                ...base(spec.key, entry.fingerprint),
                status: "failed",
                why: `blocking check \`${stopper.name}\` failed: ${stopper.message}`,
                attempts: tries,
                rows,
                durationMs: elapsed,
                checks,
                findings,
              })
            }
            const store = assets.put(spec.key, entry.fingerprint, out.value, { rows, findings, files }, filesDir, spec.persist).pipe(
              Effect.orDie,
              Effect.zipRight(runs.saveState(spec.key, { fingerprint: entry.fingerprint, codeVersion: spec.codeVersion, observed: entry.observed, inputs: entry.inputs }, options.runId)),
            )
            // The value is stored while its dependents run (they get it from memory): writing the
            // 2M-row registry took ~0.6 s of this thread; now only its encoding runs here, and a
            // big value is written by a thread of its own (ValueCodec.writeBuffers). Values are
            // never changed once made, so what is written is what the dependents got. An asset
            // with files is stored first: its files are published from where the store puts them.
            // The run waits for every write before it ends (below).
            if (files.length === 0) storing.push(yield* Effect.forkScoped(store))
            else yield* store
            if ((waiting.get(spec.key) ?? 0) > 0) values.set(spec.key, out.value)
            const dir = assets.filesDir(spec.key, entry.fingerprint)
            return yield* finishWith({
              ...base(spec.key, entry.fingerprint),
              status: "ran",
              why: entry.reasons.map((r) => r.text).join("; "),
              attempts: tries,
              rows,
              durationMs: elapsed,
              checks,
              findings,
              files: files.map((name) => ({ name, path: `${dir}/${name}` })),
            })
          }),
        )
      })

    const fibers = yield* Effect.forEach(defs.order, (key) => {
      const asset = defs.assets.get(key)!
      return Effect.forkScoped(Effect.ensuring(runOne(asset), release(asset.spec.deps)))
    })
    // Even an interrupted run keeps the record of what it finished.
    const outcomes = yield* Effect.forEach(fibers, Fiber.join).pipe(Effect.ensuring(flush))
    // Every value is on disk before the run ends, and a write that fails fails the run. A run that
    // ends early abandons the writes still going (closing the scope): no state names them, and
    // prune removes what was written of them (staged, or stored but unreferenced).
    yield* Effect.forEach(storing, Fiber.join)
    return outcomes
  }))
