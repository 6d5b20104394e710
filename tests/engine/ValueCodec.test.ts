import { describe, expect, it } from "vitest"
import fc from "fast-check"
import { mkdtempSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { deserialize, serialize } from "node:v8"
import { encodeToBuffers, readValue, writeBuffers, writeValue } from "../../pipeline/engine/ValueCodec.js"

const dir = mkdtempSync(join(tmpdir(), "iiot-codec-"))
let n = 0
const roundTrip = (value: unknown): unknown => {
  const file = join(dir, `v${n++}.bin`)
  writeValue(file, value)
  return readValue(file)
}

/** Key order matters to the workbook columns and JSON output, so compare it too. */
const shape = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(shape) : v !== null && typeof v === "object" && !(v instanceof Date) && !(v instanceof Map) ? Object.entries(v).map(([k, x]) => [k, shape(x)]) : v

const expectSame = (value: unknown) => {
  const back = roundTrip(value)
  expect(back).toStrictEqual(value)
  expect(shape(back)).toStrictEqual(shape(value))
}

const provinces = ["北京", "上海", "广东", "浙江"]
const registryRows = (count: number) =>
  Array.from({ length: count }, (_, i) => ({
    code: `91110108${String(i).padStart(10, "0")}`,
    name: `北京中晨半导体有限公司${i}`,
    province: provinces[i % provinces.length]!,
    score: i / 7,
    provenance: { source: "reference/bench/company-registry.csv", row: i + 2 },
  }))

describe("ValueCodec", () => {
  it("round-trips a table with text, categorical, number and nested object columns, in key order", () => {
    expectSame({ rows: registryRows(5000), findings: [{ code: "a", message: "m" }], counts: { read: 5000 } })
  })

  it("stores a big table column by column, much smaller than V8's row-by-row form", () => {
    const value = { rows: registryRows(20_000) }
    const file = join(dir, "size.bin")
    writeValue(file, value)
    expect(statSync(file).size).toBeLessThan(serialize(value).length * 0.7)
  })

  it("keeps rows that lack some properties (and explicit undefined) apart from rows that have them", () => {
    const rows = Array.from({ length: 300 }, (_, i) => ({
      seq: String(i),
      ...(i % 3 === 0 ? { note: `note ${i}` } : {}),
      ...(i % 5 === 0 ? { creditCode: undefined } : { creditCode: `code${i}` }),
      ...(i % 7 === 0 ? { n: i } : {}),
      ...(i % 11 === 0 ? { province: provinces[i % 4] } : {}),
    }))
    const back = roundTrip(rows) as Array<Record<string, unknown>>
    expect(back).toStrictEqual(rows)
    expect("note" in back[1]!).toBe(false)
    expect("creditCode" in back[0]!).toBe(true)
    expect(back[0]!.creditCode).toBeUndefined()
  })

  it("stores text holding NUL, lone surrogates, empty strings and mixed-type columns exactly", () => {
    const rows = Array.from({ length: 200 }, (_, i) => ({
      text: i === 3 ? "a\u0000b" : i === 4 ? "\ud800" : i === 5 ? "" : `t${i}`,
      mixed: i % 2 === 0 ? i : `s${i}`,
      num: i === 7 ? Number.NaN : i === 8 ? -0 : i === 9 ? Infinity : i * 1.5,
      nullable: i % 4 === 0 ? null : "x",
      list: [i, `${i}`],
      when: new Date(Date.UTC(2026, 0, 1 + (i % 28))),
    }))
    expectSame(rows)
    const back = roundTrip(rows) as typeof rows
    expect(Object.is(back[8]!.num, -0)).toBe(true)
  })

  it("stores optional fields nobody filled, and lists of names (aliases), exactly", () => {
    const rows = Array.from({ length: 500 }, (_, i) => ({
      entityId: undefined,
      group: null,
      aliasesZh: i % 10 === 0 ? [`别名${i}`, "", "第二"] : [],
      aliasesEn: i === 7 ? ["has \u0000 NUL"] : [],
      flag: true,
    }))
    expectSame(rows)
    const back = roundTrip(rows) as typeof rows
    // Rows with equal (empty) lists still get lists of their own, as V8's copy gives them.
    expect(back[1]!.aliasesZh).toEqual(back[2]!.aliasesZh)
    expect(back[1]!.aliasesZh).not.toBe(back[2]!.aliasesZh)
    // A list with a hole must not shift the items of later rows; 0 and -0 stay apart.
    const holey = Array.from({ length: 100 }, (_, i) => ({ a: i === 3 ? [, "x"] : ["y", "z"], zero: i === 5 ? -0 : 0 }))
    const holeyBack = roundTrip(holey) as typeof holey
    expect(holeyBack).toStrictEqual(deserialize(serialize(holey)))
    expect(holeyBack[4]!.a).toEqual(["y", "z"])
    expect(Object.is(holeyBack[5]!.zero, -0)).toBe(true)
    expect(Object.is(holeyBack[6]!.zero, 0)).toBe(true)
    expect("entityId" in back[3]!).toBe(true)
  })

  it("keeps a __proto__ key as an own property and never touches the prototype", () => {
    const rows = Array.from({ length: 100 }, (_, i) => JSON.parse(`{"__proto__": "p${i}", "a": ${i}}`) as Record<string, unknown>)
    const back = roundTrip(rows) as Array<Record<string, unknown>>
    expect(Object.getPrototypeOf(back[0])).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(back[5], "__proto__")?.value).toBe("p5")
    expect(back[5]!.a).toBe(5)
  })

  it("leaves non-table values (maps, small arrays, class instances, primitives) to V8", () => {
    expectSame({ m: new Map([["a", 1]]), s: new Set([1, 2]), small: [{ a: 1 }, { b: 2 }], prim: 3, str: "x", nil: null, d: new Date(0) })
    expectSame("just a string")
    expectSame([1, 2, 3])
    expectSame(Array.from({ length: 1000 }, (_, i) => i))
  })

  it("stores a value that refers to itself whole, cycles kept", () => {
    const node: Record<string, unknown> = { name: "loop" }
    node["self"] = node
    const rows = Array.from({ length: 100 }, (_, i) => ({ i, parent: node as unknown }))
    node["rows"] = rows
    const back = roundTrip(node) as typeof node
    expect(back["self"]).toBe(back)
    expect((back["rows"] as typeof rows)[99]!.parent).toBe(back)
    expect((back["rows"] as typeof rows)[42]!.i).toBe(42)
  })

  it("refuses a file that is not a stored value or was cut short, naming it", () => {
    const bad = join(dir, "bad.bin")
    writeFileSync(bad, serialize({ a: 1 }))
    expect(() => readValue(bad)).toThrow(/bad\.bin is not a stored value/)
    const cut = join(dir, "cut.bin")
    writeValue(cut, { rows: registryRows(1000) })
    truncateSync(cut, statSync(cut).size - 10)
    expect(() => readValue(cut)).toThrow(/cut\.bin is truncated/)
    expect(readFileSync(cut).length).toBeGreaterThan(0)
  })

  it("gives what V8's structured clone gives, for arbitrary arrays of records (property-based)", () => {
    const cell = fc.oneof(fc.string(), fc.constantFrom("北京", "上海", ""), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined))
    const record = fc.dictionary(fc.constantFrom("a", "b", "c", "名称", "__proto__", "toString", "1"), cell, { maxKeys: 5 })
    fc.assert(
      fc.property(fc.array(record, { minLength: 60, maxLength: 200 }), (rows) => {
        const clone = deserialize(serialize({ rows }))
        const back = roundTrip({ rows })
        expect(back).toStrictEqual(clone)
        expect(shape(back)).toStrictEqual(shape(clone))
      }),
      { numRuns: 60 },
    )
  })
})

