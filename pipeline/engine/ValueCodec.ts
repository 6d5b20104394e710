/**
 * How stored values are written to disk: V8's structured-clone serializer, except that big
 * arrays of plain objects (the rows of a table) are stored column by column.
 *
 * Why not plain `v8.serialize`: it writes every property name again for every object, grows one
 * buffer for the whole value, and spent 22 s (plus most of a 30 s GC bill, in a profiled run) on the 1M-row list and
 * the 2M-row registry of the end-to-end bench, more than all the reconciliation. Column by
 * column, a table is a few arrays of strings or numbers; a text column with few distinct values
 * (province, batch, company form) is stored as a dictionary plus Uint16/Uint32 codes, which V8 copies as
 * raw bytes; and every column is its own frame, so no buffer grows to the whole value (the
 * frames are held until written, which a big value's are by a thread of their own, see
 * `writeBuffers`). No library does this for arbitrary
 * JS values (Arrow needs a schema and typed columns up front; msgpack writes keys per row).
 *
 * File layout: the magic `IIOTVAL1`, then frames `[u32 little-endian length][v8 bytes]`; the last
 * frame is the skeleton (the value with each table replaced by a marker naming its column frames).
 * Reading rebuilds plain objects with the same properties in the same order; values are compared
 * by content, so shared references within a table are not preserved (nothing here relies on them).
 * A value that refers to itself, or nests deeper than 256 levels (taken for a cycle), is stored
 * whole by V8 instead, after the magic `IIOTVAL0`.
 * An object with an own property named `__iiot_table__` is reserved for the marker.
 */
import { closeSync, openSync, readFileSync, writeSync } from "node:fs"
import { deserialize, serialize } from "node:v8"
import { askWorker, inlineScript } from "./WorkerScript.js"

const MAGIC = Buffer.from("IIOTVAL1")
/** A value written whole by V8 (it refers to itself; see encodeToBuffers). */
const MAGIC_WHOLE = Buffer.from("IIOTVAL0")
/** Arrays shorter than this are serialised as they are: the columns would not pay for themselves. */
const MIN_TABLE_ROWS = 64
/** A text column becomes a dictionary when it has at most this many distinct values… */
const MAX_DICT = 1 << 16
/** …and at most one distinct value per this many rows. */
const DICT_RATIO = 4

/** Marks a table in the skeleton. A plain property (not a Symbol) because it must survive V8 serialization. */
const TABLE = "__iiot_table__"

interface TableMarker {
  readonly [TABLE]: 1
  readonly length: number
  readonly keys: ReadonlyArray<string>
  /** Frame index of each column, in `keys` order. */
  readonly columns: ReadonlyArray<number>
  /** When rows differ in their keys: each distinct key list, and which one each row has. */
  readonly shapes?: ReadonlyArray<ReadonlyArray<string>>
  readonly shapeOf?: Uint32Array
}

/** One column as stored in its frame. */
type StoredColumn =
  | { readonly t: "plain"; readonly values: ReadonlyArray<unknown> }
  | { readonly t: "dict"; readonly dict: ReadonlyArray<string>; readonly codes: Uint16Array | Uint32Array }
  | { readonly t: "num"; readonly values: Float64Array }
  | { readonly t: "joined"; readonly text: string }
  | { readonly t: "same"; readonly value: unknown }
  | { readonly t: "lists"; readonly lengths: Uint32Array; readonly text: string }
  | { readonly t: "table"; readonly table: TableMarker }

const isPlainObject = (x: unknown): x is Record<string, unknown> => {
  if (typeof x !== "object" || x === null) return false
  const proto = Object.getPrototypeOf(x)
  return proto === Object.prototype || proto === null
}

/** Same own keys in the same order as `keys`? */
const hasKeys = (r: Record<string, unknown>, keys: ReadonlyArray<string>): boolean => {
  let n = 0
  for (const k in r) if (k !== keys[n++] || !Object.prototype.hasOwnProperty.call(r, k)) return false
  return n === keys.length
}

