/**
 * The workbook as pure data: sheets, columns, rows, charts and document properties. No exceljs here:
 * the domain builds a `WorkbookDoc`, tests inspect it, and `Render` turns it into bytes.
 */

/** One cell: text, number, boolean, empty, or text that links somewhere (`#'Sheet'!A1` = inside the workbook). */
export type CellValue = string | number | boolean | null | { readonly text: string; readonly hyperlink: string }

/** One table row, cells in column order. */
export type Row = ReadonlyArray<CellValue>

/**
 * One column of a `RowSource` held whole (all `count` cells), for sources that keep their data in
 * columns: numbers, booleans (0 false, 1 true), texts, or texts coded by a dictionary. No nulls:
 * a missing text is "" (which writes no cell, as in a row).
 */
export type SourceColumn =
  | { readonly t: "num"; readonly values: ArrayLike<number> }
  | { readonly t: "bool"; readonly values: ArrayLike<number> }
  | { readonly t: "text"; readonly values: ReadonlyArray<string> }
  | { readonly t: "coded"; readonly values: ReadonlyArray<string>; readonly codes: ArrayLike<number> }

/** Rows too many to hold twice: a known count and a factory giving a fresh iterator each time (charts, CSV and workbook each read them). */
export interface RowSource {
  readonly count: number
  readonly rows: () => Iterable<Row>
  /**
   * The same cells column by column, for a source that holds them so: a big table is then read
   * into segments without a row array per row (see `Columns.segmentsOf`). Optional.
   */
  readonly columns?: () => ReadonlyArray<SourceColumn>
}

/** Rows of a table: a plain array, or a re-iterable source for large data. */
export type Rows = ReadonlyArray<Row> | RowSource

/** How a column's values are written and formatted. */
export type ColumnKind = "text" | "integer" | "number" | "percent" | "date" | "url" | "boolean"

/** A table column as a person reads it. */
export interface ColumnDoc {
  /** Readable and stable across runs, e.g. "Company (zh)"; also the Excel table column name. */
  readonly header: string
  /** Stable machine key, referenced by charts and the data bundle. */
  readonly key: string
  readonly kind: ColumnKind
  /** Excel number format; defaults per kind (percent `0.0%`, date `yyyy-mm-dd`, integer `#,##0`). */
  readonly format?: string
  /** Width in characters; fitted to the content when absent. */
  readonly width?: number
  /** A dropdown of allowed values (e.g. accept / reject / merge / split). */
  readonly validation?: { readonly list: ReadonlyArray<string> }
  /** Colour cells holding `error` / `warn` / `info` (finding severities). */
  readonly severityColouring?: boolean
  /** What the column means; goes into the data bundle's metadata. */
  readonly description?: string
}

/** Where a chart sits: top-left cell (0-based column and row) and its size in cells. */
export interface ChartAnchor {
  readonly col: number
  readonly row: number
  readonly width: number
  readonly height: number
}

/** A native, editable Excel chart drawn from the sheet's own cells. */
export interface ChartDoc {
  readonly kind: "stacked-column" | "column" | "line"
  readonly title: string
  /** Column whose cells label the x axis. */
  readonly categoriesFrom: { readonly column: string }
  /** One series per column; `name` defaults to the column header. */
  readonly series: ReadonlyArray<{ readonly name?: string; readonly column: string }>
  readonly anchor: ChartAnchor
}

/** A data sheet: always a real Excel table with a frozen header, printed landscape. */
export interface TableSheet {
  readonly kind: "table"
  /** Sheet tab name (≤ 31 characters, none of `[]:*?/\`). */
  readonly name: string
  /** Excel table name (letters, digits, `_`); made safe by `safeTableName`. */
  readonly tableName: string
  readonly columns: ReadonlyArray<ColumnDoc>
  readonly rows: Rows
  /** One line shown above the header (e.g. "Part 2 of 3 …"); the header then sits on row 2. */
  readonly note?: string
  readonly freezeHeader: true
  readonly landscape: true
  readonly charts?: ReadonlyArray<ChartDoc>
}

