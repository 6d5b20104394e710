import { describe, expect, it } from "vitest"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import type { Worker } from "node:worker_threads"
import { askWorker, prestart, WorkerLane } from "../../pipeline/engine/WorkerScript.js"

/** A worker script in a temp folder: answers each number with its double and its thread id; exits after `exitAfter`. */
const script = (exitAfter?: number): URL => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "lane-")), "w.mjs")
  fs.writeFileSync(
    file,
    `import { parentPort, threadId } from "node:worker_threads"
parentPort.on("message", (n) => {
  parentPort.postMessage({ double: n * 2, threadId })
  if (n === ${exitAfter ?? "undefined"}) process.exit(0)
})
`,
  )
  return pathToFileURL(file)
}

describe("WorkerLane", () => {
  it("asks one worker thread job after job, and ends it", async () => {
    const running = new Set<Worker>()
    const lane = new WorkerLane<{ double: number; threadId: number }>(script(), running)
    const replies = [await lane.ask(1), await lane.ask(2), await lane.ask(3)]
    expect(replies.map((r) => r?.double)).toEqual([2, 4, 6])
    expect(new Set(replies.map((r) => r?.threadId)).size).toBe(1)
    expect(running.size).toBe(1)
    await lane.end()
    expect(running.size).toBe(0)
    expect(await lane.ask(4)).toBeUndefined()
  })

  it("gives undefined, not a hang, once its worker exits between jobs", async () => {
    const lane = new WorkerLane<{ double: number }>(script(1))
    expect((await lane.ask(1))?.double).toBe(2)
    // The worker exited right after answering: this ask finds it gone, whenever the exit is seen.
    expect(await lane.ask(2)).toBeUndefined()
    expect(await lane.ask(3)).toBeUndefined()
  })

  it("gives undefined once its worker is ended from outside while idle", async () => {
    const running = new Set<Worker>()
    const lane = new WorkerLane<{ double: number }>(script(), running)
    expect((await lane.ask(1))?.double).toBe(2)
    await Promise.all([...running].map((w) => w.terminate()))
    expect(await lane.ask(2)).toBeUndefined()
  })

  it("gives undefined for a script that cannot start", async () => {
    const bad = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "lane-")), "bad.mjs")
    fs.writeFileSync(bad, "throw new Error('no')\n")
    const lane = new WorkerLane(pathToFileURL(bad))
    expect(await lane.ask(1)).toBeUndefined()
  })

  it("takes a worker started ahead (prestart) for the next asks of its script, then starts new ones", async () => {
    const s = script()
    const ids = prestart(s, 2)
    expect(ids).toHaveLength(2)
    const replies = [await askWorker<{ threadId: number }>(s, 1), await askWorker<{ threadId: number }>(s, 2), await askWorker<{ threadId: number }>(s, 3)]
    expect(replies.slice(0, 2).map((r) => r?.threadId)).toEqual(ids)
    expect(ids).not.toContain(replies[2]?.threadId)
    // Another script's asks never take them.
    const other = prestart(script(), 1)
    expect((await askWorker<{ threadId: number }>(script(), 4))?.threadId).not.toBe(other[0])
  })

  it("drops a parked worker that ends before it is asked", async () => {
    // A script that ends by itself 100 ms after it starts unless asked first.
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "lane-")), "w.mjs")
    fs.writeFileSync(
      file,
      `import { parentPort, threadId } from "node:worker_threads"
const timer = setTimeout(() => process.exit(0), 100)
parentPort.on("message", (n) => {
  clearTimeout(timer)
  parentPort.postMessage({ double: n * 2, threadId })
})
`,
    )
    const s = pathToFileURL(file)
    const [id] = prestart(s, 1)
    await new Promise((r) => setTimeout(r, 400))
    const reply = await askWorker<{ double: number; threadId: number }>(s, 2)
    expect(reply?.double).toBe(4)
    expect(reply?.threadId).not.toBe(id)
  })
})
