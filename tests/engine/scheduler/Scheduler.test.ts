import { describe, expect, it } from "@effect/vitest"
import { Clock, Duration, Effect, Either, Fiber, Option, Ref, TestClock } from "effect"
import * as Scheduler from "../../../pipeline/engine/Scheduler.js"

const brussels = (expression: string): Scheduler.CronSpec => Either.getOrThrow(Scheduler.parseCron(expression, "Europe/Brussels"))

const iso = (ms: number) => new Date(ms).toISOString()

/** Runs a scheduler over [from, from + span) on the TestClock; returns when and why each run started. */
const firings = (jobs: ReadonlyArray<Scheduler.Job<string>>, from: string, span: Duration.DurationInput, lastRun?: Date, wakeEvery?: Duration.DurationInput) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(Date.parse(from))
    const runs = yield* Ref.make<ReadonlyArray<string>>([])
    const s = yield* Scheduler.make<string>({
      jobs,
      runJob: (job, reason) => Effect.flatMap(Clock.currentTimeMillis, (ms) => Ref.update(runs, (r) => [...r, `${job.name} ${reason} ${iso(ms)}`])),
      lastRunOf: () => Effect.succeed(Option.fromNullable(lastRun)),
      ...(wakeEvery === undefined ? {} : { wakeEvery }),
    })
    const fiber = yield* Effect.fork(s.run)
    yield* TestClock.adjust(span)
    yield* Fiber.interrupt(fiber)
    return yield* Ref.get(runs)
  })

describe("cron instants across DST in Europe/Brussels", () => {
  it.effect("0 6 * * 1 runs every Monday at 06:00 local: 05:00Z in CET, 04:00Z in CEST (spring)", () =>
    Effect.gen(function* () {
      const runs = yield* firings([{ name: "weekly", cron: brussels("0 6 * * 1"), action: "refresh" }], "2027-03-16T00:00:00Z", "21 days", undefined, "1 day")
      expect(runs).toEqual([
        "weekly schedule 2027-03-22T05:00:00.000Z", // CET, UTC+1
        "weekly schedule 2027-03-29T04:00:00.000Z", // CEST, UTC+2, the day after the change (28 March)
        "weekly schedule 2027-04-05T04:00:00.000Z",
      ])
    }),
  )

  it.effect("0 6 * * 1 moves back to 05:00Z after the October change (31 October 2027)", () =>
    Effect.gen(function* () {
      const runs = yield* firings([{ name: "weekly", cron: brussels("0 6 * * 1"), action: "refresh" }], "2027-10-20T00:00:00Z", "21 days", undefined, "1 day")
      expect(runs).toEqual([
        "weekly schedule 2027-10-25T04:00:00.000Z",
        "weekly schedule 2027-11-01T05:00:00.000Z",
        "weekly schedule 2027-11-08T05:00:00.000Z",
      ])
    }),
  )

  // croner treats `30 2 * * *` as a fixed-time job: when 02:30 does not exist (clocks jump from
  // 02:00 to 03:00) it runs at the first valid time after the gap, 03:00 CEST = 01:00Z; when
  // 02:30 happens twice (October) it runs once, at the first occurrence (02:30 CEST = 00:30Z).
  it.effect("30 2 * * * on the spring-forward night runs once, at 03:00 local (01:00Z)", () =>
    Effect.gen(function* () {
      const runs = yield* firings([{ name: "daily", cron: brussels("30 2 * * *"), action: "x" }], "2027-03-26T12:00:00Z", "3 days")
      expect(runs).toEqual([
        "daily schedule 2027-03-27T01:30:00.000Z",
        "daily schedule 2027-03-28T01:00:00.000Z",
        "daily schedule 2027-03-29T00:30:00.000Z",
      ])
    }),
  )

  it.effect("30 2 * * * on the fall-back night runs once, not twice", () =>
    Effect.gen(function* () {
      const runs = yield* firings([{ name: "daily", cron: brussels("30 2 * * *"), action: "x" }], "2027-10-30T12:00:00Z", "2 days")
      expect(runs).toEqual(["daily schedule 2027-10-31T00:30:00.000Z", "daily schedule 2027-11-01T01:30:00.000Z"])
    }),
  )

  it.effect("a monthly schedule fires although the wait is longer than a JS timer can hold (24.8 days)", () =>
    Effect.gen(function* () {
      const runs = yield* firings([{ name: "monthly", cron: brussels("0 6 1 * *"), action: "x" }], "2027-01-01T12:00:00Z", "60 days", undefined, "3 days")
      expect(runs).toEqual(["monthly schedule 2027-02-01T05:00:00.000Z", "monthly schedule 2027-03-01T05:00:00.000Z"])
    }),
  )
})