/** One line of a text sheet such as About. */
export type TextLine =
  | { readonly kind: "title" | "heading" | "paragraph"; readonly text: string }
  | { readonly kind: "keyValue"; readonly key: string; readonly value: CellValue }
  | { readonly kind: "link"; readonly text: string; readonly target: string; readonly description?: string }
  | { readonly kind: "blank" }

/** An About-style sheet: headings, paragraphs, key–value lines and links. */
export interface TextSheet {
  readonly kind: "text"
  readonly name: string
  readonly lines: ReadonlyArray<TextLine>
}

/** Any sheet of the workbook. */
export type SheetDoc = TextSheet | TableSheet

/** Document properties; `created` is fixed from the run's as-of date so the bytes are reproducible. */
export interface WorkbookProperties {
  readonly title: string
  readonly subject: string
  readonly company: string
  readonly creator: string
  /** ISO date or date-time (`2022-10-31` or `2022-10-31T00:00:00Z`). */
  readonly created: string
  readonly keywords?: string
}

/** The whole workbook, sheets in tab order. */
export interface WorkbookDoc {
  readonly properties: WorkbookProperties
  readonly sheets: ReadonlyArray<SheetDoc>
}

/** Excel's hard row limit per sheet, header included. */
export const EXCEL_MAX_ROWS = 1_048_576

/** Excel's limit on a list validation's comma-joined values. */
const MAX_VALIDATION_LIST_CHARS = 255

/** True when rows come as a re-iterable source rather than an array. */
export const isRowSource = (rows: Rows): rows is RowSource => !Array.isArray(rows)

/** Number of data rows (header excluded). */
export const rowCount = (rows: Rows): number => (isRowSource(rows) ? rows.count : (rows as ReadonlyArray<Row>).length)

/** A fresh pass over the rows. */
export const iterateRows = (rows: Rows): Iterable<Row> => (isRowSource(rows) ? rows.rows() : (rows as ReadonlyArray<Row>))

/** Row number (1-based) of the header: 2 when a note line sits above it. */
export const headerRowOf = (sheet: TableSheet): number => (sheet.note === undefined ? 1 : 2)

/** Excel number format used for a column. */
export const numFmtOf = (column: ColumnDoc): string | undefined => {
  if (column.format !== undefined) return column.format
  switch (column.kind) {
    case "integer":
      return "#,##0"
    case "percent":
      return "0.0%"
    case "date":
      return "yyyy-mm-dd"
    default:
      return undefined
  }
}

/** Why a sheet name is unusable in Excel, or undefined when it is fine. */
export const sheetNameProblem = (name: string): string | undefined => {
  if (name.trim() === "") return "a sheet name cannot be blank"
  if (name.length > 31) return `sheet name "${name}" is longer than Excel's 31 characters`
  if (/[[\]:*?/\\]/.test(name)) return `sheet name "${name}" contains one of []:*?/\\`
  if (name.startsWith("'") || name.endsWith("'")) return `sheet name "${name}" cannot start or end with an apostrophe`
  if (name.toLowerCase() === "history") return `"History" is reserved by Excel`
  return undefined
}

/** An Excel-legal table name: letters, digits, `_` and `.`, not starting with a digit, not looking like a cell reference. */
export const safeTableName = (name: string): string => {
  let out = name.normalize("NFKC").replace(/[^\p{L}\p{N}_.]/gu, "_")
  if (out === "" || !/^[\p{L}_]/u.test(out)) out = `_${out}`
  // "A1", "R1C1", "c" and "r" are refused by Excel because they read as references.
  if (/^[A-Za-z]{1,3}\d+$/.test(out) || /^[Rr]\d*[Cc]\d*$/.test(out) || /^[cCrR]$/.test(out)) out = `T_${out}`
  return out.slice(0, 255)
}

/** Name of part `k` (1-based) of a split sheet: "List", "List (2)", … kept within 31 characters. */
export const partName = (base: string, k: number): string => {
  if (k === 1) return base
  const suffix = ` (${k})`
  return `${base.slice(0, 31 - suffix.length)}${suffix}`
}

