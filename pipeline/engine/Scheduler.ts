/**
 * Scheduler: runs named jobs at the instants of their cron expressions (croner, time-zone and
 * DST aware), plus on demand (a watcher, a person). Domain-blind: a job's `action` is opaque;
 * the caller's `runJob` decides what it means. One runner executes jobs one at a time, so two
 * jobs never run at once; a trigger for a job that is already waiting is dropped.
 */
import { Cron } from "croner"
import { Cause, Clock, Duration, Effect, Either, Exit, Option, Queue, Ref } from "effect"

/** A validated cron expression (5 or 6 fields) with the IANA time zone it is read in. */
export interface CronSpec {
  readonly expression: string
  readonly timezone: string
}

/** A named job: fired at its cron instants when it has a `cron`, otherwise only on `trigger`. */
export interface Job<A> {
  readonly name: string
  readonly cron?: CronSpec | undefined
  readonly action: A
}

/** Why a job runs: its cron instant, a missed instant on start, or a change in the watched folder. */
export type Reason = "schedule" | "catch-up" | "watch"

/** One line of the scheduler's log, as a value: the CLI prints it as text or JSON. */
export interface SchedulerEvent {
  readonly _tag: "Fired" | "Skipped" | "Queued" | "CatchUp" | "Started" | "Finished" | "Failed" | "Stopped"
  readonly job: string
  /** When the event happened (the Effect clock), ISO 8601. */
  readonly at: string
  readonly detail: string
}

/** What the caller plugs in. */
export interface SchedulerOptions<A, E = never, R = never> {
  readonly jobs: ReadonlyArray<Job<A>>
  /** Runs one job; its own Effect decides what an interruption (SIGINT/SIGTERM) does to it. */
  readonly runJob: (job: Job<A>, reason: Reason) => Effect.Effect<void, E, R>
  /** When the job last ran (from the run store), for catch-up on start. */
  readonly lastRunOf: (jobName: string) => Effect.Effect<Option.Option<Date>, never, R>
  readonly onEvent?: (event: SchedulerEvent) => Effect.Effect<void, never, R>
  /**
   * A job with no recorded run at all: "wait" (default) treats it as new and waits for its next
   * instant, "catch-up" runs it once on start. No record usually means a new schedule, and a new
   * schedule that fires the moment it is installed surprises people.
   */
  readonly neverRun?: "wait" | "catch-up"
  /** Longest single sleep before looking at the clock again (default 1 hour): bounds lateness after a suspend. */
  readonly wakeEvery?: Duration.DurationInput
}

/** A running scheduler: its `run` loop, and a way to ask for a job from outside (the watcher). */
export interface Scheduler<A, R> {
  /** Asks for a run of `job` now; queued once if the runner is busy, dropped if already queued. */
  readonly trigger: (job: Job<A>, reason: Reason, detail?: string) => Effect.Effect<void, never, R>
  /** Catch-up, then the cron loops and the runner, until interrupted (it never returns otherwise). */
  readonly run: Effect.Effect<never, never, R>
  /** Names of the job running now and of the jobs waiting, for status output. */
  readonly state: Effect.Effect<{ readonly running: string | undefined; readonly queued: ReadonlyArray<string> }>
}

const cronOf = (spec: CronSpec): Cron =>
  // "5-or-6-parts": classic cron, optionally with seconds first; a 7th (year) field is refused.
  new Cron(spec.expression, { timezone: spec.timezone, mode: "5-or-6-parts" })

/** Validates a cron expression and time zone; `Left` holds a message a person can act on. */
export const parseCron = (expression: string, timezone: string): Either.Either<CronSpec, string> => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: timezone })
  } catch {
    return Either.left(`unknown time zone "${timezone}" (use an IANA name such as Europe/Brussels)`)
  }
  try {
    const spec = { expression: expression.trim(), timezone }
    cronOf(spec)
    return Either.right(spec)
  } catch (e) {
    return Either.left(`invalid cron expression "${expression}": ${String((e as Error).message ?? e).replace(/^CronPattern: /, "")}`)
  }
}

/** The first instant strictly after `from` (None when the expression has no future instant). */
export const nextInstant = (spec: CronSpec, from: Date): Option.Option<Date> => Option.fromNullable(cronOf(spec).nextRun(from))

/** The `count` instants strictly after `from`, in order. */
export const nextInstants = (spec: CronSpec, from: Date, count: number): ReadonlyArray<Date> => cronOf(spec).nextRuns(count, from)

/** The latest instant at or before `at` (None when there was none). */
export const previousInstant = (spec: CronSpec, at: Date): Option.Option<Date> => Option.fromNullable(cronOf(spec).previousRuns(1, at)[0])

/**
 * Effect's clock treats a sleep longer than 2^31-1 ms (~24.8 days) as infinite, and a wall clock
 * can jump (suspend, NTP): sleep in slices of at most `maxSlice` and look at the clock again.
 */
const sleepUntil = (targetMs: number, maxSlice: number): Effect.Effect<void> =>
  Effect.gen(function* () {
    for (;;) {
      const now = yield* Clock.currentTimeMillis
      if (now >= targetMs) return
      yield* Effect.sleep(Duration.millis(Math.min(targetMs - now, maxSlice)))
    }
  })

interface Pending<A> {
  readonly job: Job<A>
  readonly reason: Reason
}

interface State<A> {
  readonly running: string | undefined
  readonly queue: ReadonlyArray<Pending<A>>
}

