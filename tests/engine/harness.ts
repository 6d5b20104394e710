/** Shared set-up for engine tests: a temp folder with a real SQLite run store and asset store. */
import { Layer } from "effect"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as AssetStore from "../../pipeline/engine/AssetStore.js"
import * as RunStore from "../../pipeline/engine/RunStore.js"
import type * as Runner from "../../pipeline/engine/Runner.js"

export interface Sandbox {
  readonly dir: string
  readonly store: string
  readonly out: string
  readonly layer: Layer.Layer<RunStore.RunStore | AssetStore.AssetStore>
}

/** A fresh folder with `runs.sqlite`, an asset store beside it and `latest` as the publication. */
export const sandbox = (): Sandbox => {
  const dir = mkdtempSync(join(tmpdir(), "iiot-engine-"))
  const store = join(dir, ".iiot", "runs.sqlite")
  return {
    dir,
    store,
    out: join(dir, "latest"),
    layer: Layer.merge(RunStore.layer(store), AssetStore.layer(join(dir, ".iiot", "assets"))),
  }
}

export const baseOptions = (sb: Sandbox): Runner.RefreshOptions => ({ command: "test", force: false, out: sb.out, concurrency: 4, lockWait: "0 millis" })
