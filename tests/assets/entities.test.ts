/**
 * Issue 4, "Done when", asserted through the public asset `reconciled/entities` of a real refresh
 * of the bundled sources (the stored value the workbook and packs are built from).
 */
import { describe, expect, it } from "vitest"
import { Effect, Option } from "effect"
import Papa from "papaparse"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import * as Layers from "../../pipeline/cli/layers.js"
import { AssetStore } from "../../pipeline/engine/AssetStore.js"
import { RunStore } from "../../pipeline/engine/RunStore.js"
import type { ResolveResult } from "../../pipeline/reconcile/entities/Resolve.js"
import { refresh, workspace } from "./harness.js"

const stored = (dir: string, key: string) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const runs = yield* RunStore
      const assets = yield* AssetStore
      const state = (yield* runs.states).get(key)!
      return Option.getOrThrow(yield* assets.get(key, state.fingerprint))
    }).pipe(Effect.provide(Layers.storeLayers(join(dir, "outputs/.iiot/runs.sqlite")))),
  )

describe("reconciled/entities on the bundled sources", async () => {
  const ws = workspace()
  const run = await refresh(ws)
  const r = (await stored(ws, "reconciled/entities")) as ResolveResult
  const entityOf = new Map(r.links.filter((l) => l.status === "auto" || l.status === "decided").map((l) => [l.mentionId, l.entityId]))
  const byId = new Map(r.entities.map((e) => [e.id, e]))
  const rows = (file: string) => Papa.parse<Record<string, string>>(readFileSync(join(ws, "sources", file), "utf8"), { header: true, skipEmptyLines: true }).data
  /** Entities of the rows of a source matching a predicate, for one role. */
  const entitiesOf = (file: string, role: string, pred: (row: Record<string, string>) => boolean) =>
    new Set(
      rows(file)
        .map((row, i) => [row, i + 2] as const)
        .filter(([row]) => pred(row))
        .map(([, n]) => entityOf.get(`${file}#${n}#${role}`)),
    )
  const group = (id: string | undefined) => (id ? (byId.get(id)?.group ?? id) : undefined)

  it("ran", () => expect(run.status).toBe("succeeded"))

  it("resolves the 28 platforms of the 2022 list to one entity each", () => {
    const list = rows("miit/2023-06/miit_platforms.csv").map((row, i) => [row, i + 2] as const).filter(([row]) => row["list_year"] === "2022")
    expect(list).toHaveLength(28)
    const ids = list.map(([, n]) => entityOf.get(`miit/2023-06/miit_platforms.csv#${n}#platform-operator`) ?? entityOf.get(`miit/2023-06/miit_platforms.csv#${n}#platform`))
    expect(ids.every((id) => id !== undefined)).toBe(true)
    expect(new Set(ids).size).toBe(28)
  })

  it("resolves the Table 1 / Table 2 naming variants to the same entities", () => {
    const collab = "miit/2023-06/miit_collaborations.csv"
    const platforms = "miit/2023-06/miit_platforms.csv"
    for (const [table1, table2] of [["Alibaba Cloud", "Aliyun Cloud Computing"], ["Huawei FusionPlant", "Huawei"], ["CMM Humi", "CMM"], ["Irootech Rootcloud", "Irootech RootCloud"]] as const) {
      const a = entitiesOf(collab, "collaboration-platform", (row) => row["platform"] === table1)
      const b = entitiesOf(platforms, "platform-operator", (row) => row["platform_name_en"]?.startsWith(table2) === true && row["list_year"] === "2022")
      expect(a.size, table1).toBe(1)
      expect([...a][0], `${table1} / ${table2}`).toBe([...b][0])
    }
  })

  it("links Haier's and Midea's lighthouse sites to the groups that operate COSMOPlat and Midea Cloud", () => {
    const sites = (needle: string) => entitiesOf("wef/2026-01/wef_lighthouses.csv", "lighthouse-operator", (row) => row["company"]!.includes(needle))
    const operator = (en: string) => [...entitiesOf("miit/2023-06/miit_platforms.csv", "platform-operator", (row) => row["platform_name_en"] === en)][0]
    for (const [site, platform] of [["Haier", "Haier COSMOPlat"], ["Midea", "Midea Cloud"]] as const) {
      const groups = new Set([...sites(site)].map(group))
      expect(groups.size, site).toBe(1)
      expect([...groups][0], site).toBe(group(operator(platform)))
    }
  })

  it("links Sany to RootCloud through the reference file, and Baosight and Baosteel meet at their parent", () => {
    const sany = [...entitiesOf("wef/2026-01/wef_lighthouses.csv", "lighthouse-operator", (row) => row["company"]!.startsWith("Sany"))]
    const rootcloud = [...entitiesOf("miit/2023-06/miit_platforms.csv", "platform-operator", (row) => /rootcloud/i.test(row["platform_name_en"] ?? ""))]
    expect(sany.length).toBeGreaterThan(0)
    expect(new Set([...sany, ...rootcloud].map(group)).size).toBe(1)
    const baosight = byId.get([...entitiesOf("miit/2023-06/miit_platforms.csv", "platform-operator", (row) => (row["company_name_zh"] ?? "").includes("宝信"))][0]!)!
    const baosteel = [...r.entities].find((e) => e.nameEn === "Baosteel" || (e.nameZh ?? "").startsWith("宝山钢铁"))!
    expect(baosight.id).not.toBe(baosteel.id)
    expect(baosight.parent).toBe(baosteel.parent)
  })

  it("keeps Siemens, Bosch and Schneider Electric one entity each across collaborations and lighthouses", () => {
    for (const name of ["Siemens", "Bosch", "Schneider Electric"]) {
      const partner = entitiesOf("miit/2023-06/miit_collaborations.csv", "partner", (row) => row["partner"]!.startsWith(name))
      // "Schneider Electric" and "Schneider Electric (施耐德电气)" are the same operator.
      const sites = entitiesOf("wef/2026-01/wef_lighthouses.csv", "lighthouse-operator", (row) => row["company"]!.replace(/\s*\(.*\)$/, "") === name)
      expect(sites.size, name).toBe(1)
      // In these extracts Schneider Electric appears only as a lighthouse operator.
      if (name !== "Schneider Electric") expect([...partner], name).toEqual([...sites])
    }
  })
})
