/**
 * `miit/lists`: the large MIIT lists normalised into columns (`Clean.Listed`), in parts on worker
 * threads and merged in order, read back row by row with `Listed.rowAt`.
 */
import { describe, expect, it } from "vitest"
import * as Lists from "../../../pipeline/assets/clean/lists.js"
import * as Parts from "../../../pipeline/assets/clean/parts.js"
import * as RawRows from "../../../pipeline/domain/RawRows.js"
import type { RawTable } from "../../../pipeline/ingest/Ingest.js"
import * as Listed from "../../../pipeline/reconcile/entities/Listed.js"
import { rawTable } from "./support.js"

const COLUMNS = ["seq", "company_name_zh", "credit_code", "province", "sector", "batch"]

const table = (id: string, rows: ReadonlyArray<Record<string, string>>): RawTable => rawTable(id, "miit-list", COLUMNS, rows)

const small = () =>
  table("miit/t/giants.csv", [
    { seq: " 1 ", company_name_zh: "北京中晨半导体有限公司", credit_code: "91110108 7hn74pg65r", province: "北京", sector: "制造业", batch: "第一批" },
    { seq: "2", company_name_zh: "航天云网科技发展有限责任公", credit_code: "", province: "北京", sector: "制造业", batch: "第一批" },
    { seq: "3", company_name_zh: "青岛金华智能装备有限公司", credit_code: "91370200MA3C0XXX0X", province: "ＢＪ", sector: "", batch: "第二批" },
    { seq: "4", company_name_zh: "", credit_code: "", province: "", sector: "", batch: "" },
  ])

/** A generated list of `n` rows, with blank names, blank codes and repaired forms mixed in. */
const generated = (id: string, n: number) =>
  table(
    id,
    Array.from({ length: n }, (_, i) => ({
      seq: String(i + 1),
      company_name_zh: i % 13 === 0 ? "" : i % 17 === 0 ? "航天云网科技发展有限责任公" : `${["北京", "青岛", "海智"][i % 3]}测试${i}科技有限公司`,
      credit_code: i % 9 === 0 ? "" : `9111${String(i).padStart(14, "0")}`,
      province: ["北京", "山东", "广东 "][i % 3]!,
      sector: ["制造业", "信息技术"][i % 2]!,
      batch: `第${(i % 5) + 1}批`,
    })),
  )

describe("miit/lists", () => {
  it("normalises every row, in order, with its provenance, and reads back as list rows", async () => {
    const { rows, findings } = await Lists.normaliseLists([small()])
    expect(rows.length).toBe(4)
    const [zhongchen, repaired, jinhua, blank] = [0, 1, 2, 3].map((i) => Listed.rowAt(rows, i))
    expect(zhongchen).toEqual({
      seq: "1",
      name: { display: "北京中晨半导体有限公司", key: "中晨半导体", location: "北京", repaired: undefined },
      creditCode: "911101087HN74PG65R",
      creditCodeValid: true,
      province: "北京",
      sector: "制造业",
      batch: "第一批",
      provenance: { source: "miit/t/giants.csv", row: 2 },
    })
    // A form cut short is repaired, with a finding naming the row and field.
    expect(repaired!.name).toMatchObject({ display: "航天云网科技发展有限责任公司", repaired: "truncated-form" })
    expect(repaired!.creditCode).toBeUndefined()
    expect(findings.map((f) => [f.code, f.source, f.row, f.field, f.value])).toEqual([["repaired-name", "miit/t/giants.csv", 3, "company_name_zh", "航天云网科技发展有限责任公"]])
    // A code failing the GB 32100 check is kept and marked; text is normalised (full-width letters).
    expect([jinhua!.creditCode, jinhua!.creditCodeValid, jinhua!.province]).toEqual(["91370200MA3C0XXX0X", false, "BJ"])
    // A trade word the normaliser takes for a place stays in the full key.
    expect([rows.nameKey[2], rows.fullKey[2]]).toEqual(["智能装备", "金华智能装备"])
    // Blank cells are "" in the columns.
    expect([rows.nameZh[3], rows.nameKey[3], rows.fullKey[3], rows.creditCode[3]]).toEqual(["", "", "", ""])
    expect(blank!.provenance).toEqual({ source: "miit/t/giants.csv", row: 5 })
    // fromRows (tests, benches) builds the same columns from the rows.
    expect(Listed.fromRows([0, 1, 2].map((i) => Listed.rowAt(rows, i)))).toEqual(await Lists.normaliseLists([table("miit/t/giants.csv", [0, 1, 2].map((i) => RawRows.toArray(small().rows)[i]!.values))]).then((v) => v.rows))
  })

  it("gives the same columns and findings in parts on worker threads as on this thread", async () => {
    expect(Parts.cleanWorker(), "no clean worker: is dist/clean-worker.js missing or older than pipeline/? (node scripts/build.mjs)").toBeDefined()
    const tables = [small(), generated("miit/a.csv", 9_000), generated("miit/b.csv", 4_000)]
    const one = await Lists.normaliseLists(tables, { parts: 1 })
    const three = await Lists.normaliseLists(tables, { parts: 3, minRows: 1 })
    expect(three.workers).toBe(2)
    expect(three.rows).toEqual(one.rows)
    expect(three.findings).toEqual(one.findings)
    expect(one.rows.length).toBe(13_004)
    expect(one.findings.length).toBeGreaterThan(0)
  })

  it("does a worker's share on this thread when the worker fails", async () => {
    const tables = [generated("miit/a.csv", 6_000)]
    const bad = new URL("data:text/javascript,throw new Error('broken worker')")
    const fallback = await Lists.normaliseLists(tables, { parts: 2, minRows: 1, workerScript: bad })
    expect(fallback.workers).toBe(0)
    const here = await Lists.normaliseLists(tables, { parts: 1 })
    expect([fallback.rows, fallback.findings]).toEqual([here.rows, here.findings])
  })
})
