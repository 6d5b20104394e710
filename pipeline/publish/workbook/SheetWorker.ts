/**
 * A worker thread writing one big table sheet's part (see Render): it gets the rows as columns,
 * writes the part's XML and deflates it, and hands back the compressed bytes (transferred, not
 * copied) with what the rows gave (hyperlinks, row count). The main thread meanwhile writes the
 * rest of the workbook and the data bundle.
 */
import { parentPort } from "node:worker_threads"
import * as Columns from "./Columns.js"
import * as SheetXml from "./SheetXml.js"
import { deflateChunks } from "./zip.js"

/** What the worker is sent: the part with its rows as columns, and the zlib level. */
export interface SheetJob {
  readonly part: Omit<SheetXml.SheetPart, "rows">
  readonly rows: Columns.EncodedRows
  readonly level: number
}

/** The worker's one reply. */
export type SheetReply =
  | {
      readonly _tag: "done"
      /** The deflated part, in one buffer of its own (transferred). */
      readonly data: Uint8Array
      readonly crc: number
      readonly size: number
      readonly links: ReadonlyArray<string>
      readonly rels: ReadonlyArray<SheetXml.LinkRel>
      readonly rows: number
    }
  | { readonly _tag: "failed"; readonly message: string }

const port = parentPort!

const write = async (job: SheetJob): Promise<SheetReply> => {
  const state = SheetXml.newState()
  const out: Array<Buffer> = []
  let total = 0
  const { crc, size } = await deflateChunks(SheetXml.partChunks({ ...job.part, rows: Columns.decode(job.rows) }, state), job.level, (b) => {
    out.push(b)
    total += b.length
  })
  // One buffer owned by nobody else (zlib's output buffers may share memory), so it can be transferred.
  const data = new Uint8Array(total)
  let at = 0
  for (const b of out) {
    data.set(b, at)
    at += b.length
  }
  return { _tag: "done", data, crc, size, links: state.links, rels: state.rels, rows: state.rows }
}

port.once("message", (job: SheetJob) => {
  write(job).then(
    (reply) => port.postMessage(reply, reply._tag === "done" ? [reply.data.buffer as ArrayBuffer] : []),
    (e: unknown) => port.postMessage({ _tag: "failed", message: e instanceof Error ? e.message : String(e) } satisfies SheetReply),
  )
})
