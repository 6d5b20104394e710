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

/** What a first read of a table found: each column's form, and the texts of its dictionary columns. */
export interface Plan {
  readonly count: number
  /** Per column: its kind, or "dict" for a text column of few values (null counting as one). */
  readonly forms: ReadonlyArray<Kind | "dict">
  /** Per dictionary column, its values in order of first appearance (null among them); undefined for the others. */
  readonly dictionaries: ReadonlyArray<ReadonlyArray<string | null> | undefined>
}

/**
 * Reads `rows` once for the form of each of `width` columns (cells past a row's end are null):
 * the kind of its cells, and whether a text column has few enough values for a dictionary.
 * `segments` then reads them again straight into typed columns: holding every cell in an array
 * between the two reads (one read) cost ~130 MB more at 1M rows.
 */
export const plan = (rows: Rows, width: number): Plan => {
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
  const forms = kinds.map((k, j) => (k === "text" && distinct[j] !== undefined ? "dict" : k))
  return { count, forms, dictionaries: forms.map((f, j) => (f === "dict" ? [...distinct[j]!] : undefined)) }
}

/**
 * Reads `rows` again, as `plan` found them, into columns in segments of `size` rows (at least
 * one segment, empty for no rows), each given as soon as its rows are read: so a segment can go
 * to a worker while the next is read. A dictionary column's codes index the whole table's
 * dictionary (`plan.dictionaries`), the same in every segment.
 */
export function* segments(rows: Rows, p: Plan, size: number): Generator<EncodedRows> {
  const width = p.forms.length
  const index = p.dictionaries.map((d) => (d === undefined ? undefined : new Map(d.map((v, k) => [v, k]))))
  const builders = (n: number) => p.forms.map((f, j) => builder(f, n, p.dictionaries[j], index[j]))
  let n = Math.min(size, p.count)
  let current = builders(n)
  let at = 0
  let i = 0
  for (const row of Doc.iterateRows(rows)) {
    if (i === p.count) throw new Error(`the rows gave more rows than the ${p.count} declared the second time (RowSource.count)`)
    for (let j = 0; j < width; j++) current[j]!.set(at, row[j] ?? null)
    i++
    if (++at === n) {
      yield { count: n, columns: current.map((b) => b.done()) }
      n = Math.min(size, p.count - i)
      if (n > 0) {
        current = builders(n)
        at = 0
      }
    }
  }
  if (i !== p.count) throw new Error(`the rows gave ${i} rows but ${p.count} were declared the second time (RowSource.count)`)
  if (p.count === 0) yield { count: 0, columns: current.map((b) => b.done()) }
}

/** Encodes `width` columns of `rows` in one piece: `plan`, then `segments` of the whole table. */
export const encode = (rows: Rows, width: number): EncodedRows => {
  const p = plan(rows, width)
  const [whole] = segments(rows, p, Math.max(1, p.count))
  return whole!
}

/** Builds one column in the form of its kind. */
interface Builder {
  set(i: number, v: CellValue): void
  done(): EncodedColumn
}

/** Text cells joined at a time (see the text builder). */
const TEXT_BLOCK = 4096

/** A builder of `n` cells; a dictionary column's gets its values and their index. */
const builder = (kind: Kind | "dict", n: number, values?: ReadonlyArray<string | null>, index?: ReadonlyMap<string | null, number>): Builder => {
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
      const codes = new Uint16Array(n)
      return {
        set: (i, v) => {
          const c = index!.get(v as string | null)
          // The dictionary is the first read's: a source that gives other values the second time is refused, not coded wrong.
          if (c === undefined) throw new Error(`the rows gave ${JSON.stringify(v)} the second time, which the first read did not (a RowSource must give the same rows each time)`)
          codes[i] = c
        },
        done: () => ({ t: "dict", values: values!, codes }),
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
