import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import iconv from "iconv-lite"
import { fieldsOf, headerKey, kinds, mapHeaders, type Kind } from "../../../pipeline/ingest/HeaderMap.js"
import { readTable } from "../../../pipeline/ingest/Table.js"
import { tempDir } from "./helpers.js"

describe("mapHeaders", () => {
  it("matching ignores case, spaces, punctuation, underscores and full width", () => {
    for (const h of ["Year joined", "year_joined", "YEAR JOINED", "Ｙｅａｒ　Ｊｏｉｎｅｄ", " year-joined "]) expect(headerKey(h)).toBe("yearjoined")
    const m = mapHeaders("wef-lighthouses", ["Company", "YEAR JOINED", "国家或地区", "Plant"])
    expect(m.fields.map((f) => f.field)).toEqual(["company", "year_joined", "country", "site"])
  })

  it("the issue's synonyms map for their kinds", () => {
    expect(mapHeaders("miit-platforms", ["#", "平台名称", "运营企业", "企业性质", "Year"]).fields.map((f) => f.field)).toEqual([
      "seq", "platform_name_zh", "company_name_zh", "ownership_character", "list_year",
    ])
    expect(mapHeaders("miit-list", ["No.", "申报单位", "批次", "Round"]).fields.map((f) => f.field)).toEqual(["seq", "company_name_zh", "batch"])
    expect(mapHeaders("idc-spending", ["Geography", "Indicator", "Amount", "Units", "Projection", "Published", "年"]).fields.map((f) => f.field)).toEqual([
      "region", "metric", "value", "unit", "is_forecast", "release_date", "year",
    ])
    expect(mapHeaders("wef-lighthouses", ["地点", "Country or region", "年份"]).fields.map((f) => f.field)).toEqual(["site", "country", "year_joined"])
  })

  it("unknown columns are kept as extras, a second column for a taken field too", () => {
    const m = mapHeaders("wef-rounds", ["Date", "Total", "Analyst comment", "Release date"])
    expect(m.fields.map((f) => [f.index, f.field])).toEqual([[0, "announcement_date"], [1, "total_sites"]])
    expect(m.extras).toEqual([{ index: 2, header: "Analyst comment" }, { index: 3, header: "Release date" }])
    expect(m.findings.map((f) => f.code).sort()).toEqual(["duplicate-field", "extra-column"])
  })

  it("a columns: override wins over synonyms", () => {
    const m = mapHeaders("miit-list", ["单位", "地区"], { 单位: "company_name_zh", 地区: "sector" })
    expect(m.fields.map((f) => f.field)).toEqual(["company_name_zh", "sector"])
    expect(m.missing).toEqual([])
  })

  it("missing required fields are listed, an either-or group as one entry", () => {
    expect(mapHeaders("miit-platforms", ["序号", "备注"]).missing).toEqual(["list_year", "platform_name_en or company_name_zh"])
    expect(mapHeaders("miit-platforms", ["年份", "Platform"]).missing).toEqual([])
  })

  it("every kind has fields and fieldsOf lists them in table order", () => {
    for (const k of kinds) expect(fieldsOf(k).length).toBeGreaterThan(0)
    expect(fieldsOf("review-decisions")).toEqual(["link_key", "decision", "entity_a", "entity_b", "note", "decided_by", "decided_at"])
  })
})

describe("real headers", () => {
  const bundled: Array<[string, Kind]> = [
    ["miit_platforms.csv", "miit-platforms"],
    ["miit_collaborations.csv", "collaborations"],
    ["wef_lighthouses.csv", "wef-lighthouses"],
    ["wef_rounds.csv", "wef-rounds"],
    ["idc_iot_spending.csv", "idc-spending"],
  ]
  for (const [file, kind] of bundled)
    it.effect(`bundled ${file} (${kind}) maps 1:1 with nothing missing and no extras`, () =>
      Effect.gen(function* () {
        const t = yield* readTable(path.join("/work/shared/data", file))
        const m = mapHeaders(kind, t.head.headers)
        expect(m.missing).toEqual([])
        expect(m.extras).toEqual([])
        expect(m.fields.map((f) => f.field)).toEqual(t.head.headers)
      }),
    )

  it.effect("the generator's extracts (GB18030 list, registry, lighthouses, spending) map with nothing missing", () =>
    Effect.gen(function* () {
      const out = tempDir()
      // The generator's own --encoding gb18030 cannot resolve iconv-lite from /work/shared, so the list is re-encoded here the same way.
      const gen = spawnSync(process.execPath, ["/work/shared/bench/gen-extracts.mjs", "--rows", "300", "--out", out], { encoding: "utf8" })
      expect(gen.status).toBe(0)
      const list = path.join(out, "miit-little-giants.csv")
      fs.writeFileSync(list, iconv.encode(fs.readFileSync(list, "utf8").replace(/^\ufeff/, ""), "gb18030"))
      const cases: Array<[string, Kind, number]> = [
        ["miit-little-giants.csv", "miit-list", 6],
        ["company-registry.csv", "reference", 7],
        ["wef-lighthouses.csv", "wef-lighthouses", 6],
        ["idc-spending.csv", "idc-spending", 8],
      ]
      for (const [file, kind, n] of cases) {
        expect(fs.existsSync(path.join(out, file))).toBe(true)
        const t = yield* readTable(path.join(out, file))
        if (kind === "miit-list") expect(t.head.encoding).toBe("gb18030")
        const m = mapHeaders(kind, t.head.headers)
        expect({ file, missing: m.missing, extras: m.extras, mapped: m.fields.length }).toEqual({ file, missing: [], extras: [], mapped: n })
      }
    }),
  )
})
