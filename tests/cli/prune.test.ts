/** Issue 7, "Done when": retention keeps `latest` and pending runs and bounds the run store. */
import { describe, expect, it } from "vitest"
import { appendFileSync, existsSync, mkdirSync, readlinkSync, readdirSync, utimesSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { iiot, workspace } from "./harness.js"

const runsOf = async (ws: string) => JSON.parse((await iiot(["runs", "--json", "--limit", "100"], ws)).stdout) as Array<{ runId: string; status: string; runDir: string }>

describe("iiot prune", () => {
  it("keeps latest and the run awaiting approval, removes the rest, and bounds the store", async () => {
    const ws = workspace()
    for (let i = 0; i < 3; i++) expect((await iiot(["refresh", "--force", "--select", "published/*"], ws)).code).toBe(0)
    const latest = readlinkSync(join(ws, "outputs/latest"))
    appendFileSync(join(ws, "sources/wef/2026-01/wef_rounds.csv"), "2026-03-01,4,228,,,https://example.org/x,test\r\n")
    const gated = await iiot(["refresh", "--require-approval"], ws)
    const pending = gated.stdout.match(/^run (\S+) /m)![1]!
    const before = await runsOf(ws)
    expect(before.length).toBe(4)

    const r = await iiot(["prune", "--keep-runs", "0", "--older-than", "0 seconds"], ws)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/pruned 2 runs/)
    const after = await runsOf(ws)
    expect(after.map((x) => x.runId).sort()).toEqual([pending, latest.split("/").pop()!].sort())
    expect(readlinkSync(join(ws, "outputs/latest"))).toBe(latest)
    expect(existsSync(join(ws, "outputs/latest/iiot-observatory.xlsx"))).toBe(true)
    for (const gone of before.filter((b) => !after.some((a) => a.runId === b.runId))) expect(existsSync(gone.runDir)).toBe(false)
    expect((await iiot(["prune", "--older-than", "soon"], ws)).code).toBe(2)
  })

  it("removes downloads nothing needs any more, and keeps each URL's latest snapshot and recent ones", async () => {
    const ws = workspace()
    expect((await iiot(["refresh", "--select", "wef/rounds"], ws)).code).toBe(0)
    const dir = join(ws, "outputs/.iiot/snapshots")
    mkdirSync(dir, { recursive: true })
    const old = new Date(Date.now() - 10 * 86_400_000)
    const put = (name: string, when: Date) => {
      writeFileSync(join(dir, name), "year,value\n")
      utimesSync(join(dir, name), when, when)
    }
    put(`${"a".repeat(64)}.csv`, old)
    put(`${"b".repeat(64)}.csv`, old)
    put(`${"c".repeat(64)}.csv`, new Date())
    const entry = { file: `${"a".repeat(64)}.csv`, sha256: "a".repeat(64), bytes: 11, fetchedAt: old.toISOString(), checkedAt: old.toISOString() }
    writeFileSync(join(dir, "index.json"), JSON.stringify({ version: 1, urls: { "https://example.org/x.csv": entry } }))
    const r = await iiot(["prune"], ws)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(new RegExp(`removed snapshot ${"b".repeat(64)}\\.csv`))
    expect(r.stdout).toMatch(/and 1 snapshots/)
    expect(readdirSync(dir).sort()).toEqual([`${"a".repeat(64)}.csv`, `${"c".repeat(64)}.csv`, "index.json"])
  })
})
