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
 * Encodes `width` columns of `rows` (cells past a row's end are null). Reads the rows twice: first
 * each column's kind (and whether a text column has few values), then straight into its typed
 * form. Holding every cell in an array between the two (one read) cost ~130 MB more at 1M rows.
 */
export const encode = (rows: Rows, width: number): EncodedRows => {
  const count = Doc.rowCount(rows)
  const limit = Math.min(MAX_DICT, Math.max(16, count >> 2))
  const kinds: Array<Kind> = Array.from({ length: width }, () => "empty")
  // Distinct texts per column while they are few enough for a dictionary (null counts as one).
  const distinct: Array<Set<string | null> | undefined> = Array.from({ length: width }, () => new Set())
  let i = 0
  for (const row of Doc.iterateRows(rows)) {
    if (i === count) throw new Error(`the rows gave more rows than the ${count} declared (RowSource.count)`)
    for (let j = 0; j < width; j++) {
      const v = row[j] ?? null
      const k = kindOf(v)
      if (k !== "empty" && k !== kinds[j]) kinds[j] = kinds[j] === "empty" ? k : "any"
      const d = distinct[j]
      if (d !== undefined && (v === null || typeof v === "string")) {
        d.add(v)
        if (d.size > limit) distinct[j] = undefined
      }
    }
    i++
  }
  if (i !== count) throw new Error(`the rows gave ${i} rows but ${count} were declared (RowSource.count)`)
  const builders = kinds.map((k, j) => builder(k === "text" && distinct[j] !== undefined ? "dict" : k, count))
  i = 0
  for (const row of Doc.iterateRows(rows)) {
    if (i === count) break
    for (let j = 0; j < width; j++) builders[j]!.set(i, row[j] ?? null)
    i++
  }
  if (i !== count) throw new Error(`the rows gave ${i} rows but ${count} were declared the second time (RowSource.count)`)
  return { count, columns: builders.map((b) => b.done()) }
}

/** Builds one column in the form of its kind. */
interface Builder {
  set(i: number, v: CellValue): void
  done(): EncodedColumn
}

/** Text cells joined at a time (see the text builder). */
const TEXT_BLOCK = 4096

const builder = (kind: Kind | "dict", n: number): Builder => {
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
    case "dict": {
      const index = new Map<string | null, number>()
      const values: Array<string | null> = []
      const codes = new Uint16Array(n)
      return {
        set: (i, v) => {
          let c = index.get(v as string | null)
          if (c === undefined) {
            c = values.length
            index.set(v as string | null, c)
            values.push(v as string | null)
          }
          codes[i] = c
        },
        done: () => ({ t: "dict", values, codes }),
      }
    }
    case "text": {
      const lengths = new Int32Array(n)
      // Joined every TEXT_BLOCK cells, so the cells die young: kept in one array until the end,
      // a million of them outlived the young generation and lingered as ~100 MB of old garbage.
      const blocks: Array<string> = []
      let texts: Array<string> = []
      return {
        set: (i, v) => {
          if (v === null) lengths[i] = -1
          else {
            lengths[i] = (v as string).length
            texts.push(v as string)
            if (texts.length === TEXT_BLOCK) {
              blocks.push(texts.join(""))
              texts = []
            }
          }
        },
        done: () => {
          blocks.push(texts.join(""))
          return { t: "text", lengths, text: blocks.join("") }
        },
      }
    }
    default: {
      const values = new Array<CellValue>(n)
      return { set: (i, v) => void (values[i] = v), done: () => ({ t: "any", values }) }
    }
  }
}

/** The buffers of `encoded`, for postMessage's transfer list. */
export const buffersOf = (encoded: EncodedRows): Array<ArrayBuffer> =>
  encoded.columns.flatMap((c): Array<ArrayBuffer> => {
    switch (c.t) {
      case "num":
        return [c.values.buffer, ...(c.nulls ? [c.nulls.buffer] : [])] as Array<ArrayBuffer>
      case "bool":
        return [c.values.buffer as ArrayBuffer]
      case "dict":
        return [c.codes.buffer as ArrayBuffer]
      case "text":
        return [c.lengths.buffer as ArrayBuffer]
      default:
        return []
    }
  })

/** Rows `from` to `to` (exclusive) in buffers of their own (so several slices can be sent to different threads). */
export const slice = (encoded: EncodedRows, from: number, to: number): EncodedRows => ({
  count: to - from,
  columns: encoded.columns.map((c): EncodedColumn => {
    switch (c.t) {
      case "num":
        return c.nulls === undefined ? { t: "num", values: c.values.slice(from, to) } : { t: "num", values: c.values.slice(from, to), nulls: c.nulls.slice(from, to) }
      case "bool":
        return { t: "bool", values: c.values.slice(from, to) }
      case "dict":
        return { t: "dict", values: c.values, codes: c.codes.slice(from, to) }
      case "text": {
        let start = 0
        for (let i = 0; i < from; i++) start += Math.max(0, c.lengths[i]!)
        let end = start
        for (let i = from; i < to; i++) end += Math.max(0, c.lengths[i]!)
        return { t: "text", lengths: c.lengths.slice(from, to), text: c.text.slice(start, end) }
      }
      default:
        return { t: "any", values: c.values.slice(from, to) }
    }
  }),
})

/** The rows back, as a re-iterable source (each row a fresh array; text cells are slices of the joined text). */
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
