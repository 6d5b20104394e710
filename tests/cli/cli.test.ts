import { describe, expect, it } from "vitest"
import { execFile, execFileSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, readlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { iiot, repo, workspace } from "./harness.js"

describe("iiot CLI", () => {
  it("prints help for the root and every command, exit 0", async () => {
    const root = (await iiot(["--help"]))
    expect(root.code).toBe(0)
    for (const cmd of ["refresh", "validate", "plan", "status", "runs", "graph"]) {
      expect(root.stdout).toContain(cmd)
      const help = (await iiot([cmd, "--help"]))
      expect(help.code, cmd).toBe(0)
      expect(help.stdout.length).toBeGreaterThan(50)
    }
    expect((await iiot(["refresh", "--help"])).stdout).toContain("--select")
  })

  it("starts --help and status without loading exceljs or pdf-lib", async () => {
    // Counts the modules of each package in require's cache as the process ends (both are CommonJS).
    const probe = join(mkdtempSync(join(tmpdir(), "iiot-probe-")), "probe.cjs")
    writeFileSync(
      probe,
      `process.on("exit", () => { const k = Object.keys(require.cache); process.stderr.write("LOADED " + JSON.stringify(["exceljs", "pdf-lib"].filter((p) => k.some((f) => f.includes("/node_modules/" + p + "/")))) + "\\n") })`,
    )
    const loaded = (stderr: string) => JSON.parse(/LOADED (.*)/.exec(stderr)![1]!) as Array<string>
    const help = await iiot(["--help"], undefined, ["--require", probe])
    expect(help.code).toBe(0)
    expect(loaded(help.stderr)).toEqual([])
    const status = await iiot(["status"], workspace(), ["--require", probe])
    expect(loaded(status.stderr)).toEqual([])
    // The probe sees them when they are loaded.
    const both = await promisify(execFile)(process.execPath, ["--require", probe, "-e", 'require("exceljs"); require("pdf-lib")'], { cwd: repo, encoding: "utf8" })
    expect(loaded(both.stderr)).toEqual(["exceljs", "pdf-lib"])
  })

  it("brief explains when there is nothing stored yet", async () => {
    const r = await iiot(["brief"], workspace())
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("run `iiot refresh` first")
  })

  it("exits 2 on bad usage", async () => {
    expect((await iiot(["refresh", "--no-such-flag"])).code).toBe(2)
    expect((await iiot(["no-such-command"])).code).toBe(2)
  })

  it("refreshes the bundled sources, then skips everything the second time, with plain piped lines", async () => {
    const ws = workspace()
    const first = (await iiot(["refresh"], ws))
    expect(first.code, first.stderr + first.stdout).toBe(0)
    expect(first.stdout).toMatch(/^ran {5}raw\/wef\/2026-01\/wef_lighthouses {2}131 rows/m)
    expect(first.stdout).not.toContain("\r")
    const runJson = JSON.parse(readFileSync(join(ws, "outputs/latest/run.json"), "utf8"))
    expect(runJson.status).toBe("succeeded")
    expect(runJson.assets.every((a: { status: string }) => a.status === "ran")).toBe(true)
    expect(Object.keys(runJson.sources)).toContain("raw/miit/2023-06/miit_platforms")
    // The command starts itself with V8's bigger young generation (bin/iiot.mjs), and says so.
    expect(runJson.runtime).toMatchObject({ node: process.version, platform: `${process.platform}-${process.arch}` })
    expect(runJson.runtime.execArgv).toContain("--max-semi-space-size=64")

    // A flag the caller gives is kept, not overridden.
    const second = (await iiot(["refresh"], ws, ["--max-semi-space-size=16"]))
    expect(second.code).toBe(0)
    expect(second.stdout).toMatch(/0 ran, \d+ skipped, 0 failed, 0 blocked/)
    expect(second.stdout).toContain("unchanged since the last materialisation")
    const secondRun = JSON.parse(readFileSync(join(ws, "outputs/latest/run.json"), "utf8"))
    expect(secondRun.runId).not.toBe(runJson.runId)
    expect(secondRun.runtime.execArgv.filter((a: string) => a.startsWith("--max-semi-space-size"))).toEqual(["--max-semi-space-size=16"])
    // V8 took each: its heap limit includes the young generation's.
    expect(runJson.runtime.heapLimitMb).toBeGreaterThan(secondRun.runtime.heapLimitMb)
    // Also when given in NODE_OPTIONS (which a flag on the command line would override), in
    // V8's other spelling and quoted, as Node accepts it there.
    const third = await iiot(["refresh"], ws, [], { NODE_OPTIONS: '"--max_semi_space_size=16"' })
    expect(third.code, third.stderr).toBe(0)
    const thirdRun = JSON.parse(readFileSync(join(ws, "outputs/latest/run.json"), "utf8"))
    expect(thirdRun.runtime.nodeOptions).toBe('"--max_semi_space_size=16"')
    expect(thirdRun.runtime.execArgv.some((a: string) => a.startsWith("--max-semi-space-size"))).toBe(false)
    expect(thirdRun.runtime.heapLimitMb).toBe(secondRun.runtime.heapLimitMb)

    const plan = (await iiot(["plan"], ws))
    expect(plan.stdout).toMatch(/^0 of \d+ assets would run$/m)
    const runs = (await iiot(["runs"], ws))
    expect(runs.stdout.split("\n").filter((l) => l.includes("succeeded")).length).toBe(3)
    const status = (await iiot(["status"], ws))
    expect(status.stdout).toMatch(/last run: +\S+ succeeded/)
    expect((await iiot(["graph"], ws)).stdout).toMatch(/^flowchart LR/)

    // Packs on demand from the stored data, without re-ingesting.
    const profile = await iiot(["brief", "--template", "entity-profile", "--focus", "Haier", "--out", "haier.pdf"], ws)
    expect(profile.code, profile.stderr).toBe(0)
    expect(profile.stdout).toMatch(/^wrote haier\.pdf: \d+ pages/)
    const text = execFileSync("pdftotext", [join(ws, "haier.pdf"), "-"], { encoding: "utf8" })
    expect(text).toContain("海尔卡奥斯物联生态科技有限公司")
    expect(text).toContain("COSMOPlat")
    expect((await iiot(["brief", "--as-of", "2022/10"], ws)).code).toBe(2)
  })

  it("a broken source fails the refresh with its file named, exit 1, and `latest` stays", async () => {
    const ws = workspace()
    expect((await iiot(["refresh"], ws)).code).toBe(0)
    const before = readlinkSync(join(ws, "outputs/latest"))
    writeFileSync(join(ws, "sources/wef/2026-01/extra.csv"), "a,b\n1,2\n")
    const r = (await iiot(["refresh"], ws))
    expect(r.code).toBe(1)
    expect(r.stdout).toContain("wef/2026-01/extra.csv has no sidecar")
    expect(r.stdout).toContain("not published")
    expect(readlinkSync(join(ws, "outputs/latest"))).toBe(before)
    expect(existsSync(join(ws, "outputs/latest/run.json"))).toBe(true)
  })

  it("validate reports the real data issues as findings, not failures; --json for machines", async () => {
    const ws = workspace()
    const r = (await iiot(["validate", "--json"], ws))
    expect(r.code, r.stderr).toBe(0)
    const report = JSON.parse(r.stdout)
    expect(report.ok).toBe(true)
    const lighthouses = report.sources.find((s: { source: string }) => s.source === "wef/2026-01/wef_lighthouses.csv")
    expect(lighthouses.read).toBe(131)
    expect(lighthouses.findings.some((f: { code: string; row: number }) => f.code === "partial-verification" && f.row > 1)).toBe(true)
    const table = (await iiot(["validate"], ws))
    expect(table.stdout).toMatch(/source\s+status\s+read\s+kept\s+rejected\s+findings/)
  })

  it("validate exits 1 when a source cannot be used, naming it", async () => {
    const ws = workspace()
    writeFileSync(join(ws, "sources/idc/2025/idc_iot_spending.csv.source.yml"), "kind: idc-figures\ntitle: x\nproducer: x\nurl: x\nretrieved: 2026-01-01\n")
    const r = (await iiot(["validate"], ws))
    expect(r.code).toBe(1)
    expect(r.stdout).toContain("idc/2025/idc_iot_spending.csv.source.yml:1: kind:")
    expect(r.stdout).toContain("known kinds: miit-platforms")
  })
})
