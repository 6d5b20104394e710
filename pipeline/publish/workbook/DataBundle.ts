/**
 * The open-data bundle published beside the workbook: per table a CSV (UTF-8 with BOM, RFC 4180) and a
 * JSON metadata file (columns, types, descriptions, provenance, licence), plus one README. Deterministic:
 * the same tables and as-of date give the same bytes.
 */
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { once } from "node:events"
import type * as Columns from "./Columns.js"
import type { CellValue, ColumnDoc, TableSheet } from "./WorkbookDoc.js"
import * as Doc from "./WorkbookDoc.js"
import { WorkbookError } from "./WorkbookError.js"
import { byteBatches } from "./zip.js"

/** Where a table's data came from, as shown in the metadata and README. */
export interface BundleSource {
  readonly title: string
  readonly producer?: string
  readonly url?: string
  readonly retrieved?: string
  readonly published?: string
  readonly license?: string
  readonly citation?: string
}

/** One table of the bundle: the workbook's table sheet plus what a re-user needs to know. */
export interface BundleTable {
  readonly sheet: TableSheet
  readonly title: string
  readonly description: string
  readonly sources: ReadonlyArray<BundleSource>
  /** Overrides the bundle's licence for this table. */
  readonly license?: string
  /**
   * The sheet's rows as columns, in segments, when the workbook has read them so already (a big
   * table; see `Render.Prepared.encoded`): the CSV is then written from the columns, giving the same bytes.
   */
  readonly encoded?: ReadonlyArray<Columns.EncodedRows>
}

/**
 * A workbook's table sheets as bundle tables, each resting on `sources`, with the columns the
 * workbook read a big table into (`Render.Prepared.encoded`): what the workbook asset (and its
 * bench) write beside the workbook.
 */
export const tablesOf = (
  sheets: ReadonlyArray<Doc.SheetDoc>,
  encoded: ReadonlyMap<TableSheet, ReadonlyArray<Columns.EncodedRows>>,
  sources: ReadonlyArray<BundleSource>,
): Array<BundleTable> =>
  sheets
    .filter((s): s is TableSheet => s.kind === "table")
    .map((sheet) => {
      const columns = encoded.get(sheet)
      return { sheet, title: sheet.name, description: sheet.name, sources, ...(columns !== undefined ? { encoded: columns } : {}) }
    })

/** The whole bundle. */
export interface BundleSpec {
  readonly dir: string
  readonly title: string
  readonly license: string
  /** Fixed from the run's as-of date (never the clock), so reruns give the same bytes. */
  readonly generatedAt: string
  readonly tables: ReadonlyArray<BundleTable>
}

/** What was written, per table. */
export interface BundleResult {
  readonly files: ReadonlyArray<string>
  readonly tables: ReadonlyArray<{ readonly name: string; readonly csv: string; readonly rows: number }>
}

/** A file-safe, lowercase ASCII name for a sheet ("Links (2)" → "links-2"); `fallback` when nothing ASCII is left. */
export const fileSlug = (name: string, fallback: string): string => {
  const slug = name
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
  return slug === "" ? fileSlug(fallback, "table") : slug
}

/** A cell as CSV text: formula-looking text is left as published (CSV is data, not a spreadsheet). */
const csvValue = (v: CellValue | undefined, column: ColumnDoc): string => {
  if (v === null || v === undefined) return ""
  if (typeof v === "object") return column.kind === "url" ? v.hyperlink : v.text
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : ""
  if (typeof v === "boolean") return v ? "true" : "false"
  return v
}

const BOM = "\uFEFF"
/** Rows per chunk of CSV text (see writeCsv). */
const CHUNK = 256

