/**
 * CSV/TSV reader: pull-based streaming over papaparse.
 *
 * How it streams, and why this way: we read the file ourselves in 64 KiB chunks (readSync on the open handle),
 * decode each with a streaming TextDecoder, and hand the text to papaparse's own chunk parser
 * (`Papa.Parser#parse(text, base, ignoreLastRow)`, the primitive its ChunkStreamer is built on).
 * It returns the complete records plus a cursor; the unfinished tail (a record cut by the chunk
 * end, even inside a quoted multi-line cell) is kept and prefixed to the next chunk. Nothing is
 * pushed at us, so there is no `pause()` and no buffering we do not control: the consumer's pull
 * of the next batch is what reads the next bytes. Records are grouped in batches (`batchSize`
 * rows) so per-batch costs are paid rarely, and the cell arrays papaparse built are passed on as
 * they are (no copy).
 *
 * `readRange` reads any byte range that starts at a record, which lets a big file be read as
 * several ranges at once (ingest/Parallel).
 */
import { Effect, Option, Stream } from "effect"
import { readSync } from "node:fs"
import * as fs from "node:fs/promises"
import type { TextDecoder } from "node:util"
import Papa from "papaparse"
import * as Finding from "../domain/Finding.js"
import { detectEncoding, makeDecoder, resolveEncoding, SAMPLE_BYTES } from "./Encoding.js"
import { cleanHeaders, detectHeaderIndex, HEADER_SCAN_ROWS } from "./HeaderMap.js"
import { ReadError } from "./ReadError.js"
import type { OpenTable, RawRow, ReadOptions, TableHead } from "./Table.js"
import { checkSize, DEFAULT_BATCH_SIZE, ioError, readHead } from "./Table.js"

/**
 * Bytes read per pull. 64 KiB keeps each decoded chunk (and the pending+chunk text papaparse
 * parses) under V8's 128 KiB large-object size, so it is allocated young and dies in a cheap
 * scavenge; 1 MiB chunks went to the large-object space, freed only by full GCs. With 2048-row
 * ingest batches this took the 3M-row bench's peak RSS from 1.62 to 1.51 GB (measured).
 */
const CHUNK_BYTES = 1 << 16

/** Default longest record (characters) before a stray quote is assumed to be eating the file. */
export const DEFAULT_MAX_RECORD_CHARS = 64 * 1024 * 1024

/** Batches read between two turns of the event loop in `eachBatch` (~10 ms of work each). */
const YIELD_EVERY_BATCHES = 4

/** Individual ragged-row findings before they are only counted (the validation layer flags every row anyway). */
const MAX_ROW_FINDINGS = 100

/** What one pull of records yields. */
type Pulled =
  | { readonly _tag: "records"; readonly records: string[][]; readonly first: number }
  | { readonly _tag: "end" }
  | { readonly _tag: "error"; readonly error: ReadError }

/** How a delimited file is split into fields and records. */
export interface Dialect {
  readonly delimiter: string
  readonly newline: "\n" | "\r\n" | "\r"
}

/** Where a puller reads: bytes [start, end) of the file; `end` undefined reads to the end of the file. */
interface ByteRange {
  readonly start: number
  readonly end: number | undefined
}

/** Pulls whole CSV records out of a file handle, chunk by chunk; returns errors as values. */
class RecordPuller {
  private pending = ""
  private offset: number
  private eof = false
  private done = false
  /** Next record number (1-based, as a person counts records). */
  private nextRow = 1
  /** When a record is longer than a chunk, wait for this much text before parsing again (keeps it linear). */
  private minParse = 0
  private readonly parser: Papa.Parser
  private readonly buf = Buffer.allocUnsafe(CHUNK_BYTES)
  /** Whether any text read so far held U+0000 (one scan per chunk, so row stores need not check every cell). */
  sawNul = false

