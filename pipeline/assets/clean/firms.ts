/**
 * Registry firms (reference rows without an entity id) normalised into columns (`Clean.Firms`):
 * the credit code, the Chinese name with its keys, province, city, sector and provenance, which
 * is what list linking reads. The same normalisers as the clean tables' (`zh`, `code`, `memo`),
 * without an object per row, and in parts that worker threads can do at once (see FirmsWorker):
 * each part comes back as a few joined strings and typed arrays, and `merge` puts them in order.
 */
import { availableParallelism } from "node:os"
import type { CodedText, Firms } from "../../domain/Clean.js"
import * as Finding from "../../domain/Finding.js"
import * as RawRows from "../../domain/RawRows.js"
import { normalizeText } from "../../normalize/text.js"
import { askWorker, builtWorker } from "../../engine/WorkerScript.js"
import { Coder, isFirm } from "../../reconcile/entities/Firms.js"
import { fullZhKey } from "../../reconcile/entities/keys.js"
import type { FirmsJob, FirmsReply } from "./FirmsWorker.js"
import { code, type Emit, memo, zh } from "./normalise.js"

/** Some blocks of one raw table: what a part is normalised from. */
export interface Slice {
  /** The table's source id (provenance). */
  readonly source: string
  readonly columns: ReadonlyArray<string>
  readonly blocks: ReadonlyArray<RawRows.RawBlock>
}

/**
 * A text column of a part: as strings (a part made on the thread that merges), or, to cross
 * threads in one copy, as one joined string and each cell's length (-1: the same string as
 * the name key, see `fullKey`).
 */
type TextColumn = { readonly values: ReadonlyArray<string> } | { readonly text: string; readonly lengths: Int32Array }

/** One part's firms, in a form that crosses threads in a few copies. */
export interface Part {
  readonly length: number
  readonly creditCode: TextColumn
  readonly nameZh: TextColumn
  readonly nameKey: TextColumn
  /** Joined: -1 where the full key is the name key (nearly always). */
  readonly fullKey: TextColumn
  readonly province: CodedText
  readonly city: CodedText
  readonly sector: CodedText
  readonly source: CodedText
  readonly row: Int32Array
  readonly findings: ReadonlyArray<Finding.Finding>
}

/** A text column being built, as strings or joined (see TextColumn). */
class TextBuilder {
  private readonly values: Array<string> = []
  private readonly lengths: Int32Array | undefined
  constructor(n: number, joined: boolean) {
    this.lengths = joined ? new Int32Array(n) : undefined
  }
  set(i: number, s: string): void {
    if (this.lengths !== undefined) {
      this.lengths[i] = s.length
      if (s !== "") this.values.push(s)
    } else this.values[i] = s
  }
  /** The same string as `s` in another column: joined, only a marker is sent. */
  same(i: number, s: string): void {
    if (this.lengths !== undefined) this.lengths[i] = -1
    else this.values[i] = s
  }
  done(n: number): TextColumn {
    return this.lengths === undefined ? { values: this.values } : { text: this.values.join(""), lengths: n === this.lengths.length ? this.lengths : this.lengths.slice(0, n) }
  }
}

const ENTITY_ID = "entity_id"

/** Rows in some slices. */
const rowsIn = (slices: ReadonlyArray<Slice>): number => slices.reduce((a, s) => a + s.blocks.reduce((b, k) => b + k.rows.length, 0), 0)

/** Index of a field among a table's columns; the last one, as in `RawRecord.values` where a later duplicate wins. */
const columnOf = (columns: ReadonlyArray<string>, field: string): number => columns.lastIndexOf(field)

