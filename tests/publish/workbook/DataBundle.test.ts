import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import fc from "fast-check"
import Papa from "papaparse"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as Columns from "../../../pipeline/publish/workbook/Columns.js"
import * as DataBundle from "../../../pipeline/publish/workbook/DataBundle.js"
import type { CellValue, ColumnKind, TableSheet } from "../../../pipeline/publish/workbook/WorkbookDoc.js"
import { INJECTION, links, rounds } from "./sample.js"

const spec = (dir: string): DataBundle.BundleSpec => ({
  dir,
  title: "China IIoT observatory: open data",
  license: "CC BY 4.0",
  generatedAt: "2022-10-31",
  tables: [
    { sheet: links, title: "Entity links", description: "Links between entities | with evidence", sources: [{ title: "MIIT platform list", producer: "MIIT", url: "https://www.miit.gov.cn/", retrieved: "2022-10-01" }] },
    { sheet: rounds, title: "Lighthouse rounds", description: "Sites per round", sources: [], license: "WEF terms" },
    { sheet: { ...rounds, name: "平台", tableName: "Platforms", rows: { count: 3, rows: () => [["a", 1, 2, 3], ["b", 4, 5, 6], ['c, "d"', 7, 8, 9]] } }, title: "Platforms", description: "From a row source", sources: [] },
  ],
})