  constructor(
    private readonly fh: fs.FileHandle,
    private readonly file: string,
    private readonly encoding: string,
    private readonly decoder: TextDecoder,
    dialect: Dialect,
    private readonly maxRecordChars: number,
    private readonly range: ByteRange = { start: 0, end: undefined },
  ) {
    this.offset = range.start
    // CRLF files are read as LF: a file whose lines mix CRLF and LF (a row appended in another
    // editor) would otherwise make papaparse reject the quoted field before a bare LF.
    this.crlf = dialect.newline !== "\r"
    this.parser = new Papa.Parser({ delimiter: dialect.delimiter, newline: this.crlf ? "\n" : dialect.newline })
  }

  private readonly crlf: boolean
  /** A CR that ended the previous chunk, held back in case its LF starts the next one. */
  private carryCr = false

  private fail(reason: ReadError["reason"], message: string, row?: number): Pulled {
    this.done = true
    return { _tag: "error", error: new ReadError({ reason, file: this.file, message, ...(row === undefined ? {} : { row }) }) }
  }

  /** Next run of complete records (possibly empty only at the end), or the end, or an error. */
  pull(): Pulled {
    if (this.done) return { _tag: "end" }
    for (;;) {
      if (!this.eof) {
        const bytesRead = this.readNext()
        let text: string
        try {
          text = bytesRead === 0 ? this.decoder.decode() : this.decoder.decode(this.buf.subarray(0, bytesRead), { stream: true })
        } catch {
          return this.fail(
            "encoding",
            `${this.file} is not valid ${this.encoding} near byte ${this.offset} (around record ${this.nextRow}). ` +
              `Set encoding: in the sidecar (e.g. gb18030, utf-16le) or re-save the file as UTF-8.`,
            this.nextRow,
          )
        }
        this.offset += bytesRead
        if (!this.sawNul && text.includes("\u0000")) this.sawNul = true
        if (bytesRead === 0) this.eof = true
        if (this.crlf) {
          if (this.carryCr) text = "\r" + text
          this.carryCr = !this.eof && text.endsWith("\r")
          if (this.carryCr) text = text.slice(0, -1)
          if (text.includes("\r")) text = text.replaceAll("\r\n", "\n")
        }
        this.pending = this.pending.length === 0 ? text : this.pending + text
        if (!this.eof && this.pending.length < this.minParse) continue
      }
      if (this.pending.length === 0) {
        this.done = true
        return { _tag: "end" }
      }
      const last = this.eof && this.range.end === undefined
      // A range that stops before the end of the file keeps its last-row rule to the very end: a
      // record left open there means the range did not end on a record boundary (see cleanEnd).
      const result = this.parser.parse(this.pending, 0, !last) as { data: string[][]; errors: Array<{ code: string; row: number }>; meta: { cursor: number } }
      const first = this.nextRow
      if (this.eof && !last) {
        this.cleanEnd = result.meta.cursor === this.pending.length
        this.pending = ""
        this.done = true
        this.nextRow += result.data.length
        return { _tag: "records", records: result.data, first }
      }
      if (this.eof) {
        this.pending = ""
        this.done = true
        const missing = result.errors.find((e) => e.code === "MissingQuotes")
        if (missing !== undefined) {
          // Everything after the opening quote would become one cell: refuse, after handing over the rows before it.
          const row = first + missing.row
          this.unterminated = row
          const before = result.data.slice(0, missing.row)
          this.nextRow += before.length
          return { _tag: "records", records: before, first }
        }
        this.nextRow += result.data.length
        return { _tag: "records", records: result.data, first }
      }
      const cursor = result.meta.cursor
      this.pending = cursor === this.pending.length ? "" : this.pending.slice(cursor)
      this.nextRow += result.data.length
      if (this.pending.length > this.maxRecordChars) return this.tooLong()
      this.minParse = this.pending.length > CHUNK_BYTES ? this.pending.length * 2 : 0
      if (result.data.length > 0) return { _tag: "records", records: result.data, first }
    }
  }

  /** Records numbered so far: the next record is `records + 1`. */
  get records(): number {
    return this.nextRow - 1
  }

  /**
   * For a range that stops before the end of the file: true when its text ended exactly at the
   * end of a record. False when the range's last line break was inside a quoted cell, so the
   * next range did not start at a record (its rows are wrong and must be read again).
   */
  cleanEnd = true