/** Normalises the firm rows of some slices, in order; `joined` for a part that crosses threads (see TextColumn). */
export const normaliseSlices = (slices: ReadonlyArray<Slice>, joined = false): Part => {
  const capacity = rowsIn(slices)
  const [creditCode, nameZh, nameKey, fullKey] = [0, 0, 0, 0].map(() => new TextBuilder(capacity, joined)) as [TextBuilder, TextBuilder, TextBuilder, TextBuilder]
  const [province, city, sector, source] = [new Coder(), new Coder(), new Coder(), new Coder()]
  const codes = { province: new Uint32Array(capacity), city: new Uint32Array(capacity), sector: new Uint32Array(capacity), source: new Uint32Array(capacity) }
  const row = new Int32Array(capacity)
  const findings: Array<Finding.Finding> = []
  const emit: Emit = (f) => findings.push(f)
  const cat = memo(normalizeText)
  let n = 0
  for (const slice of slices) {
    const at = (field: string) => columnOf(slice.columns, field)
    const [iCode, iName, iProvince, iCity, iSector, iEntity] = [at("credit_code"), at("name_zh"), at("province"), at("city"), at("sector"), at(ENTITY_ID)]
    const sourceCode = source.code(slice.source)
    const none: ReadonlyArray<string> = []
    for (const block of slice.blocks) {
      const col = (k: number) => (k < 0 ? none : RawRows.columnCells(block, k))
      const [codeCells, nameCells, provinceCells, cityCells, sectorCells, entityCells] = [col(iCode), col(iName), col(iProvince), col(iCity), col(iSector), col(iEntity)]
      for (let i = 0; i < block.rows.length; i++) {
        if (iEntity >= 0 && !isFirm(entityCells[i])) continue
        const r = block.rows[i]!
        creditCode.set(n, code(codeCells[i] ?? "").code ?? "")
        const name = zh(nameCells[i] ?? "", { source: slice.source, row: r }, "name_zh", emit)
        if (name === undefined) {
          nameZh.set(n, "")
          nameKey.set(n, "")
          fullKey.same(n, "")
        } else {
          nameZh.set(n, name.display)
          nameKey.set(n, name.key)
          const full = fullZhKey(name)
          if (full === name.key) fullKey.same(n, name.key)
          else fullKey.set(n, full)
        }
        codes.province[n] = province.code(cat(provinceCells[i] ?? ""))
        codes.city[n] = city.code(cat(cityCells[i] ?? ""))
        codes.sector[n] = sector.code(cat(sectorCells[i] ?? ""))
        codes.source[n] = sourceCode
        row[n] = r
        n++
      }
    }
  }
  const cut = <T extends Int32Array | Uint32Array>(a: T): T => (n === capacity ? a : (a.slice(0, n) as T))
  return {
    length: n,
    creditCode: creditCode.done(n),
    nameZh: nameZh.done(n),
    nameKey: nameKey.done(n),
    fullKey: fullKey.done(n),
    province: { values: province.values, codes: cut(codes.province) },
    city: { values: city.values, codes: cut(codes.city) },
    sector: { values: sector.values, codes: cut(codes.sector) },
    source: { values: source.values, codes: cut(codes.source) },
    row: cut(row),
    findings,
  }
}

/** The typed arrays of a part, for postMessage's transfer list. */
export const buffersOf = (part: Part): Array<ArrayBuffer> =>
  [
    ...[part.creditCode, part.nameZh, part.nameKey, part.fullKey].flatMap((c) => ("lengths" in c ? [c.lengths] : [])),
    ...[part.province, part.city, part.sector, part.source].map((c) => c.codes),
    part.row,
  ].map((a) => a.buffer as ArrayBuffer)

/** Parts (in order) as one `Firms` table, and their findings in the same order. */
const merge = (parts: ReadonlyArray<Part>): { readonly firms: Firms; readonly findings: ReadonlyArray<Finding.Finding> } => {
  const length = parts.reduce((a, p) => a + p.length, 0)
  const text = (pick: (p: Part) => TextColumn, same?: ReadonlyArray<string>): Array<string> => {
    const only = parts.length === 1 ? pick(parts[0]!) : undefined
    if (only !== undefined && "values" in only) return only.values as Array<string>
    const out = new Array<string>(length)
    let n = 0
    for (const p of parts) {
      const c = pick(p)
      if ("values" in c) {
        for (let i = 0; i < p.length; i++) out[n++] = c.values[i]!
        continue
      }
      let at = 0
      for (let i = 0; i < p.length; i++, n++) {
        const len = c.lengths[i]!
        if (len < 0) out[n] = same![n]!
        else {
          out[n] = c.text.slice(at, at + len)
          at += len
        }
      }
    }
    return out
  }
  const coded = (pick: (p: Part) => CodedText): CodedText => {
    const all = new Coder()
    const codes = new Uint32Array(length)
    let n = 0
    for (const p of parts) {
      const c = pick(p)
      const remap = c.values.map((v) => all.code(v))
      for (let i = 0; i < p.length; i++) codes[n++] = remap[c.codes[i]!]!
    }
    return { values: all.values, codes }
  }
  const row = new Int32Array(length)
  let n = 0
  for (const p of parts) {
    row.set(p.row, n)
    n += p.length
  }
  const nameKey = text((p) => p.nameKey)
  return {
    firms: {
      length,
      creditCode: text((p) => p.creditCode),
      nameZh: text((p) => p.nameZh),
      nameKey,
      fullKey: text((p) => p.fullKey, nameKey),
      province: coded((p) => p.province),
      city: coded((p) => p.city),
      sector: coded((p) => p.sector),
      source: coded((p) => p.source),
      row,
    },
    findings: parts.flatMap((p) => p.findings),
  }
}

