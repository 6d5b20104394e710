import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Option, Ref, TestClock } from "effect"
import { existsSync, readFileSync, readlinkSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import * as Asset from "../../pipeline/engine/AssetSpec.js"
import * as AssetStoreModule from "../../pipeline/engine/AssetStore.js"
import * as Definitions from "../../pipeline/engine/Definitions.js"
import { AssetStoreError } from "../../pipeline/engine/errors.js"
import { RunStore } from "../../pipeline/engine/RunStore.js"
import * as RunStoreModule from "../../pipeline/engine/RunStore.js"
import * as Runner from "../../pipeline/engine/Runner.js"
import { baseOptions, type Sandbox, sandbox } from "./harness.js"

/** A source asset observing a real file, and a chain of derived assets counting their runs. */
const graph = (dir: string, counts: Map<string, number>) => {
  const bump = (k: string) => counts.set(k, (counts.get(k) ?? 0) + 1)
  const readFile = (name: string) =>
    Asset.fromKeys({
      key: `raw/${name}`,
      observe: Effect.sync(() => readFileSync(join(dir, `${name}.txt`), "utf8")),
      run: () => Effect.sync(() => (bump(`raw/${name}`), { value: readFileSync(join(dir, `${name}.txt`), "utf8"), rows: 1 })),
    })
  const upper = (name: string) =>
    Asset.fromKeys({
      key: `clean/${name}`,
      deps: [`raw/${name}`],
      run: (inputs) => Effect.sync(() => (bump(`clean/${name}`), { value: String(inputs[`raw/${name}`]).toUpperCase() })),
    })
  const both = Asset.fromKeys({
    key: "published/both",
    deps: ["clean/a", "clean/b"],
    run: (inputs, ctx) =>
      Effect.sync(() => {
        bump("published/both")
        writeFileSync(join(ctx.filesDir, "both.txt"), `${inputs["clean/a"]}+${inputs["clean/b"]}`)
        return { value: null, files: [{ name: "both.txt" }] }
      }),
  })
  return Definitions.make([readFile("a"), readFile("b"), upper("a"), upper("b"), both])
}

/** A sandbox whose sources a.txt and b.txt hold "alpha" and "beta". */
const withSources = () => {
  const sb = sandbox()
  writeFileSync(join(sb.dir, "a.txt"), "alpha")
  writeFileSync(join(sb.dir, "b.txt"), "beta")
  return sb
}

/** The same graph with some assets' specs changed (e.g. `persist: false`, a new `codeVersion`). */
const patched = <R>(defs: Definitions.Definitions<R>, changes: Readonly<Record<string, Partial<Asset.AssetSpec>>>) =>
  Definitions.make<R>([...defs.assets.values()].map((a) => (changes[a.spec.key] ? { ...a, spec: { ...a.spec, ...changes[a.spec.key] } } : a)))

/** The same graph with the given assets not kept in the store (`persist: false`). */
const unkeptIn = <R>(defs: Definitions.Definitions<R>, keys: ReadonlyArray<string>) => patched(defs, Object.fromEntries(keys.map((k) => [k, { persist: false }])))

/** The sandbox's stores, with some of the asset store's methods replaced by `change` (the real store underneath). */
const withAssetStore = (sb: Sandbox, change: (store: AssetStoreModule.AssetStore) => Partial<AssetStoreModule.AssetStore>) => {
  const store = AssetStoreModule.make(join(sb.dir, ".iiot", "assets"))
  return Layer.merge(RunStoreModule.layer(sb.store), Layer.succeed(AssetStoreModule.AssetStore, { ...store, ...change(store) }))
}

/** A source asset `src` and an asset `x` made from it (`onX` runs when x does). */
const srcAndX = (onX: () => void = () => {}) =>
  Definitions.make([
    Asset.fromKeys({ key: "src", run: () => Effect.succeed({ value: "shared" }) }),
    Asset.fromKeys({ key: "x", deps: ["src"], run: (i) => Effect.sync(() => (onX(), { value: `x:${i["src"]}` })) }),
  ])

/** Each asset's status in a run, by key. */
const statuses = (run: { readonly outcomes: ReadonlyArray<{ readonly key: string; readonly status: string }> }): Record<string, string> => Object.fromEntries(run.outcomes.map((o) => [o.key, o.status]))

describe("Runner.refresh", () => {
  it.live("publishes, then skips every asset on an unchanged second refresh and says why", () => {
    const sb = withSources()
    const counts = new Map<string, number>()
    return Effect.gen(function* () {
      const defs = yield* graph(sb.dir, counts)
      const first = yield* Runner.refresh(defs, baseOptions(sb))
      expect(first.status).toBe("succeeded")
      expect(first.outcomes.map((o) => o.status)).toEqual(["ran", "ran", "ran", "ran", "ran"])
      expect(first.outcomes[0]!.why).toBe("never materialised")
      expect(readFileSync(join(sb.out, "both.txt"), "utf8")).toBe("ALPHA+BETA")
      const runJson = JSON.parse(readFileSync(join(sb.out, "run.json"), "utf8"))
      expect(runJson.status).toBe("succeeded")
      expect(runJson.assets).toHaveLength(5)

      const second = yield* Runner.refresh(defs, baseOptions(sb))
      expect(second.status).toBe("succeeded")
      expect(second.outcomes.every((o) => o.status === "skipped")).toBe(true)
      expect(second.outcomes.every((o) => o.why.startsWith("unchanged since the last materialisation"))).toBe(true)
      expect([...counts.values()].every((n) => n === 1)).toBe(true)
      // The cached publication is still complete in the new run folder.
      expect(readFileSync(join(sb.out, "both.txt"), "utf8")).toBe("ALPHA+BETA")
      expect(readlinkSync(sb.out)).toContain(second.runId)
    }).pipe(Effect.provide(sb.layer))
  })

  it.live("re-runs only the downstream of a changed source", () => {
    const sb = withSources()
    const counts = new Map<string, number>()
    return Effect.gen(function* () {
      const defs = yield* graph(sb.dir, counts)
      yield* Runner.refresh(defs, baseOptions(sb))
      writeFileSync(join(sb.dir, "b.txt"), "BETA two")
      const plan = yield* Runner.preview(defs, { force: false })
      expect(plan.byKey.get("raw/b")!.reasons[0]!.code).toBe("input-changed")
      expect(plan.byKey.get("clean/b")!.reasons[0]!.text).toBe("upstream changed: `raw/b`")
      const run = yield* Runner.refresh(defs, baseOptions(sb))
      const status = statuses(run)
      expect(status).toEqual({ "raw/a": "skipped", "clean/a": "skipped", "raw/b": "ran", "clean/b": "ran", "published/both": "ran" })
      expect(readFileSync(join(sb.out, "both.txt"), "utf8")).toBe("ALPHA+BETA TWO")
    }).pipe(Effect.provide(sb.layer))
  })

  it.live("plans forced and code-changed runs with their reasons", () => {
    const sb = withSources()
    return Effect.gen(function* () {
      const defs = yield* graph(sb.dir, new Map())
      yield* Runner.refresh(defs, baseOptions(sb))
      const forced = yield* Runner.preview(defs, { force: true, select: "clean/a" })
      expect(forced.byKey.get("clean/a")!.reasons[0]!.text).toBe("forced (--force)")
      expect(forced.byKey.get("clean/b")!.reasons[0]!.code).toBe("not-selected")
      const bumped = yield* patched(defs, { "clean/a": { codeVersion: "2" } })
      const plan = yield* Runner.preview(bumped, { force: false })
      expect(plan.byKey.get("clean/a")!.reasons[0]!.text).toBe("code changed (version 1 → 2)")
      expect(plan.byKey.get("published/both")!.reasons[0]!.text).toBe("upstream changed: `clean/a`")
      expect(plan.byKey.get("raw/a")!.action).toBe("skip")
    }).pipe(Effect.provide(sb.layer))
  })

  it.live("does not store a persist: false value, skips it while nothing needs it, and runs it again when a dependent must run", () => {
    const sb = withSources()
    const counts = new Map<string, number>()
    return Effect.gen(function* () {
      const base = yield* graph(sb.dir, counts)
      const unkept = (defs: typeof base, codeVersion = "1") =>
        patched(defs, { "raw/a": { persist: false }, "clean/a": { persist: false }, "published/both": { codeVersion } })
      const defs = yield* unkept(base)
      const first = yield* Runner.refresh(defs, baseOptions(sb))
      expect(first.status).toBe("succeeded")
      const cleanA = first.outcomes.find((o) => o.key === "clean/a")!
      const folder = join(sb.dir, ".iiot", "assets", "clean", "a", cleanA.fingerprint)
      expect(existsSync(join(folder, AssetStoreModule.UNKEPT_FILE))).toBe(true)
      expect(existsSync(join(folder, AssetStoreModule.VALUE_FILE))).toBe(false)

      // Nothing changed: the unkept assets are skipped like the others.
      const second = yield* Runner.refresh(defs, baseOptions(sb))
      expect(second.outcomes.every((o) => o.status === "skipped")).toBe(true)

      // The publisher's code changed: it needs clean/a, whose value was not kept, so clean/a runs
      // again, and so does raw/a (also not kept); raw/b and clean/b are loaded from the store.
      const bumped = yield* unkept(base, "2")
      const plan = yield* Runner.preview(bumped, { force: false })
      expect(plan.byKey.get("clean/a")!.reasons[0]).toEqual({ code: "not-kept", text: "its value is not kept (persist: false) and `published/both` needs it" })
      expect(plan.byKey.get("raw/a")!.reasons[0]!.text).toBe("its value is not kept (persist: false) and `clean/a` needs it")
      const third = yield* Runner.refresh(bumped, baseOptions(sb))
      expect(third.status).toBe("succeeded")
      expect(statuses(third)).toEqual({
        "raw/a": "ran",
        "clean/a": "ran",
        "raw/b": "skipped",
        "clean/b": "skipped",
        "published/both": "ran",
      })
      expect(readFileSync(join(sb.out, "both.txt"), "utf8")).toBe("ALPHA+BETA")
      expect(counts.get("clean/a")).toBe(2)
      expect(counts.get("clean/b")).toBe(1)
    }).pipe(Effect.provide(sb.layer))
  })

  it.live("records a re-run unkept asset's new fingerprint in its dependents, so the next refresh is current", () => {
    const sb = withSources()
    const counts = new Map<string, number>()
    return Effect.gen(function* () {
      const base = yield* graph(sb.dir, counts)
      const defs = yield* unkeptIn(base, ["raw/a"])
      yield* Runner.refresh(defs, baseOptions(sb))
      writeFileSync(join(sb.dir, "a.txt"), "alpha two")
      // Only clean/a is selected; raw/a is not kept, so it runs again, on the changed file.
      const selected = yield* Runner.refresh(defs, { ...baseOptions(sb), select: "clean/a", force: true })
      expect(Object.fromEntries(selected.outcomes.filter((o) => o.status === "ran").map((o) => [o.key, o.why]))).toEqual({
        "raw/a": "its value is not kept (persist: false) and `clean/a` needs it",
        "clean/a": "forced (--force)",
      })
      const rawA = selected.outcomes.find((o) => o.key === "raw/a")!
      const cleanA = selected.outcomes.find((o) => o.key === "clean/a")!
      const plan = yield* Runner.preview(defs, { force: false })
      expect(plan.byKey.get("clean/a")!.inputs["raw/a"]).toBe(rawA.fingerprint)
      // Next refresh: raw/a and clean/a are current; only the publisher catches up.
      const next = yield* Runner.refresh(defs, baseOptions(sb))
      expect(statuses(next)).toEqual({
        "raw/a": "skipped",
        "clean/a": "skipped",
        "raw/b": "skipped",
        "clean/b": "skipped",
        "published/both": "ran",
      })
      expect(next.outcomes.find((o) => o.key === "clean/a")!.fingerprint).toBe(cleanA.fingerprint)
      expect(readFileSync(join(sb.out, "both.txt"), "utf8")).toBe("ALPHA TWO+BETA")
    }).pipe(Effect.provide(sb.layer))
  })

  it.live("does not take a not-kept marker for a value once the asset keeps its value again", () => {
    const sb = withSources()
    return Effect.gen(function* () {
      const base = yield* graph(sb.dir, new Map())
      const unkept = yield* unkeptIn(base, ["raw/a"])
      yield* Runner.refresh(unkept, baseOptions(sb))
      // Same code version, persist back on: raw/a must run to store its value, not be skipped.
      const plan = yield* Runner.preview(base, { force: false })
      expect(plan.byKey.get("raw/a")!.action).toBe("run")
      expect(plan.byKey.get("raw/a")!.reasons[0]!.code).toBe("missing")
      const run = yield* Runner.refresh(base, { ...baseOptions(sb), select: "clean/a", force: true })
      expect(run.status).toBe("succeeded")
    }).pipe(Effect.provide(sb.layer))
  })

  it.live("reads a skipped asset's stored value from disk once, however many dependents run", () => {
    const sb = sandbox()
    let reads = 0
    const counting = withAssetStore(sb, (store) => ({ get: (key, fp) => (key === "src" && reads++, store.get(key, fp)) }))
    const make = (version: string) =>
      Definitions.make([
        Asset.fromKeys({ key: "src", run: () => Effect.succeed({ value: "shared" }) }),
        ...["x", "y", "z"].map((k) => Asset.fromKeys({ key: k, deps: ["src"], codeVersion: version, run: (i) => Effect.succeed({ value: `${k}:${i["src"]}` }) })),
      ])
    return Effect.gen(function* () {
      yield* Runner.refresh(yield* make("1"), baseOptions(sb))
      const run = yield* Runner.refresh(yield* make("2"), baseOptions(sb))
      expect(statuses(run)).toEqual({ src: "skipped", x: "ran", y: "ran", z: "ran" })
      expect(reads).toBe(1)
    }).pipe(Effect.provide(counting))
  })

  it.live("stores a value while its dependents run, and ends only once every value is written", () => {
    const sb = sandbox()
    const events: Array<string> = []
    const slow = withAssetStore(sb, (store) => ({
      put: (key, ...rest) =>
        key === "src" ? Effect.sleep("200 millis").pipe(Effect.zipRight(store.put(key, ...rest)), Effect.tap(() => Effect.sync(() => events.push("src stored")))) : store.put(key, ...rest),
    }))
    const defs = srcAndX(() => events.push("x ran"))
    return Effect.gen(function* () {
      const run = yield* Runner.refresh(yield* defs, { ...baseOptions(sb), concurrency: 1 })
      expect(run.status).toBe("succeeded")
      expect(events).toEqual(["x ran", "src stored"])
      const second = yield* Runner.refresh(yield* defs, baseOptions(sb))
      expect(statuses(second)).toEqual({ src: "skipped", x: "skipped" })
    }).pipe(Effect.provide(slow))
  })

  it.live("fails the run when a value cannot be written, after its dependents ran", () => {
    const sb = sandbox()
    const broken = withAssetStore(sb, (store) => ({
      put: (key, ...rest) => (key === "src" ? Effect.fail(new AssetStoreError({ reason: "write", key, message: `cannot store the value of \`${key}\`: disk full` })) : store.put(key, ...rest)),
    }))
    const defs = srcAndX()
    return Effect.gen(function* () {
      const exit = yield* Effect.exit(Runner.refresh(yield* defs, baseOptions(sb)))
      expect(exit._tag).toBe("Failure")
      expect(String(exit._tag === "Failure" ? exit.cause : "")).toMatch(/disk full/)
      // Nothing is published from a failed run, and its run row says which value could not be written.
      expect(existsSync(sb.out)).toBe(false)
      const [row] = yield* Effect.flatMap(RunStore, (runs) => runs.runs(1))
      expect(row!.status).toBe("failed")
      expect(JSON.stringify(row!.summary)).toMatch(/aborted: .*`src`.*disk full/)
    }).pipe(Effect.provide(broken))
  })

  it.effect("retries a transient failure with backoff, then succeeds", () => {
    const sb = sandbox()
    return Effect.gen(function* () {
      const tries = yield* Ref.make(0)
      const flaky = Asset.fromKeys({
        key: "net/flaky",
        retry: { maxAttempts: 4, baseDelay: "1 second" },
        run: () =>
          Effect.flatMap(Ref.updateAndGet(tries, (n) => n + 1), (n) =>
            n < 3 ? Effect.fail({ transient: true, message: `503 on try ${n}` }) : Effect.succeed({ value: "ok" }),
          ),
      })
      const defs = yield* Definitions.make([flaky])
      const fiber = yield* Effect.fork(Runner.refresh(defs, baseOptions(sb)))
      // Backoff sleeps on the TestClock: no real waiting.
      for (let i = 0; i < 10; i++) yield* TestClock.adjust("2 seconds")
      const run = yield* Fiber.join(fiber)
      expect(run.status).toBe("succeeded")
      expect(run.outcomes[0]!.attempts).toBe(3)
      expect(yield* Ref.get(tries)).toBe(3)
    }).pipe(Effect.provide(sb.layer))
  })

  it.effect("gives up on a transient failure after maxAttempts", () => {
    const sb = sandbox()
    return Effect.gen(function* () {
      const flaky = Asset.fromKeys({
        key: "net/down",
        retry: { maxAttempts: 3, baseDelay: "1 second" },
        run: () => Effect.fail({ transient: true, message: "connection reset" }),
      })
      const defs = yield* Definitions.make([flaky])
      const fiber = yield* Effect.fork(Runner.refresh(defs, baseOptions(sb)))
      for (let i = 0; i < 10; i++) yield* TestClock.adjust("5 seconds")
      const run = yield* Fiber.join(fiber)
      expect(run.status).toBe("failed")
      expect(run.outcomes[0]!.attempts).toBe(3)
      expect(run.outcomes[0]!.why).toBe("failed after 3 attempts (transient error)")
      expect(run.outcomes[0]!.error).toBe("connection reset")
    }).pipe(Effect.provide(sb.layer))
  })

  it.live("does not retry a permanent failure, and blocks its downstream", () => {
    const sb = sandbox()
    let tries = 0
    return Effect.gen(function* () {
      const bad = Asset.fromKeys({
        key: "src/bad",
        run: () => Effect.suspend(() => (tries++, Effect.fail({ _tag: "SourceError", message: "sources/x.csv: unknown kind `foo`" }))),
      })
      const after = Asset.fromKeys({ key: "clean/after", deps: ["src/bad"], run: () => Effect.succeed({ value: 1 }) })
      const defs = yield* Definitions.make([bad, after])
      const run = yield* Runner.refresh(defs, baseOptions(sb))
      expect(tries).toBe(1)
      expect(run.outcomes[0]).toMatchObject({ status: "failed", attempts: 1, why: "failed (permanent error, not retried)" })
      expect(run.outcomes[0]!.error).toBe("SourceError: sources/x.csv: unknown kind `foo`")
      expect(run.outcomes[1]).toMatchObject({ status: "blocked", why: "upstream `src/bad` failed; not run" })
    }).pipe(Effect.provide(sb.layer))
  })

  it.live("a failed blocking check stops downstream and leaves `latest` untouched", () => {
    const sb = sandbox()
    let good = true
    return Effect.gen(function* () {
      const counted = Asset.fromKeys<number>({
        key: "clean/count",
        observe: Effect.sync(() => String(good)),
        checks: [
          { name: "positive", description: "count > 0", severity: "error", blocking: true, run: (n) => ({ passed: n > 0, message: `count is ${n}` }) },
          { name: "small", description: "count < 10", severity: "warn", blocking: false, run: (n) => ({ passed: n < 10, message: `count is ${n}` }) },
        ],
        run: () => Effect.sync(() => ({ value: good ? 42 : 0 })),
      })
      const pub = Asset.fromKeys({
        key: "published/file",
        deps: ["clean/count"],
        run: (inputs, ctx) =>
          Effect.sync(() => {
            writeFileSync(join(ctx.filesDir, "count.txt"), String(inputs["clean/count"]))
            return { value: null, files: [{ name: "count.txt" }] }
          }),
      })
      const defs = yield* Definitions.make([counted, pub])
      const first = yield* Runner.refresh(defs, baseOptions(sb))
      expect(first.status).toBe("succeeded")
      // A non-blocking warning becomes a finding, not a failure.
      expect(first.findings.map((f) => f.code)).toEqual(["check-small"])
      const before = readlinkSync(sb.out)
      good = false
      const second = yield* Runner.refresh(defs, baseOptions(sb))
      expect(second.status).toBe("failed")
      expect(second.published).toBe(false)
      expect(second.outcomes[0]).toMatchObject({ status: "failed", why: "blocking check `positive` failed: count is 0" })
      expect(second.outcomes[1]!.status).toBe("blocked")
      expect(readlinkSync(sb.out)).toBe(before)
      expect(readFileSync(join(sb.out, "count.txt"), "utf8")).toBe("42")
      // The failed run still leaves its run.json for diagnosis, in its own folder.
      expect(JSON.parse(readFileSync(join(second.runDir, "run.json"), "utf8")).status).toBe("failed")
      const row = yield* Effect.flatMap(RunStore, (s) => s.run(second.runId))
      expect(Option.getOrThrow(row).status).toBe("failed")
    }).pipe(Effect.provide(sb.layer))
  })

  it.live("refuses a concurrent refresh with a clear message, never `database is locked`", () => {
    const sb = sandbox()
    return Effect.gen(function* () {
      const gate = yield* Effect.makeLatch(false)
      const slow = Asset.fromKeys({ key: "slow/one", run: () => Effect.as(gate.await, { value: 1 }) })
      const defs = yield* Definitions.make([slow])
      const first = yield* Effect.fork(Runner.refresh(defs, baseOptions(sb)).pipe(Effect.provide(sb.layer)))
      // Wait until the first run holds the lock, then try from a second, independent connection.
      const holder = yield* Effect.flatMap(RunStore, (s) => s.lockHolder).pipe(
        Effect.delay("20 millis"),
        Effect.repeat({ until: Option.isSome }),
        Effect.provide(RunStoreModule.layer(sb.store)),
      )
      const err = yield* Effect.flip(Runner.refresh(defs, { ...baseOptions(sb), lockWait: "300 millis" }).pipe(Effect.provide(sb.layer)))
      expect(err._tag).toBe("RunStoreError")
      expect(err.message).toMatch(new RegExp(`^another refresh \\(run ${Option.getOrThrow(holder).runId}, started .+, pid \\d+\\) holds the lock`))
      yield* gate.open
      expect((yield* Fiber.join(first)).status).toBe("succeeded")
    })
  })
})

describe("RunStore", () => {
  it.live("records runs, materialisations and findings in a real SQLite file", () => {
    const sb = sandbox()
    return Effect.gen(function* () {
      const a = Asset.fromKeys({
        key: "x/a",
        run: () => Effect.succeed({ value: 1, rows: 1, findings: [{ severity: "warn" as const, code: "odd", message: "odd row", row: 3 }] }),
      })
      const defs = yield* Definitions.make([a])
      const run = yield* Runner.refresh(defs, baseOptions(sb))
      const store = yield* RunStore
      const runs = yield* store.runs(10)
      expect(runs[0]!.runId).toBe(run.runId)
      expect(runs[0]!.status).toBe("succeeded")
      expect((yield* store.materializations(run.runId))[0]).toMatchObject({ key: "x/a", status: "ran", attempts: 1, rows: 1 })
      expect(yield* store.findings(run.runId)).toEqual([{ severity: "warn", code: "odd", message: "odd row", row: 3, asset: "x/a" }])
      expect(existsSync(sb.store)).toBe(true)
    }).pipe(Effect.provide(Layer.fresh(sb.layer)))
  })
})

describe("Runner.lastValues", () => {
  /** A test after one refresh of the two-source graph with `unkept` not kept; `counts` holds each asset's runs. */
  const afterRefresh = (
    unkept: ReadonlyArray<string>,
    test: (defs: Definitions.Definitions<never>, counts: Map<string, number>, dir: string) => Effect.Effect<void, unknown, RunStore | AssetStoreModule.AssetStore>,
  ) => {
    const sb = withSources()
    const counts = new Map<string, number>()
    return Effect.gen(function* () {
      const defs = yield* unkeptIn(yield* graph(sb.dir, counts), unkept)
      yield* Runner.refresh(defs, baseOptions(sb))
      yield* test(defs, counts, sb.dir)
    }).pipe(Effect.provide(sb.layer))
  }

  it.live("reads stored values, computes a derived one that is not kept again from stored inputs, and leaves out an asset that never ran", () =>
    afterRefresh(["clean/a"], (defs, counts, dir) =>
      Effect.gen(function* () {
        // clean/a was not kept: computed again from raw/a's stored value, as of the refresh (the file changed since).
        writeFileSync(join(dir, "a.txt"), "changed")
        const values = yield* Runner.lastValues(defs, ["clean/b", "clean/a", "no/such-asset"])
        expect([...values]).toEqual([["clean/b", "BETA"], ["clean/a", "ALPHA"]])
        expect(counts.get("clean/b")).toBe(1)
        expect(counts.get("clean/a")).toBe(2)
        expect(counts.get("raw/a")).toBe(1)
      }),
    ),
  )

  it.live("computes a value that is not kept once for all the keys that need it", () =>
    afterRefresh(["clean/a", "published/both"], (defs, counts) =>
      Effect.gen(function* () {
        const values = yield* Runner.lastValues(defs, ["published/both", "clean/a"])
        expect([...values.keys()]).toEqual(["published/both", "clean/a"])
        expect(counts.get("clean/a")).toBe(2)
        expect(counts.get("published/both")).toBe(2)
      }),
    ),
  )

  it.live("does not read a source again for a value that is not kept", () =>
    afterRefresh(["raw/a", "clean/a"], (defs, counts) =>
      Effect.gen(function* () {
        const values = yield* Runner.lastValues(defs, ["clean/a", "clean/b"])
        expect([...values]).toEqual([["clean/b", "BETA"]])
        expect(counts.get("raw/a")).toBe(1)
      }),
    ),
  )

  it.live("fails, naming the asset, when a value that is not kept cannot be computed again", () =>
    afterRefresh(["clean/a"], (defs) =>
      Effect.gen(function* () {
        const broken = yield* Definitions.make([...defs.assets.values()].map((a) => (a.spec.key === "clean/a" ? { ...a, run: () => Effect.fail("the disk is gone") } : a)))
        const error = yield* Effect.flip(Runner.lastValues(broken, ["clean/a"]))
        expect(error._tag).toBe("AssetStoreError")
        expect(error.message).toContain("could not compute the value of `clean/a` again (it is not kept): the disk is gone")
      }),
    ),
  )
})