  /**
   * The next read: at most a chunk, never past the range's end (0 bytes once there). Synchronous:
   * a 64 KiB read from the page cache takes microseconds, and an awaited one paid a thread-pool
   * round trip per chunk, ~7% of reading the bench list and registry (measured, read-ahead and all).
   */
  private readNext(): number {
    const want = this.range.end === undefined ? CHUNK_BYTES : Math.min(CHUNK_BYTES, this.range.end - this.offset)
    return want <= 0 ? 0 : readSync(this.fh.fd, this.buf, 0, want, this.offset)
  }

  /** Row whose quote never closes, found by the final parse; reported on the next pull. */
  unterminated: number | undefined = undefined

  /** The failure to report after the rows before an unterminated quote were handed over. */
  unterminatedError(): ReadError | undefined {
    return this.unterminated === undefined
      ? undefined
      : new ReadError({
          reason: "unterminated-quote",
          file: this.file,
          row: this.unterminated,
          message:
            `${this.file}, record ${this.unterminated}: a quoted field opens (") and never closes, so the rest of the file cannot be split into rows. ` +
            `The ${this.unterminated - 1} records before it were read. Fix or remove the stray quote in that row and run again.`,
        })
  }

  private tooLong(): Pulled {
    const probe = this.parser.parse(this.pending, 0, false) as { errors: Array<{ code: string }> }
    const lines = this.pending.split("\n", 10_001).length - 1
    // An open quote over thousands of lines is almost surely a stray quote; over few lines, a genuinely huge cell.
    if (probe.errors.some((e) => e.code === "MissingQuotes") && lines >= 10_000)
      return this.fail(
        "unterminated-quote",
        `${this.file}, record ${this.nextRow}: a quoted field opens (") and has not closed after ${lines}+ lines and ${this.pending.length} characters, so the rest of the file cannot be split into rows. Fix the stray quote in that row.`,
        this.nextRow,
      )
    return this.fail(
      "too-large",
      `${this.file}, record ${this.nextRow} is longer than ${this.maxRecordChars} characters (limit maxRecordChars); raise the limit if such a cell is real, or look for a stray quote (") in that row or a wrong delimiter.`,
      this.nextRow,
    )
  }
}

const isBlank = (cells: ReadonlyArray<string>): boolean => {
  if (cells.length === 1) return cells[0]!.trim() === ""
  for (let i = 0; i < cells.length; i++) if (cells[i]!.trim() !== "") return false
  return true
}

const openHandle = (file: string) =>
  Effect.acquireRelease(
    Effect.tryPromise({ try: () => fs.open(file, "r"), catch: (e) => ioError(file, e) }),
    (fh) => Effect.promise(() => fh.close().catch(() => undefined)),
  )

const guessDialect = (text: string): Dialect => {
  const meta = Papa.parse(text.slice(0, 256 * 1024), { preview: 50 }).meta
  const newline = meta.linebreak === "\r\n" || meta.linebreak === "\r" ? meta.linebreak : "\n"
  let delimiter = meta.delimiter || ","
  // Papa's guess needs several rows; on a tiny file, a tab-only first line is a TSV header whatever the guess.
  const firstLine = text.split(/\r\n|\n|\r/, 1)[0] ?? ""
  if (delimiter !== "\t" && firstLine.includes("\t") && !firstLine.includes(delimiter)) delimiter = "\t"
  return { delimiter, newline }
}

const pullEffect = (puller: RecordPuller, file: string): Effect.Effect<Pulled, ReadError> => Effect.try({ try: () => puller.pull(), catch: (e) => ioError(file, e) })

/**
 * Opens a delimited text file: decides the encoding (declared or detected), the delimiter and
 * line ending, and the header row (declared, or detected past title and blank rows).
 */
