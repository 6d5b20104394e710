/**
 * A table's rows as a few flat columns, cheap to hand to a worker thread: numbers in a
 * Float64Array, booleans in a Uint8Array, text as one joined string plus lengths. A worker gets
 * them by structured clone in a handful of copies (one per column) where a million row arrays
 * would be ~16 million values to clone one by one. Decoding gives the same cells back, in order.
 */
import type { CellValue, Row, RowSource, Rows } from "./WorkbookDoc.js"
import * as Doc from "./WorkbookDoc.js"

/** One column. `any` keeps cells of mixed or rich types (hyperlink cells) as they are. */
export type EncodedColumn =
  | { readonly t: "num"; readonly values: Float64Array; readonly nulls?: Uint8Array }
  /** 0 false, 1 true, 2 null. */
  | { readonly t: "bool"; readonly values: Uint8Array }
  /** Each cell's length in UTF-16 units (-1: null) and all cells joined. */
  | { readonly t: "text"; readonly lengths: Int32Array; readonly text: string }
  /** Few distinct values (null among them): each cell's index into `values`. */
  | { readonly t: "dict"; readonly values: ReadonlyArray<string | null>; readonly codes: Uint16Array }
  | { readonly t: "any"; readonly values: ReadonlyArray<CellValue> }

/** A table's rows, column by column. */
export interface EncodedRows {
  readonly count: number
  readonly columns: ReadonlyArray<EncodedColumn>
}

/** Most distinct values a dictionary column holds (its codes are 16-bit). */
const MAX_DICT = 1 << 16

type Kind = "num" | "bool" | "text" | "any" | "empty"

const kindOf = (v: CellValue | undefined): Kind =>
  v === null || v === undefined ? "empty" : typeof v === "number" ? "num" : typeof v === "boolean" ? "bool" : typeof v === "string" ? "text" : "any"

/**
 * Reads `rows` once, `size` rows at a time, into columns: each segment's cells are held column by
 * column as they come (a few MB: holding the row arrays instead kept ~300 MB of them past V8's
 * young generation until a full collection), then each column gets its form and is encoded on
 * its own, and the segment is given, so it can go to a worker while the next is read. Each
 * segment has its own forms and dictionaries. Reading the whole table twice instead (a plan, then
 * the columns) kept the workers waiting for the first read: ~1.5 s of the 1M-row refresh.
 */
export function* segmentsOf(rows: Rows, width: number, size: number): Generator<EncodedRows> {
  if (Doc.isRowSource(rows) && rows.columns !== undefined) {
    yield* sourceSegments(rows.count, rows.columns(), width, size)
    return
  }
  const count = Doc.rowCount(rows)
  let n = Math.min(size, count)
  let cols = Array.from({ length: width }, () => new Array<CellValue>(n))
  let at = 0
  let i = 0
  const encodeHeld = (): EncodedRows => ({ count: n, columns: cols.map((values) => encodeColumn(values, n)) })
  for (const row of Doc.iterateRows(rows)) {
    if (i === count) throw new Error(`the rows gave more rows than the ${count} declared (RowSource.count)`)
    for (let j = 0; j < width; j++) cols[j]![at] = row[j] ?? null
    i++
    if (++at === n) {
      yield encodeHeld()
      n = Math.min(size, count - i)
      if (n > 0) {
        cols = Array.from({ length: width }, () => new Array<CellValue>(n))
        at = 0
      }
    }
  }
  if (i !== count) throw new Error(`the rows gave ${i} rows but ${count} were declared (RowSource.count)`)
  if (count === 0) yield encodeHeld()
}

/** Most distinct values (null among them) a column of `n` cells holds as a dictionary. */
const dictLimit = (n: number): number => Math.min(MAX_DICT, Math.max(16, n >> 2))

/** The first cells of a column, which tell one of many values early: among them, more than a quarter distinct is no dictionary. */
const SAMPLE = 1024

/**
 * Whether `distinct` values among a column's first `seen` cells rule out a dictionary of at most
 * `limit` values. Without the sample rule, a column of names was only given up after `limit`
 * (16,384 in a 65,536-row segment) of them were hashed.
 */
