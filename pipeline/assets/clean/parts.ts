/**
 * Normalising a big raw table in parts, one per core, into columns: what the registry firms
 * (`reference/firms`, firms.ts) and the large MIIT lists (`miit/lists`, lists.ts) share. A part
 * is made on this thread or in a worker thread (CleanWorker); a worker's part comes back as a few
 * joined strings and typed arrays, which cross threads in a few copies where rows as objects
 * would cost a copy each, and `merge` puts the parts together in order.
 */
import { availableParallelism } from "node:os"
import type { CodedText, ZhName } from "../../domain/Clean.js"
import type * as Finding from "../../domain/Finding.js"
import * as RawRows from "../../domain/RawRows.js"
import { askWorker, builtWorker, prestart } from "../../engine/WorkerScript.js"
import { Coder } from "../../reconcile/entities/Firms.js"
import { fullZhKey } from "../../reconcile/entities/keys.js"

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
 * another column's cell, see `TextBuilder.same`).
 */
export type TextColumn = { readonly values: ReadonlyArray<string> } | { readonly text: string; readonly lengths: Int32Array }

/** A column of numbers or flags, one per row. */
export type NumberColumn = Int32Array | Uint32Array | Uint8Array

/** One part's rows, column by column, in a form that crosses threads in a few copies. */
export interface Part {
  readonly length: number
  readonly text: Readonly<Record<string, TextColumn>>
  readonly coded: Readonly<Record<string, CodedText>>
  readonly numbers: Readonly<Record<string, NumberColumn>>
  readonly findings: ReadonlyArray<Finding.Finding>
}

/** Parts put together: the same columns, as strings, codes and numbers over every row. */
export interface Merged {
  readonly length: number
  readonly text: Readonly<Record<string, ReadonlyArray<string>>>
  readonly coded: Readonly<Record<string, CodedText>>
  readonly numbers: Readonly<Record<string, NumberColumn>>
  readonly findings: ReadonlyArray<Finding.Finding>
}

/** A text column being built, as strings or joined (see TextColumn). */
export class TextBuilder {
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
  /** The same string as `s` in another column (see `merge`'s `sameAs`): joined, only a marker is sent. */
  same(i: number, s: string): void {
    if (this.lengths !== undefined) this.lengths[i] = -1
    else this.values[i] = s
  }
  done(n: number): TextColumn {
    return this.lengths === undefined ? { values: this.values } : { text: this.values.join(""), lengths: n === this.lengths.length ? this.lengths : this.lengths.slice(0, n) }
  }
}

/**
 * A Chinese company name's columns being built: as shown, its key, and its full key (`fullZhKey`,
 * marked the same as the key when it is, as it nearly always is); "" for a blank name.
 */
export class NameColumns {
  readonly display: TextBuilder
  readonly key: TextBuilder
  readonly fullKey: TextBuilder
  constructor(n: number, joined: boolean) {
    this.display = new TextBuilder(n, joined)
    this.key = new TextBuilder(n, joined)
    this.fullKey = new TextBuilder(n, joined)
  }
  set(i: number, name: ZhName | undefined): void {
    this.display.set(i, name?.display ?? "")
    this.key.set(i, name?.key ?? "")
    const full = name === undefined ? "" : fullZhKey(name)
    if (full === (name?.key ?? "")) this.fullKey.same(i, full)
    else this.fullKey.set(i, full)
  }
}

/** How a joined part marks a full key that is the name key: see NameColumns and `merge`. */
export const FULL_KEY_IS_KEY = { fullKey: "nameKey" }

/** A coded text column being built: each distinct value once, and a code per row. */
export class CodedBuilder {
  private readonly coder = new Coder()
  readonly codes: Uint32Array
  constructor(n: number) {
    this.codes = new Uint32Array(n)
  }
  set(i: number, s: string): void {
    this.codes[i] = this.coder.code(s)
  }
  done(n: number): CodedText {
    return { values: this.coder.values, codes: n === this.codes.length ? this.codes : this.codes.slice(0, n) }
  }
}

/** Rows in some slices. */
export const rowsIn = (slices: ReadonlyArray<Slice>): number => slices.reduce((a, s) => a + s.blocks.reduce((b, k) => b + k.rows.length, 0), 0)

/** Index of a field among a table's columns; the last one, as in `RawRecord.values` where a later duplicate wins. */
const columnOf = (columns: ReadonlyArray<string>, field: string): number => columns.lastIndexOf(field)

/** One block of a slice: its source, its rows' numbers, and the cells of the fields asked for. */
export interface FieldBlock<F extends ReadonlyArray<string>> {
  readonly source: string
  readonly rows: Int32Array
  /** Per field asked for, in that order: the block's cells (none when the table lacks the field). */
  readonly cells: { readonly [K in keyof F]: ReadonlyArray<string> }
}

