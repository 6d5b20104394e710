/**
 * Ingest keeps rows compactly (column by column in RawRows blocks, one generated object literal
 * per record, small read chunks): these tests prove the values stay exactly what the file says
 * across blocks, batch and chunk boundaries, quoted multi-line cells, NUL in a cell, ragged rows
 * and awkward header names.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import Papa from "papaparse"
import * as RawRows from "../../../pipeline/domain/RawRows.js"
import * as Ingest from "../../../pipeline/ingest/Ingest.js"
import { checkCreditCode } from "../../../pipeline/normalize/creditCode.js"
import { creditCode, oneSource } from "../../support/sources.js"

const ingestCsv = (text: string) => Effect.flatMap(oneSource("reference/t/r.csv", "reference", text), (entry) => Ingest.ingest(entry))

const code = (i: number): string => creditCode("91110108", i)

describe("ingest row storage", () => {
  it.effect("keeps every cell exactly across blocks, batches, chunk ends, quoted multi-line cells and a NUL in a cell", () =>
    Effect.gen(function* () {
      const headers = ["统一社会信用代码", "企业名称", "英文名称", "省份", "行业门类", "__proto__", "constructor", "2020", "备注 notes"]
      const provinces = ["北京", "上海", "广东", "浙江"]
      const rows: Array<Array<string>> = []
      // 6000 rows: more distinct names than the interning limit, across several batches and read chunks.
      for (let i = 0; i < 6000; i++)
        rows.push([
          code(i),
          `北京中晨半导体第${i}号有限公司`,
          i % 7 === 0 ? `Beijing "Quoted", Co.\nLine two ${i}` : `Beijing Zhongchen Semiconductor ${i} Co., Ltd.`,
          provinces[i % 4]!,
          "计算机、通信和其他电子设备制造业",
          `proto ${i}`,
          i % 2 === 0 ? "" : `ctor value number ${i}`,
          String(i),
          i === 4000 ? "NUL \u0000 inside" : "x".repeat(i % 50),
        ])
      const ragged = "91110108MA0000000X,短行\r\n"
      const text = `\uFEFF${Papa.unparse([headers, ...rows], { newline: "\r\n" })}\r\n${ragged}`
      const t = yield* ingestCsv(text)
      const kept = RawRows.toArray(t.rows)
      expect(kept.length).toBe(6001)
      expect(t.counts.read).toBe(6001)
      expect(t.rows.length).toBe(6001)
      for (let i = 0; i < 6000; i++) {
        const v = kept[i]!.values
        expect(kept[i]!.row).toBe(i + 2)
        expect(v).toEqual({
          credit_code: rows[i]![0],
          name_zh: rows[i]![1],
          name_en: rows[i]![2],
          province: rows[i]![3],
          sector: rows[i]![4],
          ["__proto__"]: rows[i]![5],
          constructor: rows[i]![6],
          "2020": rows[i]![7],
          "备注 notes": rows[i]![8],
        })
        // An own property, not the prototype.
        expect(Object.getPrototypeOf(v)).toBe(Object.prototype)
      }
      const last = kept[6000]!.values
      expect(last["credit_code"]).toBe("91110108MA0000000X")
      expect(last["name_zh"]).toBe("短行")
      expect(last["name_en"]).toBe("")
      expect(t.findings.some((f) => f.code === "ragged-row" && f.row === 6002)).toBe(true)
      // Rows share one property order (one hidden class per source).
      expect(Object.keys(kept[0]!.values)).toEqual(Object.keys(kept[5999]!.values))
    }),
  )

  it("checkCreditCode's fast path agrees with the normalising path", () => {
    const valid = code(42)
    expect(checkCreditCode(valid)).toEqual({ normalized: valid, valid: true })
    const wrong = valid.slice(0, 17) + (valid[17] === "0" ? "1" : "0")
    expect(checkCreditCode(wrong)).toEqual({ normalized: wrong, valid: false, reason: "check-digit" })
    // Lower case and letters outside the alphabet leave the fast path and keep their old answers.
    expect(checkCreditCode(valid.toLowerCase())).toEqual({ normalized: valid, valid: true })
    expect(checkCreditCode("91110108000000000I")).toEqual({ normalized: "91110108000000000I", valid: false, reason: "format" })
    expect(checkCreditCode("9111010800000000I0")).toEqual({ normalized: "9111010800000000I0", valid: false, reason: "format" })
  })
})
