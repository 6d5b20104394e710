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
  | { readonly t: "any"; readonly values: ReadonlyArray<CellValue> }

/** A table's rows, column by column. */
export interface EncodedRows {
  readonly count: number
  readonly columns: ReadonlyArray<EncodedColumn>
}

type Kind = "num" | "bool" | "text" | "any" | "empty"

const kindOf = (v: CellValue | undefined): Kind =>
  v === null || v === undefined ? "empty" : typeof v === "number" ? "num" : typeof v === "boolean" ? "bool" : typeof v === "string" ? "text" : "any"

/** Encodes `width` columns of `rows` (cells past a row's end are null). Reads the rows twice: once for the kinds, once for the values. */
export const encode = (rows: Rows, width: number): EncodedRows => {
  const count = Doc.rowCount(rows)
  const kinds: Array<Kind> = Array.from({ length: width }, () => "empty")
  for (const row of Doc.iterateRows(rows)) {
    for (let j = 0; j < width; j++) {
      const k = kindOf(row[j])
      if (k === "empty" || k === kinds[j]) continue
      kinds[j] = kinds[j] === "empty" ? k : "any"
    }
  }
  const nums = kinds.map((k) => (k === "num" ? new Float64Array(count) : undefined))
  const nulls = kinds.map((k) => (k === "num" ? new Uint8Array(count) : undefined))
  const bools = kinds.map((k) => (k === "bool" ? new Uint8Array(count) : undefined))
  const lengths = kinds.map((k) => (k === "text" ? new Int32Array(count) : undefined))
  const texts = kinds.map((k) => (k === "text" ? new Array<string>() : undefined))
  const anys = kinds.map((k) => (k === "any" || k === "empty" ? new Array<CellValue>(count) : undefined))
  let i = 0
  for (const row of Doc.iterateRows(rows)) {
    if (i === count) break
    for (let j = 0; j < width; j++) {
      const v = row[j] ?? null
      switch (kinds[j]) {
        case "num":
          if (v === null) nulls[j]![i] = 1
          else nums[j]![i] = v as number
          break
        case "bool":
          bools[j]![i] = v === null ? 2 : v ? 1 : 0
          break
        case "text":
          if (v === null) lengths[j]![i] = -1
          else {
            lengths[j]![i] = (v as string).length
            texts[j]!.push(v as string)
          }
          break
        default:
          anys[j]![i] = v
      }
    }
    i++
  }
  if (i !== count) throw new Error(`the rows gave ${i} rows but ${count} were declared`)
  return {
    count,
    columns: kinds.map((k, j): EncodedColumn => {
      if (k === "num") return nulls[j]!.includes(1) ? { t: "num", values: nums[j]!, nulls: nulls[j]! } : { t: "num", values: nums[j]! }
      if (k === "bool") return { t: "bool", values: bools[j]! }
      if (k === "text") return { t: "text", lengths: lengths[j]!, text: texts[j]!.join("") }
      return { t: "any", values: anys[j]! }
    }),
  }
}

/** The buffers of `encoded`, for postMessage's transfer list. */
export const buffersOf = (encoded: EncodedRows): Array<ArrayBuffer> =>
  encoded.columns.flatMap((c): Array<ArrayBuffer> => {
    const b = c.t === "num" ? [c.values.buffer, ...(c.nulls ? [c.nulls.buffer] : [])] : c.t === "bool" ? [c.values.buffer] : c.t === "text" ? [c.lengths.buffer] : []
    return b as Array<ArrayBuffer>
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
