/**
 * XLSX reader on exceljs.
 *
 * Why the full reader and not `stream.xlsx.WorkbookReader`: merged ranges (`<mergeCells>`) are
 * written after `<sheetData>` in the sheet XML, so a streaming reader learns about a merged
 * header only after it has emitted every row, and exceljs's streaming WorksheetReader ignores
 * them altogether. Extracts we get as XLSX are analyst-sized (thousands of rows); big extracts
 * come as CSV, which streams. Memory is bounded by the zip-bomb guard below, run before parsing.
 *
 * What a cell becomes (strings as published): numbers → shortest text at Excel's 15 significant
 * digits; date cells (and date serials in date-formatted cells) → "YYYY-MM-DD" (with
 * "THH:MM:SS" when there is a time); formulas → their cached result, never evaluated;
 * rich text → plain text; hyperlinks → their text; errors → "#N/A" etc.; booleans → TRUE/FALSE.
 *
 * Merged cells: every cell of a merge reads as the merge's value. A header merged across
 * columns with sub-headers in the row below (a two-row header) gives "Parent / Child" names;
 * a merged header without sub-headers repeats and is renamed like any duplicate:
 * "Company", "Company (2)", so the first still maps to its field and nothing is lost.
 */
import { Effect, Stream } from "effect"
import type ExcelJS from "exceljs"
import * as fs from "node:fs/promises"
import * as Finding from "../domain/Finding.js"
import { cleanHeaders, detectHeaderIndex, HEADER_SCAN_ROWS } from "./HeaderMap.js"
import { ReadError } from "./ReadError.js"
import type { OpenTable, RawRow, ReadOptions, TableHead } from "./Table.js"
import { checkSize, DEFAULT_BATCH_SIZE, ioError } from "./Table.js"

/** Default refusal threshold for the parts' total uncompressed size. */
export const DEFAULT_MAX_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024

/** Default refusal threshold for uncompressed / compressed size (real workbooks compress 5-20x). */
export const DEFAULT_MAX_UNCOMPRESSED_RATIO = 100

/** Below this many uncompressed bytes the ratio is not checked: a 4 MB sheet of empty styled rows compresses 200x and harms no one. */
export const RATIO_CHECK_FLOOR_BYTES = 16 * 1024 * 1024

/** Sizes the zip's central directory declares. */
export interface ZipSizes {
  readonly entries: number
  readonly compressed: number
  readonly uncompressed: number
}

/**
 * Reads the zip central directory (not the data) and adds up declared sizes. Written by hand
 * because it is 40 lines and must run before any library inflates anything; jszip would load
 * the whole archive first. Returns undefined when the bytes are not a readable zip.
 */
export const zipSizes = (file: string): Effect.Effect<ZipSizes | undefined, ReadError> =>
  Effect.tryPromise({
    try: async () => {
      const fh = await fs.open(file, "r")
      try {
        const { size } = await fh.stat()
        const tailLen = Math.min(size, 65_557)
        const tail = Buffer.alloc(tailLen)
        await fh.read(tail, 0, tailLen, size - tailLen)
        let eocd = -1
        for (let i = tailLen - 22; i >= 0; i--) if (tail.readUInt32LE(i) === 0x06054b50) { eocd = i; break }
        if (eocd < 0) return undefined
        const cdSize = tail.readUInt32LE(eocd + 12)
        const cdOffset = tail.readUInt32LE(eocd + 16)
        // ZIP64 archives (> 4 GB or > 65 535 parts) are far beyond any extract we accept.
        if (cdOffset === 0xffffffff || cdSize === 0xffffffff) return { entries: 0, compressed: size, uncompressed: Number.MAX_SAFE_INTEGER }
        if (cdOffset + cdSize > size) return undefined
        const cd = Buffer.alloc(cdSize)
        await fh.read(cd, 0, cdSize, cdOffset)
        let p = 0
        let entries = 0
        let compressed = 0
        let uncompressed = 0
        while (p + 46 <= cd.length && cd.readUInt32LE(p) === 0x02014b50) {
          let comp = cd.readUInt32LE(p + 20)
          let uncomp = cd.readUInt32LE(p + 24)
          const nameLen = cd.readUInt16LE(p + 28)
          const extraLen = cd.readUInt16LE(p + 30)
          const commentLen = cd.readUInt16LE(p + 32)
          if (comp === 0xffffffff || uncomp === 0xffffffff) {
            // ZIP64 extra field (id 1): uncompressed then compressed size, each present only when the 32-bit one is saturated.
            let q = p + 46 + nameLen
            const end = q + extraLen
            while (q + 4 <= end) {
              const id = cd.readUInt16LE(q)
              const len = cd.readUInt16LE(q + 2)
              if (id === 1) {
                let r = q + 4
                if (uncomp === 0xffffffff) { uncomp = Number(cd.readBigUInt64LE(r)); r += 8 }
                if (comp === 0xffffffff) comp = Number(cd.readBigUInt64LE(r))
              }
              q += 4 + len
            }
          }
          entries++
          compressed += comp
          uncompressed += uncomp
          p += 46 + nameLen + extraLen + commentLen
        }
        return { entries, compressed: Math.max(compressed, 1), uncompressed }
      } finally {
        await fh.close()
      }
    },
    catch: (e) => ioError(file, e),
  })