/** One reason a document cannot be rendered, with the sheet it concerns. */
export interface Problem {
  readonly about: "workbook" | "sheet" | "chart"
  readonly sheet?: string
  readonly message: string
}

/** Everything wrong with a document, as sentences a person can act on; empty when it can be rendered. */
export const problems = (doc: WorkbookDoc): ReadonlyArray<Problem> => {
  const out: Array<Problem> = []
  const push = (message: string, sheet?: string, about: Problem["about"] = "sheet") =>
    out.push({ about: sheet === undefined ? "workbook" : about, message, ...(sheet !== undefined ? { sheet } : {}) })
  if (doc.sheets.length === 0) push("a workbook needs at least one sheet")
  if (Number.isNaN(createdDate(doc.properties).getTime())) push(`properties.created "${doc.properties.created}" is not an ISO date`)
  const names = new Set<string>()
  const tables = new Set<string>()
  for (const sheet of doc.sheets) {
    const p = sheetNameProblem(sheet.name)
    if (p !== undefined) push(p, sheet.name)
    const lower = sheet.name.toLowerCase()
    if (names.has(lower)) push(`sheet name "${sheet.name}" is used twice (Excel ignores case)`, sheet.name)
    names.add(lower)
    if (sheet.kind !== "table") continue
    const tableLower = safeTableName(sheet.tableName).toLowerCase()
    if (tables.has(tableLower)) push(`table name "${sheet.tableName}" is used twice`, sheet.name)
    tables.add(tableLower)
    if (sheet.columns.length === 0) push(`sheet "${sheet.name}" has no columns`, sheet.name)
    if (sheet.columns.length > 16_384) push(`sheet "${sheet.name}" has more than Excel's 16,384 columns`, sheet.name)
    const headers = new Set<string>()
    const keys = new Set<string>()
    for (const c of sheet.columns) {
      if (c.header.trim() === "") push(`sheet "${sheet.name}" has a column with a blank header`, sheet.name)
      if (headers.has(c.header.toLowerCase())) push(`sheet "${sheet.name}": header "${c.header}" is used twice (table column names must be unique)`, sheet.name)
      headers.add(c.header.toLowerCase())
      if (keys.has(c.key)) push(`sheet "${sheet.name}": column key "${c.key}" is used twice`, sheet.name)
      keys.add(c.key)
      if (c.validation !== undefined) {
        const joined = c.validation.list.join(",")
        if (joined.length > MAX_VALIDATION_LIST_CHARS) push(`sheet "${sheet.name}", column "${c.header}": the dropdown list is longer than Excel's 255 characters`, sheet.name)
        if (c.validation.list.some((v) => v.includes(","))) push(`sheet "${sheet.name}", column "${c.header}": dropdown values cannot contain commas`, sheet.name)
      }
    }
    for (const chart of sheet.charts ?? []) {
      for (const key of [chart.categoriesFrom.column, ...chart.series.map((s) => s.column)]) {
        if (!keys.has(key)) push(`sheet "${sheet.name}", chart "${chart.title}": no column with key "${key}"`, sheet.name, "chart")
      }
      if (chart.series.length === 0) push(`sheet "${sheet.name}", chart "${chart.title}" has no series`, sheet.name, "chart")
      if (isRowSource(sheet.rows)) push(`sheet "${sheet.name}", chart "${chart.title}": charts need the rows as an array (their values are cached in the chart)`, sheet.name, "chart")
    }
  }
  return out
}

/** Lazily skips `skip` rows and yields at most `take` of the rest (and the same part of its columns, if it has them). */
const slice = (rows: Rows, skip: number, take: number): RowSource => {
  const columns = isRowSource(rows) ? rows.columns : undefined
  return {
    count: take,
    rows: function* () {
      let i = 0
      for (const row of iterateRows(rows)) {
        if (i >= skip + take) return
        if (i >= skip) yield row
        i++
      }
    },
    ...(columns === undefined ? {} : { columns: () => columns().map((c) => sliceColumn(c, skip, skip + take)) }),
  }
}

