/**
 * SourceCatalog: discovers extracts under the sources folder (`<family>/<vintage>/<file>`) and
 * their `.source.yml` sidecars. A missing sidecar, an unknown kind, a bad sidecar, a pinned
 * checksum that does not match or a path escaping the folder is a `SourceError` naming the file.
 */
import { Effect, Either } from "effect"
import { createHash } from "node:crypto"
import { createReadStream, existsSync, readFileSync, readdirSync, realpathSync, statSync } from "node:fs"
import { dirname, join, relative, resolve, sep } from "node:path"
import { askWorker, inlineScript } from "../engine/WorkerScript.js"
import { Sidecar, SourceError, SourceKind } from "../domain/Source.js"
import * as Yaml from "./Yaml.js"

/** One extract with its provenance sidecar. */
export interface SourceEntry {
  /** `<family>/<vintage>/<file>` relative to the sources folder: the source's identity. */
  readonly id: string
  readonly family: string
  readonly vintage: string
  /** Absolute path of the extract (may not exist yet for a download-only source). */
  readonly file: string
  readonly sidecarFile: string
  readonly sidecarText: string
  readonly sidecar: Sidecar
}

export interface Catalog {
  readonly root: string
  readonly entries: ReadonlyArray<SourceEntry>
  /** Sources that cannot be used, each naming its file. */
  readonly errors: ReadonlyArray<SourceError>
}

const SIDECAR = ".source.yml"
/** Files that are documentation, not extracts. */
const isIgnored = (name: string) => name.startsWith(".") || /^readme(\.md|\.txt)?$/i.test(name) || name.endsWith(".md")

const kindList = SourceKind.literals.join(", ")

const within = (root: string, path: string) => path === root || path.startsWith(root + sep)

/** Reads and validates one sidecar; `id` is the extract's id for messages. */
const loadSidecar = (root: string, sidecarFile: string): Either.Either<SourceEntry, SourceError> => {
  const rel = relative(root, sidecarFile)
  const text = readFileSync(sidecarFile, "utf8")
  const decoded = Yaml.decode(Sidecar, text)
  if (Either.isLeft(decoded)) {
    const kindIssue = decoded.left.find((i) => i.path === "kind")
    if (kindIssue) {
      return Either.left(
        new SourceError({ reason: "unknown-kind", file: rel, message: `${Yaml.format(rel, [kindIssue])}\n  known kinds: ${kindList}` }),
      )
    }
    return Either.left(new SourceError({ reason: "bad-sidecar", file: rel, message: Yaml.format(rel, decoded.left) }))
  }
  const sidecar = decoded.right
  const file = resolve(dirname(sidecarFile), sidecar.path ?? sidecarFile.slice(0, -SIDECAR.length).split(sep).pop()!)
  if (!within(root, file)) {
    return Either.left(new SourceError({ reason: "path-escape", file: rel, message: `${rel}: path \`${sidecar.path}\` points outside the sources folder (${root}); extracts must live inside it` }))
  }
  if (existsSync(file) && !within(realpathSync(root), realpathSync(file))) {
    return Either.left(new SourceError({ reason: "path-escape", file: rel, message: `${rel}: the extract is a link to ${realpathSync(file)}, outside the sources folder` }))
  }
  if (!existsSync(file) && !sidecar.download) {
    return Either.left(new SourceError({ reason: "missing-file", file: relative(root, file), message: `${relative(root, file)}: the sidecar ${rel} describes a file that does not exist (and has no \`download:\` URL)` }))
  }
  const id = relative(root, file).split(sep).join("/")
  const parts = id.split("/")
  return Either.right({
    id,
    family: parts.length > 1 ? parts[0]! : "misc",
    vintage: parts.length > 2 ? parts[1]! : "",
    file,
    sidecarFile,
    sidecarText: text,
    sidecar,
  })
}

/** Walks the sources folder and pairs every extract with its sidecar. */
export const discover = (rootDir: string): Effect.Effect<Catalog, SourceError> =>
  Effect.gen(function* () {
    const root = resolve(rootDir)
    if (!existsSync(root) || !statSync(root).isDirectory()) {
      return yield* new SourceError({ reason: "missing-file", file: rootDir, message: `sources folder ${rootDir} does not exist` })
    }
    const sidecars: Array<string> = []
    const extracts: Array<string> = []
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const full = join(dir, e.name)
        if (e.isDirectory()) {
          if (!e.name.startsWith(".")) walk(full)
        } else if (e.name.endsWith(SIDECAR)) sidecars.push(full)
        else if (!isIgnored(e.name)) extracts.push(full)
      }
    }
    walk(root)
    const entries: Array<SourceEntry> = []
    const errors: Array<SourceError> = []
    const described = new Set<string>()
    for (const s of sidecars) {
      const r = loadSidecar(root, s)
      if (Either.isLeft(r)) errors.push(r.left)
      else {
        entries.push(r.right)
        described.add(r.right.file)
      }
    }
    for (const x of extracts) {
      if (described.has(x)) continue
      // A sidecar that failed to load still "describes" its own file: one error per file is enough.
      if (errors.some((e) => e.file === relative(root, x + SIDECAR))) continue
      const rel = relative(root, x)
      errors.push(
        new SourceError({
          reason: "missing-sidecar",
          file: rel,
          message: `${rel} has no sidecar: add ${rel}${SIDECAR} with at least kind, title, producer, url and retrieved (see README "Sources")`,
        }),
      )
    }
    return { root, entries, errors }
  })

