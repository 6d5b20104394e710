import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Stream } from "effect"
import iconv from "iconv-lite"
import { readTable } from "../../../pipeline/ingest/Table.js"
import { allRows, tempDir, write } from "./helpers.js"

const dir = tempDir()
const codes = (fs: ReadonlyArray<{ code: string }>) => fs.map((f) => f.code)

describe("CSV reader: bad input", () => {
  it.effect("empty file → ReadError empty-file naming the file", () =>
    Effect.gen(function* () {
      const file = write(dir, "empty.csv", "")
      const err = yield* Effect.flip(readTable(file))
      expect(err.reason).toBe("empty-file")
      expect(err.message).toContain("empty.csv")
    }),
  )

  it.effect("only a BOM and blank lines → ReadError empty-file", () =>
    Effect.gen(function* () {
      const err = yield* Effect.flip(readTable(write(dir, "bom-only.csv", "\ufeff\r\n\r\n  \r\n")))
      expect(err.reason).toBe("empty-file")
    }),
  )

  it.effect("header only → headers, zero rows, no error", () =>
    Effect.gen(function* () {
      const t = yield* readTable(write(dir, "header-only.csv", "Company,Country,Year\r\n"))
      expect(t.head.headers).toEqual(["Company", "Country", "Year"])
      expect(yield* allRows(t)).toEqual([])
    }),
  )

  it.effect("BOM + CRLF → BOM stripped from the first header, no \\r in cells, row numbers as in the file", () =>
    Effect.gen(function* () {
      const t = yield* readTable(write(dir, "bom-crlf.csv", "\ufeff序号,企业名称\r\n1,海尔\r\n2,\"美的, 集团\"\r\n"))
      expect(t.head.headers).toEqual(["序号", "企业名称"])
      expect(t.head.encoding).toBe("utf-8")
      expect(yield* allRows(t)).toEqual([
        { row: 2, cells: ["1", "海尔"] },
        { row: 3, cells: ["2", "美的, 集团"] },
      ])
      expect(codes(t.findings)).toContain("encoding-detected")
    }),
  )

  it.effect("unterminated quote → rows before it are delivered, then ReadError unterminated-quote naming the row", () =>
    Effect.gen(function* () {
      const file = write(dir, "unterminated.csv", "a,b\n1,x\n2,y\n3,\"never closed\n4,z\n5,w\n")
      const t = yield* readTable(file)
      const seen: number[] = []
      const result = yield* Effect.either(Stream.runForEach(t.batches, (b) => Effect.sync(() => seen.push(...b.map((r) => r.row)))))
      expect(seen).toEqual([2, 3])
      expect(Either.isLeft(result)).toBe(true)
      if (Either.isLeft(result)) {
        expect(result.left.reason).toBe("unterminated-quote")
        expect(result.left.row).toBe(4)
        expect(result.left.message).toContain("record 4")
      }
    }),
  )

  it.effect("a stray quote that would swallow more than maxRecordChars fails early as unterminated-quote", () =>
    Effect.gen(function* () {
      const body = "a,b\n1,\"oops\n" + "2,filler text\n".repeat(200_000)
      // The header scan already meets the runaway record, so opening fails: nothing is mistaken for rows.
      const err = yield* Effect.flip(Effect.flatMap(readTable(write(dir, "stray-quote-big.csv", body), { maxRecordChars: 1_000_000 }), allRows))
      expect(err).toMatchObject({ reason: "unterminated-quote", row: 2 })
    }),
  )

  it.effect("ragged rows → all cells kept, a ragged-row finding per row, Excel padding is not ragged", () =>
    Effect.gen(function* () {
      const t = yield* readTable(write(dir, "ragged.csv", "a,b,c\n1,2\n1,2,3,4\n1,2,3,,\n1,2,3\n"))
      const rows = yield* allRows(t)
      expect(rows.map((r) => r.cells)).toEqual([["1", "2"], ["1", "2", "3", "4"], ["1", "2", "3", "", ""], ["1", "2", "3"]])
      const found = yield* t.readFindings
      expect(found.filter((f) => f.code === "ragged-row").map((f) => f.row)).toEqual([2, 3])
    }),
  )

  it.effect("duplicate headers → both kept, the second renamed \"name (2)\", finding duplicate-header", () =>
    Effect.gen(function* () {
      const t = yield* readTable(write(dir, "dup.csv", "name,name,name,\n1,2,3\n"))
      expect(t.head.headers).toEqual(["name", "name (2)", "name (3)"])
      expect(t.findings.filter((f) => f.code === "duplicate-header").map((f) => f.field)).toEqual(["name (2)", "name (3)"])
      expect((yield* allRows(t))[0]!.cells).toEqual(["1", "2", "3"])
    }),
  )

  it.effect("title and blank rows before the header are detected and skipped; row numbers still count them", () =>
    Effect.gen(function* () {
      const csv = "工业互联网平台名单,,,\r\n,,,\r\n发布：工业和信息化部,,,\r\n序号,企业名称,平台名称,所有制\r\n1,海尔,卡奥斯,民营\r\n,,,\r\n2,树根互联,根云,民营\r\n"
      const t = yield* readTable(write(dir, "title.csv", csv))
      expect(t.head.headerRow).toBe(4)
      expect(t.head.headers).toEqual(["序号", "企业名称", "平台名称", "所有制"])
      expect((yield* allRows(t)).map((r) => r.row)).toEqual([5, 7])
      expect(codes(t.findings)).toContain("title-rows-skipped")
      expect(codes(yield* t.readFindings)).toContain("blank-rows-skipped")
    }),
  )

  it.effect("headerRow option overrides detection; a header_row beyond the file is ReadError no-header", () =>
    Effect.gen(function* () {
      const file = write(dir, "override.csv", "x,y\nCompany,Country\nHaier,China\n")
      const t = yield* readTable(file, { headerRow: 2 })
      expect(t.head.headers).toEqual(["Company", "Country"])
      expect((yield* allRows(t)).map((r) => r.cells)).toEqual([["Haier", "China"]])
      expect((yield* Effect.flip(readTable(file, { headerRow: 9 }))).reason).toBe("no-header")
    }),
  )

  it.effect("a 5 MB single cell is read whole; above maxRecordChars it is refused with too-large", () =>
    Effect.gen(function* () {
      const big = "界".repeat(5 * 1024 * 1024 / 3) + "x".repeat(1024)
      const file = write(dir, "big-cell.csv", `id,text\n1,"${big}"\n2,small\n`)
      const rows = yield* allRows(yield* readTable(file))
      expect(rows.map((r) => r.row)).toEqual([2, 3])
      // Compared as a boolean: a failing diff of two 5 MB strings would take minutes to print.
      expect(rows[0]!.cells[1] === big).toBe(true)
      const outcome = yield* Effect.either(Effect.flatMap(readTable(file, { maxRecordChars: 1_000_000 }), allRows))
      expect(Either.isLeft(outcome) ? outcome.left.reason : "no error").toBe("too-large")
    }),
  )

  it.effect("100k empty trailing rows are skipped, the last data row keeps its number", () =>
    Effect.gen(function* () {
      const file = write(dir, "trailing.csv", "a,b\r\n1,2\r\n3,4\r\n" + ",\r\n".repeat(100_000))
      const t = yield* readTable(file)
      const rows = yield* allRows(t)
      expect(rows.map((r) => r.row)).toEqual([2, 3])
      const blank = (yield* t.readFindings).find((f) => f.code === "blank-rows-skipped")
      expect(blank?.message).toContain("100000")
    }),
  )

  it.effect("quoted multi-line cells across chunk and batch boundaries keep record numbers", () =>
    Effect.gen(function* () {
      const lines = ["id,text"]
      for (let i = 1; i <= 30_000; i++) lines.push(`${i},"line one of ${i}\nline two, with comma ""quoted"""`)
      const t = yield* readTable(write(dir, "multiline.csv", lines.join("\n") + "\n"), { batchSize: 7_000 })
      const batches = yield* Stream.runCollect(t.batches)
      const rows = [...batches].flat()
      expect([...batches].map((b) => b.length)).toEqual([7000, 7000, 7000, 7000, 2000])
      expect(rows.length).toBe(30_000)
      expect(rows[29_999]).toEqual({ row: 30_001, cells: ["30000", 'line one of 30000\nline two, with comma "quoted"'] })
      expect(rows.every((r, i) => r.cells[0] === String(i + 1) && r.row === i + 2)).toBe(true)
    }),
  )

  it.effect("tab-separated text is read with the tab delimiter", () =>
    Effect.gen(function* () {
      const t = yield* readTable(write(dir, "data.tsv", "Company\tCountry\nHaier, Qingdao\tChina\n"))
      expect(t.head.headers).toEqual(["Company", "Country"])
      expect((yield* allRows(t))[0]!.cells).toEqual(["Haier, Qingdao", "China"])
    }),
  )

  it.effect("binary garbage → ReadError binary; an old .xls says what it is", () =>
    Effect.gen(function* () {
      const garbage = new Uint8Array(4096).map((_, i) => (i * 7919 + 13) % 256)
      const err = yield* Effect.flip(readTable(write(dir, "garbage.csv", garbage)))
      expect(err.reason).toBe("binary")
      expect(err.message).toContain("garbage.csv")
      const xls = new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0])
      const err2 = yield* Effect.flip(readTable(write(dir, "old.xls", xls)))
      expect(err2.reason).toBe("binary")
      expect(err2.message).toContain(".xls")
    }),
  )

  it.effect("a missing file → ReadError io naming the path", () =>
    Effect.gen(function* () {
      const err = yield* Effect.flip(readTable(`${dir}/nope.csv`))
      expect(err).toMatchObject({ reason: "io", file: `${dir}/nope.csv` })
    }),
  )

  it.effect("maxBytes refuses a bigger file with too-large", () =>
    Effect.gen(function* () {
      const err = yield* Effect.flip(readTable(write(dir, "small.csv", "a,b\n1,2\n"), { maxBytes: 4 }))
      expect(err.reason).toBe("too-large")
    }),
  )
})

