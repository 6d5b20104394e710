import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect } from "effect"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import * as Config from "../../../pipeline/cli/Config.js"
import * as Scheduler from "../../../pipeline/engine/Scheduler.js"

const example = resolve(import.meta.dirname, "../../../iiot.config.yml")

/** Writes `text` to a temp iiot.config.yml and loads it; returns the error (the test expects one). */
const failing = (text: string) =>
  Effect.gen(function* () {
    const file = join(mkdtempSync(join(tmpdir(), "iiot-config-")), "iiot.config.yml")
    writeFileSync(file, text)
    const error = yield* Effect.flip(Config.loadConfig(file))
    return { reason: error.reason, lines: error.message.replaceAll(file, "FILE").split("\n") }
  })

const schedule = (cron: string, timezone: string) => `schedules:
  - name: weekly
    cron: "${cron}"
    timezone: ${timezone}
    run:
      refresh:
`

describe("loadConfig", () => {
  it.effect("loads the example file at the repository root", () =>
    Effect.gen(function* () {
      const config = yield* Config.loadConfig(example)
      expect(config.schedules).toEqual([{ name: "weekly-refresh", cron: "0 6 * * 1", timezone: "Europe/Brussels", run: { _tag: "refresh", force: false } }])
      expect(config.watch.enabled).toBe(true)
      expect(Duration.toMillis(config.watch.quietPeriod)).toBe(30_000)
      expect(Object.fromEntries(Object.entries(config.freshness).map(([k, d]) => [k, Duration.toDays(d!)]))).toEqual({
        "idc-spending": 400,
        "wef-lighthouses": 200,
        "miit-platforms": 400,
      })
      expect(config.approval.required).toBe(false)
      expect(config.retention.keepRuns).toBe(20)
      expect(Duration.toDays(config.retention.olderThan)).toBe(30)
      expect([config.sources, config.out, config.store]).toEqual(["sources", "outputs/latest", "outputs/.iiot/runs.sqlite"])
      // The example's schedule, as Scheduler jobs: Mondays 06:00 in Brussels.
      const [job] = Config.scheduleJobs(config)
      expect(Scheduler.nextInstants(job!.cron!, new Date("2027-03-23T00:00:00Z"), 2).map((d) => d.toISOString())).toEqual([
        "2027-03-29T04:00:00.000Z",
        "2027-04-05T04:00:00.000Z",
      ])
      expect(job!.action).toEqual({ _tag: "refresh", force: false })
    }),
  )

  it.effect("a missing file gives the CLI defaults and no schedules; an empty file too", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "iiot-config-"))
      const config = yield* Config.loadConfig(join(dir, "iiot.config.yml"))
      expect(config).toEqual(Config.defaults)
      expect(config.schedules).toEqual([])
      expect(config.watch.enabled).toBe(false)
      expect(Duration.toSeconds(config.watch.quietPeriod)).toBe(30)
      expect(config.approval.required).toBe(false)
      expect({ ...config.retention, olderThan: Duration.toHours(config.retention.olderThan) }).toEqual({ keepRuns: 20, olderThan: 30 * 24, onSchedule: false })
      expect(config.store).toBe("outputs/.iiot/runs.sqlite")
      // A section given with only some fields gets the same defaults for the others.
      writeFileSync(join(dir, "partial.yml"), "retention:\n  keepRuns: 5\n")
      const partial = yield* Config.loadConfig(join(dir, "partial.yml"))
      expect(partial.retention.keepRuns).toBe(5)
      expect(Duration.toHours(partial.retention.olderThan)).toBe(30 * 24)
      writeFileSync(join(dir, "empty.yml"), "# nothing yet\n")
      expect(yield* Config.loadConfig(join(dir, "empty.yml"))).toEqual(Config.defaults)
    }),
  )

  it.effect("decodes a brief schedule and refresh options", () =>
    Effect.gen(function* () {
      const text = `schedules:
  - name: haier
    cron: "0 0 7 1 * *"
    timezone: Asia/Shanghai
    run:
      brief: { template: default, focus: Haier, asOf: "2022-10", out: outputs/haier.pdf }
  - name: wef-only
    cron: "*/15 * * * *"
    timezone: UTC
    run:
      refresh: { select: "wef/*", force: true }
`
      const config = yield* Config.decodeConfig("x.yml", text)
      expect(config.schedules.map((s) => s.run)).toEqual([
        { _tag: "brief", template: "default", focus: "Haier", asOf: "2022-10", out: "outputs/haier.pdf" },
        { _tag: "refresh", select: "wef/*", force: true },
      ])
    }),
  )
})

