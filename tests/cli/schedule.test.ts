/**
 * Issue 7, "Done when": `iiot schedule` as a real child process runs a schedule a few seconds
 * out, refreshes when a changed extract lands in the sources folder, and stops cleanly on
 * SIGTERM leaving the run store consistent.
 */
import { describe, expect, it } from "vitest"
import { Effect, Option } from "effect"
import { spawn } from "node:child_process"
import { appendFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { RunStore } from "../../pipeline/engine/RunStore.js"
import * as RunStoreModule from "../../pipeline/engine/RunStore.js"
import { repo, workspace } from "./harness.js"

interface Event {
  readonly _tag: string
  readonly job: string
  readonly detail: string
}

describe("iiot schedule", () => {
  it("fires a schedule, refreshes on a dropped extract, and stops cleanly on SIGTERM", async () => {
    const ws = workspace()
    const at = new Date(Date.now() + 8_000)
    const cron = `${at.getUTCSeconds()} ${at.getUTCMinutes()} ${at.getUTCHours()} * * *`
    writeFileSync(
      join(ws, "iiot.config.yml"),
      [
        "schedules:",
        "  - name: soon",
        `    cron: "${cron}"`,
        "    timezone: UTC",
        "    run:",
        "      refresh: {}",
        "watch:",
        "  enabled: true",
        "  quietPeriod: 1 seconds",
        "",
      ].join("\n"),
    )
    const child = spawn(process.execPath, [join(repo, "bin/iiot.mjs"), "schedule", "--json"], { cwd: ws, stdio: ["ignore", "pipe", "pipe"] })
    const events: Array<Event> = []
    let stderr = ""
    let buffer = ""
    child.stdout.on("data", (d) => {
      buffer += d
      const lines = buffer.split("\n")
      buffer = lines.pop()!
      for (const l of lines) if (l.startsWith("{")) events.push(JSON.parse(l))
    })
    child.stderr.on("data", (d) => (stderr += d))
    const waitFor = async (pred: (e: Event) => boolean, what: string, ms = 120_000) => {
      const start = Date.now()
      while (!events.some(pred)) {
        if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}; events: ${JSON.stringify(events)}; stderr: ${stderr}`)
        await new Promise((r) => setTimeout(r, 200))
      }
    }
    try {
      await waitFor((e) => e._tag === "Finished" && e.job.startsWith("schedule soon (schedule)") && e.detail.includes("succeeded"), "the scheduled refresh")
      appendFileSync(join(ws, "sources/wef/2026-01/wef_rounds.csv"), "2026-03-01,4,228,,,https://example.org/new,dropped in by a colleague\r\n")
      await waitFor((e) => e._tag === "Finished" && e.job.startsWith("schedule sources-watcher (watch)") && e.detail.includes("succeeded"), "the watcher's refresh")
    } finally {
      child.kill("SIGTERM")
    }
    const code = await new Promise<number | null>((done) => child.on("exit", (c) => done(c)))
    expect(code === 0 || code === 130, `exit ${code}: ${stderr}`).toBe(true)
    // One watcher refresh for the one dropped file, never two runs at once.
    expect(events.filter((e) => e._tag === "Fired" && e.job === "sources-watcher").length).toBeLessThanOrEqual(1)

    const store = await Effect.runPromise(
      Effect.gen(function* () {
        const s = yield* RunStore
        return { runs: yield* s.runs(100), lock: yield* s.lockHolder }
      }).pipe(Effect.provide(RunStoreModule.layer(join(ws, "outputs/.iiot/runs.sqlite")))),
    )
    expect(Option.isNone(store.lock)).toBe(true)
    expect(store.runs.length).toBeGreaterThanOrEqual(2)
    expect(store.runs.every((r) => r.status === "succeeded" || r.status === "interrupted")).toBe(true)
    expect(store.runs.every((r) => r.finishedAt !== null)).toBe(true)
  })
})