/**
 * The columns of a table: the union of its rows' keys in first-seen order, and, when rows differ
 * in their keys, each row's own key list (its shape) so it is rebuilt with the same keys in the
 * same order; undefined when the array is not a table.
 */
const tableKeys = (rows: ReadonlyArray<unknown>): { keys: Array<string>; shapes?: Array<Array<string>>; shapeOf?: Uint32Array } | undefined => {
  if (rows.length < MIN_TABLE_ROWS) return undefined
  const first = rows[0]
  if (!isPlainObject(first) || first[TABLE] !== undefined) return undefined
  const keys = Object.keys(first)
  let i = 1
  for (; i < rows.length; i++) {
    const r = rows[i]
    if (!isPlainObject(r)) return undefined
    if (!hasKeys(r, keys)) break
  }
  if (i === rows.length) return { keys }
  // Rows differ in their keys: remember each row's shape.
  const shapes: Array<Array<string>> = [keys.slice()]
  const ids = new Map<string, number>([[keys.join("\u0000"), 0]])
  const shapeOf = new Uint32Array(rows.length)
  const known = new Set(keys)
  let last = 0
  for (; i < rows.length; i++) {
    const r = rows[i]
    if (!isPlainObject(r)) return undefined
    if (hasKeys(r, shapes[last]!)) {
      shapeOf[i] = last
      continue
    }
    const own = Object.keys(r)
    const sig = own.join("\u0000")
    let id = ids.get(sig)
    if (id === undefined || shapes[id]!.length !== own.length || shapes[id]!.some((k, j) => k !== own[j])) {
      id = shapes.length
      shapes.push(own)
      ids.set(sig, id)
      for (const k of own)
        if (!known.has(k)) {
          known.add(k)
          keys.push(k)
        }
    }
    shapeOf[i] = last = id
  }
  return { keys, shapes, shapeOf }
}

/** Sets an own property, also one named `__proto__` (which plain assignment would take as the prototype). */
const setOwn = (o: Record<string, unknown>, k: string, v: unknown): void => {
  if (k === "__proto__") Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true })
  else o[k] = v
}

/** Nesting deeper than this is taken for a cycle (plain data is far shallower); see encodeToBuffers. */
const MAX_DEPTH = 256
const TOO_DEEP = Symbol("too deep")

class Writer {
  private frames = 0
  /** Current nesting of tables and objects being encoded. */
  depth = 0
  /** The file's bytes so far, in order: the magic, then each frame's length and bytes. */
  readonly buffers: Array<Buffer> = [MAGIC]
  frame(value: unknown): number {
    const bytes = serialize(value)
    const head = Buffer.allocUnsafe(4)
    head.writeUInt32LE(bytes.length, 0)
    this.buffers.push(head, bytes)
    return this.frames++
  }
}

/** `writeSync` may write fewer bytes than asked; loop until all are written. */
const writeAll = (fd: number, bytes: Uint8Array): void => {
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done)
}

/** Separator of a text column stored as one string; a column holding it anywhere is stored as an array instead. */
const SEP = "\u0000"

/** An array of strings without NUL and without holes (a hole would shift the items after it). */
const isTextList = (v: unknown): boolean => {
  if (!Array.isArray(v)) return false
  for (let i = 0; i < v.length; i++) if (!(i in v) || typeof v[i] !== "string" || (v[i] as string).includes(SEP)) return false
  return true
}

