/**
 * Watcher: turns file changes under a folder into ONE trigger per burst, after a quiet period
 * with no further change (a colleague copying ten extracts causes one refresh, not ten).
 * The debounce is a pure Stream transformation on the Effect clock (TestClock drives it); the
 * file-system adapter feeds it from `fs.watch` or, where that is unavailable, from polling.
 */
import { Clock, Duration, Effect, Ref, Schema, Stream } from "effect"
import { readdirSync, statSync, watch as fsWatch } from "node:fs"
import { basename, join, relative } from "node:path"

/** One change under the watched folder; `path` is relative to it. */
export interface Change {
  readonly path: string
}

/** A burst of changes that went quiet: one trigger. */
export interface Burst {
  /** The changed paths, each once, in order of first change. */
  readonly paths: ReadonlyArray<string>
  /** When the quiet period ended (the Effect clock), ISO 8601. */
  readonly at: string
}

/** The folder cannot be watched. */
export class WatchError extends Schema.TaggedError<WatchError>()("WatchError", {
  reason: Schema.Literal("missing", "unavailable", "read"),
  path: Schema.String,
  message: Schema.String,
}) {}

/**
 * Editor swap files, backups, temp files, dotfiles and dot-folders (.git) are not extracts: a
 * change there triggers nothing. `~$name.xlsx` is the lock file Excel writes beside an open workbook.
 */
export const isIgnored = (path: string): boolean => {
  const parts = path.split(/[\\/]/).filter((p) => p !== "")
  if (parts.some((p) => p.startsWith("."))) return true
  const name = basename(path)
  return name.startsWith("~$") || name.endsWith("~") || name.endsWith(".tmp") || name.endsWith(".swp")
}

/**
 * One `Burst` per run of changes separated by less than `quietPeriod`: every change restarts the
 * quiet period (Stream.debounce sleeps on the Effect clock); ignored paths neither trigger nor restart it.
 */
export const debounce =
  (quietPeriod: Duration.DurationInput) =>
  <E, R>(changes: Stream.Stream<Change, E, R>): Stream.Stream<Burst, E, R> =>
    Stream.unwrap(
      Effect.map(Ref.make<ReadonlyArray<string>>([]), (seen) =>
        changes.pipe(
          Stream.filter((c) => !isIgnored(c.path)),
          // Stream.debounce keeps only the last change; the burst's paths are collected beside it.
          Stream.tap((c) => Ref.update(seen, (paths) => (paths.includes(c.path) ? paths : [...paths, c.path]))),
          Stream.debounce(quietPeriod),
          Stream.mapEffect(() =>
            Effect.zipWith(Ref.getAndSet(seen, []), Clock.currentTimeMillis, (paths, ms) => ({ paths, at: new Date(ms).toISOString() })),
          ),
        ),
      ),
    )

const errnoOf = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | undefined)?.code

/**
 * Changes reported by `fs.watch(dir, { recursive: true })` (inotify on Linux since Node 20).
 * Written on node:fs rather than @effect/platform's FileSystem.watch, which stats the event's
 * relative name against the working directory and has no fallback when watching is unavailable.
 */
export const nativeChanges = (dir: string): Stream.Stream<Change, WatchError> =>
  Stream.asyncScoped<Change, WatchError>(
    (emit) =>
      Effect.acquireRelease(
        Effect.try({
          try: () => {
            const watcher = fsWatch(dir, { recursive: true }, (_event, name) => {
              if (name !== null && name !== undefined) void emit.single({ path: String(name) })
            })
            watcher.on("error", (e) => void emit.fail(new WatchError({ reason: "unavailable", path: dir, message: `watching ${dir} failed: ${String(e)}` })))
            return watcher
          },
          catch: (e) =>
            errnoOf(e) === "ENOENT"
              ? new WatchError({ reason: "missing", path: dir, message: `cannot watch ${dir}: the folder does not exist` })
              : new WatchError({ reason: "unavailable", path: dir, message: `cannot watch ${dir}: ${String(e)}` }),
        }),
        (watcher) => Effect.sync(() => watcher.close()),
      ),
    "unbounded",
  )

/** Every file under `dir` (dot-folders skipped) with a fingerprint that changes when it is written. */
const snapshot = (dir: string): Effect.Effect<ReadonlyMap<string, string>, WatchError> =>
  Effect.try({
    try: () => {
      const files = new Map<string, string>()
      const walk = (folder: string): void => {
        for (const entry of readdirSync(folder, { withFileTypes: true })) {
          if (entry.name.startsWith(".")) continue
          const full = join(folder, entry.name)
          if (entry.isDirectory()) walk(full)
          else {
            try {
              const st = statSync(full)
              files.set(relative(dir, full), `${st.mtimeMs}:${st.size}`)
            } catch {
              // Deleted between readdir and stat: it shows up as removed on the next look.
            }
          }
        }
      }
      walk(dir)
      return files
    },
    catch: (e) =>
      errnoOf(e) === "ENOENT"
        ? new WatchError({ reason: "missing", path: dir, message: `cannot watch ${dir}: the folder does not exist` })
        : new WatchError({ reason: "read", path: dir, message: `cannot list ${dir}: ${String(e)}` }),
  })

/** Files added, changed or removed between two snapshots. */
const diff = (before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): ReadonlyArray<Change> => [
  ...[...after].filter(([path, sig]) => before.get(path) !== sig).map(([path]) => ({ path })),
  ...[...before.keys()].filter((path) => !after.has(path)).map((path) => ({ path })),
]

/** Changes found by comparing file modification times and sizes every `interval` (the fallback). */
export const polledChanges = (dir: string, interval: Duration.DurationInput = "2 seconds"): Stream.Stream<Change, WatchError> =>
  Stream.unwrap(
    Effect.gen(function* () {
      const previous = yield* Ref.make(yield* snapshot(dir))
      return Stream.repeatEffect(
        Effect.gen(function* () {
          yield* Effect.sleep(interval)
          const next = yield* snapshot(dir)
          return diff(yield* Ref.getAndSet(previous, next), next)
        }),
      ).pipe(Stream.flattenIterables)
    }),
  )

/** Native watching when the platform offers it, polling otherwise; a missing folder is an error. */
export const changes = (dir: string, options?: { readonly pollInterval?: Duration.DurationInput }): Stream.Stream<Change, WatchError> =>
  nativeChanges(dir).pipe(
    Stream.catchAll((e) => (e.reason === "unavailable" ? polledChanges(dir, options?.pollInterval) : Stream.fail(e))),
  )

/** The sources watcher: one `Burst` after each burst of changes under `dir` has been quiet for `quietPeriod`. */
export const watch = (
  dir: string,
  quietPeriod: Duration.DurationInput,
  options?: { readonly pollInterval?: Duration.DurationInput },
): Stream.Stream<Burst, WatchError> => debounce(quietPeriod)(changes(dir, options))
