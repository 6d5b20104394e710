import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit } from "effect"
import ExcelJS from "exceljs"
import JSZip from "jszip"
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as zlib from "node:zlib"
import { builtWorker } from "../../../pipeline/engine/WorkerScript.js"
import * as Columns from "../../../pipeline/publish/workbook/Columns.js"
import * as Render from "../../../pipeline/publish/workbook/Render.js"
import * as SheetXml from "../../../pipeline/publish/workbook/SheetXml.js"
import type { CellValue, ColumnKind, Row, RowSource, TableSheet, WorkbookDoc } from "../../../pipeline/publish/workbook/WorkbookDoc.js"
import * as Doc from "../../../pipeline/publish/workbook/WorkbookDoc.js"
import { crc32Combine } from "../../../pipeline/publish/workbook/zip.js"
import fc from "fast-check"
import { INJECTION, links, sampleDoc } from "./sample.js"

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "wb-worker-"))

/** Every kind of cell, in columns of one kind, of mixed kinds and of nulls only. */
const cells: ReadonlyArray<Row> = [
  ["a", 1, true, null, "x", { text: "see", hyperlink: "#'About'!A1" }, "海尔卡奥斯", null],
  ["", -0.5, false, null, 2, null, "😀 emoji \u0000 NUL", null],
  [null, null, null, null, false, "plain", "", null],
  ["tail ", Number.NaN, true, null, null, { text: "web", hyperlink: "https://example.org/" }, " lead", null],
]

/** `n` rows like a big list: Chinese names, codes, scores, URLs and a null now and then. */
const bigList = (n: number): TableSheet => {
  const rows: RowSource = {
    count: n,
    rows: function* () {
      for (let i = 0; i < n; i++)
        yield [
          `K${i}`,
          i % 7 === 0 ? INJECTION : `企业${i}有限公司`,
          i % 5 === 0 ? null : `https://example.org/${i}`,
          i % 3 === 0 ? null : (i % 100) / 100,
          i % 11 === 0 ? "not a date" : "2022-10-31",
          i,
          ["info", "warn", "error"][i % 3]!,
          i % 13 === 0 ? "accept" : null,
        ]
    },
  }
  return { ...links, name: "Big", tableName: "Big", rows }
}

describe("SheetXml", () => {
  it("writes the same rows from columns as from the rows they decode to (property-based)", () => {
    const text = fc.oneof(fc.string(), fc.constantFrom(" lead", "trail ", "a&b<c>", "_x0041_", "\u0000nul", "\uD800lone", "2022-10-31", "2021-02-30", "https://example.org/a", "mailto:x@y.z", "海尔", ""))
    const number = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(0, -0, 1.5, 1e21, Number.NaN, Number.NEGATIVE_INFINITY))
    const cell: fc.Arbitrary<CellValue> = fc.oneof(text, number, fc.boolean(), fc.constant(null), fc.record({ text, hyperlink: fc.oneof(text, fc.constant("")) }))
    const column = fc.record({
      kind: fc.constantFrom<ColumnKind>("text", "number", "url", "boolean", "date", "percent"),
      style: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
      share: fc.boolean(),
      cells: fc.oneof(fc.array(fc.option(text, { nil: null }), { minLength: 1, maxLength: 4 }), fc.array(fc.option(text, { nil: null }), { minLength: 40, maxLength: 60 }), fc.array(fc.option(number, { nil: null }), { minLength: 1, maxLength: 9 }), fc.array(fc.option(fc.boolean(), { nil: null }), { minLength: 1, maxLength: 3 }), fc.array(cell, { minLength: 1, maxLength: 20 })),
    })
    fc.assert(
      fc.property(fc.array(column, { minLength: 1, maxLength: 5 }), fc.integer({ min: 0, max: 1200 }), fc.integer({ min: 0, max: 700 }), fc.integer({ min: 1, max: 2 }), fc.integer(), (cols, count, first, headerRow, seed) => {
        let r = seed >>> 0
        const pick = <T>(xs: ReadonlyArray<T>): T => xs[(r = (Math.imul(r, 1103515245) + 12345) >>> 0) % xs.length]!
        const rows = Array.from({ length: count }, () => cols.map((c) => pick(c.cells)))
        const encoded = Columns.encode(rows, cols.length)
        // Shared strings for some dictionary columns, as the renderer makes them.
        let next = 0
        const shared = encoded.columns.map((c, j) => (c.t === "dict" && cols[j]!.share ? new Map(c.values.filter((v): v is string => v !== null && v !== "").map((v) => [v, next++])) : undefined))
        const part = { columns: cols.map((c, j) => ({ header: `c${j}`, key: `c${j}`, kind: c.kind })), headerRow, styles: cols.map((c) => c.style), prefix: "", suffix: "", shared }
        const [foundA, foundB] = [[] as Array<SheetXml.LinkFound>, [] as Array<SheetXml.LinkFound>]
        const a = SheetXml.writers.rowsXml(part, Doc.iterateRows(Columns.decode(encoded)), first, foundA)
        const b = SheetXml.writers.columnsXml(part, encoded, first, foundB)
        const drain = (g: Generator<string, number>) => {
          const chunks: Array<string> = []
          for (let x = g.next(); ; x = g.next()) {
            if (x.done === true) return { chunks, count: x.value }
            chunks.push(x.value)
          }
        }
        expect(drain(b)).toEqual(drain(a))
        expect(foundB).toEqual(foundA)
      }),
      { numRuns: 200 },
    )
  })
})

