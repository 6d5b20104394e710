/**
 * A small deterministic zip writer for the final .xlsx container.
 *
 * Written here rather than taken from jszip because the big sheet parts must be deflated while they
 * are generated (bounded memory) and jszip deflates in JavaScript on the main thread (pako), which
 * alone costs more than our whole time budget at 1M rows; Node's native zlib runs on the thread pool
 * in parallel with row generation. Every entry gets the same fixed date, so bytes are reproducible.
 */
import * as fs from "node:fs"
import { once } from "node:events"
import * as zlib from "node:zlib"

/** A part deflated before it is written (by a worker thread): compressed bytes, CRC-32 and uncompressed size. */
export interface Deflated {
  readonly data: ReadonlyArray<Uint8Array>
  readonly crc: number
  readonly size: number
}

/**
 * One part of the package: whole bytes, chunks produced while writing (sheet rows), or a part
 * deflated elsewhere in pieces (a big table's segments, see Render), each written as it comes
 * once the part's turn has come; the pieces join into one deflate stream (see `deflateChunks`).
 */
export type ZipEntry =
  | { readonly name: string; readonly data: string | Uint8Array }
  | { readonly name: string; readonly chunks: () => AsyncIterable<string> | Iterable<string> }
  | { readonly name: string; readonly deflated: () => AsyncIterable<Deflated> }

/**
 * Text chunks encoded (UTF-8) one by one and handed to `sink` about `size` bytes at a time: a
 * string over ~128 KiB is made in V8's old generation and lingers until a full collection, so
 * writers keep their chunks small and let this gather them into few large writes.
 */
export const byteBatches = (sink: (bytes: Buffer) => Promise<void> | void, size = 1 << 20) => {
  let pending: Array<Buffer> = []
  let bytes = 0
  const flush = async (): Promise<void> => {
    if (bytes === 0) return
    const b = pending.length === 1 ? pending[0]! : Buffer.concat(pending, bytes)
    pending = []
    bytes = 0
    await sink(b)
  }
  return {
    add: async (s: string): Promise<void> => {
      const b = Buffer.from(s, "utf8")
      pending.push(b)
      bytes += b.length
      if (bytes >= size) await flush()
    },
    /** Hands on what is left. */
    flush,
  }
}

/**
 * Deflates `chunks` (UTF-8) into `sink` as the compressed bytes come, returning the CRC-32 and the sizes.
 * The one deflate both paths use (here and in a worker), so a part's bytes do not depend on where it was deflated.
 */
export const deflateChunks = async (
  chunks: AsyncIterable<string> | Iterable<string>,
  level: number,
  sink: (compressed: Buffer) => Promise<void> | void,
  /** False: end on a sync flush instead of the final block, so another deflate stream may follow (see `crc32Combine`). */
  final = true,
): Promise<{ readonly crc: number; readonly size: number; readonly compressed: number }> => {
  // Room for a few chunks: the XML of the next rows is written while zlib (on the thread pool)
  // compresses the last ones; with the default 16 KiB every chunk waited for the one before it.
  // (Node passes zlib's options on to its Transform stream; the typings list only zlib's own.)
  const deflate = zlib.createDeflateRaw({ level, writableHighWaterMark: 4 << 20, ...(final ? {} : { finishFlush: zlib.constants.Z_SYNC_FLUSH }) } as zlib.ZlibOptions)
  let compressed = 0
  const pump = (async () => {
    for await (const chunk of deflate) {
      compressed += (chunk as Buffer).length
      await sink(chunk as Buffer)
    }
  })()
  let crc = 0
  let size = 0
  // Handed to zlib ~1 MiB at a time: few zlib calls, while the chunk strings themselves can stay
  // small enough for V8's young generation.
  const batches = byteBatches(async (b) => {
    crc = zlib.crc32(b, crc)
    size += b.length
    if (!deflate.write(b)) await once(deflate, "drain")
  })
  try {
    for await (const s of chunks) await batches.add(s)
    await batches.flush()
  } finally {
    deflate.end()
    await pump
  }
  return { crc, size, compressed }
}

