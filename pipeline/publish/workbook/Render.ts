/**
 * The thin exceljs renderer: turns a `WorkbookDoc` into .xlsx bytes and holds no decisions of its own.
 *
 * How it stays fast, bounded and reproducible: exceljs writes a skeleton (every sheet, styles, tables,
 * validation, conditional formats, frozen panes, print setup, properties) with each table holding only
 * its header; we then stream the table rows ourselves as inline-string XML into the skeleton's
 * `<sheetData>` while deflating with native zlib, widen each table's range to its real size, add
 * hyperlinks and native charts, and write the package with fixed entry dates and a fixed entry order.
 * A big table (see `bigTableRows`) is read into columns first: its texts of few values become shared
 * strings and its rows are written in segments by worker threads and this thread (see `segmented`).
 * exceljs' own streaming writer needs ~47 s for 1M rows × 8 columns here; this path a few seconds
 * for the 1M-row list sheet (12 columns) with the data bundle, under 1 GB peak RSS with the list
 * in memory (the workbook bench; its figures are in the README).
 */
import { Effect, type Scope } from "effect"
import type ExcelJS from "exceljs"
import JSZip from "jszip"
import * as fs from "node:fs"
import * as Charts from "./Charts.js"
import type { CellValue, ColumnDoc, Row, TableSheet, TextSheet, WorkbookDoc } from "./WorkbookDoc.js"
import * as Doc from "./WorkbookDoc.js"
import { WorkbookError } from "./WorkbookError.js"
import { availableParallelism } from "node:os"
import type { Worker } from "node:worker_threads"
import { builtWorker, WorkerLane } from "../../engine/WorkerScript.js"
import * as Libraries from "../libraries.js"
import * as Columns from "./Columns.js"
import * as SheetXml from "./SheetXml.js"
import type { SheetJob, SheetReply } from "./SheetWorker.js"
import { addRelationships, colLetter, escapeXml, insertWorksheetElement, REL } from "./xml.js"
import { type Deflated, deflateToMemory, writeZip, type ZipEntry } from "./zip.js"

/** Knobs for tests and benchmarks; the defaults are what the pipeline uses. */
export interface RenderOptions {
  /** Rows per sheet, header included, before a table is split (Excel: 1,048,576; tests use less). */
  readonly maxRowsPerSheet?: number
  /** Rows looked at when fitting column widths (all of them for small tables). */
  readonly widthSampleRows?: number
  /**
   * Tables (row sources) of at least `bigTableRows` rows (default 100,000) are big: read once into
   * columns, their texts of few values written as shared strings, their sheet in segments on worker
   * threads (on this thread with `workers: false`; the bytes are the same).
   */
  readonly workers?: boolean
  readonly bigTableRows?: number
  /** Segments written at once (default: the cores). */
  readonly threads?: number
  /**
   * Whether this thread writes segments too, as one of the `threads`, once `write` has begun
   * (default true): it would otherwise mostly wait, and each worker holds ~60–100 MB while it
   * writes. Measured on the 1M-row workbook bench when it was chosen: peak RSS 979–1,003 MB
   * against 1,036–1,039 MB with a second worker.
   */
  readonly ownLane?: boolean
  /** Rows per segment of a big table (default `SheetXml.SEGMENT_ROWS`; tests use fewer). */
  readonly segmentRows?: number
  /** The worker script (tests); default the built `sheet-worker`. */
  readonly workerScript?: URL
  /**
   * zlib level (default 1). Measured on 200 MB of the 1M-row list sheet's XML: level 1 0.72 s and
   * 26.0 MB, level 2 0.89 s and 25.3 MB, level 6 2.4 s and 21.9 MB; Excel does not care.
   */
  readonly compressionLevel?: number
}

/** What was written: the final sheets (after any split) and their row counts. */
export interface RenderResult {
  readonly file: string
  readonly bytes: number
  readonly sheets: ReadonlyArray<{ readonly name: string; readonly kind: "text" | "table"; readonly rows: number; readonly note?: string }>
  readonly charts: number
  /** Segments of big tables that worker threads wrote (the rest was written on this thread). */
  readonly workers: number
}

/** Widest a fitted column gets, in characters; longer text wraps or is cut off visually, never in the data. */
export const MAX_WIDTH = 60