describe("crc32Combine", () => {
  it("gives the CRC-32 of two buffers one after the other", () => {
    for (const [a, b] of [[0, 0], [1, 7], [1000, 3], [65_537, 100_003]] as const) {
      const x = crypto.randomBytes(a)
      const y = crypto.randomBytes(b)
      expect(crc32Combine(zlib.crc32(x), zlib.crc32(y), y.length)).toBe(zlib.crc32(Buffer.concat([x, y])))
    }
  })
})

describe("Columns", () => {
  it("gives back every cell as it was, row by row", () => {
    const encoded = Columns.encode(cells, 8)
    expect(encoded.columns.map((c) => c.t)).toEqual(["dict", "num", "bool", "any", "any", "any", "dict", "any"])
    expect([...Doc.iterateRows(Columns.decode(encoded))]).toEqual(cells)
    // Twice: the source can be read again.
    expect([...Doc.iterateRows(Columns.decode(encoded))]).toEqual(cells)
  })

  it("joins a text column of many distinct values, and codes one of few", () => {
    const rows: Array<Row> = Array.from({ length: 200 }, (_, i) => [i % 10 === 0 ? null : `名${i} `, ["北京", "上海", null][i % 3]!])
    const encoded = Columns.encode(rows, 2)
    expect(encoded.columns.map((c) => c.t)).toEqual(["text", "dict"])
    expect([...Doc.iterateRows(Columns.decode(encoded))]).toEqual(rows)
  })

  it("reads a table once, in segments that give back its rows in order, each with its own forms", () => {
    // Column 0: many names; column 1: few places, then from row 80 on many (a dictionary only in the first segments).
    const rows: Array<Row> = Array.from({ length: 100 }, (_, i) => [`名${i}`, i < 80 ? ["北京", "上海", null][i % 3]! : `地${i}`, i % 4 === 0 ? null : i / 2, i % 2 === 0])
    let reads = 0
    const source = { count: 100, rows: () => (reads++, rows) }
    const segments = [...Columns.segmentsOf(source, 4, 40)]
    expect(reads).toBe(1)
    expect(segments.map((s) => s.count)).toEqual([40, 40, 20])
    expect(segments.flatMap((s) => [...Doc.iterateRows(Columns.decode(s))])).toEqual(rows)
    // A dictionary holds at most 16 values or a quarter of the segment's rows, whichever is more.
    expect(segments.map((s) => s.columns.map((c) => c.t))).toEqual([
      ["text", "dict", "num", "bool"],
      ["text", "dict", "num", "bool"],
      ["text", "text", "num", "bool"],
    ])
    expect([...Doc.iterateRows(Columns.decode(Columns.encode(rows, 4)))]).toEqual(rows)
    // An exact multiple of the segment size gives no empty segment after; no rows give one empty segment.
    expect([...Columns.segmentsOf(rows.slice(0, 80), 4, 40)].map((s) => s.count)).toEqual([40, 40])
    expect([...Columns.segmentsOf([], 4, 5)].map((s) => s.count)).toEqual([0])
    // A source that gives fewer or more rows than it declares fails.
    expect(() => [...Columns.segmentsOf({ count: 6, rows: () => rows.slice(0, 4) }, 4, 5)]).toThrow(/gave 4 rows but 6 were declared/)
    expect(() => [...Columns.segmentsOf({ count: 10, rows: () => rows.slice(0, 11) }, 4, 5)]).toThrow(/more rows than the 10 declared/)
  })

  it("reads a source held in columns into exactly the segments its rows give", () => {
    // Each column kind a source may hold; the coded one repeats a text in its dictionary, and
    // texts of few values become dictionaries only where the segment is long enough.
    const arbColumns = fc.integer({ min: 0, max: 300 }).chain((n) =>
      fc.tuple(
        fc.constant(n),
        fc.array(fc.double({ noDefaultInfinity: false }), { minLength: n, maxLength: n }),
        fc.array(fc.integer({ min: 0, max: 1 }), { minLength: n, maxLength: n }),
        fc.array(fc.constantFrom("", "北京", "=1+1", "a", "b"), { minLength: n, maxLength: n }),
        fc.array(fc.string({ maxLength: 3 }), { minLength: n, maxLength: n }),
        fc.array(fc.integer({ min: 0, max: 40 }), { minLength: n, maxLength: n }),
        fc.integer({ min: 1, max: 120 }),
      ),
    )
    fc.assert(
      fc.property(arbColumns, ([n, nums, bools, few, many, codes, size]) => {
        const dictionary = Array.from({ length: 41 }, (_, k) => (k % 7 === 3 ? "重复" : `值${k}`))
        const columns: ReadonlyArray<Doc.SourceColumn> = [
          { t: "num", values: Float64Array.from(nums) },
          { t: "bool", values: Uint8Array.from(bools) },
          { t: "text", values: few },
          { t: "text", values: many },
          { t: "coded", values: dictionary, codes: Uint32Array.from(codes) },
        ]
        const rows: Array<Row> = Array.from({ length: n }, (_, i) => [nums[i]!, bools[i] === 1, few[i]!, many[i]!, dictionary[codes[i]!]!])
        const byRows = [...Columns.segmentsOf({ count: n, rows: () => rows }, 5, size)]
        const byColumns = [...Columns.segmentsOf({ count: n, rows: () => rows, columns: () => columns }, 5, size)]
        expect(byColumns).toEqual(byRows)
      }),
      { numRuns: 200 },
    )
    // Past the first 1,024 cells of a segment: 300 distinct among them make a text column, though
    // 300 would fit a dictionary of this segment (at most 512); 200 make a dictionary. Both ways.
    const n = 2048
    const texts = (distinct: number) => Array.from({ length: n }, (_, i) => `值${i % distinct}`)
    for (const [distinct, form] of [[300, "text"], [200, "dict"]] as const) {
      const values = texts(distinct)
      const dictionary = Array.from({ length: distinct }, (_, k) => `值${k}`)
      const codes = Uint32Array.from({ length: n }, (_, i) => i % distinct)
      const rows = values.map((v) => [v, v])
      const byRows = [...Columns.segmentsOf({ count: n, rows: () => rows }, 2, n)]
      const byColumns = [...Columns.segmentsOf({ count: n, rows: () => rows, columns: () => [{ t: "text", values }, { t: "coded", values: dictionary, codes }] }, 2, n)]
      expect(byRows[0]!.columns.map((c) => c.t)).toEqual([form, form])
      expect(byColumns).toEqual(byRows)
    }
    // A column of another length than the source's, or a source of another width than the sheet's, fails.
    const one: Doc.SourceColumn = { t: "text", values: ["a", "b"] }
    expect(() => [...Columns.segmentsOf({ count: 3, rows: () => [], columns: () => [one] }, 1, 10)]).toThrow(/holds 2 cells but the source declares 3/)
    expect(() => [...Columns.segmentsOf({ count: 2, rows: () => [], columns: () => [one] }, 2, 10)]).toThrow(/has 1 columns but the sheet 2/)
  })

  it("fails on a row source that gives fewer rows than it declares", () => {
    expect(() => Columns.encode({ count: 3, rows: () => [["a"]] }, 1)).toThrow(/gave 1 rows but 3/)
    expect(() => Columns.encode({ count: 1, rows: () => [["a"], ["b"]] }, 1)).toThrow(/more rows than the 1 declared/)
  })
})

