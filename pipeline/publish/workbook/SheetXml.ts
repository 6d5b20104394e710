/**
 * A table sheet's part as XML text: the skeleton's start (up to its header row), one `<row>` per
 * table row, then the skeleton's end with the hyperlinks the rows gave. Kept apart from Render
 * (and exceljs) so a worker thread can write a big sheet without loading either.
 */
import type { CellValue, ColumnDoc, Rows } from "./WorkbookDoc.js"
import * as Doc from "./WorkbookDoc.js"
import { colLetter, escapeXml, insertWorksheetElement, REL } from "./xml.js"

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

/** What writing the rows found: hyperlinks (for the suffix and the rels part) and the row count. */
export interface PartState {
  readonly links: Array<string>
  readonly rels: Array<LinkRel>
  rows: number
}

export const newState = (): PartState => ({ links: [], rels: [], rows: -1 })

const textCell = (ref: string, s: string, text: string): string => {
  // Leading or trailing whitespace survives only with xml:space="preserve"; a char-code check is cheaper than a regex at 8M cells.
  const space = text.charCodeAt(0) <= 32 || text.charCodeAt(text.length - 1) <= 32 ? ' xml:space="preserve"' : ""
  return `<c r="${ref}"${s} t="inlineStr"><is><t${space}>${escapeXml(text)}</t></is></c>`
}

/** Streams one table's rows as `<row>` XML, collecting hyperlinks; formula-looking text stays an inline string. */
function* rowsXml(part: SheetPart, state: PartState) {
  const { columns, headerRow, shared } = part
  const { links, rels } = state
  const letters = columns.map((_, j) => colLetter(j + 1))
  const styleAttr = part.styles.map((s) => (s === undefined ? "" : ` s="${s}"`))
  const kinds = columns.map((c) => c.kind)
  const addLink = (ref: string, target: string, text: string) => {
    if (target.startsWith("#")) links.push(`<hyperlink ref="${ref}" location="${escapeXml(target.slice(1))}" display="${escapeXml(text)}"/>`)
    else {
      const id = `rIdL${rels.length + 1}`
      rels.push({ id, type: REL.hyperlink, target, external: true })
      links.push(`<hyperlink ref="${ref}" r:id="${id}"/>`)
    }
  }
  let buf = ""
  let r = headerRow
  for (const row of Doc.iterateRows(part.rows)) {
    r++
    let x = `<row r="${r}">`
    for (let j = 0; j < letters.length; j++) {
      const v: CellValue | undefined = row[j]
      if (v === null || v === undefined || v === "") continue
      const ref = letters[j]! + r
      const s = styleAttr[j]!
      if (typeof v === "number") {
        if (Number.isFinite(v)) x += `<c r="${ref}"${s}><v>${v}</v></c>`
      } else if (typeof v === "string") {
        const k = shared?.[j]?.get(v)
        if (k !== undefined) x += `<c r="${ref}"${s} t="s"><v>${k}</v></c>`
        else if (kinds[j] === "date") {
          const serial = Doc.excelDateSerial(v)
          x += serial === undefined ? textCell(ref, s, v) : `<c r="${ref}"${s}><v>${serial}</v></c>`
        } else {
          x += textCell(ref, s, v)
          if (kinds[j] === "url" && /^(https?:\/\/|mailto:|ftp:\/\/)/i.test(v)) addLink(ref, v, v)
        }
      } else if (typeof v === "boolean") {
        x += `<c r="${ref}"${s} t="b"><v>${v ? 1 : 0}</v></c>`
      } else {
        x += textCell(ref, s, v.text)
        if (v.hyperlink !== "") addLink(ref, v.hyperlink, v.text)
      }
    }
    buf += x + "</row>"
    if ((r & 511) === 0) {
      yield buf
      buf = ""
    }
  }
  state.rows = r - headerRow
  if (buf !== "") yield buf
}

/** The whole part as chunks of XML: prefix, rows, then the suffix with the rows' hyperlinks. Fills `state`. */
export function* partChunks(part: SheetPart, state: PartState): Generator<string> {
  yield part.prefix
  yield* rowsXml(part, state)
  yield state.links.length === 0 ? part.suffix : insertWorksheetElement(part.suffix, "hyperlinks", `<hyperlinks>${state.links.join("")}</hyperlinks>`)
}