/** Every block of some slices, in order, with the cells of `fields` unpacked (what a normaliser walks). */
export function* fieldBlocks<const F extends ReadonlyArray<string>>(slices: ReadonlyArray<Slice>, fields: F): Generator<FieldBlock<F>> {
  const none: ReadonlyArray<string> = []
  for (const slice of slices) {
    const at = fields.map((f) => columnOf(slice.columns, f))
    for (const block of slice.blocks)
      yield { source: slice.source, rows: block.rows, cells: at.map((k) => (k < 0 ? none : RawRows.columnCells(block, k))) as FieldBlock<F>["cells"] }
  }
}

/** A typed array cut to its first `n` items (itself when it has exactly `n`). */
export const cut = <T extends NumberColumn>(a: T, n: number): T => (n === a.length ? a : (a.slice(0, n) as T))

/** The typed arrays of a part, for postMessage's transfer list. */
export const buffersOf = (part: Part): Array<ArrayBuffer> =>
  [
    ...Object.values(part.text).flatMap((c) => ("lengths" in c ? [c.lengths] : [])),
    ...Object.values(part.coded).map((c) => c.codes),
    ...Object.values(part.numbers),
  ].map((a) => a.buffer as ArrayBuffer)

/**
 * A joined text column's `length` cells as strings, into `out` from `at` (returns the position
 * after them); a cell marked "the same" is `same`'s at that position.
 */
const unjoin = (c: { readonly text: string; readonly lengths: Int32Array }, length: number, out: Array<string>, at: number, same?: ReadonlyArray<string>): number => {
  let from = 0
  for (let i = 0; i < length; i++, at++) {
    const len = c.lengths[i]!
    if (len < 0) out[at] = same![at]!
    else {
      out[at] = c.text.slice(from, from + len)
      from += len
    }
  }
  return at
}

/**
 * A part whose text columns are all strings: a worker's part is cut up on this thread as soon as
 * it arrives, while the worker goes on with the next, rather than all at once in `merge` once
 * every worker is done (at 2M firms that was ~0.4 s with the other core idle).
 */
export const materialise = (part: Part, sameAs: Readonly<Record<string, string>> = {}): Part => {
  const text: Record<string, TextColumn> = {}
  const names = Object.keys(part.text)
  const one = (name: string) => {
    const c = part.text[name]!
    if ("values" in c) {
      text[name] = c
      return
    }
    const same = sameAs[name] === undefined ? undefined : (text[sameAs[name]!] as { readonly values: ReadonlyArray<string> }).values
    const values = new Array<string>(part.length)
    unjoin(c, part.length, values, 0, same)
    text[name] = { values }
  }
  for (const name of names) if (sameAs[name] === undefined) one(name)
  for (const name of names) if (sameAs[name] !== undefined) one(name)
  return { ...part, text }
}

/**
 * Parts (in order) as one set of columns, and their findings in the same order. `sameAs` names,
 * for a text column whose joined cells may be marked "the same as" another column's (see
 * `TextBuilder.same`), that other column.
 */