// Hashes already computed in this process, by path, size and mtime: a refresh observes a source
// (to plan) and then verifies it (to ingest); the 450 MB bench sources should not be read twice.
const hashed = new Map<string, string>()

/** The cache key of a file as it is now, and its size; "" and 0 when it cannot be read. */
const cacheId = (file: string): { readonly id: string; readonly size: number } => {
  try {
    const st = statSync(file)
    return { id: `${file}\u0000${st.size}\u0000${st.mtimeMs}`, size: st.size }
  } catch {
    return { id: "", size: 0 }
  }
}

/** Records a checksum computed elsewhere (a download is hashed while Fetch writes it), kept until the file changes. */
export const rememberSha256 = (file: string, sha256: string): Effect.Effect<void> =>
  Effect.sync(() => {
    const { id } = cacheId(file)
    if (id !== "") hashed.set(id, sha256)
  })

/** sha256 of a file, streamed (cached per path, size and modification time within a process). */
export const sha256File = (file: string): Effect.Effect<string, SourceError> =>
  Effect.suspend(() => {
    const { id, size } = cacheId(file)
    const known = id === "" ? undefined : hashed.get(id)
    if (known !== undefined) return Effect.succeed(known)
    // An unreadable file (size 0) is hashed here, whose stream says why.
    const hash =
      size >= HASH_IN_WORKER_BYTES ? Effect.flatMap(sha256InWorker(file), (sha) => (sha === undefined ? hashHere(file) : Effect.succeed(sha))) : hashHere(file)
    return Effect.tap(hash, (sha) => Effect.sync(() => id !== "" && hashed.set(id, sha)))
  })

const hashHere = (file: string): Effect.Effect<string, SourceError> =>
  Effect.async<string, SourceError>((resume) => {
    const hash = createHash("sha256")
    // 1 MiB reads: with the 64 KiB default, a thread-pool round trip per chunk made hashing the 337 MB bench registry take 0.7 s instead of 0.4 s (measured).
    const stream = createReadStream(file, { highWaterMark: 1 << 20 })
    stream.on("data", (chunk) => hash.update(chunk))
    stream.on("error", (e) => resume(Effect.fail(new SourceError({ reason: "unreadable", file, message: `cannot read ${file}: ${e.message}` }))))
    stream.on("end", () => resume(Effect.succeed(hash.digest("hex"))))
    return Effect.sync(() => stream.destroy())
  })

/** From this size a file is hashed in a worker thread (`sha256InWorker`). */
const HASH_IN_WORKER_BYTES = 32 * 1024 * 1024

/** The hashing thread: reads the file it is sent in 4 MiB pieces and answers with its sha256. */
const HASHER = inlineScript(`
import { parentPort } from "node:worker_threads"
import { createHash } from "node:crypto"
import { closeSync, openSync, readSync } from "node:fs"
parentPort.once("message", (file) => {
  try {
    const hash = createHash("sha256")
    const buf = Buffer.allocUnsafe(4 << 20)
    const fd = openSync(file, "r")
    try {
      for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) hash.update(buf.subarray(0, n))
    } finally {
      closeSync(fd)
    }
    parentPort.postMessage({ sha256: hash.digest("hex") })
  } catch (e) {
    parentPort.postMessage({ error: String((e && e.message) || e) })
  }
})
`)

/**
 * The sha256 of a file, computed in a worker thread. Big sources are hashed at the start of every
 * refresh, all at once (see Runner's observe): on this thread, hashing the bench's 445 MB took
 * ~0.7 s, half of it waiting for reads; on threads of their own they are hashed side by side
 * while this one goes on loading. Fails with the file's read error; undefined when the thread
 * could not do it (it did not start, failed or ended early: the caller then hashes here).
 */
export const sha256InWorker = (file: string): Effect.Effect<string | undefined, SourceError> =>
  Effect.flatMap(
    Effect.promise((signal) => askWorker<{ readonly sha256?: string; readonly error?: string }>(HASHER, file, { signal })),
    (reply) =>
      reply?.error !== undefined
        ? Effect.fail(new SourceError({ reason: "unreadable", file, message: `cannot read ${file}: ${reply.error}` }))
        : Effect.succeed(reply?.sha256),
  )

/** Checks a source's pinned sha256 (when it has one) and returns the file's checksum. */
export const verify = (entry: SourceEntry, file: string = entry.file): Effect.Effect<string, SourceError> =>
  Effect.flatMap(sha256File(file), (sha) =>
    entry.sidecar.sha256 && entry.sidecar.sha256 !== sha
      ? Effect.fail(
          new SourceError({
            reason: "checksum-mismatch",
            file: entry.id,
            message: `${entry.id}: sha256 is ${sha} but the sidecar pins ${entry.sidecar.sha256}; the extract changed since it was checked — re-check it and update \`sha256:\``,
          }),
        )
      : Effect.succeed(sha),
  )
