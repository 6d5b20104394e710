import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Retention from "../../../pipeline/engine/Retention.js"

const now = new Date("2027-06-30T12:00:00Z")
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000).toISOString()

/** One run a day for `n` days, newest `r0` (0 days ago); all succeeded unless overridden. */
const history = (n: number, runsDir: string, status: Record<number, string> = {}): Array<Retention.RunInfo> =>
  Array.from({ length: n }, (_, i) => ({ runId: `r${i}`, status: status[i] ?? "succeeded", startedAt: daysAgo(i), runDir: join(runsDir, `r${i}`) }))

describe("planPrune", () => {
  it("keeps the newest N and the young ones, removes the old rest, and explains every decision", () => {
    const runs = history(40, "/srv/outputs/runs")
    const plan = Retention.planPrune({ runs, current: "/srv/outputs/runs/r0", keepRuns: 20, olderThan: "30 days", now })
    // r0 published; r1..r19 newest 20; r20..r30 younger than 30 days (r30 is exactly 30 days: kept); r31..r39 removed.
    expect(plan.removeRuns.map((r) => r.runId)).toEqual(Array.from({ length: 9 }, (_, i) => `r${31 + i}`))
    expect(plan.keep).toHaveLength(31)
    expect(plan.keep[0]).toEqual({ runId: "r0", why: "the current publication (`latest` points at it)" })
    expect(plan.keep[5]).toEqual({ runId: "r5", why: "one of the newest 20 runs (#6)" })
    expect(plan.keep[25]).toEqual({ runId: "r25", why: "younger than 30 days" })
    expect(plan.removeRuns[0]).toEqual({
      runId: "r31",
      runDir: "/srv/outputs/runs/r31",
      why: `succeeded, started ${daysAgo(31)}: older than 30 days and beyond the newest 20`,
    })
  })

  it("never removes the run `latest` points at, a run awaiting approval or a running one, however old", () => {
    const runs = history(10, "/srv/outputs/runs", { 6: "awaiting-approval", 7: "running", 9: "failed" })
    // The publication is an old run: newer ones failed or were rejected since.
    const plan = Retention.planPrune({ runs, current: "/srv/outputs/runs/./r8", keepRuns: 1, olderThan: "1 day", now })
    expect(plan.removeRuns.map((r) => r.runId)).toEqual(["r2", "r3", "r4", "r5", "r9"])
    expect(plan.keep).toEqual([
      { runId: "r0", why: "one of the newest 1 runs (#1)" },
      { runId: "r1", why: "younger than 1 day" },
      { runId: "r6", why: "awaiting approval" },
      { runId: "r7", why: "still running" },
      { runId: "r8", why: "the current publication (`latest` points at it)" },
    ])
  })

  it("bounds history: with keepRuns 0 and a zero age only protected runs survive", () => {
    const runs = history(50, "/r", { 3: "awaiting-approval" })
    const plan = Retention.planPrune({ runs, current: "/r/r0", keepRuns: 0, olderThan: "0 millis", now: new Date(now.getTime() + 1) })
    expect(plan.keep.map((k) => k.runId)).toEqual(["r0", "r3"])
    expect(plan.removeRuns).toHaveLength(48)
  })

  it("orders by start time, not by the order the store returned", () => {
    const runs = history(5, "/r").reverse()
    const plan = Retention.planPrune({ runs, current: undefined, keepRuns: 2, olderThan: "0 millis", now })
    expect(plan.keep.map((k) => k.runId)).toEqual(["r0", "r1"])
    expect(plan.removeRuns.map((r) => r.runId)).toEqual(["r2", "r3", "r4"])
  })
})

describe("applyPrune", () => {
  it.effect("deletes planned run folders (via a .trash- sibling), leaves the rest, reports missing ones", () =>
    Effect.gen(function* () {
      const runsDir = join(mkdtempSync(join(tmpdir(), "iiot-prune-")), "runs")
      const runs = history(6, runsDir)
      for (const r of runs.slice(0, 5)) {
        mkdirSync(join(r.runDir, "pack"), { recursive: true })
        writeFileSync(join(r.runDir, "run.json"), "{}")
        writeFileSync(join(r.runDir, "pack", "brief.pdf"), "%PDF")
      }
      // Left behind by a prune that crashed between rename and delete.
      mkdirSync(join(runsDir, ".trash-rX-dead"))
      const plan = Retention.planPrune({ runs, current: join(runsDir, "r0"), keepRuns: 2, olderThan: "0 millis", now })
      const result = yield* Retention.applyPrune(plan)
      expect(result.removed.map((r) => r.runId)).toEqual(["r2", "r3", "r4"])
      expect(result.missing.map((r) => r.runId)).toEqual(["r5"])
      expect(result.failed).toEqual([])
      expect(readdirSync(runsDir).sort()).toEqual(["r0", "r1"])
      expect(existsSync(join(runsDir, "r1", "pack", "brief.pdf"))).toBe(true)
    }),
  )

  it.effect("refuses a filesystem root as a run folder", () =>
    Effect.gen(function* () {
      const result = yield* Retention.applyPrune({ removeRuns: [{ runId: "bad", runDir: "/", why: "test" }], keep: [] })
      expect(result.removed).toEqual([])
      expect(result.failed.map((f) => [f.reason, f.runId])).toEqual([["unsafe-path", "bad"]])
    }),
  )
})