const tooMany = (distinct: number, seen: number, limit: number): boolean => distinct > limit || (seen === SAMPLE && distinct > SAMPLE >> 2)

/** One column's `n` cells in the form they call for: their kind, or a dictionary for texts of few values (null counting as one). */
const encodeColumn = (values: ReadonlyArray<CellValue>, n: number): EncodedColumn => {
  const limit = dictLimit(n)
  let kind: Kind = "empty"
  // Each distinct text (and null) with its code, in order of first appearance, while few enough.
  let distinct: Map<string | null, number> | undefined = new Map()
  for (let i = 0; i < n; i++) {
    const v = values[i]!
    const k = kindOf(v)
    if (k !== "empty" && k !== kind) kind = kind === "empty" ? k : "any"
    if (distinct !== undefined) {
      if ((v === null || typeof v === "string") && !distinct.has(v)) distinct.set(v, distinct.size)
      if (tooMany(distinct.size, i + 1, limit)) distinct = undefined
    }
  }
  const b = kind === "text" && distinct !== undefined ? dictBuilder(distinct, n) : builder(kind, n)
  for (let i = 0; i < n; i++) b.set(i, values[i]!)
  return b.done()
}

/**
 * The segments of a source held in columns: exactly the segments its rows would give (a test
 * checks), made from the columns without a row array per row; a coded column's dictionary is
 * read off its codes, without a lookup per cell. With it the 1M-row refresh's workbook asset went
 * from 10.6–10.8 to 9.1–9.3 s (side by side).
 */
function* sourceSegments(count: number, columns: ReadonlyArray<Doc.SourceColumn>, width: number, size: number): Generator<EncodedRows> {
  if (columns.length !== width) throw new Error(`the source has ${columns.length} columns but the sheet ${width}`)
  for (const c of columns) {
    const n = c.t === "coded" ? c.codes.length : c.values.length
    if (n !== count) throw new Error(`a source column holds ${n} cells but the source declares ${count} rows`)
  }
  // An empty column is of no kind, like an empty segment of rows.
  if (count === 0) yield { count: 0, columns: columns.map(() => ({ t: "any", values: [] })) }
  const encoders = columns.map(sourceEncoder)
  for (let from = 0; from < count; from += size) {
    const to = Math.min(count, from + size)
    yield { count: to - from, columns: encoders.map((e) => e(from, to)) }
  }
}

/** Encodes cells `from`..`to` of a source column as `encodeColumn` encodes the same cells. */
const sourceEncoder = (c: Doc.SourceColumn): ((from: number, to: number) => EncodedColumn) => {
  switch (c.t) {
    case "num":
      return (from, to) => {
        const values = new Float64Array(to - from)
        for (let i = from; i < to; i++) values[i - from] = c.values[i]!
        return { t: "num", values }
      }
    case "bool":
      return (from, to) => {
        const values = new Uint8Array(to - from)
        for (let i = from; i < to; i++) values[i - from] = c.values[i] === 1 ? 1 : 0
        return { t: "bool", values }
      }
    case "text":
      // encodeColumn's rule without its look at each cell's type (they are all texts).
      return (from, to) => {
        const n = to - from
        const limit = dictLimit(n)
        const distinct = new Map<string, number>()
        let i = from
        for (; i < to; i++) {
          if (!distinct.has(c.values[i]!)) distinct.set(c.values[i]!, distinct.size)
          if (tooMany(distinct.size, i - from + 1, limit)) break
        }
        const b = i === to ? dictBuilder(distinct, n) : builder("text", n)
        for (let k = 0; k < n; k++) b.set(k, c.values[from + k]!)
        return b.done()
      }
    case "coded": {
      // Codes of equal texts are one code (a dictionary should not repeat a text, but may).
      const first = new Map<string, number>()
      const canon = Int32Array.from(c.values, (v, k) => {
        const at = first.get(v)
        if (at !== undefined) return at
        first.set(v, k)
        return k
      })
      return (from, to) => {
        const n = to - from
        const limit = dictLimit(n)
        // Each code's place among the segment's distinct texts, in order of first appearance (-1: not yet seen).
        const place = new Int32Array(c.values.length).fill(-1)
        const values: Array<string> = []
        let i = from
        for (; i < to; i++) {
          const k = canon[c.codes[i]!]!
          if (place[k] === -1) {
            place[k] = values.length
            values.push(c.values[k]!)
          }
          if (tooMany(values.length, i - from + 1, limit)) break
        }
        if (i === to) {
          const codes = new Uint16Array(n)
          for (let i = from; i < to; i++) codes[i - from] = place[canon[c.codes[i]!]!]!
          return { t: "dict", values, codes }
        }
        const b = builder("text", n)
        for (let i = from; i < to; i++) b.set(i - from, c.values[c.codes[i]!]!)
        return b.done()
      }
    }
  }
}

