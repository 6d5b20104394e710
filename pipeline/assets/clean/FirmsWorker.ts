/**
 * A worker thread normalising one share of the registry firms (see `reference/firms`): it gets
 * some blocks of raw rows (copied), and hands back its part as joined text and typed arrays
 * (transferred, not copied).
 */
import { parentPort } from "node:worker_threads"
import * as Firms from "./firms.js"

/** What the worker is sent. */
export interface FirmsJob {
  readonly slices: ReadonlyArray<Firms.Slice>
}

/** The worker's one reply. */
export type FirmsReply = { readonly _tag: "done"; readonly part: Firms.Part } | { readonly _tag: "failed"; readonly message: string }

const port = parentPort!

port.once("message", (job: FirmsJob) => {
  try {
    const part = Firms.normaliseSlices(job.slices, true)
    port.postMessage({ _tag: "done", part } satisfies FirmsReply, Firms.buffersOf(part))
  } catch (e) {
    port.postMessage({ _tag: "failed", message: e instanceof Error ? e.message : String(e) } satisfies FirmsReply)
  }
})