/** True for code points drawn double-width in a monospace grid (CJK, Hangul, full-width forms). */
const isWide = (cp: number): boolean =>
  (cp >= 0x1100 && cp <= 0x115f) ||
  (cp >= 0x2e80 && cp <= 0x303e) ||
  (cp >= 0x3041 && cp <= 0x33ff) ||
  (cp >= 0x3400 && cp <= 0x4dbf) ||
  (cp >= 0x4e00 && cp <= 0x9fff) ||
  (cp >= 0xa000 && cp <= 0xa4cf) ||
  (cp >= 0xac00 && cp <= 0xd7a3) ||
  (cp >= 0xf900 && cp <= 0xfaff) ||
  (cp >= 0xfe30 && cp <= 0xfe4f) ||
  (cp >= 0xff00 && cp <= 0xff60) ||
  (cp >= 0xffe0 && cp <= 0xffe6) ||
  (cp >= 0x20000 && cp <= 0x3fffd)

/**
 * Width of text in Excel character units, CJK counted double. Written here (not a library) because the
 * npm options (string-width and friends) are ESM-only families with emoji tables we do not need.
 */
export const displayWidth = (text: string): number => {
  let w = 0
  for (const ch of text) w += isWide(ch.codePointAt(0)!) ? 2 : 1
  return w
}

const cellWidth = (value: CellValue, column: ColumnDoc): number => {
  if (value === null) return 0
  if (typeof value === "object") return displayWidth(value.text)
  if (typeof value === "boolean") return 5
  if (typeof value === "number") {
    if (column.kind === "percent") return (value * 100).toFixed(1).length + 1
    if (column.kind === "date") return 10
    if (column.kind === "integer") return Math.round(value).toLocaleString("en-GB").length
    return String(value).length
  }
  return displayWidth(value)
}

/** Fitted widths: header (plus room for the filter button) and a sample of rows, capped at MAX_WIDTH. */
const fitWidths = (sheet: TableSheet, sample: number): ReadonlyArray<number> => {
  const widths = sheet.columns.map((c) => displayWidth(c.header) + 3)
  let n = 0
  for (const row of Doc.iterateRows(sheet.rows)) {
    if (n++ >= sample) break
    for (let j = 0; j < widths.length; j++) widths[j] = Math.max(widths[j]!, cellWidth(row[j] ?? null, sheet.columns[j]!) + 2)
  }
  return sheet.columns.map((c, j) => c.width ?? Math.min(MAX_WIDTH, Math.max(6, widths[j]!)))
}

const LINK_FONT = { color: { argb: "FF0563C1" }, underline: true } as const
const fill = (argb: string) => ({ type: "pattern" as const, pattern: "solid" as const, bgColor: { argb } })

/** Lays out an About-style sheet with exceljs; links are returned and written by us (exceljs makes every link external). */
const layoutText = (ws: ExcelJS.Worksheet, sheet: TextSheet): Array<{ ref: string; target: string }> => {
  const links: Array<{ ref: string; target: string }> = []
  ws.getColumn(1).width = 32
  ws.getColumn(2).width = 90
  let r = 0
  for (const line of sheet.lines) {
    r++
    const a = ws.getCell(r, 1)
    const b = ws.getCell(r, 2)
    switch (line.kind) {
      case "blank":
        break
      case "title":
        a.value = line.text
        a.font = { bold: true, size: 16 }
        ws.getRow(r).height = 24
        break
      case "heading":
        a.value = line.text
        a.font = { bold: true, size: 12 }
        ws.getRow(r).height = 18
        break
      case "paragraph": {
        a.value = line.text
        ws.mergeCells(r, 1, r, 2)
        a.alignment = { wrapText: true, vertical: "top" }
        // Excel does not grow merged rows to fit, so estimate the lines (≈120 characters across A:B).
        ws.getRow(r).height = 15 * Math.max(1, Math.ceil(displayWidth(line.text) / 120))
        break
      }
      case "keyValue": {
        a.value = line.key
        a.font = { bold: true }
        const v = line.value
        if (v !== null && typeof v === "object") {
          b.value = v.text
          b.font = LINK_FONT
          links.push({ ref: `B${r}`, target: v.hyperlink })
        } else b.value = v
        b.alignment = { horizontal: "left" }
        break
      }
      case "link":
        a.value = line.text
        a.font = LINK_FONT
        links.push({ ref: `A${r}`, target: line.target })
        if (line.description !== undefined) b.value = line.description
        break
    }
  }
  return links
}

