import { describe, expect, it } from "vitest"
import { existsSync, readlinkSync, appendFileSync } from "node:fs"
import { join } from "node:path"
// @ts-expect-error better-sqlite3 ships no types; the test only runs one SELECT
import Database from "better-sqlite3"
import { iiot, workspace } from "./harness.js"

const runIdOf = (stdout: string) => stdout.match(/^run (\S+) /m)![1]!

describe("approval gate", () => {
  it("a refresh awaiting approval leaves `latest` alone until approved; reject discards; both recorded", async () => {
    const ws = workspace()
    const first = await iiot(["refresh"], ws)
    expect(first.code).toBe(0)
    const published = readlinkSync(join(ws, "outputs/latest"))

    // New data arrives; the refresh stops after checks and waits.
    appendFileSync(join(ws, "sources/wef/2026-01/wef_rounds.csv"), "2026-02-01,5,230,,,https://example.org/x,test row\r\n")
    const gated = await iiot(["refresh", "--require-approval"], ws)
    expect(gated.code, gated.stdout + gated.stderr).toBe(0)
    expect(gated.stdout).toContain("awaiting approval")
    const pending = runIdOf(gated.stdout)
    expect(readlinkSync(join(ws, "outputs/latest"))).toBe(published)
    expect((await iiot(["status"], ws)).stdout).toContain(`approvals:   ${pending}`)

    const approved = await iiot(["approve", pending, "--by", "analyst-a"], ws)
    expect(approved.code, approved.stderr).toBe(0)
    expect(readlinkSync(join(ws, "outputs/latest"))).toContain(pending)
    const runs = JSON.parse((await iiot(["runs", "--json"], ws)).stdout) as Array<{ runId: string; status: string }>
    expect(runs.find((r) => r.runId === pending)!.status).toBe("succeeded")

    // A second gated run is rejected: its outputs go, the history keeps it.
    appendFileSync(join(ws, "sources/wef/2026-01/wef_rounds.csv"), "2026-02-01,5,231,,,https://example.org/y,a second claim\r\n")
    const gated2 = await iiot(["refresh", "--require-approval"], ws)
    const second = runIdOf(gated2.stdout)
    const rejected = await iiot(["reject", second, "--why", "totals look wrong", "--by", "analyst-b"], ws)
    expect(rejected.code, rejected.stderr).toBe(0)
    expect(existsSync(join(ws, "outputs/runs", second))).toBe(false)
    expect(readlinkSync(join(ws, "outputs/latest"))).toContain(pending)
    const after = JSON.parse((await iiot(["runs", "--json"], ws)).stdout) as Array<{ runId: string; status: string }>
    expect(after.find((r) => r.runId === second)!.status).toBe("rejected")
    // Who decided, when and why is in the run store.
    const db = new Database(join(ws, "outputs/.iiot/runs.sqlite"), { readonly: true })
    const decisions = db.prepare("SELECT run_id, decision, decided_by, decided_at, why FROM decisions ORDER BY decided_at").all() as Array<Record<string, string>>
    db.close()
    expect(decisions.map((d) => [d["run_id"], d["decision"], d["decided_by"], d["why"]])).toEqual([
      [pending, "approved", "analyst-a", null],
      [second, "rejected", "analyst-b", "totals look wrong"],
    ])
    expect(decisions.every((d) => !Number.isNaN(Date.parse(d["decided_at"]!)))).toBe(true)
    // Deciding twice is refused.
    expect((await iiot(["approve", second], ws)).code).toBe(1)
  })
})
