import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Queue, Ref, Stream, TestClock } from "effect"
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Watcher from "../../../pipeline/engine/Watcher.js"

/** Feeds changes through `debounce` from a queue; returns the queue and the bursts seen so far. */
const harness = (quietPeriod: Duration.DurationInput) =>
  Effect.gen(function* () {
    const queue = yield* Queue.unbounded<Watcher.Change>()
    const bursts = yield* Ref.make<ReadonlyArray<Watcher.Burst>>([])
    const fiber = yield* Stream.fromQueue(queue).pipe(
      Watcher.debounce(quietPeriod),
      Stream.runForEach((b) => Ref.update(bursts, (l) => [...l, b])),
      Effect.fork,
    )
    return { queue, bursts, fiber }
  })

describe("debounce (TestClock)", () => {
  it.effect("ten rapid changes give one trigger, after the quiet period following the last one", () =>
    Effect.gen(function* () {
      const { queue, bursts, fiber } = yield* harness("30 seconds")
      for (let i = 0; i < 10; i++) {
        yield* Queue.offer(queue, { path: `idc/2026/extract-${i % 5}.csv` })
        yield* TestClock.adjust("2 seconds") // well inside the quiet period: each change restarts it
      }
      // The last change was 2 s ago: 28 s more are needed.
      yield* TestClock.adjust("27 seconds")
      expect(yield* Ref.get(bursts)).toEqual([])
      yield* TestClock.adjust("1 second")
      const got = yield* Ref.get(bursts)
      expect(got).toHaveLength(1)
      expect(got[0]!.paths).toEqual([0, 1, 2, 3, 4].map((i) => `idc/2026/extract-${i}.csv`))
      expect(got[0]!.at).toBe(new Date(10 * 2_000 + 28_000).toISOString())
      // A later change starts a new burst.
      yield* Queue.offer(queue, { path: "wef/2025/lighthouses.csv" })
      yield* TestClock.adjust("1 minute")
      expect((yield* Ref.get(bursts)).map((b) => b.paths)).toEqual([got[0]!.paths, ["wef/2025/lighthouses.csv"]])
      yield* Fiber.interrupt(fiber)
    }),
  )

  it.effect("swap files, backups, temp files and dot-folders trigger nothing", () =>
    Effect.gen(function* () {
      const { queue, bursts, fiber } = yield* harness("1 second")
      for (const path of [".extract.csv.swp", "idc/extract.csv~", "idc/extract.csv.tmp", ".git/index", "idc/.~lock.extract.xlsx#"]) {
        yield* Queue.offer(queue, { path })
      }
      yield* TestClock.adjust("10 seconds")
      expect(yield* Ref.get(bursts)).toEqual([])
      yield* Fiber.interrupt(fiber)
    }),
  )

  it("isIgnored keeps real extracts and sidecars", () => {
    expect(Watcher.isIgnored("miit/2024/platforms.xlsx")).toBe(false)
    expect(Watcher.isIgnored("miit/2024/platforms.xlsx.source.yml")).toBe(false)
    expect(Watcher.isIgnored("miit/.cache/x.csv")).toBe(true)
    expect(Watcher.isIgnored("miit/2024/x.swp")).toBe(true)
    expect(Watcher.isIgnored("idc/2026/~$spending.xlsx")).toBe(true)
  })
})

/** Runs `stream` on a new temp folder while ten files (and one swap file) are written into it quickly. */
const tenWrites = (stream: (dir: string) => Stream.Stream<Watcher.Burst, Watcher.WatchError>) =>
  Effect.gen(function* () {
    const dir = mkdtempSync(join(tmpdir(), "iiot-watch-"))
    mkdirSync(join(dir, "idc", "2026"), { recursive: true })
    const fiber = yield* stream(dir).pipe(Stream.runDrain, Effect.fork)
    yield* Effect.sleep("300 millis") // let the watcher start before writing
    for (let i = 0; i < 10; i++) writeFileSync(join(dir, "idc", "2026", `extract-${i}.csv`), `year,value\n2026,${i}\n`)
    writeFileSync(join(dir, "idc", "2026", ".extract-0.csv.swp"), "editor noise")
    // Long enough for a second trigger to show up if the burst were split.
    yield* Effect.sleep("1500 millis")
    yield* Fiber.interrupt(fiber)
  })

describe("watching a real folder", () => {
  it.live("ten writeFileSync in a loop give exactly one trigger (fs.watch, 300 ms quiet period)", () =>
    Effect.gen(function* () {
      const bursts = yield* Ref.make<ReadonlyArray<Watcher.Burst>>([])
      yield* tenWrites((d) => Watcher.watch(d, "300 millis").pipe(Stream.tap((b) => Ref.update(bursts, (l) => [...l, b]))))
      const got = yield* Ref.get(bursts)
      expect(got).toHaveLength(1)
      expect([...got[0]!.paths].sort()).toEqual(Array.from({ length: 10 }, (_, i) => join("idc", "2026", `extract-${i}.csv`)).sort())
    }),
  )

  it.live("the polling fallback also gives exactly one trigger", () =>
    Effect.gen(function* () {
      const bursts = yield* Ref.make<ReadonlyArray<Watcher.Burst>>([])
      yield* tenWrites((d) => Watcher.debounce("300 millis")(Watcher.polledChanges(d, "50 millis")).pipe(Stream.tap((b) => Ref.update(bursts, (l) => [...l, b]))))
      const got = yield* Ref.get(bursts)
      expect(got).toHaveLength(1)
      expect(got[0]!.paths).toHaveLength(10)
    }),
  )

  it.live("a missing folder is a WatchError naming it", () =>
    Effect.gen(function* () {
      const missing = join(tmpdir(), "iiot-watch-does-not-exist", "sources")
      const error = yield* Watcher.watch(missing, "1 second").pipe(Stream.runDrain, Effect.flip)
      expect(error.reason).toBe("missing")
      expect(error.message).toContain(missing)
    }),
  )
})
