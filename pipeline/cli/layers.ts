/** Every layer the CLI needs, composed in one place from the command's options. */
import { Layer } from "effect"
import { existsSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import * as AssetStore from "../engine/AssetStore.js"
import * as RunStore from "../engine/RunStore.js"
import * as Fetch from "../ingest/Fetch.js"
import * as Workspace from "../assets/Workspace.js"

export interface Paths {
  readonly sources: string
  readonly store: string
}

/** Asset values and download snapshots live beside the run store (`<store dir>/assets`, `/snapshots`). */
export const storeLayers = (store: string) => {
  const dir = dirname(resolve(store))
  return Layer.mergeAll(RunStore.layer(store), AssetStore.layer(join(dir, "assets")))
}

/** The installed package's root (where `templates/` ships), found from this module's location. */
export const packageRoot = (): string => {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir) dir = dirname(dir)
  return dir
}

/** Where downloads are kept: `snapshots/` beside the run store. */
export const snapshotsDirOf = (store: string): string => join(dirname(resolve(store)), "snapshots")

/** Layers for commands that run the graph. */
export const pipeline = (paths: Paths) =>
  Layer.mergeAll(
    storeLayers(paths.store),
    Workspace.layer({
      sourcesDir: resolve(paths.sources),
      snapshotsDir: snapshotsDirOf(paths.store),
      templatesDir: join(packageRoot(), "templates"),
    }),
    Fetch.layerNode,
  )