describe("CSV reader: encodings", () => {
  const text = "序号,企业名称,所在地区\r\n1,海尔卡奥斯物联生态科技有限公司,山东\r\n2,树根互联股份有限公司,广东\r\n"
  const expected = [
    { row: 2, cells: ["1", "海尔卡奥斯物联生态科技有限公司", "山东"] },
    { row: 3, cells: ["2", "树根互联股份有限公司", "广东"] },
  ]

  it.effect("GB18030 without a declared encoding is detected and decoded", () =>
    Effect.gen(function* () {
      const t = yield* readTable(write(dir, "gb.csv", iconv.encode(text, "gb18030")))
      expect(t.head.encoding).toBe("gb18030")
      expect(t.head.headers).toEqual(["序号", "企业名称", "所在地区"])
      expect(yield* allRows(t)).toEqual(expected)
      expect(t.findings.find((f) => f.code === "encoding-detected")?.message).toContain("GB18030")
    }),
  )

  it.effect("GB18030 whose first MiB is ASCII: declared encoding \"GBK\" is honoured", () =>
    Effect.gen(function* () {
      const file = write(dir, "gbk-declared.csv", iconv.encode(text, "gbk"))
      const t = yield* readTable(file, { encoding: "GBK" })
      expect(t.head.encoding).toBe("gb18030")
      expect(yield* allRows(t)).toEqual(expected)
    }),
  )

  it.effect("UTF-16LE and UTF-16BE with BOM are decoded", () =>
    Effect.gen(function* () {
      const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")])
      const be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, "utf16le").swap16()])
      for (const [name, bytes, enc] of [["le.csv", le, "utf-16le"], ["be.csv", be, "utf-16be"]] as const) {
        const t = yield* readTable(write(dir, name, bytes))
        expect(t.head.encoding).toBe(enc)
        expect(t.head.headers).toEqual(["序号", "企业名称", "所在地区"])
        expect(yield* allRows(t)).toEqual(expected)
      }
    }),
  )

  it.effect("GB18030 bytes after a long ASCII start, undeclared → ReadError encoding naming the record, not mojibake", () =>
    Effect.gen(function* () {
      const ascii = "id,name\n" + "1,plain ascii row\n".repeat(80_000)
      const file = write(dir, "late-gb.csv", Buffer.concat([Buffer.from(ascii), iconv.encode("2,海尔\n", "gb18030")]))
      const t = yield* readTable(file)
      const err = yield* Effect.flip(allRows(t))
      expect(err).toMatchObject({ reason: "encoding" })
      expect(err.message).toContain("encoding:")
    }),
  )

  it.effect("an unknown declared encoding is ReadError encoding listing usable names", () =>
    Effect.gen(function* () {
      const err = yield* Effect.flip(readTable(write(dir, "x.csv", "a\n1\n"), { encoding: "klingon-8" }))
      expect(err.reason).toBe("encoding")
      expect(err.message).toContain("gb18030")
    }),
  )
})

describe("mixed line endings", () => {
  it("reads a CRLF file with a row appended with a bare LF (quoted last field) without losing a row", async () => {
    const dir = (await import("node:fs")).mkdtempSync((await import("node:path")).join((await import("node:os")).tmpdir(), "iiot-mixed-"))
    const file = (await import("node:path")).join(dir, "mixed.csv")
    ;(await import("node:fs")).writeFileSync(file, 'a,b\r\n1,"x"\r\n2,"y, z"\n3,"w"\n')
    const { Effect: E, Stream: S } = await import("effect")
    const { readTable } = await import("../../../pipeline/ingest/Table.js")
    const t = await E.runPromise(readTable(file))
    const rows = [...(await E.runPromise(S.runCollect(t.batches)))].flat()
    expect(rows.map((r) => r.cells)).toEqual([["1", "x"], ["2", "y, z"], ["3", "w"]])
  })
})