describe("parseCron", () => {
  it("accepts 5 and 6 fields, refuses bad expressions and time zones with a reason", () => {
    expect(Either.isRight(Scheduler.parseCron("0 6 * * 1", "Europe/Brussels"))).toBe(true)
    expect(Either.isRight(Scheduler.parseCron("30 0 6 * * 1", "UTC"))).toBe(true)
    expect(Scheduler.parseCron("61 6 * * 1", "UTC")).toEqual(Either.left('invalid cron expression "61 6 * * 1": Invalid value for minute: 61'))
    expect(Either.getLeft(Scheduler.parseCron("0 6 * *", "UTC")).pipe(Option.getOrThrow)).toMatch(/exactly five, six/)
    expect(Either.getLeft(Scheduler.parseCron("0 0 6 * * 1 2027", "UTC")).pipe(Option.getOrThrow)).toMatch(/5 or 6 parts/)
    expect(Scheduler.parseCron("0 6 * * 1", "Europe/Bruxelles")).toEqual(Either.left('unknown time zone "Europe/Bruxelles" (use an IANA name such as Europe/Brussels)'))
  })

  it("lists next instants for display", () => {
    expect(Scheduler.nextInstants(brussels("0 6 * * 1"), new Date("2027-03-22T05:00:00Z"), 2).map((d) => d.toISOString())).toEqual([
      "2027-03-29T04:00:00.000Z",
      "2027-04-05T04:00:00.000Z",
    ])
  })
})

/** A job that takes `took` on the clock and counts how many runs overlap. */
const slowJob = (took: Duration.DurationInput) =>
  Effect.gen(function* () {
    const now = yield* Ref.make(0)
    const max = yield* Ref.make(0)
    const log = yield* Ref.make<ReadonlyArray<string>>([])
    const runJob = (job: Scheduler.Job<string>, reason: Scheduler.Reason) =>
      Effect.gen(function* () {
        const n = yield* Ref.updateAndGet(now, (x) => x + 1)
        yield* Ref.update(max, (m) => Math.max(m, n))
        yield* Ref.update(log, (l) => [...l, `${job.name} ${reason}`])
        yield* Effect.sleep(took)
      }).pipe(Effect.ensuring(Ref.update(now, (x) => x - 1)))
    return { runJob, max, log }
  })

describe("overlap policy", () => {
  it.effect("three triggers during a long run give one extra run, never two at once", () =>
    Effect.gen(function* () {
      const { runJob, max, log } = yield* slowJob("10 minutes")
      const events = yield* Ref.make<ReadonlyArray<string>>([])
      const job: Scheduler.Job<string> = { name: "refresh", action: "refresh" }
      const s = yield* Scheduler.make<string>({
        jobs: [job],
        runJob,
        lastRunOf: () => Effect.succeed(Option.none()),
        onEvent: (e) => Ref.update(events, (l) => [...l, e._tag]),
      })
      const fiber = yield* Effect.fork(s.run)
      yield* s.trigger(job, "watch")
      yield* TestClock.adjust("1 minute")
      for (let i = 0; i < 3; i++) yield* s.trigger(job, "watch")
      expect(yield* s.state).toEqual({ running: "refresh", queued: ["refresh"] })
      yield* TestClock.adjust("1 hour")
      yield* Fiber.interrupt(fiber)
      expect(yield* Ref.get(log)).toEqual(["refresh watch", "refresh watch"])
      expect(yield* Ref.get(max)).toBe(1)
      expect(yield* Ref.get(events)).toEqual([
        "Fired", "Started",
        "Fired", "Queued", "Fired", "Skipped", "Fired", "Skipped",
        "Finished", "Started", "Finished", "Stopped",
      ])
    }),
  )

  it.effect("a different job triggered during a run waits for it; a cron firing every minute never overlaps a 150 s job", () =>
    Effect.gen(function* () {
      const { runJob, max, log } = yield* slowJob("150 seconds")
      const tags = yield* Ref.make<ReadonlyArray<string>>([])
      yield* TestClock.setTime(Date.parse("2027-01-04T00:00:30Z"))
      const minutely: Scheduler.Job<string> = { name: "minutely", cron: Either.getOrThrow(Scheduler.parseCron("* * * * *", "UTC")), action: "x" }
      const other: Scheduler.Job<string> = { name: "other", action: "y" }
      const s = yield* Scheduler.make<string>({
        jobs: [minutely, other],
        runJob,
        lastRunOf: () => Effect.succeed(Option.none()),
        onEvent: (e) => Ref.update(tags, (l) => [...l, `${e._tag} ${e.job}`]),
      })
      const fiber = yield* Effect.fork(s.run)
      yield* TestClock.adjust("1 minute") // 00:01:00 fires minutely, running until 00:03:30
      yield* s.trigger(other, "watch")
      yield* TestClock.adjust("9 minutes")
      yield* Fiber.interrupt(fiber)
      expect(yield* Ref.get(max)).toBe(1)
      const runs = yield* Ref.get(log)
      // minutely at 1:00, other at 3:30, minutely (queued at 2:00) at 6:00, then minutely (queued 7:00) at 8:30
      expect(runs).toEqual(["minutely schedule", "other watch", "minutely schedule", "minutely schedule"])
      expect((yield* Ref.get(tags)).filter((t) => t.startsWith("Skipped")).length).toBeGreaterThan(0)
    }),
  )
})

