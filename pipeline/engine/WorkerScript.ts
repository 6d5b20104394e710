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

/** How `askWorker` runs a job; all optional. */
export interface AskOptions<Reply> {
  /** Ends the worker (the answer is then undefined). */
  readonly signal?: AbortSignal
  /**
   * Reads each message: `{ reply }` ends the job with that reply (undefined: the job failed),
   * undefined waits for the next message (a worker that sends its result in pieces). Default:
   * the first message is the reply.
   */
  readonly collect?: (message: any) => { readonly reply: Reply | undefined } | undefined
}

/**
 * Runs `script` in a worker thread for one job: sends it `message`, and gives its reply, or
 * undefined when it cannot start, fails, exits first or is stopped. The worker is ended once the
 * job is over. Worker threads are started only here: one job each (this: ingest ranges, the
 * parts of the registry firms and the lists) or a run of jobs on one thread (`WorkerLane`:
 * workbook segments, which Render may also end early through the lane's `running` set).
 */
export const askWorker = <Reply>(script: URL, message: unknown, options: AskOptions<Reply> = {}): Promise<Reply | undefined> =>
  new Promise((resolve) => {
    const { signal, collect = (m: unknown) => ({ reply: m as Reply }) } = options
    let worker: Worker | undefined
    try {
      worker = start(script)
      worker.postMessage(message)
    } catch {
      // Could not start, or the message could not be sent (e.g. a value that cannot be cloned): end it.
      if (worker !== undefined) void worker.terminate()
      resolve(undefined)
      return
    }
    const started = worker
    let settled = false
    const settle = (reply: Reply | undefined) => {
      if (settled) return
      settled = true
      signal?.removeEventListener("abort", stop)
      void started.terminate()
      resolve(reply)
    }
    const stop = () => settle(undefined)
    if (signal?.aborted === true) return stop()
    signal?.addEventListener("abort", stop)
    started.on("message", (m: unknown) => {
      const done = collect(m)
      if (done !== undefined) settle(done.reply)
    })
    started.once("error", stop)
    started.once("exit", stop)
  })

/**
 * One worker thread asked one job after another (a message each; the first message back is its
 * reply), so a run of jobs pays for one thread start, not one each (~50–100 ms and a fresh heap).
 * The worker script must answer every message it gets, in order. After a failure (the worker
 * errs or exits, is ended from outside through `running`, or a message cannot be sent) every
 * ask gives undefined at once, and the caller does the job itself.
 */
export class WorkerLane<Reply> {
  private worker: Worker | undefined
  private broken = false
  constructor(
    private readonly script: URL,
    /** Holds the worker while it lives, so a caller can stop it early. */
    private readonly running?: Set<Worker>,
  ) {}

  ask(message: unknown): Promise<Reply | undefined> {
    if (this.broken) return Promise.resolve(undefined)
    return new Promise((resolve) => {
      let worker: Worker | undefined
      try {
        if (this.worker === undefined) {
          const started = start(this.script)
          this.worker = started
          this.running?.add(started)
          // Between asks too: a worker that errs or exits while idle breaks the lane (and an
          // error with no listener would be thrown at the process).
          started.on("error", () => void this.end())
          started.once("exit", () => void this.end())
        }
        worker = this.worker
        worker.postMessage(message)
      } catch {
        void this.end()
        resolve(undefined)
        return
      }
      const started = worker
      const onMessage = (m: unknown) => {
        started.off("error", onFailure)
        started.off("exit", onFailure)
        resolve(m as Reply)
      }
      const onFailure = () => {
        started.off("message", onMessage)
        started.off("error", onFailure)
        started.off("exit", onFailure)
        void this.end()
        resolve(undefined)
      }
      started.once("message", onMessage)
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