/** Encodes `width` columns of `rows` in one piece, one segment of the whole table (the tests' reference). */
export const encode = (rows: Rows, width: number): EncodedRows => {
  // Read to the end (not just the first segment), so that extra rows are found.
  const [whole] = [...segmentsOf(rows, width, Math.max(1, Doc.rowCount(rows)))]
  return whole!
}

/** Builds one column in the form of its kind. */
interface Builder {
  set(i: number, v: CellValue): void
  done(): EncodedColumn
}

/** A dictionary column's builder of `n` cells: each text's code in `index` (which holds them all). */
const dictBuilder = (index: ReadonlyMap<string | null, number>, n: number): Builder => {
  const codes = new Uint16Array(n)
  return { set: (i, v) => void (codes[i] = index.get(v as string | null)!), done: () => ({ t: "dict", values: [...index.keys()], codes }) }
}

/** A builder of `n` cells of a kind. */
const builder = (kind: Kind, n: number): Builder => {
  switch (kind) {
    case "num": {
      const values = new Float64Array(n)
      let nulls: Uint8Array | undefined
      return {
        set: (i, v) => {
          if (v === null) (nulls ??= new Uint8Array(n))[i] = 1
          else values[i] = v as number
        },
        done: () => (nulls === undefined ? { t: "num", values } : { t: "num", values, nulls }),
      }
    }
    case "bool": {
      const values = new Uint8Array(n)
      return { set: (i, v) => void (values[i] = v === null ? 2 : v ? 1 : 0), done: () => ({ t: "bool", values }) }
    }
    case "text": {
      const lengths = new Int32Array(n)
      // The segment's cells are held in its column arrays anyway (see segmentsOf): one join at the end.
      const texts: Array<string> = []
      return {
        set: (i, v) => {
          if (v === null) lengths[i] = -1
          else {
            lengths[i] = (v as string).length
            texts.push(v as string)
          }
        },
        done: () => ({ t: "text", lengths, text: texts.join("") }),
      }
    }
    default: {
      const values = new Array<CellValue>(n)
      return { set: (i, v) => void (values[i] = v), done: () => ({ t: "any", values }) }
    }
  }
}

/**
 * The rows back, as a re-iterable source (each row a fresh array; text cells are slices of the
 * joined text). The writers read columns directly; the tests check `SheetXml`'s `columnsXml`
 * against the row writer over these rows.
 */
export const decode = (encoded: EncodedRows): RowSource => ({
  count: encoded.count,
  rows: function* () {
    const cols = encoded.columns
    const at = new Float64Array(cols.length)
    for (let i = 0; i < encoded.count; i++) {
      const row: Array<CellValue> = new Array(cols.length)
      for (let j = 0; j < cols.length; j++) {
        const c = cols[j]!
        switch (c.t) {
          case "num":
            row[j] = c.nulls !== undefined && c.nulls[i] === 1 ? null : c.values[i]!
            break
          case "bool":
            row[j] = c.values[i] === 2 ? null : c.values[i] === 1
            break
          case "dict":
            row[j] = c.values[c.codes[i]!]!
            break
          case "text": {
            const n = c.lengths[i]!
            if (n < 0) row[j] = null
            else {
              const from = at[j]!
              row[j] = c.text.slice(from, from + n)
              at[j] = from + n
            }
            break
          }
          default:
            row[j] = c.values[i] ?? null
        }
      }
      yield row as Row
    }
  },
})
