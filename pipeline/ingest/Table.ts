/**
 * What the readers produce: a table head (file, encoding, header row, headers as published)
 * and its data rows as a cold Effect stream of batches, plus `readTable`, which picks the
 * reader by the bytes in the file, never by its extension.
 */
import { Effect, type Stream } from "effect"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import type * as Finding from "../domain/Finding.js"
import { sniffBinary } from "./Encoding.js"
import { ReadError } from "./ReadError.js"
import * as CsvReader from "./CsvReader.js"
import * as XlsxReader from "./XlsxReader.js"

/**
 * One data row as published: `row` is the 1-based row as a person sees it (the Excel row, or
 * the CSV record number, header and blank rows counted), `cells` are strings in column order.
 */
export interface RawRow {
  readonly row: number
  readonly cells: ReadonlyArray<string>
}

/** Where a table came from and what its columns are called. */
export interface TableHead {
  readonly file: string
  readonly sheet?: string
  /** Decoder used ("utf-8", "gb18030", "utf-16le", …); "xlsx" for workbooks. */
  readonly encoding: string
  /** 1-based row of the header (the first of two header rows when a merged header spans two). */
  readonly headerRow: number
  /** Headers as published, trimmed; duplicates renamed "name (2)", empty ones "column N". */
  readonly headers: ReadonlyArray<string>
  /** First row of data (headerRow + 1, or + 2 under a two-row header). */
  readonly firstDataRow: number
}

/** An opened table: its head, its rows (cold: nothing is read until the stream runs), its findings. */
export interface OpenTable {
  readonly head: TableHead
  /** Data rows in batches; blank rows are skipped (their numbers still count). */
  readonly batches: Stream.Stream<ReadonlyArray<RawRow>, ReadError>
  /** The same batches handed to `f` one by one; the fast way through a big file (see CsvReader.RangeRead). */
  readonly eachBatch: (f: (batch: ReadonlyArray<RawRow>) => void) => Effect.Effect<void, ReadError>
  /** Problems found while opening: detected encoding, title rows skipped, duplicate headers, … */
  readonly findings: ReadonlyArray<Finding.Finding>
  /** Problems found while reading rows (ragged rows, blank rows, formulas without value); complete once `batches` or `eachBatch` ran to the end. */
  readonly readFindings: Effect.Effect<ReadonlyArray<Finding.Finding>>
  /** False when no text read so far held U+0000 (known for CSV; XLSX always says true). */
  readonly mayHoldNul: () => boolean
  /** For delimited text: how to read any byte range of the file alike (see CsvReader.readRange). */
  readonly csv?: CsvReader.CsvLayout
}

/** How to read a file; every field is optional and usually comes from the source sidecar. */
export interface ReadOptions {
  /** Declared encoding ("GB18030", "gbk", "utf8", "UTF-16", …); detected when absent. */
  readonly encoding?: string
  /** XLSX sheet name; the first sheet when absent. */
  readonly sheet?: string
  /** 1-based header row; detected (title and blank rows skipped) when absent. */
  readonly headerRow?: number
  /** Refuse files bigger than this many bytes. */
  readonly maxBytes?: number
  /** XLSX zip-bomb guard: refuse when uncompressed / compressed exceeds this (default 100). */
  readonly maxUncompressedRatio?: number
  /** XLSX zip-bomb guard: refuse when the parts add up to more than this many bytes (default 1 GB). */
  readonly maxUncompressedBytes?: number
  /** Rows per batch (default 10 000). */
  readonly batchSize?: number
  /** Longest CSV record, in characters, before the reader refuses it (default 64 Mi): a stray quote must not eat the file. */
  readonly maxRecordChars?: number
}

/** Default rows per batch: big enough to amortise per-batch Effect overhead, small enough to stay lean in memory. */
export const DEFAULT_BATCH_SIZE = 10_000

/** Zip local-file-header magic "PK\x03\x04" that every XLSX starts with. */
const isZip = (b: Uint8Array): boolean => b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04

/** Reads the first bytes of a file (fewer when it is shorter). */
export const readHead = (file: string, bytes: number): Effect.Effect<Uint8Array, ReadError> =>
  Effect.tryPromise({
    try: async () => {
      const fh = await fs.open(file, "r")
      try {
        const buf = Buffer.alloc(bytes)
        const { bytesRead } = await fh.read(buf, 0, bytes, 0)
        return buf.subarray(0, bytesRead)
      } finally {
        await fh.close()
      }
    },
    catch: (e) => ioError(file, e),
  })

/** Wraps an operating-system error as a ReadError naming the file. */
export const ioError = (file: string, e: unknown): ReadError =>
  new ReadError({ reason: "io", file, message: `Cannot read ${file}: ${e instanceof Error ? e.message : String(e)}. Check that the file exists and is readable.` })

/** Size of a file, refusing an empty one or one above `maxBytes`. */
export const checkSize = (file: string, options: ReadOptions): Effect.Effect<number, ReadError> =>
  Effect.tryPromise({ try: () => fs.stat(file), catch: (e) => ioError(file, e) }).pipe(
    Effect.filterOrFail(
      (st) => st.isFile(),
      () => new ReadError({ reason: "io", file, message: `${file} is not a regular file (a folder?); point the sidecar at the extract itself.` }),
    ),
    Effect.flatMap((st) =>
      st.size === 0
        ? Effect.fail(new ReadError({ reason: "empty-file", file, message: `${file} is empty (0 bytes); the download or export probably failed, fetch or export it again.` }))
        : options.maxBytes !== undefined && st.size > options.maxBytes
          ? Effect.fail(new ReadError({ reason: "too-large", file, message: `${file} is ${st.size} bytes, above the configured limit of ${options.maxBytes}; raise maxBytes or split the file.` }))
          : Effect.succeed(st.size),
    ),
  )

/**
 * Opens a table file: XLSX when the bytes are a zip, CSV/TSV text otherwise (any encoding);
 * binary garbage is a ReadError "binary". An ".xlsx" that is really text is read as CSV with an
 * info finding. Only the first rows are read here; `batches` streams the rest.
 */
export const readTable = (file: string, options: ReadOptions = {}): Effect.Effect<OpenTable, ReadError> =>
  Effect.gen(function* () {
    yield* checkSize(file, options)
    const head = yield* readHead(file, 64 * 1024)
    if (isZip(head)) return yield* XlsxReader.open(file, options)
    const binary = options.encoding === undefined ? sniffBinary(head) : undefined
    if (binary !== undefined)
      return yield* Effect.fail(new ReadError({ reason: "binary", file, message: `${file} is ${binary}. Only CSV/TSV text and XLSX workbooks can be read.` }))
    const table = yield* CsvReader.open(file, options)
    const ext = path.extname(file).toLowerCase()
    if (ext === ".xlsx" || ext === ".xlsm" || ext === ".xls") {
      const note: Finding.Finding = {
        severity: "info",
        code: "csv-renamed",
        source: file,
        message: `${path.basename(file)} is named ${ext} but holds delimited text, not a workbook; it was read as CSV. Rename it to .csv to avoid confusion.`,
      }
      return { ...table, findings: [note, ...table.findings] }
    }
    return table
  })