describe("ValueCodec buffers written elsewhere", () => {
  it("writes the same file as writeValue, here or in a worker thread, which takes the big buffers over", async () => {
    const value = { rows: registryRows(20_000), packed: new Uint8Array(200_000).fill(7), note: "x" }
    const direct = join(dir, `direct-${n++}.bin`)
    writeValue(direct, value)
    for (const workerFrom of [Number.POSITIVE_INFINITY, 0]) {
      const file = join(dir, `buffers-${n++}.bin`)
      const buffers = encodeToBuffers(value)
      const big = buffers.filter((b) => b.byteLength >= 64 * 1024)
      expect(big.length).toBeGreaterThan(0)
      await writeBuffers(file, buffers, workerFrom)
      expect(readFileSync(file).equals(readFileSync(direct))).toBe(true)
      expect(readValue(file)).toStrictEqual(value)
      // Handed over to the worker (detached here), or left alone when written on this thread.
      expect(big.every((b) => b.byteLength === 0)).toBe(workerFrom === 0)
    }
  })

  it("fails naming the file when the worker cannot write it", async () => {
    const file = join(dir, "no-such-folder", "v.bin")
    await expect(writeBuffers(file, encodeToBuffers({ rows: registryRows(100) }), 0)).rejects.toThrow(/cannot write .*no-such-folder.*v\.bin/)
  })
})
