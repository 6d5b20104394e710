/**
 * A worker thread writing segments of a big table sheet's part, one after another (see Render):
 * for each it gets the segment's rows as columns, writes their XML and deflates it (ending on a sync flush, so the
 * segments join into one stream), and hands back the compressed bytes (transferred, not copied)
 * with the hyperlink cells and the row count. Other segments go to other threads meanwhile.
 */
import { parentPort } from "node:worker_threads"
import * as Columns from "./Columns.js"
import * as SheetXml from "./SheetXml.js"

/** What the worker is sent: the part (without rows), the segment's rows as columns, where they start, and the zlib level. */
export interface SheetJob {
  readonly part: Omit<SheetXml.SheetPart, "rows">
  readonly rows: Columns.EncodedRows
  /** The segment's first data row (0-based). */
  readonly first: number
  readonly level: number
}

/** The worker's one reply. */
export type SheetReply =
  | {
      readonly _tag: "done"
      /** The deflated segment, in one buffer of its own (transferred). */
      readonly data: Uint8Array
      readonly crc: number
      readonly size: number
      readonly found: ReadonlyArray<SheetXml.LinkFound>
      readonly rows: number
    }
  | { readonly _tag: "failed"; readonly message: string }

const port = parentPort!
const failed = (e: unknown) => port.postMessage({ _tag: "failed", message: e instanceof Error ? e.message : String(e) } satisfies SheetReply)

// One job after another (WorkerLane): each gets exactly one reply.
port.on("message", (job: SheetJob) => {
  SheetXml.writeSegment(job.part, job.rows, job.first, job.level).then(({ deflated, found, rows }) => {
    // One buffer owned by nobody else (zlib's output buffers may share memory), so it can be transferred.
    const data = new Uint8Array(deflated.data.reduce((a, b) => a + b.length, 0))
    let at = 0
    for (const b of deflated.data) {
      data.set(b, at)
      at += b.length
    }
    port.postMessage({ _tag: "done", data, crc: deflated.crc, size: deflated.size, found, rows } satisfies SheetReply, [data.buffer as ArrayBuffer])
  }, failed)
})
