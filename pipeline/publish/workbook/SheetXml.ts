/**
 * A table sheet's part as XML text: the skeleton's start (up to its header row), one `<row>` per
 * table row, then the skeleton's end with the hyperlinks the rows gave. Kept apart from Render
 * (and exceljs) so a worker thread can write a big sheet without loading either.
 */
import type { CellValue, ColumnDoc, ColumnKind, Row, Rows } from "./WorkbookDoc.js"
import * as Columns from "./Columns.js"
import * as Doc from "./WorkbookDoc.js"
import { colLetter, escapeXml, insertWorksheetElement, REL } from "./xml.js"
import { deflateToMemory } from "./zip.js"

/** A relationship a hyperlink cell needs in the sheet's rels part. */
export interface LinkRel {
  readonly id: string
  readonly type: string
  readonly target: string
  readonly external: boolean
}

/** What a sheet part is written from. */
export interface SheetPart {
  readonly columns: ReadonlyArray<ColumnDoc>
  readonly rows: Rows
  readonly headerRow: number
  /** Style id per column (from the skeleton's `<cols>`). */
  readonly styles: ReadonlyArray<number | undefined>
  /** The skeleton's XML up to and including the header row. */
  readonly prefix: string
  /** The skeleton's XML from `</sheetData>` on. */
  readonly suffix: string
  /** Per column, shared string indexes of its texts: such a cell is written as a reference (`t="s"`). */
  readonly shared?: ReadonlyArray<ReadonlyMap<string, number> | undefined>
}

/** A hyperlink cell the rows gave; numbered and written out once all rows are known (see `hyperlinks`). */
export interface LinkFound {
  readonly ref: string
  readonly target: string
  readonly text: string
}

/** What writing the rows found: hyperlink cells, in row order, and the row count. */
export interface PartState {
  readonly found: Array<LinkFound>
  rows: number
  /** `hyperlinks(found)`, made once for the suffix and the rels part (see `hyperlinksOf`). */
  links?: ReturnType<typeof hyperlinks>
}

export const newState = (): PartState => ({ found: [], rows: -1 })

/** `hyperlinks` of a part's cells, made once the rows are all written and kept. */
export const hyperlinksOf = (state: PartState): ReturnType<typeof hyperlinks> => (state.links ??= hyperlinks(state.found))

/** The `<hyperlink>` elements for the suffix and the relationships for the rels part, numbered in row order. */
const hyperlinks = (found: ReadonlyArray<LinkFound>): { readonly xml: ReadonlyArray<string>; readonly rels: ReadonlyArray<LinkRel> } => {
  const xml: Array<string> = []
  const rels: Array<LinkRel> = []
  for (const { ref, target, text } of found) {
    if (target.startsWith("#")) xml.push(`<hyperlink ref="${ref}" location="${escapeXml(target.slice(1))}" display="${escapeXml(text)}"/>`)
    else {
      const id = `rIdL${rels.length + 1}`
      rels.push({ id, type: REL.hyperlink, target, external: true })
      xml.push(`<hyperlink ref="${ref}" r:id="${id}"/>`)
    }
  }
  return { xml, rels }
}

const textCell = (ref: string, s: string, text: string): string => {
  // Leading or trailing whitespace survives only with xml:space="preserve"; a char-code check is cheaper than a regex at 8M cells.
  const space = text.charCodeAt(0) <= 32 || text.charCodeAt(text.length - 1) <= 32 ? ' xml:space="preserve"' : ""
  return `<c r="${ref}"${s} t="inlineStr"><is><t${space}>${escapeXml(text)}</t></is></c>`
}

/** Whether a url column's text is a link the sheet gets a hyperlink for. */
const isLinkText = (v: string): boolean => /^(https?:\/\/|mailto:|ftp:\/\/)/i.test(v)

/**
 * One cell's XML ("" for none) at column `letter`, sheet row `r`, with style attribute `s`: how
 * every writer here writes a cell. A text in `sharedIndex` is written as a reference to it; a
 * hyperlink cell is added to `found`.
 */
const cellXml = (
  v: CellValue | undefined,
  letter: string,
  r: number | string,
  s: string,
  kind: ColumnKind,
  sharedIndex: ReadonlyMap<string, number> | undefined,
  found: Array<LinkFound>,
): string => {
  if (v === null || v === undefined || v === "") return ""
  const ref = letter + r
  if (typeof v === "number") return Number.isFinite(v) ? `<c r="${ref}"${s}><v>${v}</v></c>` : ""
  if (typeof v === "string") {
    const k = sharedIndex?.get(v)
    if (k !== undefined) return `<c r="${ref}"${s} t="s"><v>${k}</v></c>`
    if (kind === "date") {
      const serial = Doc.excelDateSerial(v)
      return serial === undefined ? textCell(ref, s, v) : `<c r="${ref}"${s}><v>${serial}</v></c>`
    }
    if (kind === "url" && isLinkText(v)) found.push({ ref, target: v, text: v })
    return textCell(ref, s, v)
  }
  if (typeof v === "boolean") return `<c r="${ref}"${s} t="b"><v>${v ? 1 : 0}</v></c>`
  if (v.hyperlink !== "") found.push({ ref, target: v.hyperlink, text: v.text })
  return textCell(ref, s, v.text)
}

/**
 * `<row>` XML for `rows`, the first being data row `first` (0-based), collecting hyperlink cells;
 * formula-looking text stays an inline string. Chunks end every 64 sheet rows. Gives the row count.
 */
