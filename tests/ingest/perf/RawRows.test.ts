import { describe, expect, it } from "vitest"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as RawRows from "../../../pipeline/domain/RawRows.js"
import { readValue, writeValue } from "../../../pipeline/engine/ValueCodec.js"

const columns = ["credit_code", "name_zh", "province", "__proto__", "note"]
const records = Array.from({ length: RawRows.BLOCK_ROWS * 2 + 17 }, (_, i) => ({
  row: i + 2,
  values: {
    credit_code: `91110108${String(i).padStart(10, "0")}`,
    name_zh: i === 5 ? "" : `北京中晨半导体第${i}号有限公司`,
    province: ["北京", "上海"][i % 2]!,
    ["__proto__"]: `p${i}`,
    note: i === RawRows.BLOCK_ROWS + 3 ? "a\u0000b" : i % 3 === 0 ? "" : `note ${i}`,
  } as Record<string, string>,
}))
// JSON keeps "__proto__" as an own key, as the generated records do.
const expected = records.map((r) => ({ row: r.row, values: JSON.parse(JSON.stringify(r.values)) as Record<string, string> }))
for (const e of expected) Object.defineProperty(e.values, "__proto__", { value: `p${e.row - 2}`, enumerable: true, writable: true, configurable: true })

describe("RawRows", () => {
  const rows = RawRows.fromRecords(columns, expected)

  it("holds rows in blocks and gives every record back in order, NUL and empty cells included", () => {
    expect(rows.length).toBe(records.length)
    expect(rows.blocks.length).toBe(3)
    const back = RawRows.toArray(rows)
    expect(back).toEqual(expected)
    expect(back[RawRows.BLOCK_ROWS + 3]!.values["note"]).toBe("a\u0000b")
    expect(Object.getPrototypeOf(back[0]!.values)).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(back[7]!.values, "__proto__")?.value).toBe("p7")
    expect([...RawRows.iterate(rows)]).toEqual(back)
  })

  it("keeps the block holding a NUL cell as an array and the others as one packed text per column", () => {
    const noteCells = rows.blocks.map((b) => b.cells[columns.indexOf("note")])
    expect(ArrayBuffer.isView(noteCells[0])).toBe(true)
    expect(Array.isArray(noteCells[1])).toBe(true)
    expect(ArrayBuffer.isView(noteCells[2])).toBe(true)
  })

  it("packs ASCII text as Latin-1 bytes and other text as UTF-16, and unpacks it unchanged", () => {
    for (const text of ["", "abc,def", "北京中晨半导体有限公司", "café", "a\u0000b", "\ud83d\ude00 emoji", "\ud800 lone surrogate", "\ufeffBOM"]) {
      const packed = RawRows.pack(text)
      expect(packed).toBeInstanceOf(/^[\x00-\x7f]*$/.test(text) ? Uint8Array : Uint16Array)
      expect(packed.byteOffset).toBe(0)
      expect(RawRows.unpack(packed)).toBe(text)
    }
  })

  it("survives the asset store unchanged (plain data)", () => {
    const file = join(mkdtempSync(join(tmpdir(), "iiot-rawrows-")), "v.bin")
    writeValue(file, { rows })
    const back = readValue(file) as { rows: RawRows.RawRows }
    expect(RawRows.toArray(back.rows)).toEqual(expected)
  })

  it("is empty with no rows", () => {
    expect(RawRows.toArray(RawRows.empty(columns))).toEqual([])
    expect(RawRows.fromRecords(columns, []).length).toBe(0)
  })
})