/** Lays out a table sheet's skeleton with exceljs: note, header, styles per column, table, validation, formats. */
const layoutTable = (ws: ExcelJS.Worksheet, sheet: TableSheet, widthSample: number): void => {
  const h = Doc.headerRowOf(sheet)
  const last = h + Math.max(1, Doc.rowCount(sheet.rows))
  if (sheet.note !== undefined) {
    const note = ws.getCell(1, 1)
    note.value = sheet.note
    note.font = { italic: true, color: { argb: "FF595959" } }
  }
  const widths = fitWidths(sheet, widthSample)
  sheet.columns.forEach((c, j) => {
    const col = ws.getColumn(j + 1)
    col.width = widths[j]!
    const numFmt = Doc.numFmtOf(c)
    if (numFmt !== undefined) col.numFmt = numFmt
    if (c.kind === "url") col.font = LINK_FONT
  })
  ws.addTable({
    name: Doc.safeTableName(sheet.tableName),
    ref: `A${h}`,
    headerRow: true,
    totalsRow: false,
    style: { theme: "TableStyleMedium2", showRowStripes: true },
    columns: sheet.columns.map((c) => ({ name: c.header, filterButton: true })),
    // A placeholder row: exceljs needs one; our streamed rows replace it.
    rows: [sheet.columns.map(() => null)],
  })
  sheet.columns.forEach((c, j) => {
    const range = `${colLetter(j + 1)}${h + 1}:${colLetter(j + 1)}${last}`
    if (c.validation !== undefined) {
      // exceljs supports range validations (one `sqref`) but its typings omit `dataValidations`.
      ;(ws as unknown as { dataValidations: { add(range: string, v: ExcelJS.DataValidation): void } }).dataValidations.add(range, {
        type: "list",
        allowBlank: true,
        formulae: [`"${c.validation.list.join(",")}"`],
        showErrorMessage: true,
        errorStyle: "stop",
        errorTitle: c.header,
        error: `Choose one of: ${c.validation.list.join(", ")}`,
        showInputMessage: true,
        promptTitle: c.header,
        prompt: c.validation.list.join(" / "),
      })
    }
    if (c.severityColouring === true) {
      const rule = (text: string, bg: string, font: string, priority: number) => ({
        type: "cellIs" as const,
        operator: "equal" as const,
        formulae: [`"${text}"`],
        priority,
        style: { fill: fill(bg), font: { color: { argb: font } } },
      })
      ws.addConditionalFormatting({
        ref: range,
        rules: [rule("error", "FFFFC7CE", "FF9C0006", 1), rule("warn", "FFFFEB9C", "FF9C5700", 2), rule("info", "FFEDEDED", "FF404040", 3)],
      })
    }
  })
}

interface TableTask {
  readonly sheet: TableSheet
  readonly part: string
  readonly relsPart: string
  readonly headerRow: number
  readonly styles: ReadonlyArray<number | undefined>
}

/** Style id per column, read from the `<cols>` exceljs wrote (each column's numFmt/font becomes one `style`). */
const columnStyles = (sheetXml: string, count: number): Array<number | undefined> => {
  const out: Array<number | undefined> = Array.from({ length: count }, () => undefined)
  for (const m of sheetXml.matchAll(/<col\b[^>]*\/>/g)) {
    const attr = (name: string) => new RegExp(`\\s${name}="(\\d+)"`).exec(m[0])?.[1]
    const [min, max, style] = [attr("min"), attr("max"), attr("style")]
    if (min === undefined || max === undefined || style === undefined) continue
    for (let c = Number(min); c <= Number(max) && c <= count; c++) out[c - 1] = Number(style)
  }
  return out
}

/** One segment of a big table: its rows as columns, and its columns' shared string numbers. */
interface Segment {
  readonly rows: Columns.EncodedRows
  readonly shared?: ReadonlyArray<ReadonlyMap<string, number> | undefined>
}

/** What a prepared workbook's big tables share. */
interface Turns {
  /** Set when the workbook is abandoned: no segment starts any more. */
  stopped: boolean
  /** Settles once this thread is free to write segments: `write` has begun, or the workbook was abandoned. */
  readonly ownTurn: Promise<void>
}