/** Builds a scheduler; fork or run its `run`, and call `trigger` from a watcher. */
export const make = <A, E = never, R = never>(options: SchedulerOptions<A, E, R>): Effect.Effect<Scheduler<A, R>> =>
  Effect.gen(function* () {
    const state = yield* Ref.make<State<A>>({ running: undefined, queue: [] })
    // Wake-ups for the runner; the work itself sits in `state` so every decision is one atomic step.
    const wake = yield* Queue.unbounded<void>()

    const emit = (tag: SchedulerEvent["_tag"], job: string, detail: string): Effect.Effect<void, never, R> =>
      options.onEvent === undefined
        ? Effect.void
        : Effect.flatMap(Clock.currentTimeMillis, (ms) => options.onEvent!({ _tag: tag, job, at: new Date(ms).toISOString(), detail }))

    const trigger = (job: Job<A>, reason: Reason, detail?: string): Effect.Effect<void, never, R> =>
      Effect.gen(function* () {
        yield* emit(reason === "catch-up" ? "CatchUp" : "Fired", job.name, detail ?? reason)
        const outcome = yield* Ref.modify(state, (s): readonly ["skipped" | "queued" | "idle", State<A>] =>
          s.queue.some((p) => p.job.name === job.name)
            ? ["skipped", s]
            : [s.running === undefined && s.queue.length === 0 ? "idle" : "queued", { ...s, queue: [...s.queue, { job, reason }] }],
        )
        if (outcome === "skipped") {
          yield* emit("Skipped", job.name, `${reason}: a run of ${job.name} is already queued`)
          return
        }
        const s = yield* Ref.get(state)
        if (outcome === "queued") yield* emit("Queued", job.name, `${reason}: waits for ${s.running ?? s.queue[0]?.job.name ?? "the runner"}`)
        yield* Queue.offer(wake, undefined)
      })

    /** The one runner: takes the oldest waiting job and runs it to the end before the next. */
    const runner: Effect.Effect<never, never, R> = Effect.forever(
      Effect.gen(function* () {
        yield* Queue.take(wake)
        const next = yield* Ref.modify(state, (s): readonly [Pending<A> | undefined, State<A>] =>
          s.queue.length === 0 ? [undefined, s] : [s.queue[0]!, { running: s.queue[0]!.job.name, queue: s.queue.slice(1) }],
        )
        if (next === undefined) return
        const { job, reason } = next
        yield* emit("Started", job.name, reason)
        const started = yield* Clock.currentTimeMillis
        // Only the job itself is interruptible: its outcome is always logged, even on the way out.
        yield* Effect.uninterruptibleMask((restore) =>
          Effect.gen(function* () {
            const exit = yield* Effect.exit(restore(options.runJob(job, reason)))
            const took = Duration.format(Duration.millis((yield* Clock.currentTimeMillis) - started))
            if (Exit.isSuccess(exit)) yield* emit("Finished", job.name, `${reason}, took ${took}`)
            else if (Cause.isInterruptedOnly(exit.cause)) yield* emit("Stopped", job.name, `${reason}: interrupted after ${took}`)
            else yield* emit("Failed", job.name, `${reason}, after ${took}: ${Cause.pretty(exit.cause).split("\n")[0]}`)
            yield* Ref.update(state, (s) => ({ ...s, running: undefined }))
          }),
        )
      }),
    )

    /** One loop per cron job: sleep to the next instant, trigger, repeat. */
    const cronLoop = (job: Job<A>, spec: CronSpec): Effect.Effect<void, never, R> =>
      Effect.gen(function* () {
        let lastFired = Number.NEGATIVE_INFINITY
        for (;;) {
          // From the later of now and the instant just fired: after a long suspend we fire once, not once per missed instant.
          const from = Math.max(yield* Clock.currentTimeMillis, lastFired)
          const next = nextInstant(spec, new Date(from))
          if (Option.isNone(next)) return
          yield* sleepUntil(next.value.getTime(), maxSlice)
          lastFired = next.value.getTime()
          yield* trigger(job, "schedule", `${spec.expression} (${spec.timezone}) at ${next.value.toISOString()}`)
        }
      })

    /** On start: a job whose latest instant is after its last run missed it while we were down; run it once. */
    const catchUp = (job: Job<A>, spec: CronSpec): Effect.Effect<void, never, R> =>
      Effect.gen(function* () {
        const now = new Date(yield* Clock.currentTimeMillis)
        const previous = previousInstant(spec, now)
        if (Option.isNone(previous)) return
        const last = yield* options.lastRunOf(job.name)
        const missed = Option.match(last, {
          onNone: () => (options.neverRun ?? "wait") === "catch-up",
          onSome: (at) => at.getTime() < previous.value.getTime(),
        })
        if (!missed) return
        const since = Option.match(last, { onNone: () => "never ran", onSome: (at) => `last ran ${at.toISOString()}` })
        yield* trigger(job, "catch-up", `missed ${previous.value.toISOString()} (${since}); running once`)
      })

    const maxSlice = Math.max(1000, Math.min(Duration.toMillis(options.wakeEvery ?? "1 hour"), 2 ** 31 - 1))
    const scheduled = options.jobs.flatMap((job) => (job.cron === undefined ? [] : [{ job, spec: job.cron }]))

    const run: Effect.Effect<never, never, R> = Effect.gen(function* () {
      yield* Effect.forEach(scheduled, ({ job, spec }) => catchUp(job, spec), { discard: true })
      return yield* Effect.all([runner, ...scheduled.map(({ job, spec }) => cronLoop(job, spec))], { concurrency: "unbounded", discard: true }).pipe(
        Effect.zipRight(Effect.never),
      )
    }).pipe(Effect.onInterrupt(() => emit("Stopped", "scheduler", "stopped on request")))

    return {
      trigger,
      run,
      state: Effect.map(Ref.get(state), (s) => ({ running: s.running, queued: s.queue.map((p) => p.job.name) })),
    }
  })
