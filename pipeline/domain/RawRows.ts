/**
 * The kept rows of a source, held column by column in blocks of rows: each block keeps its row
 * numbers in an Int32Array and each column's cells as ONE text, joined by NUL, packed outside
 * the JS heap: Latin-1 bytes (a Uint8Array) when the text is ASCII, UTF-16 (a Uint16Array,
 * written and read as UTF-16LE bytes) otherwise.
 *
 * Why not an array of `{ row, values }` objects: a 2M-row registry held that way is 16M small
 * strings and 4M objects that the garbage collector copies out of the young generation one by
 * one; reading and keeping it cost 6.2 s and 1.34 GB where parsing alone took 2.2 s (measured on
 * the bench registry). Held as a few thousand block strings it costs 3.6 s and 0.5 GB. Why bytes
 * and not those block strings: a young string is copied twice before it settles in the old
 * generation, and the heap holding the whole table makes every later collection slower; parsing
 * and keeping the bench registry took 3.8 s instead of 4.6 s as bytes, with a 40 MB heap instead
 * of 465 MB (measured in a parse-and-keep loop without validation),
 * and a worker thread hands its blocks over without copying them (see ingest/Parallel).
 * Rows are rebuilt as plain `{ row, values }` records while a consumer iterates, one block at a
 * time, and die young. A column whose text contains NUL in some block keeps that block's cells
 * as an array of strings.
 *
 * Plain data (no class), so a stored value round-trips through the asset store unchanged.
 */
import type { RawRecord } from "./Source.js"

/** A column's cells joined by NUL: Latin-1 bytes (ASCII text) or UTF-16LE code units. */
export type PackedText = Uint8Array | Uint16Array

/** One block: row numbers, and per column the cells joined by NUL and packed (or as an array when a cell holds NUL). */
export interface RawBlock {
  readonly rows: Int32Array
  readonly cells: ReadonlyArray<PackedText | ReadonlyArray<string>>
}

export interface RawRows {
  /** Column names in source order (mapped fields, then extra columns); a later duplicate wins in `values`. */
  readonly columns: ReadonlyArray<string>
  readonly length: number
  readonly blocks: ReadonlyArray<RawBlock>
}

const SEP = "\u0000"

/** Rows per block: the column text joined before packing stays under V8's large-object size for typical cells, so it dies young. */
export const BLOCK_ROWS = 2048

type MakeValues = (cols: ReadonlyArray<ReadonlyArray<string>>, i: number) => Record<string, string>

/**
 * A column name as a key of generated object-literal code (here and in ingest/CheckRows): a JSON
 * string literal, so no name can inject code; "__proto__" as a literal key would set the
 * prototype, so it becomes a computed key, which defines an own property.
 */
export const literalKey = (name: string): string => (name === "__proto__" ? `["__proto__"]` : JSON.stringify(name))

/**
 * A generated object literal for the columns, so every record of a table shares one hidden class
 * with in-object properties (several times faster and smaller than assigning to `{}` one by one).
 * Only column names (see literalKey) and indexes enter the generated code.
 */
const valuesMaker = (columns: ReadonlyArray<string>): MakeValues =>
  new Function("c", "i", `"use strict"; return { ${columns.map((name, k) => `${literalKey(name)}: c[${k}][i]`).join(", ")} }`) as MakeValues

const makers = new WeakMap<ReadonlyArray<string>, MakeValues>()
const makerFor = (rows: RawRows): MakeValues => {
  let m = makers.get(rows.columns)
  if (m === undefined) makers.set(rows.columns, (m = valuesMaker(rows.columns)))
  return m
}

/** Text as bytes in its own ArrayBuffer (so it can be handed to another thread): Latin-1 when ASCII, else UTF-16LE. */
export const pack = (text: string): PackedText => {
  if (Buffer.byteLength(text, "utf8") === text.length) {
    const b = Buffer.allocUnsafeSlow(text.length)
    b.write(text, 0, "latin1")
    return new Uint8Array(b.buffer, b.byteOffset, b.length)
  }
  const b = Buffer.allocUnsafeSlow(text.length * 2)
  b.write(text, 0, "utf16le")
  return new Uint16Array(b.buffer, b.byteOffset, text.length)
}

/** The text `pack` packed. */
export const unpack = (packed: PackedText): string => {
  const bytes = Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength)
  return bytes.toString(packed instanceof Uint16Array ? "utf16le" : "latin1")
}

const isPacked = (c: PackedText | ReadonlyArray<string>): c is PackedText => ArrayBuffer.isView(c)

const cellsOf = (block: RawBlock): ReadonlyArray<ReadonlyArray<string>> => block.cells.map((c) => (isPacked(c) ? unpack(c).split(SEP) : c))

/** One column's cells of a block (column `k` of `RawRows.columns`), for code that reads a few columns of many rows. */
export const columnCells = (block: RawBlock, k: number): ReadonlyArray<string> => {
  const c = block.cells[k]!
  return isPacked(c) ? unpack(c).split(SEP) : c
}

