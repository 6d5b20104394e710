/**
 * A worker thread normalising one share of a big raw table into columns (parts.ts): the registry
 * firms (`reference/firms`) or a large MIIT list (`miit/lists`). It gets some blocks of raw rows
 * (copied), and hands back its share in pieces, each as joined text and typed arrays (transferred,
 * not copied), so the main thread cuts up one while this thread normalises the next.
 */
import { parentPort } from "node:worker_threads"
import * as Firms from "./firms.js"
import * as Lists from "./lists.js"
import { buffersOf, type Part, type PartJob, type PartKind, type PartReply, shares, type Slice } from "./parts.js"

const normalisers: Record<PartKind, (slices: ReadonlyArray<Slice>, joined: boolean) => Part> = {
  firms: Firms.normaliseSlices,
  list: Lists.normaliseSlices,
}

const port = parentPort!

port.once("message", (job: PartJob) => {
  try {
    for (const piece of shares(job.slices, job.pieces)) {
      const part = normalisers[job.kind](piece, true)
      port.postMessage({ _tag: "piece", part } satisfies PartReply, buffersOf(part))
    }
    port.postMessage({ _tag: "done" } satisfies PartReply)
  } catch (e) {
    port.postMessage({ _tag: "failed", message: e instanceof Error ? e.message : String(e) } satisfies PartReply)
  }
})