export const open = (file: string, options: ReadOptions = {}): Effect.Effect<OpenTable, ReadError> =>
  Effect.gen(function* () {
    const size = yield* checkSize(file, options)
    const sample = yield* readHead(file, SAMPLE_BYTES)
    const findings: Finding.Finding[] = []
    let encoding: string
    if (options.encoding !== undefined) {
      const resolved = resolveEncoding(options.encoding)
      if (resolved === undefined)
        return yield* Effect.fail(
          new ReadError({ reason: "encoding", file, message: `${file}: the declared encoding "${options.encoding}" is not known; use e.g. utf-8, gb18030, gbk, utf-16le, utf-16be, big5.` }),
        )
      encoding = resolved
    } else {
      const d = detectEncoding(sample)
      encoding = d.encoding
      if (d.encoding !== "utf-8" || d.bom)
        findings.push(Finding.make("info", "encoding-detected", `${file} was read as ${d.encoding.toUpperCase()}${d.bom ? " (byte-order mark)" : ""}, detected because no encoding: was declared.`, { source: file }))
    }
    let sampleText: string
    try {
      sampleText = makeDecoder(encoding).decode(sample, { stream: true })
    } catch {
      return yield* Effect.fail(
        new ReadError({
          reason: "encoding",
          file,
          message: `${file} is not valid ${encoding}${options.encoding === undefined ? " (nor UTF-8 or GB18030)" : ""}; declare the right encoding: in the sidecar (e.g. gb18030, utf-16le, big5) or re-save the file as UTF-8.`,
        }),
      )
    }
    if (sampleText.trim() === "")
      return yield* Effect.fail(new ReadError({ reason: "empty-file", file, message: `${file} holds no text (only whitespace or a byte-order mark); export the table again.` }))
    const dialect = guessDialect(sampleText)
    const maxRecordChars = options.maxRecordChars ?? DEFAULT_MAX_RECORD_CHARS
    const batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE)
    const wanted = options.headerRow ?? 0

    // Read just enough records to find the header, then close the file: `batches` reopens it, so it stays cold and re-runnable.
    const scanned = yield* Effect.scoped(
      Effect.gen(function* () {
        const fh = yield* openHandle(file)
        const puller = new RecordPuller(fh, file, encoding, makeDecoder(encoding), dialect, maxRecordChars)
        const records: string[][] = []
        const enough = Math.max(HEADER_SCAN_ROWS + 5, wanted + 5)
        while (records.length < enough) {
          const got = yield* pullEffect(puller, file)
          if (got._tag === "end") break
          if (got._tag === "error") return yield* Effect.fail(got.error)
          for (const r of got.records) records.push(r)
        }
        return records
      }),
    )
    if (scanned.every(isBlank))
      return yield* Effect.fail(new ReadError({ reason: "empty-file", file, message: `${file} has no rows with any value in them; export the table again.` }))
    let headerIdx: number
    if (options.headerRow !== undefined) {
      headerIdx = options.headerRow - 1
      if (!Number.isInteger(options.headerRow) || headerIdx < 0 || headerIdx >= scanned.length || isBlank(scanned[headerIdx]!))
        return yield* Effect.fail(
          new ReadError({ reason: "no-header", file, row: options.headerRow, message: `${file}: header_row ${options.headerRow} is ${headerIdx >= 0 && headerIdx < scanned.length ? "blank" : "beyond the rows of the file"}; fix header_row in the sidecar or remove it to detect the header.` }),
        )
    } else {
      headerIdx = detectHeaderIndex(scanned)
      if (headerIdx < 0) return yield* Effect.fail(new ReadError({ reason: "no-header", file, message: `${file}: no header row found among the first rows; set header_row in the sidecar.` }))
    }
    const headerRow = headerIdx + 1
    if (headerIdx > 0) {
      const skipped = scanned.slice(0, headerIdx).filter((r) => !isBlank(r)).map((r) => r.filter((c) => c.trim() !== "").join(" ")).join(" | ")
      findings.push(Finding.make("info", "title-rows-skipped", `Header taken from row ${headerRow}${options.headerRow === undefined ? " (detected)" : ""}; rows above it were skipped${skipped === "" ? " (blank)" : `: ${skipped.slice(0, 300)}`}.`, { source: file, row: headerRow }))
    }
    const cleaned = cleanHeaders(scanned[headerIdx]!, { source: file, row: headerRow })
    findings.push(...cleaned.findings)
    const headers = cleaned.headers
    const width = headers.length
    const head: TableHead = { file, encoding, headerRow, headers, firstDataRow: headerRow + 1 }

    const layout: CsvLayout = { file, encoding, dialect, width, headerRow, maxRecordChars, batchSize, size }
    // Each read of the rows starts afresh; findings and the NUL flag come from the latest one.
    let last: RangeRead | undefined
    const whole = (): RangeRead => (last = readRange(layout, { start: 0, end: undefined }))
    return {
      head,
      batches: Stream.suspend(() => whole().batches),
      eachBatch: (f) => Effect.suspend(() => whole().eachBatch(f)),
      findings,
      readFindings: Effect.sync(() => (last === undefined ? [] : readFindings(file, width, last.outcome().stats))),
      mayHoldNul: () => last?.outcome().sawNul ?? true,
      csv: layout,
    }
  })

