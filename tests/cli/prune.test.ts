/** Issue 7, "Done when": retention keeps `latest` and pending runs and bounds the run store. */
import { describe, expect, it } from "vitest"
import { existsSync, readlinkSync, appendFileSync } from "node:fs"
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
})
