/**
 * The registry normaliser (`reference/companies`): every row keeps its names; only curated
 * reference rows get English comparison keys, the only rows matched by English name.
 */
import { describe, expect, it } from "vitest"
import * as RawRows from "../../../pipeline/domain/RawRows.js"
import type { RawTable } from "../../../pipeline/ingest/Ingest.js"
import * as N from "../../../pipeline/assets/clean/normalise.js"

const table = (columns: ReadonlyArray<string>, rows: ReadonlyArray<Record<string, string>>): RawTable => ({
  source: { id: "reference/t/r.csv", kind: "reference", title: "t", producer: "p", url: "https://example.org", retrieved: "2026-11-29", sha256: "0", encoding: "utf-8", headerRow: 1, headers: columns, mapping: {}, extras: [] },
  rows: RawRows.fromRecords(columns, rows.map((values, i) => ({ row: i + 2, values }))),
  quarantine: [],
  counts: { read: rows.length, kept: rows.length, rejected: 0 },
  findings: [],
})

describe("registry normalisation", () => {
  it("keys English names of curated rows only, and keeps every English name as text", () => {
    const columns = ["credit_code", "name_zh", "name_en", "province", "city", "entity_id"]
    const t = N.registry([
      table(columns, [
        { credit_code: "", name_zh: "海尔集团公司", name_en: " Haier  Group Co., Ltd. ", province: "山东", city: "青岛", entity_id: "haier" },
        { credit_code: "", name_zh: "北京中晨半导体有限公司", name_en: "Beijing Zhongchen Semiconductor Co., Ltd.", province: "北京", city: "北京", entity_id: "" },
        { credit_code: "", name_zh: "广州峰盛正工业软件有限公司", name_en: "", province: "广东", city: "广州", entity_id: "" },
      ]),
    ])
    const [curated, firm, noEnglish] = t.rows
    expect(curated!.nameEn?.key).toBeTruthy()
    expect(curated!.nameEnText).toBe("Haier Group Co., Ltd.")
    expect(firm!.nameEn).toBeUndefined()
    expect(firm!.nameEnText).toBe("Beijing Zhongchen Semiconductor Co., Ltd.")
    expect(firm!.nameZh?.key).toBeTruthy()
    expect(noEnglish!.nameEn).toBeUndefined()
    expect(noEnglish!.nameEnText).toBeUndefined()
  })
})
