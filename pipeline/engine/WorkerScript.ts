/**
 * Where a worker thread's script is: each worker is its own entry of the esbuild bundle
 * (`dist/<name>.js`, see scripts/build.mjs), because a worker cannot load TypeScript sources
 * without the loader the tests and benches run under.
 */
import { existsSync, readdirSync, statSync } from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { Worker } from "node:worker_threads"

/**
 * The built script `name`: beside the running bundle (dist/), or dist/ seen from the sources.
 * From the sources (tests, bench) it is the last build, so it is not used when any module under
 * `sourceDirs` (folders of pipeline/, e.g. "ingest") changed since: it would run old code.
 * Undefined: no usable script; the caller does the work on its own thread.
 */
export const builtWorker = (name: string, sourceDirs: ReadonlyArray<string>): URL | undefined => {
  const bundled = new URL(`./${name}.js`, import.meta.url)
  if (bundled.protocol === "file:" && existsSync(fileURLToPath(bundled))) return bundled
  const built = new URL(`../../dist/${name}.js`, import.meta.url)
  return built.protocol === "file:" && existsSync(fileURLToPath(built)) && !olderThanSources(fileURLToPath(built), sourceDirs) ? built : undefined
}

const olderThanSources = (script: string, sourceDirs: ReadonlyArray<string>): boolean => {
  const built = statSync(script).mtimeMs
  const pipeline = fileURLToPath(new URL("..", import.meta.url))
  return sourceDirs.some((dir) => readdirSync(path.join(pipeline, dir)).some((f) => f.endsWith(".ts") && statSync(path.join(pipeline, dir, f)).mtimeMs > built))
}

// No inherited flags: a loader such as tsx (tests, bench) would load itself again in the worker.
const start = (script: URL): Worker => new Worker(script, { execArgv: [] })

/** Workers started ahead of need (`prestart`), by script, until an ask takes one. */
const parked = new Map<string, Array<Worker>>()

/**
 * Starts `count` workers of `script` now and parks them until asks for that script take them, so
 * their script loads while this thread does other work: a fresh ingest worker spends ~330 ms
 * loading its bundle (a clean worker ~130 ms), about how late it finished its share of the
 * 1M-row list against this thread. A parked worker does not keep the process alive, and one that
 * fails or ends while parked is dropped. Returns the started workers' thread ids (tests).
 */
export const prestart = (script: URL, count: number): Array<number> => {
  const list = parked.get(script.href) ?? []
  parked.set(script.href, list)
  const ids: Array<number> = []
  for (let i = 0; i < count; i++) {
    let worker: Worker
    try {
      worker = start(script)
    } catch {
      break
    }
    ids.push(worker.threadId)
    worker.unref()
    const drop = () => {
      const at = list.indexOf(worker)
      if (at >= 0) list.splice(at, 1)
    }
    worker.once("error", drop)
    worker.once("exit", drop)
    list.push(worker)
  }
  return ids
}

/** A parked worker of `script` (see `prestart`), or a new one. */
const takeOrStart = (script: URL): Worker => {
  const worker = parked.get(script.href)?.shift()
  if (worker === undefined) return start(script)
  // The asker's own listeners replace the parking ones, in this same tick.
  worker.removeAllListeners("error")
  worker.removeAllListeners("exit")
  worker.ref()
  return worker
}

/** How a job is asked (`askWorker`, `WorkerLane.ask`); all optional. */
export interface AskOptions<Reply> {
  /** Ends the worker (the answer is then undefined). */
  readonly signal?: AbortSignal
  /**
   * Reads each message: `{ reply }` ends the job with that reply (undefined: the job failed),
   * undefined waits for the next message (a worker that sends its result in pieces). Default:
   * the first message is the reply.
   */
  readonly collect?: (message: any) => { readonly reply: Reply | undefined } | undefined
  /** Buffers the message hands over to the worker instead of copying (unusable here once sent). */
  readonly transfer?: ReadonlyArray<ArrayBuffer>
}

/**
 * A small worker script given as its source text (an ES module that needs no build step), for
 * `askWorker`: e.g. the thread that hashes a big source or writes a big stored value.
 */
export const inlineScript = (source: string): URL => new URL(`data:text/javascript,${encodeURIComponent(source)}`)

/**
 * Runs `script` in a worker thread for one job: sends it `message`, and gives its reply, or
 * undefined when it cannot start, fails, exits first or is stopped. The worker is ended once the
 * job is over: a lane of one job (ingest ranges, the parts of the registry firms and the lists).
 */
export const askWorker = <Reply>(script: URL, message: unknown, options: AskOptions<Reply> = {}): Promise<Reply | undefined> => {
  const lane = new WorkerLane<Reply>(script)
  return lane.ask(message, options).then((reply) => {
    void lane.end()
    return reply
  })
}

/**
 * One worker thread asked one job after another, so a run of jobs pays for one thread start, not
 * one each (~50–100 ms and a fresh heap): workbook segments, or one job (`askWorker`). The worker
 * script must answer every message it gets, in order. After a failure (the worker errs or exits,
 * is ended from outside through `running` or by a job's signal, or a message cannot be sent)
 * every ask gives undefined at once, and the caller does the job itself.
 */
export class WorkerLane<Reply> {
  private worker: Worker | undefined
  private broken = false
  constructor(
    private readonly script: URL,
    /** Holds the worker while it lives, so a caller can stop it early. */
    private readonly running?: Set<Worker>,
  ) {}

  ask(message: unknown, options: AskOptions<Reply> = {}): Promise<Reply | undefined> {
    if (this.broken) return Promise.resolve(undefined)
    const { signal, collect = (m: unknown) => ({ reply: m as Reply }), transfer = [] } = options
    return new Promise((resolve) => {
      let worker: Worker | undefined
      try {
        if (this.worker === undefined) {
          const started = takeOrStart(this.script)
          this.worker = started
          this.running?.add(started)
          // Between asks too: a worker that errs or exits while idle breaks the lane (and an
          // error with no listener would be thrown at the process).
          started.on("error", () => void this.end())
          started.once("exit", () => void this.end())
        }
        worker = this.worker
        worker.postMessage(message, transfer)
      } catch {
        // Could not start, or the message could not be sent (e.g. a value that cannot be cloned).
        void this.end()
        resolve(undefined)
        return
      }
      const started = worker
      const finish = (reply: Reply | undefined, failed: boolean) => {
        started.off("message", onMessage)
        started.off("error", onFailure)
        started.off("exit", onFailure)
        signal?.removeEventListener("abort", onFailure)
        if (failed) void this.end()
        resolve(reply)
      }
      const onMessage = (m: unknown) => {
        const done = collect(m)
        if (done !== undefined) finish(done.reply, false)
      }
      const onFailure = () => finish(undefined, true)
      if (signal?.aborted === true) return onFailure()
      signal?.addEventListener("abort", onFailure)
      started.on("message", onMessage)
      started.once("error", onFailure)
      started.once("exit", onFailure)
    })
  }

  /** Ends the worker (if one was started); later asks give undefined. */
  end(): Promise<void> {
    this.broken = true
    const w = this.worker
    this.worker = undefined
    if (w === undefined) return Promise.resolve()
    this.running?.delete(w)
    return w.terminate().then(() => undefined)
  }
}