const encodeColumn = (rows: ReadonlyArray<Record<string, unknown>>, key: string, uniform: boolean, w: Writer): StoredColumn => {
  const n = rows.length
  let absent: Uint8Array | undefined
  let allStrings = true
  let allNumbers = true
  let allObjects = true
  // Text lists (aliases): arrays whose items are all strings without NUL.
  let allTextLists = true
  // One value in every row (typically undefined for an optional field nobody filled).
  let allSame = true
  let first: unknown = undefined
  let seen = false
  for (let i = 0; i < n; i++) {
    const r = rows[i]!
    if (!uniform && !Object.prototype.hasOwnProperty.call(r, key)) {
      absent ??= new Uint8Array(n)
      absent[i] = 1
      allObjects = false
      continue
    }
    const v = r[key]
    if (!seen) {
      first = v
      seen = true
    } else if (!Object.is(v, first)) allSame = false
    if (typeof v === "string") {
      allNumbers = allObjects = allTextLists = false
    } else if (typeof v === "number") {
      allStrings = allObjects = allTextLists = false
    } else {
      allStrings = allNumbers = false
      if (allObjects && !isPlainObject(v)) allObjects = false
      if (allTextLists && !isTextList(v)) allTextLists = false
    }
  }
  if (allSame && (typeof first !== "object" || first === null)) return { t: "same", value: first }
  // A row's own value (never one inherited from Object.prototype, e.g. `toString`, for a row that lacks the key).
  const mask = absent
  const at = (i: number): unknown => (mask !== undefined && mask[i] === 1 ? undefined : rows[i]![key])
  if (allObjects) {
    const table = encodeTable(rows.map((_, i) => at(i) as Record<string, unknown>), w)
    if (table !== undefined) return { t: "table", table }
  }
  if (allNumbers) {
    const values = new Float64Array(n)
    for (let i = 0; i < n; i++) values[i] = (at(i) as number | undefined) ?? 0
    return { t: "num", values }
  }
  if (allStrings) {
    // The first rows tell a free-text column (names, codes) from a categorical one cheaply.
    const sample = new Set<unknown>()
    for (let i = 0; i < Math.min(n, 1024); i++) sample.add(at(i))
    const ids = new Map<string, number>()
    const codes = new Uint32Array(sample.size * DICT_RATIO <= Math.min(n, 1024) ? n : 0)
    const limit = Math.min(MAX_DICT, Math.ceil(n / DICT_RATIO))
    let i = codes.length === 0 ? -1 : 0
    for (; i >= 0 && i < n; i++) {
      const s = (at(i) as string | undefined) ?? ""
      let id = ids.get(s)
      if (id === undefined) {
        if (ids.size >= limit) break
        id = ids.size
        ids.set(s, id)
      }
      codes[i] = id
    }
    if (i === n) return { t: "dict", dict: [...ids.keys()], codes: ids.size <= 0xffff ? Uint16Array.from(codes) : codes }
    // Many distinct values: one string, which V8 writes as a single block of bytes.
    const texts = rows.map((_, i) => (at(i) as string | undefined) ?? "")
    if (!texts.some((t) => t.includes(SEP))) return { t: "joined", text: texts.join(SEP) }
    return { t: "plain", values: texts }
  }
  if (allTextLists) {
    const lists = rows.map((_, i) => (at(i) as ReadonlyArray<string> | undefined) ?? [])
    return { t: "lists", lengths: Uint32Array.from(lists, (l) => l.length), text: lists.flat().join(SEP) }
  }
  return { t: "plain", values: rows.map((_, i) => encodeValue(at(i), w)) }
}

const encodeTable = (rows: ReadonlyArray<Record<string, unknown>>, w: Writer): TableMarker | undefined => {
  const found = tableKeys(rows)
  if (found === undefined) return undefined
  if (++w.depth > MAX_DEPTH) throw TOO_DEEP
  const columns = found.keys.map((k) => w.frame(encodeColumn(rows, k, found.shapes === undefined, w)))
  w.depth--
  return { [TABLE]: 1, length: rows.length, keys: found.keys, columns, ...(found.shapes === undefined ? {} : { shapes: found.shapes, shapeOf: found.shapeOf }) }
}

/** The skeleton of a value: tables inside plain objects and arrays replaced by markers (the value itself is not touched). */
const encodeValue = (value: unknown, w: Writer): unknown => {
  if (typeof value !== "object" || value === null) return value
  if (++w.depth > MAX_DEPTH) throw TOO_DEEP
  try {
    return encodeObject(value, w)
  } finally {
    w.depth--
  }
}