/** papaparse's rule for when a field needs quotes: it holds a comma, quote, CR, LF or BOM, or starts or ends with a space. */
const NEEDS_QUOTES = /[",\r\n\uFEFF]|^ | $/

/** `s` as a CSV field (quoted when it must be). */
const field = (s: string): string => (NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s)

/**
 * One CSV record, quoted exactly as `Papa.unparse` quotes it (a test checks the two agree).
 * Written here because `Papa.unparse` spent ~5 s of the 1M-row bundle in its per-field checks
 * (measured in the end-to-end profile), and RFC 4180 quoting is one regular expression.
 */
export const csvRecord = (cells: ReadonlyArray<string>): string => {
  let out = ""
  for (let i = 0; i < cells.length; i++) out += i === 0 ? field(cells[i]!) : "," + field(cells[i]!)
  return out
}

/** The CSV text of a column's cell `i`; called for each row in order (a text column keeps its place in the joined text). */
const columnCells = (c: Columns.EncodedColumn, column: ColumnDoc): ((i: number) => string) => {
  switch (c.t) {
    case "num":
      // A number never needs quotes.
      return (i) => (c.nulls !== undefined && c.nulls[i] === 1 ? "" : Number.isFinite(c.values[i]!) ? String(c.values[i]) : "")
    case "bool":
      return (i) => (c.values[i] === 2 ? "" : c.values[i] === 1 ? "true" : "false")
    case "dict": {
      // Each distinct value of the segment is quoted once.
      const texts = c.values.map((v) => field(csvValue(v, column)))
      return (i) => texts[c.codes[i]!]!
    }
    case "text": {
      let at = 0
      return (i) => {
        const n = c.lengths[i]!
        if (n < 0) return ""
        const s = c.text.slice(at, at + n)
        at += n
        return field(s)
      }
    }
    default:
      return (i) => field(csvValue(c.values[i], column))
  }
}

/**
 * The records of a table given as columns (in segments), each after a CRLF, in chunks of `CHUNK` rows: the same
 * text the rows give through `csvValue` and `csvRecord` (a test checks). No row array is built
 * per row and a repeated value is quoted once per segment: 1M rows × 12 columns took ~6.5 s of the refresh's
 * main thread row by row.
 */
export function* columnChunks(columns: ReadonlyArray<ColumnDoc>, segments: ReadonlyArray<Columns.EncodedRows>): Generator<string> {
  for (const encoded of segments) {
    const cells = encoded.columns.map((c, j) => columnCells(c, columns[j]!))
    const width = cells.length
    for (let from = 0; from < encoded.count; from += CHUNK) {
      const to = Math.min(encoded.count, from + CHUNK)
      // Pieces joined once: a string grown by `+=` is a rope that must be flattened for UTF-8.
      const parts: Array<string> = []
      for (let i = from; i < to; i++) for (let j = 0; j < width; j++) parts.push(j === 0 ? "\r\n" : ",", cells[j]!(i))
      yield parts.join("")
    }
  }
}

/** The records of a table given as rows, each after a CRLF, in chunks of `CHUNK` rows; counts them in `count`. */
function* rowChunks(sheet: TableSheet, count: { rows: number }): Generator<string> {
  let batch: Array<string> = []
  for (const row of Doc.iterateRows(sheet.rows)) {
    count.rows++
    batch.push(csvRecord(sheet.columns.map((c, j) => csvValue(row[j], c))))
    if (batch.length === CHUNK) {
      yield "\r\n" + batch.join("\r\n")
      batch = []
    }
  }
  if (batch.length > 0) yield "\r\n" + batch.join("\r\n")
}

const writeCsv = async (file: string, sheet: TableSheet, encoded: ReadonlyArray<Columns.EncodedRows> | undefined): Promise<number> => {
  const out = fs.createWriteStream(file)
  // Small chunks, written ~1 MiB at a time (see byteBatches): with 5,000-row chunks, ~40 MB more
  // peak RSS at 1M rows lingered in V8's old generation.
  const batches = byteBatches(async (b) => {
    if (!out.write(b)) await once(out, "drain")
  })
  const write = batches.add
  const count = { rows: encoded?.reduce((a, e) => a + e.count, 0) ?? 0 }
  try {
    await write(BOM + csvRecord(sheet.columns.map((c) => c.header)))
    for (const chunk of encoded !== undefined ? columnChunks(sheet.columns, encoded) : rowChunks(sheet, count)) await write(chunk)
    await write("\r\n")
    await batches.flush()
  } finally {
    out.end()
    await once(out, "close")
  }
  return count.rows
}

const metadata = (t: BundleTable, name: string, rows: number, spec: BundleSpec) => ({
  name,
  title: t.title,
  description: t.description,
  path: `${name}.csv`,
  format: "csv",
  encoding: "utf-8 with byte-order mark",
  dialect: { delimiter: ",", lineTerminator: "\r\n", quoteChar: '"', header: true },
  rowCount: rows,
  columns: t.sheet.columns.map((c) => ({
    name: c.header,
    key: c.key,
    type: c.kind,
    ...(c.description !== undefined ? { description: c.description } : {}),
  })),
  sources: t.sources,
  license: t.license ?? spec.license,
  generatedAt: spec.generatedAt,
})

const readme = (spec: BundleSpec, written: ReadonlyArray<{ name: string; table: BundleTable; rows: number }>): string =>
  [
    `# ${spec.title}`,
    "",
    `Generated for as-of ${spec.generatedAt}. Licence: ${spec.license}.`,
    "",
    "Each table is a CSV file (UTF-8 with a byte-order mark so Excel shows Chinese correctly; RFC 4180 quoting)",
    "with a JSON file of the same name describing its columns, sources and licence.",
    "",
    "| File | Table | Rows | Description |",
    "|---|---|---:|---|",
    ...written.map((w) => `| [${w.name}.csv](${w.name}.csv) ([metadata](${w.name}.json)) | ${w.table.title} | ${w.rows} | ${w.table.description.replace(/\|/g, "\\|")} |`),
    "",
    "## Sources",
    "",
    ...[...new Map(written.flatMap((w) => w.table.sources).map((s) => [`${s.title}|${s.url ?? ""}`, s])).values()].map(
      (s) => `- ${s.title}${s.producer !== undefined ? `, ${s.producer}` : ""}${s.url !== undefined ? ` <${s.url}>` : ""}${s.retrieved !== undefined ? `, retrieved ${s.retrieved}` : ""}`,
    ),
    "",
  ].join("\n")

/** Writes the bundle into `spec.dir` (created if missing): `<name>.csv`, `<name>.json` per table, and `README.md`. */
export const writeBundle = (spec: BundleSpec): Effect.Effect<BundleResult, WorkbookError> =>
  Effect.tryPromise({
    try: async () => {
      await fs.promises.mkdir(spec.dir, { recursive: true })
      const used = new Set<string>()
      const written: Array<{ name: string; table: BundleTable; rows: number }> = []
      const files: Array<string> = []
      for (const table of spec.tables) {
        let name = fileSlug(table.sheet.name, table.sheet.tableName)
        for (let k = 2; used.has(name); k++) name = `${fileSlug(table.sheet.name, table.sheet.tableName)}-${k}`
        used.add(name)
        const csv = path.join(spec.dir, `${name}.csv`)
        const rows = await writeCsv(csv, table.sheet, table.encoded)
        const json = path.join(spec.dir, `${name}.json`)
        await fs.promises.writeFile(json, JSON.stringify(metadata(table, name, rows, spec), null, 2) + "\n")
        files.push(csv, json)
        written.push({ name, table, rows })
      }
      const md = path.join(spec.dir, "README.md")
      await fs.promises.writeFile(md, readme(spec, written))
      files.push(md)
      return { files, tables: written.map((w) => ({ name: w.name, csv: `${w.name}.csv`, rows: w.rows })) }
    },
    catch: (e) => new WorkbookError({ reason: "write", file: spec.dir, message: `could not write the data bundle in ${spec.dir}: ${e instanceof Error ? e.message : String(e)}` }),
  })