/** What a CSV reader knows once the file is opened: enough to read any byte range of it alike (see readRange). */
export interface CsvLayout {
  readonly file: string
  readonly encoding: string
  readonly dialect: Dialect
  /** Number of headers. */
  readonly width: number
  /** 1-based header row; records up to it are not data. */
  readonly headerRow: number
  readonly maxRecordChars: number
  readonly batchSize: number
  /** File size in bytes when it was opened. */
  readonly size: number
}

/** What the reader noticed while streaming rows, kept as counts so the reads of several ranges add up. */
export interface ReadStats {
  readonly blank: number
  readonly ragged: number
  /** The first ragged rows (at most MAX_ROW_FINDINGS): row number and cell count. */
  readonly raggedRows: ReadonlyArray<readonly [row: number, cells: number]>
}

/** How the read of a range went; complete once its rows were read to the end. */
export interface RangeOutcome {
  readonly stats: ReadStats
  /** Records (rows as a person counts them: header, title and blank rows included) the range held. */
  readonly records: number
  /** See RecordPuller.cleanEnd; always true for a range that reads to the end of the file. */
  readonly cleanEnd: boolean
  readonly sawNul: boolean
}

/** One read of a byte range: its batches (as a Stream or from a plain loop), and how it went. */
export interface RangeRead {
  readonly batches: Stream.Stream<ReadonlyArray<RawRow>, ReadError>
  /**
   * The same batches handed to `f` from a plain loop, for the hot path: consuming `batches`
   * through Effect's Stream kept each batch alive past young-generation collections, which then
   * copied and promoted it: 1.9 s of GC pauses instead of 0.3 s and twice the read time on the
   * bench registry (measured with --trace-gc-nvp).
   */
  readonly eachBatch: (f: (batch: ReadonlyArray<RawRow>) => void) => Effect.Effect<void, ReadError>
  readonly outcome: () => RangeOutcome
}

/** Ragged-row and blank-row findings from what a read noticed. */
export const readFindings = (file: string, width: number, stats: ReadStats): Array<Finding.Finding> => {
  const out = stats.raggedRows.map(([row, cells]) => Finding.make("warn", "ragged-row", `Row ${row} has ${cells} cells for ${width} headers; all cells are kept.`, { source: file, row }))
  if (stats.ragged > stats.raggedRows.length)
    out.push(Finding.make("warn", "ragged-row", `${stats.ragged - stats.raggedRows.length} more ragged rows (${stats.ragged} in all) are not listed one by one.`, { source: file }))
  if (stats.blank > 0) out.push(Finding.make("info", "blank-rows-skipped", `${stats.blank} blank rows were skipped (row numbers still count them).`, { source: file }))
  return out
}

/** The stats of two consecutive ranges as one, the second's rows moved on by `offset`. */
export const addStats = (a: ReadStats, b: ReadStats, offset: number): ReadStats => ({
  blank: a.blank + b.blank,
  ragged: a.ragged + b.ragged,
  raggedRows: [...a.raggedRows, ...b.raggedRows.map(([row, cells]) => [row + offset, cells] as const)].slice(0, MAX_ROW_FINDINGS),
})