/** Cuts the slices into `n` shares of about as many rows, in order, at block boundaries. */
export const shares = (slices: ReadonlyArray<Slice>, n: number): Array<Array<Slice>> => {
  const total = rowsIn(slices)
  const out: Array<Array<Slice>> = [[]]
  let taken = 0
  for (const slice of slices) {
    let current: Array<RawRows.RawBlock> = []
    for (const block of slice.blocks) {
      // Start the next share once this one has its due (the last share takes the rest).
      if (out.length < n && taken >= (total * out.length) / n) {
        if (current.length > 0) out.at(-1)!.push({ ...slice, blocks: current })
        current = []
        out.push([])
      }
      current.push(block)
      taken += block.rows.length
    }
    if (current.length > 0) out.at(-1)!.push({ ...slice, blocks: current })
  }
  return out.filter((s) => s.length > 0)
}

/** Below this many rows the firms are normalised on this thread: starting workers would not pay back. */
const PARALLEL_MIN_ROWS = 100_000

/** The built `firms-worker` script, undefined when missing or older than the sources it is built from. */
export const firmsWorker = (): URL | undefined => builtWorker("firms-worker", ["assets/clean", "domain", "normalize", "reconcile/entities"])

/** One share in a worker thread; undefined when the worker fails or cannot start (the share is then done here). */
const inWorker = async (script: URL, slices: ReadonlyArray<Slice>): Promise<Part | undefined> => {
  const m = await askWorker<FirmsReply>(script, { slices } satisfies FirmsJob)
  return m?._tag === "done" ? m.part : undefined
}

/**
 * The firms of the reference tables: one share per core, the first on this thread and the others
 * in worker threads, merged in order, so the result is the same however many shares there are.
 * `options.workerScript` (tests) replaces the built `firms-worker`; `options.parts` the core count.
 * `workers`: the shares worker threads did (a failed worker's share is done here instead).
 */
export const normaliseFirms = async (
  tables: ReadonlyArray<{ readonly source: { readonly id: string }; readonly rows: RawRows.RawRows }>,
  options: { readonly parts?: number; readonly workerScript?: URL; readonly minRows?: number } = {},
): Promise<{ readonly firms: Firms; readonly findings: ReadonlyArray<Finding.Finding>; readonly workers: number }> => {
  const slices = tables.map((t) => ({ source: t.source.id, columns: t.rows.columns, blocks: t.rows.blocks }))
  const rows = tables.reduce((a, t) => a + t.rows.length, 0)
  // Only a registry large enough for workers looks for the built worker (a stat of every source file in development).
  const script = rows < (options.minRows ?? PARALLEL_MIN_ROWS) ? undefined : (options.workerScript ?? firmsWorker())
  const n = script === undefined ? 1 : (options.parts ?? availableParallelism())
  const [first = [], ...rest] = shares(slices, n)
  let workers = 0
  const others = rest.map((share) => inWorker(script!, share).then((part) => (part !== undefined ? (workers++, part) : normaliseSlices(share))))
  // This thread's share stays as strings; only the workers' parts are joined to cross over.
  const here = normaliseSlices(first)
  return { ...merge([here, ...(await Promise.all(others))]), workers }
}
