import { describe, expect, it } from "vitest"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import type { Worker } from "node:worker_threads"
import { WorkerLane } from "../../pipeline/engine/WorkerScript.js"

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
})