const fmtNumber = (n: number): string => (Number.isFinite(n) ? String(Number(n.toPrecision(15))) : String(n))

const fmtDate = (d: Date): string => {
  if (Number.isNaN(d.getTime())) return ""
  const iso = d.toISOString()
  return iso.endsWith("T00:00:00.000Z") ? iso.slice(0, 10) : iso.slice(0, 19)
}

/** Cell value → text as published; `onNoResult` is told about formulas that carry no cached value. */
const cellText = (v: ExcelJS.CellValue | undefined, onNoResult: () => void): string => {
  if (v === null || v === undefined) return ""
  if (typeof v === "string") return v
  if (typeof v === "number") return fmtNumber(v)
  if (typeof v === "boolean") return v ? "TRUE" : "FALSE"
  if (v instanceof Date) return fmtDate(v)
  if (typeof v === "object") {
    if ("richText" in v) return v.richText.map((r) => r.text).join("")
    if ("formula" in v || "sharedFormula" in v) {
      const result = (v as { result?: unknown }).result
      if (result === undefined || result === null) {
        onNoResult()
        return ""
      }
      if (typeof result === "object" && result !== null && !(result instanceof Date) && "error" in result) return String((result as { error: unknown }).error)
      return cellText(result as ExcelJS.CellValue, onNoResult)
    }
    if ("error" in v) return String(v.error)
    if ("text" in v) return cellText(v.text as ExcelJS.CellValue, onNoResult)
  }
  return String(v)
}

const trimEnd = (cells: string[]): string[] => {
  let end = cells.length
  while (end > 0 && cells[end - 1]!.trim() === "") end--
  return end === cells.length ? cells : cells.slice(0, end)
}