/** The ArrayBuffers under the packed columns of some blocks, to transfer them to another thread. */
export const buffersOf = (blocks: ReadonlyArray<RawBlock>): Array<ArrayBuffer> => {
  const out: Array<ArrayBuffer> = []
  for (const b of blocks) {
    out.push(b.rows.buffer as ArrayBuffer)
    for (const c of b.cells) if (isPacked(c)) out.push(c.buffer as ArrayBuffer)
  }
  return out
}

/** Calls `f` on every row in order, each as a fresh `{ row, values }` record. */
export const forEach = (rows: RawRows, f: (record: RawRecord, index: number) => void): void => {
  const make = makerFor(rows)
  let index = 0
  for (const block of rows.blocks) {
    const cols = cellsOf(block)
    for (let i = 0; i < block.rows.length; i++) f({ row: block.rows[i]!, values: make(cols, i) }, index++)
  }
}

/** The rows in order, as records (a generator: one block in memory at a time). */
export function* iterate(rows: RawRows): Generator<RawRecord> {
  const make = makerFor(rows)
  for (const block of rows.blocks) {
    const cols = cellsOf(block)
    for (let i = 0; i < block.rows.length; i++) yield { row: block.rows[i]!, values: make(cols, i) }
  }
}

/** Every row as a record; for small tables and tests. */
export const toArray = (rows: RawRows): Array<RawRecord> => {
  const out: Array<RawRecord> = []
  forEach(rows, (r) => out.push(r))
  return out
}

/** Collects rows block by block. `push` takes a row's cells by source column index. */
export class Builder {
  private readonly blocks: Array<RawBlock> = []
  private rowNums: Array<number> = []
  private pending: Array<Array<string>>
  private count = 0

  /**
   * `columns`: each column's index among the source's cells and its name. `mayHoldNul`: false
   * when the reader knows no cell pushed so far holds NUL, which spares checking every cell.
   */
  constructor(
    private readonly columns: ReadonlyArray<readonly [index: number, name: string]>,
    private readonly mayHoldNul: () => boolean = () => true,
    /** When given, every block (the last, partial one too) goes here instead of being kept (`done` then holds no blocks). */
    private readonly sink?: (block: RawBlock) => void,
  ) {
    this.pending = columns.map(() => [])
  }

  push(row: number, cells: ReadonlyArray<string>): void {
    this.rowNums.push(row)
    for (let k = 0; k < this.columns.length; k++) this.pending[k]!.push(cells[this.columns[k]![0]] ?? "")
    this.count++
    if (this.rowNums.length >= BLOCK_ROWS) this.flush()
  }

  private flush(): void {
    if (this.rowNums.length === 0) return
    const check = this.mayHoldNul()
    const cells = this.pending.map((col) => {
      if (check) for (const s of col) if (s.includes(SEP)) return col
      return pack(col.join(SEP))
    })
    const block: RawBlock = { rows: Int32Array.from(this.rowNums), cells }
    if (this.sink) this.sink(block)
    else this.blocks.push(block)
    this.rowNums = []
    this.pending = this.columns.map(() => [])
  }

  done(): RawRows {
    this.flush()
    return { columns: this.columns.map(([, name]) => name), length: this.count, blocks: this.blocks }
  }
}

/** Rows from records (every record gets exactly `columns`, missing ones as ""); for small tables and tests. */
export const fromRecords = (columns: ReadonlyArray<string>, records: ReadonlyArray<RawRecord>): RawRows => {
  const b = new Builder(columns.map((name, k) => [k, name] as const))
  for (const r of records) b.push(r.row, columns.map((c) => (Object.prototype.hasOwnProperty.call(r.values, c) ? (r.values[c] ?? "") : "")))
  return b.done()
}

/** The rows of `first` then `second` (same columns), the second's row numbers moved on by `offset`. */
export const concat = (first: RawRows, second: RawRows, offset: number): RawRows => ({
  columns: first.columns,
  length: first.length + second.length,
  blocks: [...first.blocks, ...second.blocks.map((b) => ({ rows: b.rows.map((r) => r + offset), cells: b.cells }))],
})

/**
 * The rows whose cell in `column` passes `keep` (the last column of that name, as in `values`);
 * without that column, all rows or none as `keep(undefined)` says, without reading a block.
 */
export const filter = (rows: RawRows, column: string, keep: (cell: string | undefined) => boolean): RawRows => {
  const k = rows.columns.lastIndexOf(column)
  if (k < 0) return keep(undefined) ? rows : empty(rows.columns)
  const b = new Builder(rows.columns.map((name, j) => [j, name] as const))
  for (const block of rows.blocks) {
    const cells = columnCells(block, k)
    if (!cells.some(keep)) continue
    const cols = cellsOf(block)
    for (let i = 0; i < block.rows.length; i++) if (keep(cells[i])) b.push(block.rows[i]!, cols.map((c) => c[i]!))
  }
  return b.done()
}

/** No rows. */
export const empty = (columns: ReadonlyArray<string> = []): RawRows => ({ columns, length: 0, blocks: [] })
