/**
 * Reads a column back from a workbook a person edited (e.g. the Links sheet's Decision column),
 * keyed by another column. Tolerant of what people do in Excel: blank rows, sorting and filtering,
 * changed case and stray spaces, junk below the table. Problems become findings; only an unreadable
 * file, a missing sheet or a missing column is a typed error.
 */
import { Effect } from "effect"
import type ExcelJS from "exceljs"
import * as path from "node:path"
import * as Finding from "../../domain/Finding.js"
import * as Libraries from "../libraries.js"
import { WorkbookError } from "./WorkbookError.js"

/** Which sheet and columns to read (headers as a person reads them; matched ignoring case and spacing). */
export interface ColumnSpec {
  readonly sheet: string
  readonly keyColumn: string
  readonly valueColumn: string
  /** Allowed values; matched ignoring case and spacing and returned in this spelling. Others become findings. */
  readonly allowed?: ReadonlyArray<string>
  /** How many top rows to search for the header row (a note line may sit above it); default 10. */
  readonly headerSearchRows?: number
}

/** One non-blank row: its row number in the sheet, its key, its value and every cell by header. */
export interface ColumnRow {
  readonly row: number
  readonly key: string
  readonly value: string | null
  readonly cells: Readonly<Record<string, string>>
}

/** The rows read and the findings about them. */
export interface ColumnResult {
  readonly rows: ReadonlyArray<ColumnRow>
  readonly findings: ReadonlyArray<Finding.Finding>
}

/** Case, width and spacing folded away, so "  Accept " and "ACCEPT" compare equal. */
export const normalise = (s: string): string => s.normalize("NFKC").replace(/\s+/g, " ").trim().toLowerCase()

const pad = (n: number) => String(n).padStart(2, "0")

/** A cell's value as the text a person sees, whatever exceljs parsed it as. */
export const cellText = (value: ExcelJS.CellValue): string => {
  if (value === null || value === undefined) return ""
  if (typeof value === "string") return value
  if (typeof value === "number" || typeof value === "boolean") return String(value)
  if (value instanceof Date) {
    const d = `${value.getUTCFullYear()}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())}`
    return value.getUTCHours() + value.getUTCMinutes() + value.getUTCSeconds() === 0 ? d : `${d}T${pad(value.getUTCHours())}:${pad(value.getUTCMinutes())}:${pad(value.getUTCSeconds())}Z`
  }
  if ("richText" in value) return value.richText.map((r) => r.text).join("")
  if ("hyperlink" in value) return cellText(value.text as ExcelJS.CellValue)
  if ("result" in value) return cellText((value.result ?? null) as ExcelJS.CellValue)
  if ("error" in value) return value.error
  return ""
}

const readWorkbook = (file: string) =>
  Effect.tryPromise({
    try: async () => {
      const { Workbook } = await Libraries.exceljs()
      const wb = new Workbook()
      await wb.xlsx.readFile(file)
      return wb
    },
    catch: (e) => new WorkbookError({ reason: "read", file, message: `could not read ${file}: ${e instanceof Error ? e.message : String(e)}` }),
  })

/**
 * Reads `valueColumn` keyed by `keyColumn` from `spec.sheet` of `file`. Blank rows are skipped; a value
 * without a key, an unknown value and a repeated key each give a finding and never a crash.
 */
export const readTableColumn = (file: string, spec: ColumnSpec): Effect.Effect<ColumnResult, WorkbookError> =>
  Effect.gen(function* () {
    const wb = yield* readWorkbook(file)
    const names = wb.worksheets.map((w) => w.name)
    const ws = wb.getWorksheet(spec.sheet) ?? wb.worksheets.find((w) => normalise(w.name) === normalise(spec.sheet))
    if (ws === undefined) {
      return yield* new WorkbookError({
        reason: "sheet-not-found",
        file,
        sheet: spec.sheet,
        message: `${file} has no sheet "${spec.sheet}" (sheets: ${names.map((n) => `"${n}"`).join(", ")})`,
      })
    }
    // The header row is the first row holding the key column's header (a note line may sit above it).
    let headerRow = 0
    const headers = new Map<number, string>()
    for (let r = 1; r <= (spec.headerSearchRows ?? 10) && headerRow === 0; r++) {
      const row = ws.getRow(r)
      row.eachCell((cell, col) => {
        if (normalise(cellText(cell.value)) === normalise(spec.keyColumn)) headerRow = r
        headers.set(col, cellText(cell.value).trim())
      })
      if (headerRow === 0) headers.clear()
    }
    const columnOf = (header: string) => [...headers].find(([, h]) => normalise(h) === normalise(header))?.[0]
    const keyCol = columnOf(spec.keyColumn)
    const valueCol = columnOf(spec.valueColumn)
    if (headerRow === 0 || keyCol === undefined || valueCol === undefined) {
      const missing = keyCol === undefined ? spec.keyColumn : spec.valueColumn
      return yield* new WorkbookError({
        reason: "column-not-found",
        file,
        sheet: ws.name,
        message: `${file}, sheet "${ws.name}": no column "${missing}" in the header row${headers.size > 0 ? ` (columns: ${[...headers.values()].join(", ")})` : ""}`,
      })
    }
    const source = path.basename(file)
    const at = (row: number, value?: string) => ({ source, sheet: ws.name, row, field: spec.valueColumn, ...(value !== undefined ? { value } : {}) })
    const allowed = new Map((spec.allowed ?? []).map((a) => [normalise(a), a]))
    const rows: Array<ColumnRow> = []
    const findings: Array<Finding.Finding> = []
    const seen = new Map<string, number>()
    ws.eachRow({ includeEmpty: false }, (row, r) => {
      if (r <= headerRow) return
      const cells: Record<string, string> = {}
      for (const [col, header] of headers) cells[header] = cellText(row.getCell(col).value).trim()
      const key = cellText(row.getCell(keyCol).value).replace(/\s+/g, " ").trim()
      const raw = cellText(row.getCell(valueCol).value).replace(/\s+/g, " ").trim()
      if (key === "" && raw === "") return
      if (key === "") {
        findings.push(Finding.make("warn", "value-without-key", `row ${r} has "${raw}" in ${spec.valueColumn} but no ${spec.keyColumn}; it is ignored`, at(r, raw)))
        return
      }
      let value: string | null = raw === "" ? null : raw
      if (value !== null && allowed.size > 0) {
        const canonical = allowed.get(normalise(value))
        if (canonical === undefined) {
          findings.push(
            Finding.make("warn", "unknown-value", `row ${r} (${spec.keyColumn} ${key}): "${raw}" is not one of ${[...allowed.values()].join(", ")}; it is ignored`, at(r, raw)),
          )
          value = null
        } else value = canonical
      }
      const previous = seen.get(key)
      if (previous !== undefined) {
        findings.push(Finding.make("warn", "duplicate-key", `${spec.keyColumn} ${key} appears on rows ${previous} and ${r}; the later row wins`, at(r, key)))
      }
      seen.set(key, r)
      rows.push({ row: r, key, value, cells })
    })
    return { rows, findings }
  })
