/**
 * Issue 5, "Done when": change three decisions in a written workbook, import, refresh: the links
 * change as decided, and stay so after a further refresh with shuffled source rows.
 */
import { describe, expect, it } from "vitest"
import { Effect } from "effect"
import ExcelJS from "exceljs"
import Papa from "papaparse"
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import * as ReviewImport from "../../pipeline/publish/review/Import.js"
import { refresh, workspace } from "./harness.js"

interface LinkRow {
  readonly key: string
  readonly status: string
  readonly entity: string
  readonly row: number
}

const linksOf = async (file: string): Promise<{ wb: ExcelJS.Workbook; links: Array<LinkRow> }> => {
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.readFile(file)
  const ws = wb.getWorksheet("Links")!
  const headers = (ws.getRow(1).values as Array<unknown>).slice(1).map(String)
  const at = (name: string) => headers.indexOf(name) + 1
  const links: Array<LinkRow> = []
  ws.eachRow((row, n) => {
    if (n === 1) return
    links.push({ key: String(row.getCell(at("Link key")).value), status: String(row.getCell(at("Status")).value), entity: String(row.getCell(at("Entity")).value), row: n })
  })
  return { wb, links }
}

/** Rewrites a CSV with its data rows in a different order (header first, content unchanged). */
const shuffle = (file: string) => {
  const parsed = Papa.parse<Array<string>>(readFileSync(file, "utf8"), { skipEmptyLines: true }).data
  const [head, ...rows] = parsed
  const reordered = rows.map((r, i) => [((i * 7919) % 104729) + Math.sin(i), r] as const).sort((a, b) => a[0] - b[0]).map(([, r]) => r)
  writeFileSync(file, Papa.unparse([head!, ...reordered], { newline: "\n" }) + "\n")
}

describe("review round-trip", () => {
  it("decisions made in the workbook change the links and survive a refresh with shuffled rows", async () => {
    const ws = workspace()
    expect((await refresh(ws)).status).toBe("succeeded")
    const file = join(ws, "outputs/latest/iiot-observatory.xlsx")
    const before = await linksOf(file)
    const auto = before.links.filter((l) => l.status === "auto")
    expect(auto.length).toBeGreaterThan(3)
    const [rejectA, rejectB, acceptC] = [auto[0]!, auto[1]!, auto[2]!]

    // A reviewer picks decisions in the dropdown column and saves the workbook.
    const sheet = before.wb.getWorksheet("Links")!
    const decisionCol = (sheet.getRow(1).values as Array<unknown>).slice(1).map(String).indexOf("Decision") + 1
    sheet.getRow(rejectA.row).getCell(decisionCol).value = "reject"
    sheet.getRow(rejectB.row).getCell(decisionCol).value = "Reject "
    sheet.getRow(acceptC.row).getCell(decisionCol).value = "accept"
    const returned = join(ws, "returned.xlsx")
    await before.wb.xlsx.writeFile(returned)

    const imported = await Effect.runPromise(
      ReviewImport.importDecisions({
        workbook: returned,
        decisionsFile: join(ws, "sources/review/decisions.csv"),
        knownKeys: new Set(before.links.map((l) => l.key)),
        decidedBy: "test",
        decidedAt: "2026-11-29T00:00:00Z",
      }),
    )
    expect(imported.imported.map((d) => d.decision).sort()).toEqual(["accept", "reject", "reject"])
    expect(imported.findings.filter((f) => f.severity !== "info").map((f) => `${f.code}: ${f.message}`).slice(0, 3)).toEqual([])

    const check = async () => {
      const { links } = await linksOf(join(ws, "outputs/latest/iiot-observatory.xlsx"))
      const by = new Map(links.map((l) => [l.key, l]))
      expect(by.get(rejectA.key)?.status).toBe("rejected")
      expect(by.get(rejectB.key)?.status).toBe("rejected")
      expect(by.get(acceptC.key)?.status).toBe("decided")
      expect(by.get(acceptC.key)?.entity).toBe(acceptC.entity)
    }
    const second = await refresh(ws)
    expect(second.status).toBe("succeeded")
    expect(second.outcomes.find((o) => o.key === "reconciled/entities")?.status).toBe("ran")
    await check()

    for (const f of ["miit/2023-06/miit_platforms.csv", "miit/2023-06/miit_collaborations.csv", "wef/2026-01/wef_lighthouses.csv"]) shuffle(join(ws, "sources", f))
    const third = await refresh(ws)
    expect(third.status).toBe("succeeded")
    expect(third.outcomes.find((o) => o.key === "raw/wef/2026-01/wef_lighthouses")?.status).toBe("ran")
    await check()
  })

  it("a returned workbook dropped into sources/ (kind review-decisions, sheet Links) is applied by the next refresh", async () => {
    const ws = workspace()
    expect((await refresh(ws)).status).toBe("succeeded")
    const { wb, links } = await linksOf(join(ws, "outputs/latest/iiot-observatory.xlsx"))
    const target = links.find((l) => l.status === "auto")!
    const sheet = wb.getWorksheet("Links")!
    const headers = (sheet.getRow(1).values as Array<unknown>).slice(1).map(String)
    sheet.getRow(target.row).getCell(headers.indexOf("Decision") + 1).value = "reject"
    mkdirSync(join(ws, "sources/review"), { recursive: true })
    await wb.xlsx.writeFile(join(ws, "sources/review/returned.xlsx"))
    writeFileSync(
      join(ws, "sources/review/returned.xlsx.source.yml"),
      "kind: review-decisions\ntitle: returned workbook\nproducer: policy staff\nurl: internal\nretrieved: 2026-11-29\nsheet: Links\n",
    )
    const run = await refresh(ws)
    expect(run.status).toBe("succeeded")
    expect(run.outcomes.find((o) => o.key === "review/decisions")?.rows).toBe(1)
    const after = await linksOf(join(ws, "outputs/latest/iiot-observatory.xlsx"))
    expect(after.links.find((l) => l.key === target.key)?.status).toBe("rejected")
  })

  it("an unknown decision or an edited key is a finding, never a crash", async () => {
    const ws = workspace()
    expect((await refresh(ws)).status).toBe("succeeded")
    const { wb, links } = await linksOf(join(ws, "outputs/latest/iiot-observatory.xlsx"))
    const sheet = wb.getWorksheet("Links")!
    const headers = (sheet.getRow(1).values as Array<unknown>).slice(1).map(String)
    sheet.getRow(links[0]!.row).getCell(headers.indexOf("Decision") + 1).value = "maybe"
    sheet.getRow(links[1]!.row).getCell(headers.indexOf("Link key") + 1).value = "lk-edited-by-hand"
    sheet.getRow(links[1]!.row).getCell(headers.indexOf("Decision") + 1).value = "reject"
    sheet.spliceRows(links[2]!.row, 1)
    const returned = join(ws, "returned.xlsx")
    await wb.xlsx.writeFile(returned)
    const r = await Effect.runPromise(
      ReviewImport.importDecisions({ workbook: returned, decisionsFile: join(ws, "sources/review/decisions.csv"), knownKeys: new Set(links.map((l) => l.key)), decidedBy: "t", decidedAt: "2026-11-29T00:00:00Z" }),
    )
    const codes = r.findings.map((f) => f.code).sort()
    expect(codes).toContain("unknown-value")
    expect(codes).toContain("unknown-link-key")
    expect(codes).toContain("rows-missing")
    // The refresh still succeeds; the stale decision is reported, not fatal.
    expect((await refresh(ws)).status).toBe("succeeded")
  })
})