/** Compressed chunks of one deflate stream (or of several joined, see `deflateChunks`), with the CRC-32 and size of what they hold. */
export const deflateToMemory = async (chunks: AsyncIterable<string> | Iterable<string>, level: number, final = true): Promise<Deflated> => {
  const out: Array<Buffer> = []
  const { crc, size } = await deflateChunks(chunks, level, (b) => void out.push(b), final)
  return { data: out, crc, size }
}

const gf2Times = (mat: Uint32Array, vec: number): number => {
  let sum = 0
  for (let i = 0; vec !== 0; i++, vec >>>= 1) if (vec & 1) sum ^= mat[i]!
  return sum >>> 0
}

const gf2Square = (square: Uint32Array, mat: Uint32Array): void => {
  for (let n = 0; n < 32; n++) square[n] = gf2Times(mat, mat[n]!)
}

/**
 * The CRC-32 of A followed by B from the CRCs of A and B and B's length: zlib's crc32_combine,
 * which Node does not expose. Lets the segments of one part be deflated on different threads.
 */
export const crc32Combine = (crc1: number, crc2: number, len2: number): number => {
  if (len2 <= 0) return crc1 >>> 0
  const even = new Uint32Array(32)
  const odd = new Uint32Array(32)
  odd[0] = 0xedb88320
  for (let n = 1, row = 1; n < 32; n++, row = (row << 1) >>> 0) odd[n] = row
  gf2Square(even, odd)
  gf2Square(odd, even)
  let c = crc1 >>> 0
  let len = len2
  for (;;) {
    gf2Square(even, odd)
    if (len % 2 === 1) c = gf2Times(even, c)
    len = Math.floor(len / 2)
    if (len === 0) break
    gf2Square(odd, even)
    if (len % 2 === 1) c = gf2Times(odd, c)
    len = Math.floor(len / 2)
    if (len === 0) break
  }
  return (c ^ crc2) >>> 0
}

/** Entry sizes stay under 4 GiB: we write no ZIP64 records (a sheet is capped at 1,048,576 rows anyway). */
const MAX_32 = 0xffff_ffff

/** MS-DOS date and time fields for a Date (local fields of the given UTC instant, 2-second precision). */
const dosDateTime = (d: Date): { date: number; time: number } => ({
  date: (((d.getUTCFullYear() - 1980) & 0x7f) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2),
})

interface Written {
  readonly name: Buffer
  readonly crc: number
  readonly compressed: number
  readonly size: number
  readonly offset: number
  readonly descriptor: boolean
}

/** Sequential file output that honours back-pressure and counts bytes. */
class Out {
  offset = 0
  constructor(readonly stream: fs.WriteStream) {}
  async write(b: Uint8Array): Promise<void> {
    this.offset += b.length
    if (!this.stream.write(b)) await once(this.stream, "drain")
  }
}

const localHeader = (name: Buffer, dt: { date: number; time: number }, crc: number, csize: number, usize: number, descriptor: boolean): Buffer => {
  const h = Buffer.alloc(30)
  h.writeUInt32LE(0x04034b50, 0)
  h.writeUInt16LE(20, 4) // version needed: 2.0 (deflate)
  h.writeUInt16LE((descriptor ? 0x0008 : 0) | 0x0800, 6) // bit 3: sizes follow the data; bit 11: UTF-8 names
  h.writeUInt16LE(8, 8) // deflate
  h.writeUInt16LE(dt.time, 10)
  h.writeUInt16LE(dt.date, 12)
  h.writeUInt32LE(crc >>> 0, 14)
  h.writeUInt32LE(csize, 18)
  h.writeUInt32LE(usize, 22)
  h.writeUInt16LE(name.length, 26)
  h.writeUInt16LE(0, 28)
  return Buffer.concat([h, name])
}