function* rowsXml(part: Omit<SheetPart, "rows">, rows: Iterable<Row>, first: number, found: Array<LinkFound>): Generator<string, number> {
  const { columns, headerRow, shared } = part
  const letters = columns.map((_, j) => colLetter(j + 1))
  const styleAttr = part.styles.map((s) => (s === undefined ? "" : ` s="${s}"`))
  const kinds = columns.map((c) => c.kind)
  let buf = ""
  let r = headerRow + first
  for (const row of rows) {
    r++
    let x = `<row r="${r}">`
    for (let j = 0; j < letters.length; j++) x += cellXml(row[j], letters[j]!, r, styleAttr[j]!, kinds[j]!, shared?.[j], found)
    buf += x + "</row>"
    if ((r & 63) === 0) {
      yield buf
      buf = ""
    }
  }
  if (buf !== "") yield buf
  return r - headerRow - first
}

/**
 * The `<row>` XML of rows given as columns, the first being data row `first` (0-based): the same
 * text as `rowsXml` of the decoded rows (a test checks), without a row array per row, and with
 * each value of a column of few values (shared string, date, text) written out once. The
 * segments of big tables are written this way (the 1M-row workbook bench went from 8.5 to 6.2 s
 * with it). Chunks
 * end every 64 sheet rows, small enough for V8's young generation (`deflateChunks` gathers them).
 */
function* columnsXml(part: Omit<SheetPart, "rows">, rows: Columns.EncodedRows, first: number, found: Array<LinkFound>): Generator<string, number> {
  const { columns, headerRow, shared } = part
  // Per column: the cell of row i at sheet row r ("" for none); a hyperlink cell is also added to `found`.
  const cells = rows.columns.map((c, j): ((i: number, r: string) => string) => {
    const letter = colLetter(j + 1)
    const s = part.styles[j] === undefined ? "" : ` s="${part.styles[j]}"`
    const kind = columns[j]!.kind
    const sharedIndex = shared?.[j]
    switch (c.t) {
      case "num":
        return (i, r) => (c.nulls !== undefined && c.nulls[i] === 1) || !Number.isFinite(c.values[i]!) ? "" : `<c r="${letter}${r}"${s}><v>${c.values[i]}</v></c>`
      case "bool":
        return (i, r) => (c.values[i] === 2 ? "" : `<c r="${letter}${r}"${s} t="b"><v>${c.values[i]}</v></c>`)
      case "dict": {
        // Each value's cell once, written for a placeholder row then cut after its reference
        // (undefined: no cell); a value that makes a hyperlink cell is written cell by cell (its
        // reference is needed).
        const links: Array<boolean> = []
        const tails = c.values.map((v) => {
          const probe: Array<LinkFound> = []
          const cell = cellXml(v, letter, 1, s, kind, sharedIndex, probe)
          links.push(probe.length > 0)
          return cell === "" ? undefined : cell.slice(`<c r="${letter}1`.length)
        })
        return (i, r) => {
          const code = c.codes[i]!
          if (links[code]) return cellXml(c.values[code], letter, r, s, kind, sharedIndex, found)
          const tail = tails[code]
          return tail === undefined ? "" : `<c r="${letter}${r}${tail}`
        }
      }
      case "text": {
        let at = 0
        return (i, r) => {
          const n = c.lengths[i]!
          if (n <= 0) return ""
          const v = c.text.slice(at, at + n)
          at += n
          return cellXml(v, letter, r, s, kind, sharedIndex, found)
        }
      }
      default:
        return (i, r) => cellXml(c.values[i], letter, r, s, kind, sharedIndex, found)
    }
  })
  const width = cells.length
  let buf = ""
  let r = headerRow + first
  for (let i = 0; i < rows.count; i++) {
    r++
    const rs = String(r)
    let x = `<row r="${rs}">`
    for (let j = 0; j < width; j++) x += cells[j]!(i, rs)
    buf += x + "</row>"
    if ((r & 63) === 0) {
      yield buf
      buf = ""
    }
  }
  if (buf !== "") yield buf
  return rows.count
}

/** The part's end: the skeleton's suffix with the rows' hyperlinks. */
export const suffixXml = (part: Pick<SheetPart, "suffix">, state: PartState): string =>
  state.found.length === 0 ? part.suffix : insertWorksheetElement(part.suffix, "hyperlinks", `<hyperlinks>${hyperlinksOf(state).xml.join("")}</hyperlinks>`)

/** The whole part as chunks of XML: prefix, rows, then the suffix with the rows' hyperlinks. Fills `state`. */
export function* partChunks(part: SheetPart, state: PartState): Generator<string> {
  yield part.prefix
  state.rows = yield* rowsXml(part, Doc.iterateRows(part.rows), 0, state.found)
  yield suffixXml(part, state)
}

/**
 * Rows per segment of a big table's part: each is deflated on its own, on whichever thread is free
 * (see Render). Smaller segments hold less at once for the same time: 1M-row workbook bench, peak
 * RSS ~960 MB with 65,536 rows against ~1,015 MB with 131,072 (render 7.8–8.1 s both).
 */
export const SEGMENT_ROWS = 1 << 16


/** `columnsXml` and `rowsXml` for tests, which check that the two write the same text. */
export const writers = { columnsXml, rowsXml }

/**
 * One segment of a big table's part deflated (ending on a sync flush), with what its rows gave:
 * the prefix (first segment only) and the `<row>` XML of data rows `first`… (0-based). The suffix
 * is a segment of its own, written last. What a worker or Render's own thread does per segment.
 */
export const writeSegment = async (part: Omit<SheetPart, "rows">, rows: Columns.EncodedRows, first: number, level: number) => {
  const found: Array<LinkFound> = []
  let count = -1
  function* chunks(): Generator<string> {
    if (first === 0) yield part.prefix
    count = yield* columnsXml(part, rows, first, found)
  }
  const deflated = await deflateToMemory(chunks(), level, false)
  return { deflated, found, rows: count }
}