const encodeObject = (value: object, w: Writer): unknown => {
  if (Array.isArray(value)) {
    const table = encodeTable(value, w)
    if (table !== undefined) return table
    // Arrays of primitives are left to V8 as they are; others may hold a table further down.
    return value.some((x) => typeof x === "object" && x !== null) ? value.map((x) => encodeValue(x, w)) : value
  }
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(value)) setOwn(out, k, encodeValue(value[k], w))
    return out
  }
  return value
}

/**
 * A value's bytes as `readValue` reads them, as a list of buffers (for `writeBuffers`). A value
 * that refers to itself (which the column encoding would follow forever), or nests deeper than
 * MAX_DEPTH, is given whole by V8's serializer instead, which keeps cycles.
 */
export const encodeToBuffers = (value: unknown): Array<Buffer> => {
  try {
    const w = new Writer()
    w.frame(encodeValue(value, w))
    return w.buffers
  } catch (e) {
    if (e !== TOO_DEEP) throw e
    return [MAGIC_WHOLE, serialize(value)]
  }
}

/** Writes buffers to `file` on this thread, replacing it. */
const writeHere = (file: string, buffers: ReadonlyArray<Uint8Array>): void => {
  const fd = openSync(file, "w")
  try {
    for (const b of buffers) writeAll(fd, b)
  } finally {
    closeSync(fd)
  }
}

/** Writes `value` to `file` on this thread, replacing it (see `encodeToBuffers`). */
export const writeValue = (file: string, value: unknown): void => writeHere(file, encodeToBuffers(value))

/** From this many bytes, `writeBuffers` writes in a worker thread. */
export const WORKER_WRITE_BYTES = 16 * 1024 * 1024

/** The writing thread: writes the buffers it is sent to the file it is told, and answers. */
const WRITER = inlineScript(`
import { parentPort } from "node:worker_threads"
import { closeSync, openSync, writeSync } from "node:fs"
parentPort.once("message", ({ file, buffers }) => {
  try {
    const fd = openSync(file, "w")
    try {
      for (const b of buffers) for (let done = 0; done < b.byteLength; ) done += writeSync(fd, b, done, b.byteLength - done)
    } finally {
      closeSync(fd)
    }
    parentPort.postMessage({ ok: true })
  } catch (e) {
    parentPort.postMessage({ ok: false, message: String((e && e.message) || e) })
  }
})
`)

/**
 * Writes buffers (from `encodeToBuffers`) to `file`, replacing it. Many bytes (`workerFrom`,
 * default WORKER_WRITE_BYTES) are written by a worker thread, to which the big buffers are handed
 * over, not copied: the kernel's copy into the page cache took ~0.6 s of the main thread for the
 * 2M-row registry's 273 MB, and the run goes on meanwhile. A thread that ends its work frees them
 * at once, where here they would wait for a full collection. Below that, or when the thread
 * cannot start or be sent them, they are written here. Only for buffers nothing else uses: those
 * handed over are unusable here afterwards.
 */
export const writeBuffers = async (file: string, buffers: ReadonlyArray<Uint8Array>, workerFrom = WORKER_WRITE_BYTES): Promise<void> => {
  if (buffers.reduce((a, b) => a + b.byteLength, 0) < workerFrom) return writeHere(file, buffers)
  // Only a buffer that owns its whole memory is handed over: a small one may share Node's pool.
  const own = buffers.filter((b) => b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.byteLength >= 64 * 1024).map((b) => b.buffer as ArrayBuffer)
  const reply = await askWorker<{ readonly ok: boolean; readonly message?: string }>(WRITER, { file, buffers }, { transfer: own })
  if (reply?.ok === true) return
  if (reply !== undefined) throw new Error(`cannot write ${file}: ${reply.message}`)
  // The thread failed: before it was handed the buffers (still usable here), or after.
  if (own.every((b) => b.byteLength > 0)) return writeHere(file, buffers)
  throw new Error(`cannot write ${file}: the writing thread failed`)
}

type RowMaker = (cols: ReadonlyArray<(i: number) => unknown>, i: number) => Record<string, unknown>