describe("configuration errors name the line", () => {
  it.effect("a bad cron expression", () =>
    Effect.gen(function* () {
      expect(yield* failing(schedule("0 25 * * 1", "Europe/Brussels"))).toEqual({
        reason: "invalid",
        lines: ['FILE:3: schedules.0.cron: invalid cron expression "0 25 * * 1": Invalid value for hour: 25'],
      })
    }),
  )

  it.effect("a cron expression with the wrong number of fields", () =>
    Effect.gen(function* () {
      const { lines } = yield* failing(schedule("0 6 * *", "Europe/Brussels"))
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(/^FILE:3: schedules\.0\.cron: invalid cron expression "0 6 \* \*": .*five, six/)
    }),
  )

  it.effect("an unknown time zone", () =>
    Effect.gen(function* () {
      expect((yield* failing(schedule("0 6 * * 1", "Europe/Bruxelles"))).lines).toEqual([
        'FILE:4: schedules.0.timezone: unknown time zone "Europe/Bruxelles" (use an IANA name such as Europe/Brussels)',
      ])
    }),
  )

  it.effect("unknown keys, at any depth, and an unknown source kind", () =>
    Effect.gen(function* () {
      const text = `watch:
  enabled: true
  quiet: 30 seconds
freshness:
  idc-spending: 400 days
  idc-spend: 300 days
schedule: []
`
      expect((yield* failing(text)).lines).toEqual([
        'FILE:7: schedule: is unexpected, expected: "schedules" | "watch" | "freshness" | "approval" | "retention" | "sources" | "out" | "store"',
        'FILE:3: watch.quiet: is unexpected, expected: "enabled" | "quietPeriod"',
        'FILE:6: freshness.idc-spend: is unexpected, expected: "miit-platforms" | "miit-list" | "wef-lighthouses" | "wef-rounds" | "idc-spending" | "collaborations" | "reference" | "review-decisions"',
      ])
    }),
  )

  it.effect("bad durations", () =>
    Effect.gen(function* () {
      const text = `watch:
  quietPeriod: 30
retention:
  keepRuns: 20
  olderThan: 1 month
`
      expect((yield* failing(text)).lines).toEqual([
        'FILE:2: watch.quietPeriod: expected a duration such as "30 seconds" or "400 days"',
        'FILE:5: retention.olderThan: invalid duration "1 month": write a number and a unit, e.g. "30 seconds" or "400 days" (units: millis, seconds, minutes, hours, days, weeks)',
      ])
    }),
  )

  it.effect("a run with neither or both of refresh and brief, a bad refresh option, duplicate names", () =>
    Effect.gen(function* () {
      const base = (name: string, run: string) => `  - name: ${name}\n    cron: "0 6 * * 1"\n    timezone: UTC\n    run: ${run}\n`
      expect((yield* failing(`schedules:\n${base("a", "{}")}${base("b", "{ refresh: {}, brief: { template: x } }")}${base("c", "{ refresh: { selct: x } }")}`)).lines).toEqual([
        "FILE:5: schedules.0.run: give exactly one of `refresh` or `brief`",
        "FILE:9: schedules.1.run: give exactly one of `refresh` or `brief`",
        'FILE:13: schedules.2.run.refresh.selct: is unexpected, expected: "select" | "force"',
      ])
      expect((yield* failing(`schedules:\n${base("a", "{ refresh: {} }")}${base("a", "{ refresh: {} }")}`)).lines).toEqual([
        'FILE:6: schedules.1.name: duplicate schedule name "a"',
      ])
    }),
  )

  it.effect("YAML syntax errors are `parse` errors with their line", () =>
    Effect.gen(function* () {
      const error = yield* failing("approval:\n  required: false\nwatch: [\n")
      expect(error.reason).toBe("parse")
      expect(error.lines[0]).toMatch(/^FILE:4: /)
    }),
  )

  it.effect("a file that cannot be read is a `read` error", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "iiot-config-"))
      const error = yield* Effect.flip(Config.loadConfig(dir))
      expect(error.reason).toBe("read")
      expect(error.message).toContain(dir)
    }),
  )
})