/** Cells `from`..`to` of a column: a view of a typed array, a copy of a plain one. */
const part = <T>(a: ArrayLike<T>, from: number, to: number): ArrayLike<T> =>
  ArrayBuffer.isView(a) ? (a as unknown as Uint8Array).subarray(from, to) as unknown as ArrayLike<T> : Array.prototype.slice.call(a, from, to)

/** Rows `from`..`to` of a source column (a coded column keeps its whole dictionary). */
const sliceColumn = (c: SourceColumn, from: number, to: number): SourceColumn => {
  switch (c.t) {
    case "coded":
      return { t: "coded", values: c.values, codes: part(c.codes, from, to) }
    case "text":
      return { t: "text", values: part(c.values, from, to) as ReadonlyArray<string> }
    default:
      return { t: c.t, values: part(c.values, from, to) }
  }
}

/**
 * Splits every table whose rows do not fit one sheet into "Name", "Name (2)", … each with a note
 * saying which rows it holds; nothing is truncated. Idempotent: a split doc stays as it is.
 */
export const splitOversized = (doc: WorkbookDoc, maxRowsPerSheet: number = EXCEL_MAX_ROWS): WorkbookDoc => {
  const sheets: Array<SheetDoc> = []
  for (const sheet of doc.sheets) {
    if (sheet.kind !== "table" || headerRowOf(sheet) + rowCount(sheet.rows) <= maxRowsPerSheet) {
      sheets.push(sheet)
      continue
    }
    // Parts always carry a note line, so the header sits on row 2 and each part holds max - 2 rows.
    const capacity = maxRowsPerSheet - 2
    const total = rowCount(sheet.rows)
    const parts = Math.ceil(total / capacity)
    for (let k = 1; k <= parts; k++) {
      const first = (k - 1) * capacity
      const take = Math.min(capacity, total - first)
      const where = `Part ${k} of ${parts} of "${sheet.name}": rows ${(first + 1).toLocaleString("en-GB")}–${(first + take).toLocaleString("en-GB")} of ${total.toLocaleString("en-GB")} (Excel holds at most ${maxRowsPerSheet.toLocaleString("en-GB")} rows per sheet).`
      const next = k < parts ? ` Continued on sheet "${partName(sheet.name, k + 1)}".` : ""
      const { charts: _charts, ...rest } = sheet
      sheets.push({
        ...rest,
        name: partName(sheet.name, k),
        tableName: k === 1 ? sheet.tableName : `${sheet.tableName}_${k}`,
        note: `${sheet.note === undefined ? "" : `${sheet.note} `}${where}${next}`,
        rows: slice(sheet.rows, first, take),
        // Charts stay with the first part only: one chart per table, not one per slice.
        ...(k === 1 && sheet.charts !== undefined ? { charts: sheet.charts } : {}),
      })
    }
  }
  return { ...doc, sheets }
}

/** Excel's day number for an ISO date (`2022-10-31`, optionally with a time), or undefined when it is not one. */
export const excelDateSerial = (iso: string): number | undefined => {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(iso)
  if (m === null) return undefined
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((x) => (x === undefined ? 0 : Number(x)))
  const ms = Date.UTC(y!, mo! - 1, d!, h, mi, s)
  const back = new Date(ms)
  if (back.getUTCMonth() !== mo! - 1 || back.getUTCDate() !== d) return undefined
  // 1899-12-30 is day 0 in Excel's 1900 system (it counts the phantom 29 Feb 1900).
  return (ms - Date.UTC(1899, 11, 30)) / 86_400_000
}

/** The document's fixed timestamp as a Date (start of the day, UTC, when only a date is given). */
export const createdDate = (properties: WorkbookProperties): Date =>
  new Date(/^\d{4}-\d{2}-\d{2}$/.test(properties.created) ? `${properties.created}T00:00:00Z` : properties.created)
