/**
 * Raw assets: one per source extract, keyed `raw/<family>/<vintage>/<file stem>`. Each holds the
 * raw table (every column kept), its provenance, its quarantine and its validation report.
 * A remote source (`download:`) is fetched first; a failed fetch falls back to its last snapshot.
 */
import { Effect } from "effect"
import { createHash } from "node:crypto"
import { existsSync } from "node:fs"
import * as Asset from "../../engine/AssetSpec.js"
import { SourceError } from "../../domain/Source.js"
import * as Fetch from "../../ingest/Fetch.js"
import * as Ingest from "../../ingest/Ingest.js"
import type { SourceEntry } from "../../ingest/SourceCatalog.js"
import * as SourceCatalog from "../../ingest/SourceCatalog.js"
import { Workspace } from "../Workspace.js"

/** The asset key of a source: its id without the extension, under `raw/`. */
export const keyOf = (entry: Pick<SourceEntry, "id">): string => `raw/${entry.id.replace(/\.[^./]+$/, "")}`

const fetched = (entry: SourceEntry) =>
  Effect.gen(function* () {
    const ws = yield* Workspace
    const fetcher = yield* Fetch.Fetcher
    return yield* fetcher
      .fetch({ url: entry.sidecar.download!, snapshotDir: ws.snapshotsDir, source: entry.id, ...(entry.sidecar.sha256 ? { sha256: entry.sidecar.sha256 } : {}) })
      .pipe(
        Effect.mapError(
          (e) => new SourceError({ reason: "fetch-failed", file: entry.id, message: e.message }),
        ),
        // Fetch hashed the snapshot while writing it: verifying it later need not read it again.
        Effect.tap((r) => SourceCatalog.rememberSha256(r.path, r.sha256)),
      )
  })

/**
 * `effect` run at most once with success: later runs give the first success (a failure is not
 * kept, so the next run tries again). The graph, and so each raw asset, is built anew for every
 * refresh, so a remote source is fetched once per refresh although both its observation (the
 * plan) and its run need the snapshot.
 */
const onceOnSuccess = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => {
  let done: { readonly value: A } | undefined
  return Effect.suspend(() => (done !== undefined ? Effect.succeed(done.value) : Effect.tap(effect, (value) => Effect.sync(() => void (done = { value })))))
}

/** The version of a source's input: its sidecar and its bytes (fetched first when remote), as "sidecar hash:sha256". */
const observe = (entry: SourceEntry, snapshot: ReturnType<typeof fetched>) =>
  Effect.gen(function* () {
    const sidecar = createHash("sha256").update(entry.sidecarText).digest("hex").slice(0, 16)
    if (entry.sidecar.download) {
      const r = yield* snapshot
      return `${sidecar}:${r.sha256}`
    }
    return `${sidecar}:${yield* SourceCatalog.sha256File(entry.file)}`
  })

/** The sha256 of the bytes an observed version (see observe) names, as run.json and the asset state record it. */
export const observedSha256 = (observed: string): string => observed.slice(observed.indexOf(":") + 1)

/** The raw asset of one source. */
export const rawAsset = (entry: SourceEntry) => {
  const snapshot = onceOnSuccess(fetched(entry))
  return Asset.make({
    key: keyOf(entry),
    description: `${entry.sidecar.title} (${entry.id}): raw rows, provenance, quarantine and validation report`,
    // 2: rows packed as bytes (RawRows); a value stored by version 1 holds strings and is read again from the source.
    codeVersion: "2",
    metadata: { source: entry.id, kind: entry.sidecar.kind },
    observe: observe(entry, snapshot),
    checks: [
      {
        name: "has-rows",
        description: "the source yields at least one row",
        severity: "error",
        blocking: true,
        run: (t: Ingest.RawTable) => ({ passed: t.counts.read > 0, message: `${t.source.id}: ${t.counts.read} rows read` }),
      },
    ],
    run: () =>
      Effect.gen(function* () {
        let file = entry.file
        const extra = []
        if (entry.sidecar.download) {
          const r = yield* snapshot
          file = r.path
          extra.push(...r.findings)
        } else if (!existsSync(file)) {
          return yield* new SourceError({ reason: "missing-file", file: entry.id, message: `${entry.id} does not exist` })
        }
        const table = yield* Ingest.ingest(entry, file)
        return {
          value: table,
          rows: table.counts.kept,
          findings: [...extra, ...table.findings],
          metadata: { read: table.counts.read, rejected: table.counts.rejected },
        }
      }),
  })
}

/** An asset standing for a source that cannot be used: it fails with the source's error, by name. */
export const brokenSource = (error: SourceError) =>
  Asset.make({
    key: `raw/${error.file.replace(/\.source\.yml$/, "").replace(/\.[^./]+$/, "")}`,
    description: `unusable source ${error.file}`,
    run: () => Effect.fail(error) as Effect.Effect<never, SourceError>,
  })
