/**
 * A big CSV read as parallel byte ranges (ingest/Parallel, the worker from dist/, built by
 * `npm test`) gives exactly what reading it start to end gives: kept rows and their numbers,
 * quarantine, findings in order, counts. A line break inside a quoted cell at a cut, or a
 * failure in a later range, sends the file back to the start-to-end read.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import iconv from "iconv-lite"
import { rmSync } from "node:fs"
import Papa from "papaparse"
import * as RawRows from "../../../pipeline/domain/RawRows.js"
import { keptColumns } from "../../../pipeline/ingest/CheckRows.js"
import * as HeaderMap from "../../../pipeline/ingest/HeaderMap.js"
import * as Ingest from "../../../pipeline/ingest/Ingest.js"
import * as Parallel from "../../../pipeline/ingest/Parallel.js"
import * as SourceCatalog from "../../../pipeline/ingest/SourceCatalog.js"
import { readTable } from "../../../pipeline/ingest/Table.js"
import { creditCode, oneSource } from "../../support/sources.js"

const entryFor = (bytes: string | Buffer) => oneSource("miit/t/list.csv", "miit-list", bytes)

const code = (i: number): string => creditCode("91440300", i)

/** An MIIT-style list with what real lists carry: a title row, quoted cells with commas and line breaks, blank, ragged and bad rows. */
const listText = (rows: number): string => {
  const header = ["序号", "企业名称", "统一社会信用代码", "所在地区", "所属行业", "批次", "备注"]
  const out: Array<Array<string>> = []
  for (let i = 1; i <= rows; i++) {
    const name = i % 97 === 0 ? "" : i % 11 === 0 ? `深圳"峰盛", 第${i}号\n科技有限公司` : `广州峰盛正工业软件第${i}号有限公司`
    const cc = i % 5 === 0 ? "" : i % 13 === 0 ? code(i).slice(0, 17) + "0" : code(i)
    const row = [String(i), name, cc, i % 2 ? "广东" : "北京", "软件和信息技术服务业", "第一批", i % 17 === 0 ? "note, with comma" : ""]
    out.push(i % 101 === 0 ? row.slice(0, 3) : row)
    if (i % 503 === 0) out.push([])
  }
  return `工业和信息化部 专精特新“小巨人”企业名单（合成）\r\n${Papa.unparse([header, ...out], { newline: "\r\n" })}\r\n`
}

/** Everything an ingest result says, with rows as records (block layout may differ). */
const view = (t: Ingest.RawTable) => ({ ...t, rows: RawRows.toArray(t.rows) })

const sequential = (entry: SourceCatalog.SourceEntry) => Ingest.ingest(entry, entry.file, { parts: 1 })
const split = (entry: SourceCatalog.SourceEntry, parts: number) => Ingest.ingest(entry, entry.file, { parts, minBytes: 1 })

/** The parallel read alone: undefined when it fell back. */
const trySplit = (entry: SourceCatalog.SourceEntry, parts: number, options: Parallel.SplitOptions = { minBytes: 1 }) =>
  Effect.gen(function* () {
    const open = yield* readTable(entry.file, { batchSize: RawRows.BLOCK_ROWS })
    const columns = keptColumns(HeaderMap.mapHeaders("miit-list", open.head.headers))
    return yield* Parallel.ingestSplit(open.csv!, { kind: "miit-list", source: entry.id, sheet: undefined, columns }, { ...options, parts })
  })

