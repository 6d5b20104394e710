/** Runs the real domain graph in-process on a copy of the bundled sources (real SQLite, real files). */
import { Effect } from "effect"
import { cpSync, mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import * as Graph from "../../pipeline/assets/graph.js"
import * as Layers from "../../pipeline/cli/layers.js"
import * as Runner from "../../pipeline/engine/Runner.js"

export const repo = resolve(import.meta.dirname, "../..")

/** A temp folder holding `sources/` (a copy of the bundled one). */
export const workspace = (): string => {
  const dir = mkdtempSync(join(tmpdir(), "iiot-assets-"))
  cpSync(join(repo, "sources"), join(dir, "sources"), { recursive: true })
  return dir
}

/** `iiot refresh` in-process: returns the run summary; outputs under `<dir>/outputs`. */
export const refresh = (dir: string, options: { readonly force?: boolean; readonly select?: string } = {}) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const { defs } = yield* Graph.build(join(dir, "sources"))
      return yield* Runner.refresh(defs, {
        command: "test refresh",
        select: options.select,
        force: options.force ?? false,
        out: join(dir, "outputs/latest"),
        concurrency: 2,
        lockWait: "5 seconds",
      }).pipe(Effect.provide(Layers.pipeline({ sources: join(dir, "sources"), store: join(dir, "outputs/.iiot/runs.sqlite") })))
    }),
  )