/**
 * Reads the records of bytes [start, end) of a file `open` described; `end` undefined reads to
 * the end. A range from byte 0 numbers rows as the file does and skips the header; a range from
 * further in must start right after a line break, numbers its records from 1 and treats them
 * all as data (the caller moves the numbers on, and checks the previous range's `cleanEnd`).
 */
export const readRange = (layout: CsvLayout, range: ByteRange): RangeRead => {
  const { file, encoding, dialect, width, maxRecordChars, batchSize } = layout
  const headerRow = range.start === 0 ? layout.headerRow : 0
  let puller: RecordPuller | undefined
  let blank = 0
  let ragged = 0
  const raggedRows: Array<readonly [number, number]> = []
  const take = (records: string[][], first: number, out: RawRow[]) => {
    for (let i = 0; i < records.length; i++) {
      const row = first + i
      if (row <= headerRow) continue
      const cells = records[i]!
      if (isBlank(cells)) {
        blank++
        continue
      }
      // Fewer cells, or values beyond the last header, is ragged; empty cells past it are Excel padding.
      if (cells.length !== width && (cells.length < width || !isBlank(cells.slice(width)))) {
        ragged++
        if (raggedRows.length < MAX_ROW_FINDINGS) raggedRows.push([row, cells.length])
      }
      out.push({ row, cells })
    }
  }
  /** The next batch from an open file, undefined at the end; throws the ReadError that ends it. */
  const batcher = (fh: fs.FileHandle) => {
    const p = new RecordPuller(fh, file, encoding, makeDecoder(encoding, range.start > 0), dialect, maxRecordChars, range)
    puller = p
    let carry: RawRow[] = []
    let finished = false
    return (): ReadonlyArray<RawRow> | undefined => {
      const out = carry
      carry = []
      while (!finished && out.length < batchSize) {
        // pull throws only what reading the file throws; asReadError names the file.
        const got = p.pull()
        if (got._tag === "error") throw got.error
        if (got._tag === "end") finished = true
        else take(got.records, got.first, out)
      }
      if (out.length > batchSize) carry = out.splice(batchSize)
      if (out.length > 0) return out
      // An unterminated quote fails the read, but only after the rows before it were handed over.
      const failure = p.unterminatedError()
      if (failure !== undefined) throw failure
      return undefined
    }
  }
  const asReadError = (e: unknown): ReadError => (e instanceof ReadError ? e : ioError(file, e))
  const batches: Stream.Stream<ReadonlyArray<RawRow>, ReadError> = Stream.unwrapScoped(
    Effect.map(openHandle(file), (fh) => {
      const next = batcher(fh)
      return Stream.repeatEffectOption(
        Effect.suspend(() => {
          try {
            const batch = next()
            return batch === undefined ? Effect.fail(Option.none()) : Effect.succeed(batch)
          } catch (e) {
            return Effect.fail(Option.some(asReadError(e)))
          }
        }),
      )
    }),
  )
  const eachBatch = (f: (batch: ReadonlyArray<RawRow>) => void): Effect.Effect<void, ReadError> =>
    Effect.scoped(
      Effect.flatMap(openHandle(file), (fh) =>
        Effect.tryPromise({
          // Interrupted (e.g. a failed checksum, or another range proved unusable): stop at the next batch.
          try: async (signal) => {
            const next = batcher(fh)
            for (let n = 1; !signal.aborted; n++) {
              const batch = next()
              if (batch === undefined) return
              f(batch)
              // Let timers, messages from worker threads and other reads run now and then.
              if (n % YIELD_EVERY_BATCHES === 0) await new Promise((resolve) => setImmediate(resolve))
            }
          },
          catch: asReadError,
        }),
      ),
    )
  return {
    batches,
    eachBatch,
    outcome: () => ({ stats: { blank, ragged, raggedRows }, records: puller?.records ?? 0, cleanEnd: puller?.cleanEnd ?? true, sawNul: puller?.sawNul ?? true }),
  }
}
