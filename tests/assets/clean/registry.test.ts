/**
 * The reference normalisers: `reference/companies` (the curated reference, rows with an entity id,
 * as objects with English comparison keys) and `reference/firms` (every other reference row, in
 * columns, normalised in parts on worker threads and merged in order).
 */
import { describe, expect, it } from "vitest"
import * as RawRows from "../../../pipeline/domain/RawRows.js"
import type { RawTable } from "../../../pipeline/ingest/Ingest.js"
import * as Firms from "../../../pipeline/assets/clean/firms.js"
import * as N from "../../../pipeline/assets/clean/normalise.js"
import * as Parts from "../../../pipeline/assets/clean/parts.js"
import { firmAt } from "../../../pipeline/reconcile/entities/Firms.js"
import { rawTable } from "./support.js"
import { Effect } from "effect"
import * as Asset from "../../../pipeline/engine/AssetSpec.js"
import * as Tables from "../../../pipeline/assets/clean/tables.js"

const table = (id: string, columns: ReadonlyArray<string>, rows: ReadonlyArray<Record<string, string>>): RawTable => rawTable(id, "reference", columns, rows)

const mixed = () =>
  table("reference/t/mixed.csv", ["credit_code", "name_zh", "name_en", "province", "city", "sector", "entity_id"], [
    { credit_code: "", name_zh: "海尔集团公司", name_en: " Haier  Group Co., Ltd. ", province: "山东", city: "青岛", sector: "", entity_id: "haier" },
    { credit_code: "91110108 7hn74pg65r", name_zh: "北京中晨半导体有限公司", name_en: "Beijing Zhongchen Semiconductor Co., Ltd.", province: "北京", city: "北京", sector: "制造业", entity_id: "" },
    { credit_code: "", name_zh: "航天云网科技发展有限责任公", name_en: "", province: "北京", city: "北京", sector: "制造业", entity_id: " " },
    { credit_code: "91370200MA3C0XXX0X", name_zh: "北京金华智能装备有限公司", name_en: "", province: "ＢＪ", city: "", sector: "", entity_id: "" },
  ])

/** A registry without an entity id column: every row is a firm. */
const registry = (n: number) =>
  table(
    "reference/bench/registry.csv",
    ["credit_code", "name_zh", "province", "city", "sector"],
    Array.from({ length: n }, (_, i) => ({
      credit_code: i % 9 === 0 ? "" : `9111${String(i).padStart(14, "0")}`,
      name_zh: i % 13 === 0 ? "" : i % 17 === 0 ? "航天云网科技发展有限责任公" : `${["北京", "青岛", "海智"][i % 3]}测试${i}科技有限公司`,
      province: ["北京", "山东", "广东 "][i % 3]!,
      city: ["北京", "青岛", "广州", ""][i % 4]!,
      sector: ["制造业", "信息技术"][i % 2]!,
    })),
  )

describe("reference/companies", () => {
  it("holds the curated rows only, English names keyed and kept as text", () => {
    const t = N.registry([mixed(), registry(5)])
    expect(t.rows.map((r) => r.entityId)).toEqual(["haier"])
    expect(t.rows[0]!.nameEn?.key).toBeTruthy()
    expect(t.rows[0]!.nameEnText).toBe("Haier Group Co., Ltd.")
    expect(t.rows[0]!.provenance).toEqual({ source: "reference/t/mixed.csv", row: 2 })
  })
})