describe("DataBundle", () => {
  it("quotes CSV fields exactly as Papa.unparse does (property-based)", () => {
    const text = fc.oneof(fc.string(), fc.constantFrom(" lead", "trail ", "a,b", 'say "hi"', "two\r\nlines", "\uFEFFbom", "=SUM(A1)", "中文，全角", ""))
    fc.assert(
      fc.property(fc.array(fc.array(text, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 5 }), (rows) => {
        const width = rows[0]!.length
        const even = rows.map((r) => Array.from({ length: width }, (_, i) => r[i] ?? ""))
        expect(even.map(DataBundle.csvRecord).join("\r\n")).toBe(Papa.unparse(even, { newline: "\r\n", escapeFormulae: false, header: false }))
      }),
      { numRuns: 300 },
    )
  })

  it.effect("writes a BOM-prefixed RFC 4180 CSV, JSON metadata and a README per bundle", () =>
    Effect.gen(function* () {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wb-bundle-"))
      const result = yield* DataBundle.writeBundle(spec(dir))
      expect(result.tables).toEqual([
        { name: "links", csv: "links.csv", rows: 5 },
        { name: "rounds", csv: "rounds.csv", rows: 4 },
        { name: "platforms", csv: "platforms.csv", rows: 3 },
      ])
      const raw = fs.readFileSync(path.join(dir, "links.csv"), "utf8")
      expect(raw.charCodeAt(0)).toBe(0xfeff)
      expect(raw).toContain("\r\n")
      const parsed = Papa.parse<Array<string>>(raw.slice(1), { skipEmptyLines: true })
      expect(parsed.errors).toEqual([])
      expect(parsed.data[0]).toEqual(links.columns.map((c) => c.header))
      expect(parsed.data[1]).toEqual(["L-001", "海尔卡奥斯物联生态科技有限公司", "https://www.miit.gov.cn/a.html", "0.97", "2022-10-31", "3", "info", ""])
      // Formula-looking text stays as published; quoting follows RFC 4180 (embedded quote → field quoted).
      expect(parsed.data[3]![1]).toBe(INJECTION)
      expect(parsed.data[3]![2]).toBe("#'About'!A1")
      expect(raw).toContain("\r\nL-003,=cmd|' /C calc'!A0,#'About'!A1,0.5,2020-01-15,0,error,\r\n")
      const meta = JSON.parse(fs.readFileSync(path.join(dir, "links.json"), "utf8"))
      expect(meta).toMatchObject({ name: "links", title: "Entity links", rowCount: 5, license: "CC BY 4.0", generatedAt: "2022-10-31", path: "links.csv" })
      expect(meta.columns[1]).toEqual({ name: "Company (zh)", key: "nameZh", type: "text", description: "Company name as published (Chinese)" })
      expect(meta.sources[0].url).toBe("https://www.miit.gov.cn/")
      expect(JSON.parse(fs.readFileSync(path.join(dir, "rounds.json"), "utf8")).license).toBe("WEF terms")
      const readme = fs.readFileSync(path.join(dir, "README.md"), "utf8")
      expect(readme).toContain("[links.csv](links.csv)")
      expect(readme).toContain("| Entity links | 5 | Links between entities \\| with evidence |")
      expect(readme).toContain("MIIT platform list, MIIT <https://www.miit.gov.cn/>, retrieved 2022-10-01")
      expect(fs.readFileSync(path.join(dir, "platforms.csv"), "utf8")).toBe('\uFEFFRound,China,Rest of world,Spending (USD bn)\r\na,1,2,3\r\nb,4,5,6\r\n"c, ""d""",7,8,9\r\n')
    }),
  )

  it("writes the same CSV from a big table's columns as from its rows (property-based)", async () => {
    const text = fc.oneof(fc.string(), fc.constantFrom(" lead", "trail ", "a,b", 'say "hi"', "two\r\nlines", "\uFEFFbom", "=SUM(A1)", "中文，全角", "", "海尔"))
    const number = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(0, -0, 1.5, 1e21, Number.NaN, Number.POSITIVE_INFINITY))
    const cell: fc.Arbitrary<CellValue> = fc.oneof(text, number, fc.boolean(), fc.constant(null), fc.record({ text, hyperlink: text }))
    // Per column: its kind, and cells drawn from one kind or from all (mixed), from a small pool (a dictionary) or not.
    const column = fc.record({
      kind: fc.constantFrom<ColumnKind>("text", "number", "url", "boolean", "date"),
      cells: fc.oneof(fc.array(fc.option(text, { nil: null }), { minLength: 1, maxLength: 4 }), fc.array(fc.option(text, { nil: null }), { minLength: 40, maxLength: 60 }), fc.array(fc.option(number, { nil: null }), { minLength: 1, maxLength: 9 }), fc.array(fc.option(fc.boolean(), { nil: null }), { minLength: 1, maxLength: 3 }), fc.array(cell, { minLength: 1, maxLength: 20 })),
    })
    await fc.assert(
      fc.asyncProperty(fc.array(column, { minLength: 1, maxLength: 5 }), fc.integer({ min: 0, max: 120 }), fc.integer(), async (cols, count, seed) => {
        let r = seed >>> 0
        const pick = <T>(xs: ReadonlyArray<T>): T => xs[(r = (Math.imul(r, 1103515245) + 12345) >>> 0) % xs.length]!
        const rows = Array.from({ length: count }, () => cols.map((c) => pick(c.cells)))
        const sheet: TableSheet = { kind: "table", name: "T", tableName: "T", freezeHeader: true, landscape: true, columns: cols.map((c, j) => ({ header: `c${j}`, key: `c${j}`, kind: c.kind })), rows: { count, rows: () => rows } }
        // In segments of 7 rows, each with its own forms, as the workbook reads a big table.
        const encoded = [...Columns.segmentsOf(sheet.rows, sheet.columns.length, 7)]
        const write = (dir: string, withColumns: boolean) =>
          Effect.runPromise(DataBundle.writeBundle({ dir, title: "t", license: "l", generatedAt: "2026-01-01", tables: [{ sheet, title: "T", description: "T", sources: [], ...(withColumns ? { encoded } : {}) }] }))
        const a = fs.mkdtempSync(path.join(os.tmpdir(), "wb-cols-"))
        const b = fs.mkdtempSync(path.join(os.tmpdir(), "wb-cols-"))
        const [ra, rb] = [await write(a, false), await write(b, true)]
        expect(rb.tables).toEqual(ra.tables)
        expect(fs.readFileSync(path.join(b, "t.csv"), "utf8")).toBe(fs.readFileSync(path.join(a, "t.csv"), "utf8"))
        fs.rmSync(a, { recursive: true })
        fs.rmSync(b, { recursive: true })
      }),
      { numRuns: 150 },
    )
  })

  it.effect("is deterministic", () =>
    Effect.gen(function* () {
      const a = fs.mkdtempSync(path.join(os.tmpdir(), "wb-bundle-a-"))
      const b = fs.mkdtempSync(path.join(os.tmpdir(), "wb-bundle-b-"))
      yield* DataBundle.writeBundle(spec(a))
      yield* DataBundle.writeBundle(spec(b))
      for (const f of fs.readdirSync(a)) expect(fs.readFileSync(path.join(a, f)).equals(fs.readFileSync(path.join(b, f)))).toBe(true)
      expect(fs.readdirSync(a).sort()).toEqual(["README.md", "links.csv", "links.json", "platforms.csv", "platforms.json", "rounds.csv", "rounds.json"])
    }),
  )

  it.effect("fails with a typed error when the folder cannot be created", () =>
    Effect.gen(function* () {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "wb-bundle-")), "a-file")
      fs.writeFileSync(file, "x")
      const error = yield* Effect.flip(DataBundle.writeBundle(spec(path.join(file, "sub"))))
      expect(error.reason).toBe("write")
      expect(error.message).toContain(path.join(file, "sub"))
    }),
  )
})