/** A promise with its settlers (Promise.withResolvers is Node 22); a rejection nobody awaits is not reported as unhandled. */
const deferred = <T>(): { promise: Promise<T>; resolve: (t: T) => void; reject: (e: unknown) => void } => {
  let resolve!: (t: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  // A segment no job awaited yet (its workbook failed while reading), or one writeZip never
  // reached (an earlier part failed), is not an unhandled rejection.
  promise.catch(() => undefined)
  return { promise, resolve, reject }
}

/**
 * Starts `jobs` in order, each on the first free of `n` lanes (numbered from 0; a lane begins
 * once `start` of it settles and calls `end` when no job is left); gives each job's promise. A
 * job that fails does not stop the others.
 */
const pool = <T>(
  jobs: ReadonlyArray<(lane: number) => Promise<T>>,
  n: number,
  lanes: { readonly start: (lane: number) => Promise<void> | undefined; readonly end: (lane: number) => void },
): Array<Promise<T>> => {
  const settle = jobs.map(() => deferred<T>())
  let next = 0
  const lane = async (l: number) => {
    await lanes.start(l)
    while (next < jobs.length) {
      const k = next++
      // A job that throws before its first await still only rejects its own promise.
      await Promise.resolve()
        .then(() => jobs[k]!(l))
        .then(settle[k]!.resolve, settle[k]!.reject)
    }
    lanes.end(l)
  }
  for (let l = 0; l < n; l++) void lane(l)
  return settle.map((s) => s.promise)
}

/**
 * A big table's part, deflated in segments of `segmentRows` rows, `threads` at once: each lane
 * a worker thread (SheetWorker) that writes one segment after another, except, with `ownLane`,
 * the first, which is this thread's once `write` has begun (until then this thread lays out and
 * writes the other parts, and the caller the data bundle). Gives the segments in order as each
 * is done, then the suffix with the hyperlinks of all segments: the pieces join into one deflate
 * stream, written as they come (a segment is not held once written). A segment whose worker
 * fails or cannot start (or every segment, without a worker script) is written here. The
 * segments depend only on the row count, so the bytes are the same wherever they were written.
 * Fills `state` as the segments are read; `byWorker` counts the segments workers wrote.
 */
const segmented = (
  script: URL | undefined,
  part: SheetXml.SheetPart,
  /** The table's rows as columns, a promise per segment, settled as the rows are read (see prepareAsync). */
  encoded: ReadonlyArray<Promise<Segment>>,
  state: SheetXml.PartState,
  options: { readonly level: number; readonly threads: number; readonly ownLane: boolean; readonly segmentRows: number; readonly workers: Set<Worker>; readonly byWorker: () => void; readonly turns: Turns },
): (() => AsyncIterable<Deflated>) => {
  const { rows: _, ...rest } = part
  // Once the workbook is abandoned (its scope closed, or preparing it failed), no segment starts or is redone here.
  const unlessStopped = () => {
    if (options.turns.stopped) throw new Error("the workbook was abandoned")
  }
  const n = script === undefined ? 1 : Math.max(1, Math.min(options.threads, encoded.length))
  const own = (l: number) => script === undefined || (l === 0 && options.ownLane)
  const lanes = Array.from({ length: n }, (_, l) => (own(l) ? undefined : new WorkerLane<SheetReply>(script!, options.workers)))
  const jobs = encoded.map((segment, k) => async (l: number) => {
    const { rows, shared } = await segment
    unlessStopped()
    const first = k * options.segmentRows
    const withShared = shared === undefined ? rest : { ...rest, shared }
    const lane = lanes[l]
    if (lane !== undefined) {
      // Copied to the worker, not moved: the data bundle reads the same columns afterwards.
      const m = await lane.ask({ part: withShared, rows, first, level: options.level } satisfies SheetJob)
      if (m?._tag === "done") {
        options.byWorker()
        return { deflated: { data: [m.data], crc: m.crc, size: m.size }, found: m.found, rows: m.rows }
      }
      unlessStopped()
    }
    return SheetXml.writeSegment(withShared, rows, first, options.level)
  })
  const segments: Array<Promise<Awaited<ReturnType<(typeof jobs)[number]>>> | undefined> = pool(jobs, n, {
    start: (l) => (own(l) ? options.turns.ownTurn : undefined),
    end: (l) => void lanes[l]?.end(),
  })
  return async function* () {
    state.rows = 0
    for (let k = 0; k < segments.length; k++) {
      const d = await segments[k]!
      segments[k] = undefined
      // One by one: a spread of a million links would overflow the stack.
      for (const l of d.found) state.found.push(l)
      state.rows += d.rows
      yield d.deflated
    }
    yield await deflateToMemory([SheetXml.suffixXml(part, state)], options.level)
  }
}

const SHARED_STRINGS = "xl/sharedStrings.xml"

/** The skeleton's shared strings, to which the repeated texts of big tables are added. */
class SharedStrings {
  /** False when the skeleton has no shared strings part (then every text stays inline). */
  readonly usable: boolean
  added = 0
  private readonly start: number
  private readonly extra: Array<string> = []
  constructor(private readonly skeletonXml: string | undefined) {
    const m = skeletonXml === undefined ? null : /uniqueCount="(\d+)"/.exec(skeletonXml)
    this.usable = m !== null && skeletonXml!.includes("</sst>")
    this.start = m === null ? 0 : Number(m[1])
  }
  private readonly index = new Map<string, number>()
  /** Adds `text` (once, however many columns hold it); its index. */
  add(text: string): number {
    const known = this.index.get(text)
    if (known !== undefined) return known
    const space = text.charCodeAt(0) <= 32 || text.charCodeAt(text.length - 1) <= 32 ? ' xml:space="preserve"' : ""
    this.extra.push(`<si><t${space}>${escapeXml(text)}</t></si>`)
    const i = this.start + this.added++
    this.index.set(text, i)
    return i
  }
  /** The part with the added strings. `count` (references, optional in the schema) is dropped rather than left wrong. */
  xml(): string {
    return this.skeletonXml!.replace(/\scount="\d+"/, "")
      .replace(/uniqueCount="\d+"/, `uniqueCount="${this.start + this.added}"`)
      // A function, not a replacement string: `$&` or `$'` in a text would be read as patterns.
      .replace("</sst>", () => `${this.extra.join("")}</sst>`)
  }
}

/** Per column of a segment, the shared string index of each value of a text column of few values (plain text kinds only: dates and links are written their own way). */
const sharedColumns = (segment: Columns.EncodedRows, columns: ReadonlyArray<ColumnDoc>, sst: SharedStrings): Array<ReadonlyMap<string, number> | undefined> =>
  segment.columns.map((c, j) => {
    const kind = columns[j]!.kind
    if (c.t !== "dict" || kind === "date" || kind === "url") return undefined
    const values = c.values
    const map = new Map<string, number>()
    for (const v of values) if (v !== null && v !== "" && !map.has(v)) map.set(v, sst.add(v))
    return map
  })

const isTable = (s: Doc.SheetDoc): s is TableSheet => s.kind === "table"

/** Builds the skeleton with exceljs and reads its parts back as XML strings. */
const skeleton = async (doc: WorkbookDoc, widthSample: number): Promise<{ parts: Map<string, string>; textLinks: Map<number, Array<{ ref: string; target: string }>> }> => {
  // Loaded when a workbook is first written, not when the command starts (see libraries.ts).
  const { Workbook } = await Libraries.exceljs()
  const wb = new Workbook()
  const created = Doc.createdDate(doc.properties)
  wb.title = doc.properties.title
  wb.subject = doc.properties.subject
  wb.company = doc.properties.company
  wb.creator = doc.properties.creator
  wb.lastModifiedBy = doc.properties.creator
  if (doc.properties.keywords !== undefined) wb.keywords = doc.properties.keywords
  wb.created = created
  wb.modified = created
  const textLinks = new Map<number, Array<{ ref: string; target: string }>>()
  doc.sheets.forEach((sheet, i) => {
    if (sheet.kind === "text") {
      const ws = wb.addWorksheet(sheet.name, { pageSetup: { orientation: "portrait", fitToPage: true, fitToWidth: 1, fitToHeight: 0 } })
      textLinks.set(i, layoutText(ws, sheet))
      return
    }
    const h = Doc.headerRowOf(sheet)
    const ws = wb.addWorksheet(sheet.name, {
      views: [{ state: "frozen", xSplit: 0, ySplit: h, topLeftCell: `A${h + 1}`, activeCell: `A${h + 1}` }],
      pageSetup: { orientation: "landscape", fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: `${h}:${h}` },
    })
    layoutTable(ws, sheet, widthSample)
  })
  const zip = await JSZip.loadAsync(await wb.xlsx.writeBuffer())
  const parts = new Map<string, string>()
  for (const [name, entry] of Object.entries(zip.files)) if (!entry.dir) parts.set(name, await entry.async("string"))
  return { parts, textLinks }
}

const relsOf = (part: string): string => part.replace(/^(.*)\/([^/]+)$/, "$1/_rels/$2.rels")

/** Widens a table part's range (and its autofilter) from the placeholder row to the real rows. */
const widenTable = (tableXml: string, ref: string): string =>
  tableXml
    .replace(/(<table\b[^>]*?\sref=")[^"]*"/, `$1${ref}"`)
    .replace(/(<autoFilter\b[^>]*?\sref=")[^"]*"/, `$1${ref}"`)
    .replace(/totalsRowShown="1"/, 'totalsRowShown="0"')

/** Order of parts in the package: content types first, then by name; sheet relationships last (their hyperlinks are known only after the rows streamed). */
const partRank = (name: string): string =>
  name === "[Content_Types].xml" ? `0${name}` : /^xl\/worksheets\/_rels\//.test(name) ? `2${name}` : `1${name}`

type Written = { bytes: number; sheets: RenderResult["sheets"]; charts: number; workers: number } | { error: string; sheet?: string }

/** A workbook laid out with its big tables' workers started: what `write` finishes. */
export interface Prepared {
  readonly doc: WorkbookDoc
  readonly file: string
  readonly level: number
  readonly entries: ReadonlyArray<ZipEntry>
  readonly tables: ReadonlyArray<{ readonly sheet: TableSheet; readonly state: SheetXml.PartState }>
  readonly charts: number
  /**
   * The big tables' rows as columns, in segments, by sheet (as given to `prepare`; a table split
   * over several sheets is not among them): the data bundle writes its CSV from them (`BundleTable.encoded`).
   */
  readonly encoded: ReadonlyMap<TableSheet, ReadonlyArray<Columns.EncodedRows>>
  readonly workers: Set<Worker>
  readonly byWorker: () => number
  /** Lets this thread write segments (with `ownLane`): `write` calls it first. */
  readonly ownTurn: () => void
  /** Abandons the big tables' segments: none starts any more, running workers end. */
  readonly stop: () => Promise<void>
}

const prepareAsync = async (doc: WorkbookDoc, file: string, options: RenderOptions): Promise<Prepared> => {
  const widthSample = options.widthSampleRows ?? 20_000
  const { parts, textLinks } = await skeleton(doc, widthSample)
  const tasks: Array<TableTask> = []
  doc.sheets.forEach((sheet, i) => {
    const part = `xl/worksheets/sheet${i + 1}.xml`
    const relsPart = relsOf(part)
    if (sheet.kind === "text") {
      const links = textLinks.get(i) ?? []
      if (links.length === 0) return
      const rels: Array<{ id: string; type: string; target: string; external: boolean }> = []
      const xml = links
        .map((l, k) => {
          if (l.target.startsWith("#")) return `<hyperlink ref="${l.ref}" location="${escapeXml(l.target.slice(1))}"/>`
          rels.push({ id: `rIdL${k + 1}`, type: REL.hyperlink, target: l.target, external: true })
          return `<hyperlink ref="${l.ref}" r:id="rIdL${k + 1}"/>`
        })
        .join("")
      parts.set(part, insertWorksheetElement(parts.get(part)!, "hyperlinks", `<hyperlinks>${xml}</hyperlinks>`))
      if (rels.length > 0) parts.set(relsPart, addRelationships(parts.get(relsPart), rels))
      return
    }
    const headerRow = Doc.headerRowOf(sheet)
    const lastRow = headerRow + Math.max(1, Doc.rowCount(sheet.rows))
    const ref = `A${headerRow}:${colLetter(sheet.columns.length)}${lastRow}`
    const tableTarget = /Target="\.\.\/tables\/([^"]+)"/.exec(parts.get(relsPart) ?? "")?.[1]
    const tablePart = `xl/tables/${tableTarget}`
    if (tableTarget !== undefined && parts.has(tablePart)) parts.set(tablePart, widenTable(parts.get(tablePart)!, ref))
    const xml = parts.get(part)!
    parts.set(part, xml.replace(/<dimension ref="[^"]*"\/>/, `<dimension ref="A1:${colLetter(sheet.columns.length)}${lastRow}"/>`))
    tasks.push({ sheet, part, relsPart, headerRow, styles: columnStyles(xml, sheet.columns.length) })
  })
  const charted = tasks
    .filter((t) => (t.sheet.charts ?? []).length > 0)
    .map((t) => ({
      sheetName: t.sheet.name,
      sheetPart: t.part,
      headerRow: t.headerRow,
      columns: t.sheet.columns,
      rows: Doc.isRowSource(t.sheet.rows) ? [] : (t.sheet.rows as ReadonlyArray<Row>),
      charts: t.sheet.charts ?? [],
    }))
  const chartParts = Charts.injectCharts(parts, charted)

  // Per table: the rows stream between the skeleton's header row and `</sheetData>`; links follow.
  // A big table's segments are written by worker threads while this thread lays out the other parts (and the caller writes the data bundle).
  const script = options.workers === false ? undefined : (options.workerScript ?? builtWorker("sheet-worker", ["publish/workbook"]))
  const level = options.compressionLevel ?? 1
  const workers = new Set<Worker>()
  let byWorker = 0
  let ownTurn = () => {}
  const turns: Turns = { stopped: false, ownTurn: new Promise<void>((resolve) => void (ownTurn = resolve)) }
  const stop = async () => {
    turns.stopped = true
    ownTurn()
    await Promise.all([...workers].map((w) => w.terminate()))
  }
  // Segments start as soon as a big table is read: whatever fails after that stops them (the
  // caller's scope only takes charge of a workbook that was prepared).
  try {
    const streamed = new Map<string, { task: TableTask; part: SheetXml.SheetPart; state: SheetXml.PartState; deflated?: () => AsyncIterable<Deflated> }>()
    const sst = new SharedStrings(parts.get(SHARED_STRINGS))
    const encodedBySheet = new Map<TableSheet, ReadonlyArray<Columns.EncodedRows>>()
    for (const task of tasks) {
      const xml = parts.get(task.part)!
      const headerAt = xml.indexOf(`<row r="${task.headerRow}"`)
      // A big table is read once into columns, segment by segment (each with its own forms; the
      // texts of its columns of few values become shared strings), each handed to the workers as
      // soon as it is read. The columns give back the same cells as the rows, so the bytes are the
      // same whichever thread writes a segment.
      const big = Doc.isRowSource(task.sheet.rows) && Doc.rowCount(task.sheet.rows) >= (options.bigTableRows ?? 100_000)
      const part: SheetXml.SheetPart = {
        columns: task.sheet.columns,
        // Read by `partChunks` (tables that are not big); a big table is written from its columns.
        rows: task.sheet.rows,
        headerRow: task.headerRow,
        styles: task.styles,
        prefix: xml.slice(0, xml.indexOf("</row>", headerAt) + "</row>".length),
        suffix: xml.slice(xml.indexOf("</sheetData>")),
      }
      const state = SheetXml.newState()
      let deflated: (() => AsyncIterable<Deflated>) | undefined
      if (big) {
        const segmentRows = options.segmentRows ?? SheetXml.SEGMENT_ROWS
        const ready = Array.from({ length: Math.max(1, Math.ceil(Doc.rowCount(task.sheet.rows) / segmentRows)) }, () => deferred<Segment>())
        const segments = { level, threads: options.threads ?? availableParallelism(), ownLane: options.ownLane ?? true, segmentRows, workers, byWorker: () => void byWorker++, turns }
        deflated = segmented(script, part, ready.map((r) => r.promise), state, segments)
        const read: Array<Columns.EncodedRows> = []
        try {
          for (const rows of Columns.segmentsOf(task.sheet.rows, task.sheet.columns.length, segmentRows)) {
            // Shared strings are numbered here, segment after segment, so the numbers do not depend on the threads.
            ready[read.length]!.resolve({ rows, ...(sst.usable ? { shared: sharedColumns(rows, task.sheet.columns, sst) } : {}) })
            read.push(rows)
            // Lets a worker lane take the segment now, while the next is read.
            await new Promise((resolve) => setImmediate(resolve))
          }
        } catch (e) {
          for (const r of ready.slice(read.length)) r.reject(e)
          // An earlier big table's segments may be under way already (stopped below).
          throw new WorkbookError({ reason: "write", file, sheet: task.sheet.name, message: `could not write ${file}, sheet "${task.sheet.name}": ${e instanceof Error ? e.message : String(e)}` })
        }
        encodedBySheet.set(task.sheet, read)
      }
      streamed.set(task.part, { task, part, state, ...(deflated ? { deflated } : {}) })
    }
    if (sst.added > 0) parts.set(SHARED_STRINGS, sst.xml())
    const entries: Array<ZipEntry> = [...parts.keys()]
      .sort((a, b) => (partRank(a) < partRank(b) ? -1 : partRank(a) > partRank(b) ? 1 : 0))
      .map((name): ZipEntry => {
        const s = streamed.get(name)
        if (s !== undefined) return s.deflated !== undefined ? { name, deflated: s.deflated } : { name, chunks: () => SheetXml.partChunks(s.part, s.state) }
        const rels = [...streamed.values()].find((x) => x.task.relsPart === name)
        if (rels !== undefined) return { name, chunks: () => [rels.state.found.length === 0 ? parts.get(name)! : addRelationships(parts.get(name), SheetXml.hyperlinksOf(rels.state).rels)] }
        return { name, data: parts.get(name)! }
      })
    // A table sheet without a rels part yet (no table? impossible with exceljs) still gets one for its links.
    for (const s of streamed.values()) {
      if (!parts.has(s.task.relsPart)) entries.push({ name: s.task.relsPart, chunks: () => (s.state.found.length === 0 ? [] : [addRelationships(undefined, SheetXml.hyperlinksOf(s.state).rels)]) })
    }
    const tables = [...streamed.values()].map((s) => ({ sheet: s.task.sheet, state: s.state }))
    return { doc, file, level, entries, tables, charts: chartParts.length, encoded: encodedBySheet, workers, byWorker: () => byWorker, ownTurn, stop }
  } catch (e) {
    await stop()
    throw e
  }
}

const writeAsync = async (p: Prepared): Promise<Written> => {
  const { doc } = p
  p.ownTurn()
  const written = await writeZip(p.file, p.entries, Doc.createdDate(doc.properties), p.level)
  if ("error" in written) return written
  for (const s of p.tables) {
    const declared = Doc.rowCount(s.sheet.rows)
    if (s.state.rows !== declared) return { error: `the rows gave ${s.state.rows} rows but ${declared} were declared (RowSource.count)`, sheet: s.sheet.name }
  }
  return {
    bytes: written.bytes,
    charts: p.charts,
    workers: p.byWorker(),
    sheets: doc.sheets.map((s) => ({
      name: s.name,
      kind: s.kind,
      rows: isTable(s) ? Doc.rowCount(s.rows) : s.lines.length,
      ...(isTable(s) && s.note !== undefined ? { note: s.note } : {}),
    })),
  }
}

const failure = (file: string) => (e: unknown) =>
  new WorkbookError({ reason: "write", file, message: `could not write ${file}: ${e instanceof Error ? e.message : String(e)}` })

/**
 * Lays `doc` out for `file` and starts the worker threads of its big tables (see `write`); the
 * scope's end stops any still running. Tables over the sheet limit are split first (see
 * `WorkbookDoc.splitOversized`).
 */
export const prepare = (doc: WorkbookDoc, file: string, options: RenderOptions = {}): Effect.Effect<Prepared, WorkbookError, Scope.Scope> =>
  Effect.gen(function* () {
    const split = Doc.splitOversized(doc, options.maxRowsPerSheet ?? Doc.EXCEL_MAX_ROWS)
    const problems = Doc.problems(split)
    if (problems.length > 0) {
      const first = problems[0]!
      return yield* new WorkbookError({
        reason: first.about === "chart" ? "chart" : "write",
        file,
        ...(first.sheet !== undefined ? { sheet: first.sheet } : {}),
        message: `cannot write ${file}: ${problems.map((p) => p.message).join("; ")}`,
      })
    }
    return yield* Effect.acquireRelease(Effect.tryPromise({ try: () => prepareAsync(split, file, options), catch: (e) => (e instanceof WorkbookError ? e : failure(file)(e)) }), (p) =>
      Effect.promise(p.stop),
    )
  })

/**
 * Writes a prepared workbook: the parts in a fixed order, each big table's part as its segments
 * are done, this thread now writing some of them too (see `RenderOptions.ownLane`). Work the
 * caller has for this thread (the data bundle) is best done between `prepare` and `write`: the
 * workers write segments meanwhile.
 */
export const write = (p: Prepared): Effect.Effect<RenderResult, WorkbookError> =>
  Effect.gen(function* () {
    const written = yield* Effect.tryPromise({ try: () => writeAsync(p), catch: failure(p.file) })
    if ("error" in written) {
      yield* Effect.sync(() => fs.rmSync(p.file, { force: true }))
      return yield* new WorkbookError({
        reason: "write",
        file: p.file,
        ...(written.sheet !== undefined ? { sheet: written.sheet } : {}),
        message: `could not write ${p.file}${written.sheet !== undefined ? `, sheet "${written.sheet}"` : ""}: ${written.error}`,
      })
    }
    return { file: p.file, bytes: written.bytes, sheets: written.sheets, charts: written.charts, workers: written.workers }
  })

/** Renders `doc` to `file` (.xlsx): `prepare`, then `write`. The same doc always gives the same bytes. */
export const render = (doc: WorkbookDoc, file: string, options: RenderOptions = {}): Effect.Effect<RenderResult, WorkbookError> =>
  Effect.scoped(Effect.flatMap(prepare(doc, file, options), write))
