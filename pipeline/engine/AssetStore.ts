/**
 * AssetStore: materialised values on disk, one folder per (asset key, fingerprint), so later
 * runs and `iiot brief` reuse them without recomputing. Every write goes to a temporary
 * folder first and is renamed into place: a killed process never leaves a half-written value.
 */
import { Context, Effect, Layer, Option } from "effect"
import { randomBytes } from "node:crypto"
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import type { EngineFinding } from "./AssetSpec.js"
import { AssetStoreError } from "./errors.js"
import * as ValueCodec from "./ValueCodec.js"

export interface AssetStore {
  readonly root: string
  /**
   * Whether a materialisation is stored: its value, or, when `unkept` (the asset is `persist:
   * false` now), the marker of a value deliberately not kept. A marker alone does not count for an
   * asset that keeps its value again: its value must be recomputed.
   */
  readonly has: (key: string, fingerprint: string, unkept?: boolean) => Effect.Effect<boolean>
  readonly get: (key: string, fingerprint: string) => Effect.Effect<Option.Option<unknown>, AssetStoreError>
  /** A fresh folder an attempt writes its output files into. */
  readonly stage: (key: string) => Effect.Effect<string, AssetStoreError>
  /**
   * Stores the value, its small metadata and the files staged in `staged`, atomically. With
   * `keepValue: false` only the metadata and files are kept (a `persist: false` asset):
   * `has(key, fingerprint, true)` is then true and `get` finds nothing.
   */
  readonly put: (key: string, fingerprint: string, value: unknown, meta: StoredMeta, staged: string, keepValue?: boolean) => Effect.Effect<void, AssetStoreError>
  /** The metadata stored beside a value (rows, findings, files), without loading the value. */
  readonly meta: (key: string, fingerprint: string) => Effect.Effect<Option.Option<StoredMeta>>
  /** Folder holding the output files of a stored value. */
  readonly filesDir: (key: string, fingerprint: string) => string
  /** Removes stored values whose (key, fingerprint) is not in `keep`; returns how many. */
  readonly prune: (keep: ReadonlySet<string>) => Effect.Effect<number>
}

/** What is kept beside a value so a skipped asset still reports its rows, findings and files. */
export interface StoredMeta {
  readonly rows: number | null
  readonly findings: ReadonlyArray<EngineFinding>
  readonly files: ReadonlyArray<string>
}

export const AssetStore = Context.GenericTag<AssetStore>("iiot/AssetStore")

// Keys are path-like (`wef/lighthouses`); one folder level per segment keeps them greppable.
const keyDir = (root: string, key: string) => join(root, ...key.split("/"))

/** The file holding a stored value (see ValueCodec; values from before it, `value.v8`, are simply not found and get recomputed). */
export const VALUE_FILE = "value.bin"

/** Marks a materialisation whose value was deliberately not kept (`persist: false`). */
export const UNKEPT_FILE = "value.unkept"

/** Values stored before ValueCodec; never read, only pruned. */
const OLD_VALUE_FILE = "value.v8"

/** A folder holding one materialisation (for pruning): a value, a not-kept marker, or an old-format value. */
const isStoredFolder = (dir: string) => [VALUE_FILE, UNKEPT_FILE, OLD_VALUE_FILE].some((f) => existsSync(join(dir, f)))

/** Values stored by ValueCodec: V8's structured clone, tables column by column. */
export const make = (root: string): AssetStore => {
  const dir = (key: string, fp: string) => join(keyDir(root, key), fp)
  return {
    root,
    has: (key, fp, unkept = false) => Effect.sync(() => existsSync(join(dir(key, fp), VALUE_FILE)) || (unkept && existsSync(join(dir(key, fp), UNKEPT_FILE)))),
    get: (key, fp) =>
      Effect.try({
        try: () => {
          const file = join(dir(key, fp), VALUE_FILE)
          return existsSync(file) ? Option.some(ValueCodec.readValue(file)) : Option.none()
        },
        catch: (e) => new AssetStoreError({ reason: "read", key, message: `cannot read stored value of \`${key}\`: ${String(e)}` }),
      }),
    stage: (key) =>
      Effect.try({
        try: () => {
          const staged = join(root, ".staging", `${key.replace(/\//g, "__")}-${randomBytes(6).toString("hex")}`)
          mkdirSync(join(staged, "files"), { recursive: true })
          return staged
        },
        catch: (e) => new AssetStoreError({ reason: "write", key, message: `cannot create a staging folder: ${String(e)}` }),
      }).pipe(Effect.map((staged) => join(staged, "files"))),
    put: (key, fp, value, meta, stagedFiles, keepValue = true) =>
      Effect.tryPromise({
        try: async (signal) => {
          const staged = join(stagedFiles, "..")
          if (keepValue) await ValueCodec.writeBuffers(join(staged, VALUE_FILE), ValueCodec.encodeToBuffers(value))
          else writeFileSync(join(staged, UNKEPT_FILE), "not kept: the asset is persist: false and is recomputed when needed\n")
          // Given up while the value was being written (the run ended early): left staged, for prune.
          if (signal.aborted) return
          writeFileSync(join(staged, "meta.json"), JSON.stringify(meta))
          const target = dir(key, fp)
          mkdirSync(keyDir(root, key), { recursive: true })
          // Same fingerprint, same inputs and code: an existing folder already holds this value.
          if (existsSync(target)) rmSync(target, { recursive: true, force: true })
          renameSync(staged, target)
        },
        catch: (e) => new AssetStoreError({ reason: "write", key, message: `cannot store the value of \`${key}\`: ${String(e)}` }),
      }),
    meta: (key, fp) =>
      Effect.sync(() => {
        const file = join(dir(key, fp), "meta.json")
        try {
          return Option.some(JSON.parse(readFileSync(file, "utf8")) as StoredMeta)
        } catch {
          return Option.none()
        }
      }),
    filesDir: (key, fp) => join(dir(key, fp), "files"),
    prune: (keep) =>
      Effect.sync(() => {
        let removed = 0
        const walk = (folder: string, prefix: Array<string>) => {
          if (!existsSync(folder)) return
          for (const entry of readdirSync(folder, { withFileTypes: true })) {
            if (!entry.isDirectory() || entry.name === ".staging") continue
            const full = join(folder, entry.name)
            if (isStoredFolder(full)) {
              if (!keep.has(`${prefix.join("/")}@${entry.name}`)) {
                rmSync(full, { recursive: true, force: true })
                removed++
              }
            } else walk(full, [...prefix, entry.name])
          }
        }
        walk(root, [])
        rmSync(join(root, ".staging"), { recursive: true, force: true })
        return removed
      }),
  }
}

export const layer = (root: string): Layer.Layer<AssetStore> => Layer.sync(AssetStore, () => make(root))