/**
 * Writes `entries` in the given order to `file`, every entry dated `date`. Resolves with the byte
 * count, or with an error message for an entry too large for a plain (non-ZIP64) archive.
 */
export const writeZip = async (file: string, entries: ReadonlyArray<ZipEntry>, date: Date, level: number): Promise<{ bytes: number } | { error: string }> => {
  const dt = dosDateTime(date)
  const stream = fs.createWriteStream(file)
  const out = new Out(stream)
  const written: Array<Written> = []
  let error: string | undefined
  try {
    for (const entry of entries) {
      const name = Buffer.from(entry.name, "utf8")
      const offset = out.offset
      if ("data" in entry) {
        const raw = typeof entry.data === "string" ? Buffer.from(entry.data, "utf8") : entry.data
        const deflated = zlib.deflateRawSync(raw, { level })
        const crc = zlib.crc32(raw)
        await out.write(localHeader(name, dt, crc, deflated.length, raw.length, false))
        await out.write(deflated)
        written.push({ name, crc, compressed: deflated.length, size: raw.length, offset, descriptor: false })
        continue
      }
      await out.write(localHeader(name, dt, 0, 0, 0, true))
      let crc: number, size: number, compressed: number
      if ("deflated" in entry) {
        crc = 0
        size = 0
        compressed = 0
        for await (const piece of entry.deflated()) {
          for (const b of piece.data) await out.write(b)
          crc = crc32Combine(crc, piece.crc, piece.size)
          size += piece.size
          compressed += piece.data.reduce((a, b) => a + b.length, 0)
        }
      } else ({ crc, size, compressed } = await deflateChunks(entry.chunks(), level, (b) => out.write(b)))
      if (size > MAX_32 || compressed > MAX_32) {
        error = `part ${entry.name} is ${size} bytes, over the 4 GiB a plain zip entry can hold`
        break
      }
      const d = Buffer.alloc(16)
      d.writeUInt32LE(0x08074b50, 0)
      d.writeUInt32LE(crc >>> 0, 4)
      d.writeUInt32LE(compressed, 8)
      d.writeUInt32LE(size, 12)
      await out.write(d)
      written.push({ name, crc, compressed, size, offset, descriptor: true })
    }
    if (error === undefined) {
      const cdStart = out.offset
      for (const w of written) {
        const c = Buffer.alloc(46)
        c.writeUInt32LE(0x02014b50, 0)
        c.writeUInt16LE(20, 4) // made by: MS-DOS, 2.0 (no Unix permissions, so no umask in the bytes)
        c.writeUInt16LE(20, 6)
        c.writeUInt16LE((w.descriptor ? 0x0008 : 0) | 0x0800, 8)
        c.writeUInt16LE(8, 10)
        c.writeUInt16LE(dt.time, 12)
        c.writeUInt16LE(dt.date, 14)
        c.writeUInt32LE(w.crc >>> 0, 16)
        c.writeUInt32LE(w.compressed, 20)
        c.writeUInt32LE(w.size, 24)
        c.writeUInt16LE(w.name.length, 28)
        c.writeUInt32LE(w.offset, 42)
        await out.write(Buffer.concat([c, w.name]))
      }
      const cdSize = out.offset - cdStart
      if (cdStart > MAX_32) error = "the workbook is over 4 GiB, more than a plain zip can address"
      else {
        const e = Buffer.alloc(22)
        e.writeUInt32LE(0x06054b50, 0)
        e.writeUInt16LE(written.length, 8)
        e.writeUInt16LE(written.length, 10)
        e.writeUInt32LE(cdSize, 12)
        e.writeUInt32LE(cdStart, 16)
        await out.write(e)
      }
    }
  } finally {
    stream.end()
    await once(stream, "close")
  }
  return error === undefined ? { bytes: out.offset } : { error }
}
