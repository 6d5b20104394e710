/**
 * Snapshot retention: `iiot prune` removes downloads nothing needs any more, and keeps the latest
 * snapshot of every URL, those a kept run was built from, and fresh ones.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { existsSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Fetch from "../../../pipeline/ingest/Fetch.js"

const sha = (c: string) => c.repeat(64)
const now = new Date("2026-11-29T12:00:00Z")
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000)

const folder = () => {
  const dir = mkdtempSync(join(tmpdir(), "iiot-snapshots-"))
  const file = (name: string, age: number) => {
    writeFileSync(join(dir, name), "x")
    utimesSync(join(dir, name), daysAgo(age), daysAgo(age))
  }
  file(`${sha("a")}.csv`, 10) // latest of its URL
  file(`${sha("b")}.csv`, 10) // superseded, cited by a kept run
  file(`${sha("c")}.csv`, 10) // superseded, cited by nothing: the one to go
  file(`${sha("d")}.xlsx`, 0) // superseded, cited by nothing, but downloaded just now
  file(".download-0123456789abcdef.tmp", 10) // a download in progress (or abandoned): not a snapshot
  file("notes.txt", 10)
  const entry = { file: `${sha("a")}.csv`, sha256: sha("a"), bytes: 1, fetchedAt: daysAgo(10).toISOString(), checkedAt: daysAgo(1).toISOString() }
  writeFileSync(join(dir, "index.json"), JSON.stringify({ version: 1, urls: { "https://example.org/list.csv": entry } }))
  return dir
}

describe("snapshot retention", () => {
  it("lets go only of superseded snapshots no kept run cites, older than the grace period", () => {
    const dir = folder()
    const plan = Fetch.planSnapshotPrune(dir, new Set([sha("b")]), now)
    expect(plan.map((d) => [d.file.slice(0, 1), d.keep, d.why])).toEqual([
      ["a", true, "latest snapshot of its URL"],
      ["b", true, "cited by a kept run"],
      ["c", false, "superseded, and cited by no kept run"],
      ["d", true, "downloaded recently"],
    ])
    // Without the citation, b goes too.
    expect(Fetch.planSnapshotPrune(dir, new Set(), now).filter((d) => !d.keep).map((d) => d.file.slice(0, 1))).toEqual(["b", "c"])
  })

  it.effect("removes what the plan lets go and nothing else", () =>
    Effect.gen(function* () {
      const dir = folder()
      const result = yield* Fetch.pruneSnapshots(dir, Fetch.planSnapshotPrune(dir, new Set([sha("b")]), now))
      expect(result).toEqual({ removed: [`${sha("c")}.csv`], failed: [] })
      expect(readdirSync(dir).sort()).toEqual([".download-0123456789abcdef.tmp", `${sha("a")}.csv`, `${sha("b")}.csv`, `${sha("d")}.xlsx`, "index.json", "notes.txt"].sort())
    }),
  )

  it("has nothing to say about a folder that does not exist", () => {
    expect(Fetch.planSnapshotPrune(join(tmpdir(), "iiot-no-such-snapshots"), new Set(), now)).toEqual([])
    expect(existsSync(join(tmpdir(), "iiot-no-such-snapshots"))).toBe(false)
  })
})