describe("a big table written by a worker thread", () => {
  const script = builtWorker("sheet-worker", ["publish/workbook"])

  it.effect("gives the same bytes as writing it on this thread, and exceljs reads it back", () =>
    Effect.gen(function* () {
      expect(script, "no sheet worker: is dist/sheet-worker.js missing or older than pipeline/publish/workbook? (node scripts/build.mjs)").toBeDefined()
      const doc: WorkbookDoc = { properties: sampleDoc.properties, sheets: [...sampleDoc.sheets, bigList(3_000)] }
      const dir = tmp()
      const here = path.join(dir, "here.xlsx")
      const there = path.join(dir, "worker.xlsx")
      expect((yield* Render.render(doc, here, { workers: false, bigTableRows: 1_000, segmentRows: 700 })).workers).toBe(0)
      // 3,000 rows in segments of 700: five segments on two workers at a time, joined into one stream.
      expect((yield* Render.render(doc, there, { bigTableRows: 1_000, segmentRows: 700, threads: 2, ownLane: false })).workers).toBe(5)
      expect(fs.readFileSync(there).equals(fs.readFileSync(here))).toBe(true)
      // By default this thread is one of the lanes once writing begins; the worker lane has begun
      // before (at prepare), so it writes at least the first segment.
      const shared = path.join(dir, "shared.xlsx")
      expect((yield* Render.render(doc, shared, { bigTableRows: 1_000, segmentRows: 700, threads: 2 })).workers).toBeGreaterThan(0)
      expect(fs.readFileSync(shared).equals(fs.readFileSync(here))).toBe(true)
      // With one lane, that lane is this thread's: no worker at all.
      const own = path.join(dir, "own.xlsx")
      expect((yield* Render.render(doc, own, { bigTableRows: 1_000, segmentRows: 700, threads: 1 })).workers).toBe(0)
      expect(fs.readFileSync(own).equals(fs.readFileSync(here))).toBe(true)
      const wb = new ExcelJS.Workbook()
      yield* Effect.promise(() => wb.xlsx.readFile(there))
      const ws = wb.getWorksheet("Big")!
      expect(ws.rowCount).toBe(3_001)
      expect(ws.getCell("A701").value).toBe("K699")
      expect(ws.getCell("A702").value).toBe("K700")
      expect(ws.getCell("A3001").value).toBe("K2999")
      expect(ws.getCell("C3000").value).toEqual({ text: "https://example.org/2998", hyperlink: "https://example.org/2998" })
      // The segments hold the same XML as one stream would.
      const single = path.join(dir, "single.xlsx")
      yield* Render.render(doc, single, { bigTableRows: 1_000, segmentRows: 10_000 })
      const xmlOf = (f: string) => Effect.promise(async () => (await JSZip.loadAsync(fs.readFileSync(f))).file("xl/worksheets/sheet4.xml")!.async("string"))
      expect(yield* xmlOf(there)).toBe(yield* xmlOf(single))
      expect(ws.getCell("B2").value).toBe(INJECTION)
      expect(ws.getCell("B3").value).toBe("企业1有限公司")
      expect(ws.getCell("C3").value).toEqual({ text: "https://example.org/1", hyperlink: "https://example.org/1" })
      // Texts of few values (severity, decision) are shared strings; distinct ones stay inline.
      expect([2, 3, 4].map((r) => ws.getCell(`G${r}`).value)).toEqual(["info", "warn", "error"])
      expect(ws.getCell("H2").value).toBe("accept")
      const zip = yield* Effect.promise(() => JSZip.loadAsync(fs.readFileSync(there)))
      const sheetXml = yield* Effect.promise(() => zip.file("xl/worksheets/sheet4.xml")!.async("string"))
      expect(sheetXml).toMatch(/<c r="G2" s="\d+" t="s"><v>\d+<\/v><\/c>|<c r="G2" t="s"><v>\d+<\/v><\/c>/)
      expect(sheetXml).toContain('<c r="B3" t="inlineStr"><is><t>企业1有限公司</t></is></c>')
      const sst = yield* Effect.promise(() => zip.file("xl/sharedStrings.xml")!.async("string"))
      expect(sst).toContain("<si><t>warn</t></si>")
      expect(Number(/uniqueCount="(\d+)"/.exec(sst)![1])).toBe((sst.match(/<si>/g) ?? []).length)
    }),
  )

  it.effect("a big row source that gives more or fewer rows than it declares fails, naming the sheet", () =>
    Effect.gen(function* () {
      const big = bigList(1_500)
      const lying: TableSheet = { ...big, rows: { count: 2_000, rows: (big.rows as RowSource).rows } }
      const exit = yield* Effect.exit(Render.render({ properties: sampleDoc.properties, sheets: [lying] }, path.join(tmp(), "lying.xlsx"), { bigTableRows: 1_000 }))
      expect(exit._tag).toBe("Failure")
      expect(Exit.isFailure(exit) && String(Cause.squash(exit.cause))).toMatch(/sheet "Big": the rows gave 1500 rows but 2000 were declared/)
    }),
  )

  it.effect("an unusable worker script leaves the part to this thread, with the same bytes", () =>
    Effect.gen(function* () {
      const doc: WorkbookDoc = { properties: sampleDoc.properties, sheets: [...sampleDoc.sheets, bigList(2_000)] }
      const dir = tmp()
      const bad = path.join(dir, "sheet-worker.js")
      fs.writeFileSync(bad, "throw new Error('broken worker')\n")
      const here = path.join(dir, "here.xlsx")
      const there = path.join(dir, "fallback.xlsx")
      yield* Render.render(doc, here, { workers: false, bigTableRows: 1_000, segmentRows: 700 })
      expect((yield* Render.render(doc, there, { bigTableRows: 1_000, segmentRows: 700, workerScript: new URL(`file://${bad}`) })).workers).toBe(0)
      expect(fs.readFileSync(there).equals(fs.readFileSync(here))).toBe(true)
    }),
  )

  it.effect("keeps shared texts with dollar signs and quotes as they are", () =>
    Effect.gen(function* () {
      const texts = ["US$'000", "a $& b", "x $$ y", "$`", " lead"]
      const n = 200
      const sheet: TableSheet = { ...bigList(n), rows: { count: n, rows: function* () { for (let i = 0; i < n; i++) yield [`K${i}`, null, null, null, null, i, texts[i % texts.length]!, null] } } }
      const file = path.join(tmp(), "dollars.xlsx")
      yield* Render.render({ properties: sampleDoc.properties, sheets: [sheet] }, file, { bigTableRows: 100, workers: false })
      const wb = new ExcelJS.Workbook()
      yield* Effect.promise(() => wb.xlsx.readFile(file))
      expect([2, 3, 4, 5, 6].map((r) => wb.getWorksheet("Big")!.getCell(`G${r}`).value)).toEqual(texts)
    }),
  )

  // Live: it waits on the real clock.
  it.live("an abandoned workbook starts no more segments and leaves no failure behind", () =>
    Effect.gen(function* () {
      const doc: WorkbookDoc = { properties: sampleDoc.properties, sheets: [bigList(3_000)] }
      const prepared = yield* Effect.scoped(Render.prepare(doc, path.join(tmp(), "abandoned.xlsx"), { bigTableRows: 100, segmentRows: 100, threads: 1, ownLane: false }))
      const after = prepared.byWorker()
      yield* Effect.sleep("1 second")
      // 30 segments; closing the scope stopped them: at most the one under way when it closed finished.
      expect(prepared.byWorker() - after).toBeLessThanOrEqual(1)
      expect(prepared.workers.size).toBe(0)
    }),
  )
})