/** Opens an XLSX workbook after the zip-bomb guard; reads the first sheet or `options.sheet`. */
export const open = (file: string, options: ReadOptions = {}): Effect.Effect<OpenTable, ReadError> =>
  Effect.gen(function* () {
    const size = yield* checkSize(file, options)
    const sizes = yield* zipSizes(file)
    if (sizes === undefined)
      return yield* Effect.fail(new ReadError({ reason: "bad-xlsx", file, message: `${file} starts like a zip/XLSX but its zip directory is missing or damaged (truncated download?); fetch or save it again.` }))
    const maxBytes = options.maxUncompressedBytes ?? DEFAULT_MAX_UNCOMPRESSED_BYTES
    const maxRatio = options.maxUncompressedRatio ?? DEFAULT_MAX_UNCOMPRESSED_RATIO
    const ratio = sizes.uncompressed / Math.max(size, 1)
    if (sizes.uncompressed > maxBytes || (ratio > maxRatio && sizes.uncompressed > RATIO_CHECK_FLOOR_BYTES))
      return yield* Effect.fail(
        new ReadError({
          reason: "too-large",
          file,
          message:
            `${file} would expand from ${size} bytes to ${sizes.uncompressed} bytes (${ratio.toFixed(0)}x); the limits are ${maxBytes} bytes and ${maxRatio}x. ` +
            `This looks like a zip bomb or a sheet padded with empty cells; if the file is genuine, raise maxUncompressedBytes / maxUncompressedRatio or save it as CSV.`,
        }),
      )
    // exceljs takes ~0.2 s to load: only a refresh that reads an XLSX source loads it, here.
    const { Workbook } = yield* Effect.promise(() => import("exceljs")).pipe(Effect.map((m) => m.default))
    const wb = new Workbook()
    yield* Effect.tryPromise({
      try: () => wb.xlsx.readFile(file),
      catch: (e) =>
        new ReadError({ reason: "bad-xlsx", file, message: `${file} is a zip but not a readable XLSX workbook (${e instanceof Error ? e.message : String(e)}); open and re-save it in Excel or LibreOffice, or export it as CSV.` }),
    })
    const sheets = wb.worksheets.filter((ws) => ws !== undefined)
    const names = sheets.map((ws) => ws.name)
    if (sheets.length === 0) return yield* Effect.fail(new ReadError({ reason: "bad-xlsx", file, message: `${file} has no worksheets; save the workbook again with the table in it.` }))
    const ws =
      options.sheet === undefined
        ? sheets[0]!
        : sheets.find((s) => s.name === options.sheet) ?? sheets.find((s) => s.name.trim().toLowerCase() === options.sheet!.trim().toLowerCase())
    if (ws === undefined)
      return yield* Effect.fail(
        new ReadError({ reason: "sheet-not-found", file, sheet: options.sheet!, message: `${file} has no sheet "${options.sheet}"; its sheets are: ${names.map((n) => `"${n}"`).join(", ")}. Fix sheet: in the sidecar.` }),
      )
    const sheet = ws.name
    const at = { source: file, sheet }
    const readFindings: Finding.Finding[] = []
    const noResult: number[] = []

    // All rows with a value, in order, as text; merged cells read as their merge's value.
    const rows: Array<{ row: number; cells: string[]; r: ExcelJS.Row }> = []
    ws.eachRow({ includeEmpty: false }, (r, rowNumber) => {
      const cells: string[] = []
      r.eachCell({ includeEmpty: false }, (cell, col) => {
        while (cells.length < col - 1) cells.push("")
        cells[col - 1] = cellText(cell.value, () => noResult.push(rowNumber))
      })
      const trimmed = trimEnd(cells)
      if (trimmed.length > 0) rows.push({ row: rowNumber, cells: trimmed, r })
    })
    if (rows.length === 0)
      return yield* Effect.fail(new ReadError({ reason: "empty-file", file, sheet, message: `${file}, sheet "${sheet}" has no cells with values${names.length > 1 ? `; other sheets: ${names.filter((n) => n !== sheet).join(", ")} (set sheet: in the sidecar)` : ""}.` }))

    let headerIdx: number
    if (options.headerRow !== undefined) {
      headerIdx = rows.findIndex((r) => r.row === options.headerRow)
      if (headerIdx < 0)
        return yield* Effect.fail(new ReadError({ reason: "no-header", file, sheet, row: options.headerRow, message: `${file}, sheet "${sheet}": header_row ${options.headerRow} is blank or beyond the sheet; fix header_row in the sidecar or remove it to detect the header.` }))
    } else {
      // Detection sees rows in sheet order; blank rows are absent, and title rows are skipped by their narrowness.
      headerIdx = detectHeaderIndex(rows.slice(0, HEADER_SCAN_ROWS + 5).map((r) => r.cells))
      if (headerIdx < 0) return yield* Effect.fail(new ReadError({ reason: "no-header", file, sheet, message: `${file}, sheet "${sheet}": no header row found; set header_row in the sidecar.` }))
    }
    const header = rows[headerIdx]!
    const findings: Finding.Finding[] = []
    if (header.row > 1) {
      const skipped = rows.slice(0, headerIdx).map((r) => r.cells.filter((c) => c.trim() !== "").join(" ")).join(" | ")
      findings.push(Finding.make("info", "title-rows-skipped", `Header taken from row ${header.row}${options.headerRow === undefined ? " (detected)" : ""} of sheet "${sheet}"; rows above it were skipped${skipped === "" ? " (blank)" : `: ${skipped.slice(0, 300)}`}.`, { ...at, row: header.row }))
    }

    // Merges in the header row: which columns share a master cell with their left neighbour.
    let rawHeaders = header.cells.slice()
    const width = Math.max(rawHeaders.length, ...rows.slice(headerIdx + 1, headerIdx + 2).map((r) => r.cells.length))
    const masterOf = (r: ExcelJS.Row, col: number): string | undefined => {
      const c = r.getCell(col)
      return c.isMerged ? c.master.address : undefined
    }
    const horizontal = new Set<number>() // 1-based columns inside a header merge spanning columns
    for (let col = 1; col <= width; col++) {
      const m = masterOf(header.r, col)
      if (m === undefined) continue
      const left = col > 1 ? masterOf(header.r, col - 1) : undefined
      const right = col < width ? masterOf(header.r, col + 1) : undefined
      if (m === left || m === right) horizontal.add(col)
    }
    let firstDataRow = header.row + 1
    const below = rows[headerIdx + 1]
    if (horizontal.size > 0 && below !== undefined && below.row === header.row + 1) {
      // Two-row header: every value below sits under a column-spanning merge or continues a vertical merge from the header.
      let under = 0
      let fits = true
      below.cells.forEach((text, i) => {
        if (text.trim() === "") return
        const col = i + 1
        const m = masterOf(below.r, col)
        if (m !== undefined && m === masterOf(header.r, col)) return // a header merge reaching down: not a sub-header
        if (horizontal.has(col)) under++
        else fits = false
      })
      if (fits && under > 0) {
        rawHeaders = Array.from({ length: Math.max(rawHeaders.length, below.cells.length) }, (_, i) => {
          const parent = (rawHeaders[i] ?? "").trim()
          const child = (below.cells[i] ?? "").trim()
          return horizontal.has(i + 1) && child !== "" && child !== parent ? `${parent} / ${child}` : parent
        })
        firstDataRow = header.row + 2
        findings.push(Finding.make("info", "two-row-header", `Rows ${header.row}-${below.row} of sheet "${sheet}" form one header (a merged heading over sub-headings); columns are named "Heading / Sub-heading".`, { ...at, row: header.row }))
      }
    }
    if (firstDataRow === header.row + 1 && horizontal.size > 0)
      findings.push(Finding.make("info", "merged-header", `Header cells merged across columns in row ${header.row} of sheet "${sheet}"; each column of the merge is named after it, repeats numbered "(2)", "(3)".`, { ...at, row: header.row }))
    const cleaned = cleanHeaders(rawHeaders, { source: file, sheet, row: header.row })
    findings.push(...cleaned.findings)
    const headers = cleaned.headers

    const data: RawRow[] = []
    let ragged = 0
    for (const r of rows) {
      if (r.row < firstDataRow) continue
      if (r.cells.length > headers.length) {
        ragged++
        if (ragged <= 100) readFindings.push(Finding.make("warn", "ragged-row", `Row ${r.row} has values in ${r.cells.length} columns for ${headers.length} headers; all cells are kept.`, { ...at, row: r.row }))
      }
      data.push({ row: r.row, cells: r.cells })
    }
    if (ragged > 100) readFindings.push(Finding.make("warn", "ragged-row", `${ragged - 100} more rows with values beyond the last header (${ragged} in all).`, at))
    for (const row of [...new Set(noResult)].filter((n) => n >= firstDataRow))
      readFindings.push(Finding.make("warn", "formula-without-value", `Row ${row} of sheet "${sheet}" has a formula with no saved result; it reads as empty. Open the file in Excel or LibreOffice, recalculate and save it.`, { ...at, row }))
    const batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE)
    const batches: Array<ReadonlyArray<RawRow>> = []
    for (let i = 0; i < data.length; i += batchSize) batches.push(data.slice(i, i + batchSize))
    const head: TableHead = { file, sheet, encoding: "xlsx", headerRow: header.row, headers, firstDataRow }
    // Cells may hold U+0000 (written as _x0000_ in the XML): row stores check each cell.
    return {
      head,
      batches: Stream.fromIterable(batches),
      eachBatch: (f) => Effect.sync(() => batches.forEach((b) => f(b))),
      findings,
      readFindings: Effect.succeed(readFindings),
      mayHoldNul: () => true,
    }
  })