describe("reference/firms", () => {
  it("normalises every row without an entity id, in order, with its provenance", async () => {
    const { firms, findings } = await Firms.normaliseFirms([mixed(), registry(3)])
    expect(firms.length).toBe(6)
    expect([...firms.row]).toEqual([3, 4, 5, 2, 3, 4])
    expect(Array.from(firms.source.codes, (c) => firms.source.values[c])).toEqual([...Array(3).fill("reference/t/mixed.csv"), ...Array(3).fill("reference/bench/registry.csv")])
    const [zhongchen, repaired, jinhua] = [0, 1, 2].map((i) => firmAt(firms, i))
    expect(zhongchen).toEqual({ creditCode: "911101087HN74PG65R", nameZh: "北京中晨半导体有限公司", nameKey: "中晨半导体", fullKey: "中晨半导体", province: "北京", city: "北京", sector: "制造业" })
    // A blank entity id (spaces) is a firm; a form cut short is repaired, with a finding naming the row.
    expect(repaired!.nameZh).toBe("航天云网科技发展有限责任公司")
    expect(findings.map((f) => [f.code, f.source, f.row, f.field, f.value])).toEqual([["repaired-name", "reference/t/mixed.csv", 4, "name_zh", "航天云网科技发展有限责任公"]])
    // A trade word the normaliser takes for a place stays in the full key; text is normalised (full-width letters).
    expect([jinhua!.nameKey, jinhua!.fullKey, jinhua!.province, jinhua!.city]).toEqual(["智能装备", "金华智能装备", "BJ", ""])
    // Blank cells are "".
    expect(firmAt(firms, 3)).toMatchObject({ creditCode: "", nameZh: "", nameKey: "", fullKey: "" })
  })

  it("cuts shares at block boundaries, in order, about even", () => {
    const t = registry(10_000)
    const slices = [{ source: "a", columns: t.rows.columns, blocks: t.rows.blocks }, { source: "b", columns: t.rows.columns, blocks: t.rows.blocks.slice(0, 1) }]
    const shares = Parts.shares(slices, 3)
    expect(shares).toHaveLength(3)
    expect(shares.flat().flatMap((s) => s.blocks)).toEqual([...t.rows.blocks, t.rows.blocks[0]])
    expect(shares.flat().map((s) => s.source)).toEqual(["a", "a", "a", "b"])
    const rows = shares.map((s) => s.reduce((a, x) => a + x.blocks.reduce((b, k) => b + k.rows.length, 0), 0))
    expect(Math.max(...rows) - Math.min(...rows)).toBeLessThanOrEqual(2 * RawRows.BLOCK_ROWS)
  })

  it("gives the same firms and findings in parts on worker threads as on this thread", async () => {
    expect(Parts.cleanWorker(), "no clean worker: is dist/clean-worker.js missing or older than pipeline/? (node scripts/build.mjs)").toBeDefined()
    const tables = [mixed(), registry(9_000), registry(4_000)]
    const one = await Firms.normaliseFirms(tables, { parts: 1 })
    const three = await Firms.normaliseFirms(tables, { parts: 3, minRows: 1 })
    expect(three.workers).toBe(2)
    expect(three.firms).toEqual(one.firms)
    expect(three.findings).toEqual(one.findings)
    expect(one.firms.length).toBe(13_003)
  })

  it("does a worker's share on this thread when the worker fails", async () => {
    const tables = [registry(6_000)]
    const bad = new URL("data:text/javascript,throw new Error('broken worker')")
    const fallback = await Firms.normaliseFirms(tables, { parts: 2, minRows: 1, workerScript: bad })
    expect(fallback.workers).toBe(0)
    const here = await Firms.normaliseFirms(tables, { parts: 1 })
    expect([fallback.firms, fallback.findings]).toEqual([here.firms, here.findings])
  })

  it("is checked for provenance: every firm names its source and a row", async () => {
    const raw = Asset.fromKeys<RawTable>({ key: "raw/reference/t/registry", run: () => Effect.succeed({ value: registry(10) }) })
    const asset = Tables.cleanAssets([{ kind: "reference", asset: raw }]).firms
    const check = asset.checks.find((c) => c.name === "provenance")!
    const { firms } = await Firms.normaliseFirms([registry(3_000)], { parts: 1 })
    expect(check.run(firms)).toEqual({ passed: true, message: "0 of 3000 firms without provenance" })
    const row = Int32Array.from(firms.row)
    row[7] = 0
    const source = { values: [...firms.source.values, ""], codes: Uint32Array.from(firms.source.codes) }
    source.codes[8] = source.values.length - 1
    expect(check.run({ ...firms, row, source })).toEqual({ passed: false, message: "2 of 3000 firms without provenance" })
  })
})
