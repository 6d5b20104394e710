import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { spawn } from "node:child_process"
import { once } from "node:events"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { RunStore } from "../../pipeline/engine/RunStore.js"
import * as RunStoreModule from "../../pipeline/engine/RunStore.js"

/** Starts a real process that takes the writer lock, and returns it with its run id. */
const holdRun = async (store: string) => {
  const child = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "fixtures/hold-run.ts"), store], { stdio: ["ignore", "pipe", "inherit"] })
  const [chunk] = (await once(child.stdout!, "data")) as [Buffer]
  return { child, runId: chunk.toString().trim() }
}

describe("a run killed with kill -9", () => {
  it.live("is marked interrupted on the next start and its lock is released", () =>
    Effect.gen(function* () {
      const store = join(mkdtempSync(join(tmpdir(), "iiot-kill-")), "runs.sqlite")
      const { child, runId } = yield* Effect.promise(() => holdRun(store))
      const before = yield* Effect.flatMap(RunStore, (s) => s.lockHolder).pipe(Effect.provide(RunStoreModule.layer(store)))
      expect(Option.getOrThrow(before).runId).toBe(runId)
      child.kill("SIGKILL")
      yield* Effect.promise(() => once(child, "exit"))
      const after = yield* Effect.gen(function* () {
        const s = yield* RunStore
        const recovered = yield* s.recoverInterrupted
        return { recovered, row: yield* s.run(runId), lock: yield* s.lockHolder }
      }).pipe(Effect.provide(RunStoreModule.layer(store)))
      expect(after.recovered).toEqual([runId])
      expect(Option.getOrThrow(after.row).status).toBe("interrupted")
      expect(Option.getOrThrow(after.row).finishedAt).not.toBeNull()
      expect(Option.isNone(after.lock)).toBe(true)
    }),
  )
})