describe("catch-up on start", () => {
  const weekly: Scheduler.Job<string> = { name: "weekly", cron: brussels("0 6 * * 1"), action: "refresh" }

  it.effect("a Monday missed while down runs once at start, then the schedule goes on", () =>
    Effect.gen(function* () {
      // Down from before 8 March to Wednesday 24 March: three Mondays missed, one catch-up run.
      const runs = yield* firings([weekly], "2027-03-24T10:00:00Z", "6 days", new Date("2027-03-01T05:00:00Z"), "1 day")
      expect(runs).toEqual(["weekly catch-up 2027-03-24T10:00:00.000Z", "weekly schedule 2027-03-29T04:00:00.000Z"])
    }),
  )

  it.effect("nothing runs at start when the last instant was not missed", () =>
    Effect.gen(function* () {
      const runs = yield* firings([weekly], "2027-03-24T10:00:00Z", "4 days", new Date("2027-03-22T05:00:03Z"), "1 day")
      expect(runs).toEqual([])
    }),
  )

  it.effect("a job that never ran waits for its next instant, unless neverRun is catch-up", () =>
    Effect.gen(function* () {
      expect(yield* firings([weekly], "2027-03-24T10:00:00Z", "1 day")).toEqual([])
      yield* TestClock.setTime(Date.parse("2027-03-24T10:00:00Z"))
      const runs = yield* Ref.make(0)
      const s = yield* Scheduler.make<string>({
        jobs: [weekly],
        runJob: () => Ref.update(runs, (n) => n + 1),
        lastRunOf: () => Effect.succeed(Option.none()),
        neverRun: "catch-up",
      })
      const fiber = yield* Effect.fork(s.run)
      yield* TestClock.adjust("1 day")
      yield* Fiber.interrupt(fiber)
      expect(yield* Ref.get(runs)).toBe(1)
    }),
  )
})

describe("graceful stop", () => {
  it.effect("interruption waits for a job that makes itself uninterruptible, and reports Stopped", () =>
    Effect.gen(function* () {
      const done = yield* Ref.make(false)
      const events = yield* Ref.make<ReadonlyArray<string>>([])
      const job: Scheduler.Job<string> = { name: "refresh", action: "x" }
      const s = yield* Scheduler.make<string>({
        jobs: [job],
        runJob: () => Effect.uninterruptible(Effect.zipRight(Effect.sleep("5 minutes"), Ref.set(done, true))),
        lastRunOf: () => Effect.succeed(Option.none()),
        onEvent: (e) => Ref.update(events, (l) => [...l, `${e._tag} ${e.job}`]),
      })
      const fiber = yield* Effect.fork(s.run)
      yield* s.trigger(job, "watch")
      yield* TestClock.adjust("1 minute")
      const stopping = yield* Effect.fork(Fiber.interrupt(fiber))
      yield* TestClock.adjust("5 minutes")
      yield* Fiber.join(stopping)
      expect(yield* Ref.get(done)).toBe(true)
      // The job did its work to the end; from the outside it still ended by interruption.
      expect(yield* Ref.get(events)).toEqual(["Fired refresh", "Started refresh", "Stopped refresh", "Stopped scheduler"])
    }),
  )

  it.effect("an interruptible job is abandoned at once; its own finaliser runs", () =>
    Effect.gen(function* () {
      const cleaned = yield* Ref.make(false)
      const events = yield* Ref.make<ReadonlyArray<string>>([])
      const job: Scheduler.Job<string> = { name: "refresh", action: "x" }
      const s = yield* Scheduler.make<string>({
        jobs: [job],
        runJob: () => Effect.sleep("1 hour").pipe(Effect.onInterrupt(() => Ref.set(cleaned, true))),
        lastRunOf: () => Effect.succeed(Option.none()),
        onEvent: (e) => Ref.update(events, (l) => [...l, `${e._tag} ${e.job}`]),
      })
      const fiber = yield* Effect.fork(s.run)
      yield* s.trigger(job, "watch")
      yield* TestClock.adjust("1 minute")
      yield* Fiber.interrupt(fiber)
      expect(yield* Ref.get(cleaned)).toBe(true)
      expect(yield* Ref.get(events)).toEqual(["Fired refresh", "Started refresh", "Stopped refresh", "Stopped scheduler"])
    }),
  )

  it.effect("a failing job is reported and the scheduler keeps going", () =>
    Effect.gen(function* () {
      const events = yield* Ref.make<ReadonlyArray<string>>([])
      const job: Scheduler.Job<string> = { name: "refresh", action: "x" }
      const s = yield* Scheduler.make<string, string>({
        jobs: [job],
        runJob: () => Effect.fail("source error"),
        lastRunOf: () => Effect.succeed(Option.none()),
        onEvent: (e) => Ref.update(events, (l) => [...l, `${e._tag} ${e.detail}`]),
      })
      const fiber = yield* Effect.fork(s.run)
      yield* s.trigger(job, "watch")
      yield* TestClock.adjust("1 second")
      yield* s.trigger(job, "watch")
      yield* TestClock.adjust("1 second")
      yield* Fiber.interrupt(fiber)
      const failed = (yield* Ref.get(events)).filter((e) => e.startsWith("Failed"))
      expect(failed).toHaveLength(2)
      expect(failed[0]).toContain("source error")
    }),
  )
})