/**
 * A generated constructor for rows with these keys (taken from the columns at `at`), so every
 * row of a shape shares one hidden class with in-object properties (as RawRows' records do).
 * Only keys as JSON string literals and column indexes enter the generated code.
 */
const rowMaker = (keys: ReadonlyArray<string>, at: ReadonlyArray<number>): RowMaker => {
  // "__proto__" as a literal key would set the prototype; a computed key defines an own property.
  const key = (name: string) => (name === "__proto__" ? `["__proto__"]` : JSON.stringify(name))
  return new Function("cols", "i", `"use strict"; return { ${keys.map((k, j) => `${key(k)}: cols[${at[j]}](i)`).join(", ")} }`) as RowMaker
}

/** Reads a value written by `writeValue`; throws when the file is not one. */
export const readValue = (file: string): unknown => {
  const buf = readFileSync(file)
  if (buf.length >= MAGIC_WHOLE.length && buf.subarray(0, MAGIC_WHOLE.length).equals(MAGIC_WHOLE)) return deserialize(buf.subarray(MAGIC_WHOLE.length))
  if (buf.length < MAGIC.length || !buf.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error(`${file} is not a stored value (bad header)`)
  const frames: Array<Buffer> = []
  for (let at = MAGIC.length; at < buf.length; ) {
    if (at + 4 > buf.length) throw new Error(`${file} is truncated`)
    const len = buf.readUInt32LE(at)
    if (at + 4 + len > buf.length) throw new Error(`${file} is truncated`)
    frames.push(buf.subarray(at + 4, at + 4 + len))
    at += 4 + len
  }
  if (frames.length === 0) throw new Error(`${file} holds no value`)
  const decodeTable = (m: TableMarker): Array<Record<string, unknown>> => {
    const getters = m.columns.map((f) => {
      const c = deserialize(frames[f]!) as StoredColumn
      if (c.t !== "table") return getter(c)
      const rows = decodeTable(c.table)
      return (i: number) => rows[i]
    })
    const out: Array<Record<string, unknown>> = new Array(m.length)
    if (m.shapes === undefined || m.shapeOf === undefined) {
      const make = rowMaker(m.keys, m.keys.map((_, j) => j))
      for (let i = 0; i < m.length; i++) out[i] = make(getters, i)
      return out
    }
    const column = new Map(m.keys.map((k, j) => [k, j]))
    const makers = m.shapes.map((keys) => rowMaker(keys, keys.map((k) => column.get(k)!)))
    const shapeOf = m.shapeOf
    for (let i = 0; i < m.length; i++) out[i] = makers[shapeOf[i]!]!(getters, i)
    return out
  }
  const getter = (c: Exclude<StoredColumn, { t: "table" }>): ((i: number) => unknown) => {
    switch (c.t) {
      case "dict": {
        const { dict, codes } = c
        return (i) => dict[codes[i]!]
      }
      case "num": {
        const values = c.values
        return (i) => values[i]
      }
      case "joined": {
        const values = c.text.split(SEP)
        return (i) => values[i]
      }
      case "same": {
        const value = c.value
        return () => value
      }
      case "lists": {
        const items = c.text.split(SEP)
        const starts = new Uint32Array(c.lengths.length)
        for (let i = 0, at = 0; i < c.lengths.length; at += c.lengths[i]!, i++) starts[i] = at
        const { lengths } = c
        return (i) => items.slice(starts[i]!, starts[i]! + lengths[i]!)
      }
      case "plain": {
        const values = c.values.map(decodeValue)
        return (i) => values[i]
      }
    }
  }
  const decodeValue = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(decodeValue)
    if (isPlainObject(v)) {
      if (v[TABLE] === 1) return decodeTable(v as unknown as TableMarker)
      const out: Record<string, unknown> = {}
      for (const k of Object.keys(v)) setOwn(out, k, decodeValue(v[k]))
      return out
    }
    return v
  }
  return decodeValue(deserialize(frames[frames.length - 1]!))
}