describe("ingest of a big CSV in parallel ranges", () => {
  it.effect("gives the start-to-end result: rows, row numbers, quarantine, findings and counts", () =>
    Effect.gen(function* () {
      const entry = yield* entryFor(listText(20_000))
      const whole = view(yield* sequential(entry))
      expect(whole.counts.rejected).toBeGreaterThan(100)
      expect(whole.findings.filter((f) => f.code === "ragged-row").length).toBeGreaterThan(100)
      expect(whole.findings.some((f) => f.code === "blank-rows-skipped")).toBe(true)
      for (const parts of [2, 3, 5]) {
        expect(yield* trySplit(entry, parts), "no parallel read: is dist/ingest-worker.js missing or older than pipeline/? (node scripts/build.mjs)").toBeDefined()
        expect(view(yield* split(entry, parts))).toEqual(whole)
      }
    }),
  )

  it.effect("splits a GB18030 file alike", () =>
    Effect.gen(function* () {
      const entry = yield* entryFor(iconv.encode(listText(8000), "gb18030"))
      const whole = view(yield* sequential(entry))
      expect(whole.source.encoding).toBe("gb18030")
      expect(yield* trySplit(entry, 2)).toBeDefined()
      expect(view(yield* split(entry, 2))).toEqual(whole)
    }),
  )

  it.effect("falls back to the start-to-end read when the cut lands inside a quoted multi-line cell", () =>
    Effect.gen(function* () {
      const before = listText(2000)
      const cell = `"${Array.from({ length: 4000 }, (_, i) => `line ${i}`).join("\r\n")}"`
      const text = `${before}9999,长备注有限公司,${code(9999)},广东,软件,第一批,${cell}\r\n${listText(2000).split("\r\n").slice(2).join("\r\n")}`
      const entry = yield* entryFor(text)
      // The middle of the file is inside the long cell, so a range starting there would be wrong.
      const mid = Buffer.byteLength(text) / 2
      expect(Buffer.byteLength(text.slice(0, text.indexOf(cell)))).toBeLessThan(mid)
      expect(Buffer.byteLength(text.slice(0, text.indexOf(cell) + cell.length))).toBeGreaterThan(mid)
      expect(yield* trySplit(entry, 2)).toBeUndefined()
      const whole = view(yield* sequential(entry))
      expect(whole.rows.find((r) => r.values["seq"] === "9999")!.values["备注"]).toContain("line 3999")
      expect(view(yield* split(entry, 2))).toEqual(whole)
    }),
  )

  it.effect("a failure in a later range is reported exactly as the start-to-end read reports it", () =>
    Effect.gen(function* () {
      // Past the first MiB, which the encoding detection reads, so the failure comes while streaming.
      const good = Buffer.from(listText(20_000))
      const at = Math.floor(good.length * 0.9)
      expect(at).toBeGreaterThan(1 << 20)
      const bad = Buffer.concat([good.subarray(0, at), Buffer.from([0xff, 0xfe]), good.subarray(at)])
      const entry = yield* entryFor(bad)
      const whole = yield* Effect.either(sequential(entry))
      expect(Either.isLeft(whole) && whole.left.message).toMatch(/not valid utf-8 near byte/)
      expect(yield* trySplit(entry, 2)).toBeUndefined()
      expect(yield* Effect.either(split(entry, 2))).toEqual(whole)
    }),
  )

  it.effect("an unterminated quote near the end fails as it does start to end, after the same rows", () =>
    Effect.gen(function* () {
      const entry = yield* entryFor(`${listText(6000)}7000,"未闭合的引号有限公司,${code(7000)},广东,软件,第一批,\r\n7001,正常有限公司,${code(7001)},广东,软件,第一批,\r\n`)
      const whole = yield* Effect.either(sequential(entry))
      expect(Either.isLeft(whole) && whole.left.message).toMatch(/never closes/)
      expect(yield* Effect.either(split(entry, 3))).toEqual(whole)
    }),
  )

  it.effect("a file gone before the cuts are found leaves the read to the start-to-end path (no defect)", () =>
    Effect.gen(function* () {
      const entry = yield* entryFor(listText(3000))
      expect(yield* trySplit(entry, 2)).toBeDefined()
      const open = yield* readTable(entry.file, { batchSize: RawRows.BLOCK_ROWS })
      rmSync(entry.file)
      const mapping = HeaderMap.mapHeaders("miit-list", open.head.headers)
      const columns = mapping.fields.map((f) => [f.index, f.field] as const)
      expect(yield* Parallel.ingestSplit(open.csv!, { kind: "miit-list", source: entry.id, sheet: undefined, columns }, { parts: 2, minBytes: 1 })).toBeUndefined()
    }),
  )

  it.effect("leaves small files, UTF-16 files and one-core machines to the start-to-end read", () =>
    Effect.gen(function* () {
      const small = yield* entryFor(listText(50))
      // Splittable but for its size: the default smallest size is what keeps it whole.
      expect(yield* trySplit(small, 2)).toBeDefined()
      expect(yield* trySplit(small, 2, {})).toBeUndefined()
      expect(yield* Ingest.ingest(small, small.file, { parts: 2 }).pipe(Effect.map(view))).toEqual(view(yield* sequential(small)))
      const utf16 = yield* entryFor(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(listText(3000), "utf16le")]))
      expect(yield* trySplit(utf16, 2)).toBeUndefined()
      expect(view(yield* split(utf16, 2))).toEqual(view(yield* sequential(utf16)))
      const list = yield* entryFor(listText(3000))
      expect(yield* trySplit(list, 1)).toBeUndefined()
    }),
  )
})