export const merge = (parts: ReadonlyArray<Part>, sameAs: Readonly<Record<string, string>> = {}): Merged => {
  const length = parts.reduce((a, p) => a + p.length, 0)
  const first = parts[0]
  const names = (pick: (p: Part) => Readonly<Record<string, unknown>>) => (first === undefined ? [] : Object.keys(pick(first)))
  const text = (name: string, same?: ReadonlyArray<string>): Array<string> => {
    const only = parts.length === 1 ? parts[0]!.text[name]! : undefined
    if (only !== undefined && "values" in only) return only.values as Array<string>
    const out = new Array<string>(length)
    let n = 0
    for (const p of parts) {
      const c = p.text[name]!
      if ("values" in c) for (let i = 0; i < p.length; i++) out[n++] = c.values[i]!
      else n = unjoin(c, p.length, out, n, same)
    }
    return out
  }
  const coded = (name: string): CodedText => {
    if (parts.length === 1) return parts[0]!.coded[name]!
    const all = new Coder()
    const codes = new Uint32Array(length)
    let n = 0
    for (const p of parts) {
      const c = p.coded[name]!
      const remap = c.values.map((v) => all.code(v))
      for (let i = 0; i < p.length; i++) codes[n++] = remap[c.codes[i]!]!
    }
    return { values: all.values, codes }
  }
  const numbers = (name: string): NumberColumn => {
    if (parts.length === 1) return parts[0]!.numbers[name]!
    const kind = parts[0]!.numbers[name]!
    const out = new (kind.constructor as new (n: number) => NumberColumn)(length)
    let n = 0
    for (const p of parts) {
      out.set(p.numbers[name]!, n)
      n += p.length
    }
    return out
  }
  // Columns others refer to ("the same as") first.
  const texts: Record<string, ReadonlyArray<string>> = {}
  const textNames = names((p) => p.text)
  for (const name of textNames) if (sameAs[name] === undefined) texts[name] = text(name)
  for (const name of textNames) if (sameAs[name] !== undefined) texts[name] = text(name, texts[sameAs[name]!])
  return {
    length,
    text: Object.fromEntries(textNames.map((name) => [name, texts[name]!])),
    coded: Object.fromEntries(names((p) => p.coded).map((name) => [name, coded(name)])),
    numbers: Object.fromEntries(names((p) => p.numbers).map((name) => [name, numbers(name)])),
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

/** What the clean worker normalises: the kinds of part (see CleanWorker). */
export type PartKind = "firms" | "list"

/** What a clean worker is sent: its share, to normalise in `pieces` parts sent back one by one. */
export interface PartJob {
  readonly kind: PartKind
  readonly slices: ReadonlyArray<Slice>
  readonly pieces: number
}

/** A clean worker's messages: each piece's part, in order, then "done"; or "failed". */
export type PartReply = { readonly _tag: "piece"; readonly part: Part } | { readonly _tag: "done" } | { readonly _tag: "failed"; readonly message: string }

/** Pieces a worker's share is sent back in: enough that little of it is left to cut up when the worker ends. */
const WORKER_PIECES = 8

/** Below this many rows a table is normalised on this thread: starting workers would not pay back. */
const PARALLEL_MIN_ROWS = 100_000

/** The built `clean-worker` script, undefined when missing or older than the sources it is built from. */
export const cleanWorker = (): URL | undefined => builtWorker("clean-worker", ["assets/clean", "domain", "normalize", "reconcile/entities"])

/** Starts the clean workers big tables will ask for (one per core but this one; see `prestart`). */
export const prestartCleanWorkers = (): void => {
  const script = cleanWorker()
  if (script !== undefined) prestart(script, availableParallelism() - 1)
}

/**
 * One share in a worker thread, as its pieces' parts with their text cut up here as each arrives
 * (`materialise`); undefined when the worker fails or cannot start (the share is then done here).
 */
const inWorker = (script: URL, job: PartJob, sameAs: Readonly<Record<string, string>>): Promise<ReadonlyArray<Part> | undefined> => {
  const pieces: Array<Part> = []
  return askWorker<ReadonlyArray<Part>>(script, job, {
    collect: (m: PartReply) => {
      if (m._tag !== "piece") return { reply: m._tag === "done" ? pieces : undefined }
      try {
        pieces.push(materialise(m.part, sameAs))
        return undefined
      } catch {
        // A piece that cannot be read (never expected) fails the worker's share, done here instead.
        return { reply: undefined }
      }
    },
  })
}

/** How `inParts` splits the work; all optional (tests). */
export interface PartsOptions {
  /** How many parts (default: one per core). */
  readonly parts?: number
  /** Replaces the built `clean-worker`. */
  readonly workerScript?: URL
  /** Fewer rows than this are normalised here, in one part (default 100,000). */
  readonly minRows?: number
}

/**
 * The rows of some raw tables normalised by `normalise` (the function the worker calls for
 * `kind`): one share per core, the first on this thread and the others in worker threads, merged
 * in order, so the result is the same however many shares there are. A worker that fails has its
 * share done here instead. `workers`: the shares worker threads did.
 */
export const inParts = async (
  kind: PartKind,
  tables: ReadonlyArray<{ readonly source: { readonly id: string }; readonly rows: RawRows.RawRows }>,
  normalise: (slices: ReadonlyArray<Slice>, joined: boolean) => Part,
  sameAs: Readonly<Record<string, string>>,
  options: PartsOptions = {},
): Promise<Merged & { readonly workers: number }> => {
  const slices = tables.map((t) => ({ source: t.source.id, columns: t.rows.columns, blocks: t.rows.blocks }))
  const rows = tables.reduce((a, t) => a + t.rows.length, 0)
  // Only a table large enough for workers looks for the built worker (a stat of every source file in development).
  const script = rows < (options.minRows ?? PARALLEL_MIN_ROWS) ? undefined : (options.workerScript ?? cleanWorker())
  const n = script === undefined ? 1 : (options.parts ?? availableParallelism())
  const [first = [], ...rest] = shares(slices, n)
  let workers = 0
  const others = rest.map((share) =>
    inWorker(script!, { kind, slices: share, pieces: WORKER_PIECES }, sameAs).then((pieces) => (pieces !== undefined ? (workers++, pieces) : [normalise(share, false)])),
  )
  // This thread's share stays as strings; only the workers' parts are joined to cross over.
  const here = normalise(first, false)
  return { ...merge([here, ...(await Promise.all(others)).flat()], sameAs), workers }
}
