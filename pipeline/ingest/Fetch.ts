/**
 * Fetch: downloads a remote source (a sidecar's `download:` URL) into a content-addressed
 * snapshot folder. Per-attempt timeouts; transient faults (408/429/5xx, resets, refusals,
 * timeouts, truncated bodies) retried with jittered exponential backoff honouring Retry-After;
 * conditional GET so an unchanged source is not downloaded again; and, when the remote cannot
 * be had, the last good snapshot with a `stale-source` finding instead of a failed run.
 *
 * Snapshot folder layout: `<sha256><ext>` files (one per distinct download, never rewritten;
 * `iiot prune` removes those superseded and cited by no kept run, see planSnapshotPrune)
 * and `index.json` mapping each URL to its latest snapshot, ETag and Last-Modified.
 */
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { createHash, randomBytes } from "node:crypto"
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs"
import { open } from "node:fs/promises"
import { STATUS_CODES } from "node:http"
import { extname, join } from "node:path"
import * as Finding from "../domain/Finding.js"
import { FetchError, type FetchReason } from "./FetchError.js"

export { FetchError } from "./FetchError.js"

/** What to fetch and how hard to try; everything but `url` and `snapshotDir` has a default. */
export interface FetchOptions {
  readonly url: string
  /** Folder holding the raw snapshots and their index (created when missing). */
  readonly snapshotDir: string
  /** Label used in messages and findings, e.g. the sidecar path; defaults to the URL. */
  readonly source?: string
  /** Pinned sha256 (hex) of the expected content; a different download is a permanent error. */
  readonly sha256?: string
  /** Per attempt: for the response headers, then for each gap between body chunks. Default 30 s. */
  readonly timeout?: Duration.DurationInput
  /** Attempts in all, the first included. Default 4. */
  readonly maxAttempts?: number
  /** First backoff delay; doubles per retry, with jitter. Default 500 ms. */
  readonly baseDelay?: Duration.DurationInput
  /** Longest wait a server's Retry-After can impose. Default 60 s. */
  readonly maxRetryAfter?: Duration.DurationInput
  /** Largest body accepted, in bytes. Default 2 GiB. */
  readonly maxBytes?: number
}

/** The snapshot a fetch produced or fell back on, and how it got there. */
export interface FetchResult {
  /** Absolute or snapshotDir-relative path of the snapshot file (as `snapshotDir` was given). */
  readonly path: string
  readonly sha256: string
  readonly bytes: number
  /** True when no new bytes were downloaded: a 304, or a fallback after failed attempts. */
  readonly fromCache: boolean
  /** HTTP attempts made (retries included). */
  readonly attempts: number
  /** `stale-source` (warn) when the snapshot stood in for a failed fetch; empty otherwise. */
  readonly findings: ReadonlyArray<Finding.Finding>
  readonly etag?: string
  readonly lastModified?: string
  /** When the content was known current: now for a download or a 304, the snapshot's last check for a fallback. */
  readonly fetchedAt: string
}

/** Defaults for the optional knobs of {@link FetchOptions}. */
export const defaults = {
  timeout: Duration.seconds(30),
  maxAttempts: 4,
  baseDelay: Duration.millis(500),
  maxRetryAfter: Duration.seconds(60),
  // Large enough for the 300+ MB registry extracts, small enough to stop a runaway response.
  maxBytes: 2 * 1024 ** 3,
} as const

/** One snapshot's entry in `index.json`: the latest good download of a URL. */
export const SnapshotEntry = Schema.Struct({
  /** File name inside the snapshot folder; the pattern keeps a hand-edited index from pointing elsewhere. */
  file: Schema.String.pipe(Schema.pattern(/^[0-9a-f]{64}(\.[A-Za-z0-9]{1,8})?$/)),
  sha256: Schema.String,
  bytes: Schema.Number,
  etag: Schema.optional(Schema.String),
  lastModified: Schema.optional(Schema.String),
  /** When these bytes were downloaded. */
  fetchedAt: Schema.String,
  /** When the server last confirmed them current (a 200 or a 304). */
  checkedAt: Schema.String,
})
export type SnapshotEntry = typeof SnapshotEntry.Type

const SnapshotIndex = Schema.Struct({
  version: Schema.Literal(1),
  urls: Schema.Record({ key: Schema.String, value: SnapshotEntry }),
})
type SnapshotIndex = typeof SnapshotIndex.Type

const decodeIndex = Schema.decodeUnknownOption(Schema.parseJson(SnapshotIndex))
const INDEX_FILE = "index.json"

/** One failed attempt, as the retry policy sees it. */
export interface AttemptFailure {
  readonly reason: FetchReason
  /** Worth another attempt (408/429/5xx, reset, refused, timeout, truncated body). */
  readonly transient: boolean
  /** What happened, in words, e.g. `HTTP 503 Service Unavailable`. */
  readonly detail: string
  readonly status?: number
  /** What the server's Retry-After asked for, already turned into a delay. */
  readonly retryAfter?: Duration.Duration
}

/**
 * Retry policy: jittered exponential backoff, only while failures are transient, at most
 * `maxAttempts` attempts in all, and never sooner than a Retry-After asks (capped at `maxRetryAfter`).
 */
export const retryPolicy = (options: {
  readonly maxAttempts: number
  readonly baseDelay: Duration.DurationInput
  readonly maxRetryAfter: Duration.DurationInput
}): Schedule.Schedule<unknown, AttemptFailure> =>
  Schedule.exponential(options.baseDelay).pipe(
    Schedule.jittered,
    Schedule.intersect(Schedule.recurs(Math.max(0, options.maxAttempts - 1))),
    Schedule.intersect(Schedule.identity<AttemptFailure>()),
    Schedule.whileInput((failure: AttemptFailure) => failure.transient),
    Schedule.modifyDelay(([, failure], delay) =>
      failure.retryAfter === undefined ? delay : Duration.max(delay, Duration.min(failure.retryAfter, options.maxRetryAfter)),
    ),
  )

/**
 * Parses a Retry-After value (delay-seconds or an HTTP date, RFC 9110 §10.2.3) against `nowMillis`;
 * a date in the past means "now". Unparseable values are ignored rather than trusted.
 */
export const parseRetryAfter = (value: string, nowMillis: number): Option.Option<Duration.Duration> => {
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Option.some(Duration.seconds(Number(trimmed)))
  const at = Date.parse(trimmed)
  return Number.isNaN(at) ? Option.none() : Option.some(Duration.millis(Math.max(0, at - nowMillis)))
}

/** Fetches one remote source; see the module comment for the behaviour. */
export interface Fetcher {
  readonly fetch: (options: FetchOptions) => Effect.Effect<FetchResult, FetchError>
}

/** The Fetcher service tag. */
export const Fetcher = Context.GenericTag<Fetcher>("iiot/Fetcher")

// ---------------------------------------------------------------------------------------------
// Options

interface Resolved {
  readonly url: string
  readonly source: string
  readonly snapshotDir: string
  readonly sha256: string | undefined
  readonly timeout: Duration.Duration
  readonly maxAttempts: number
  readonly baseDelay: Duration.Duration
  readonly maxRetryAfter: Duration.Duration
  readonly maxBytes: number
  /** Extension kept on snapshot files so readers that go by extension still can (`.csv`, `.xlsx`). */
  readonly ext: string
}

const resolve = (options: FetchOptions): Effect.Effect<Resolved, FetchError> => {
  const source = options.source ?? options.url
  const parsed = URL.canParse(options.url) ? new URL(options.url) : undefined
  if (parsed === undefined || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
    return Effect.fail(
      new FetchError({
        reason: "connection",
        url: options.url,
        source,
        attempts: 0,
        message: `${source}: \`${options.url}\` is not an http(s) URL; nothing was requested`,
      }),
    )
  }
  const ext = extname(parsed.pathname)
  return Effect.succeed({
    url: options.url,
    source,
    snapshotDir: options.snapshotDir,
    sha256: options.sha256?.toLowerCase(),
    timeout: Duration.decode(options.timeout ?? defaults.timeout),
    maxAttempts: Math.max(1, Math.floor(options.maxAttempts ?? defaults.maxAttempts)),
    baseDelay: Duration.decode(options.baseDelay ?? defaults.baseDelay),
    maxRetryAfter: Duration.decode(options.maxRetryAfter ?? defaults.maxRetryAfter),
    maxBytes: options.maxBytes ?? defaults.maxBytes,
    ext: /^\.[A-Za-z0-9]{1,8}$/.test(ext) ? ext.toLowerCase() : "",
  })
}

// ---------------------------------------------------------------------------------------------
// Snapshot index (sync reads and writes: in one process no other fiber can interleave a
// read-modify-write, and temp + rename keeps a killed process from leaving half an index)

const emptyIndex = (): SnapshotIndex => ({ version: 1, urls: {} })

const readIndexSync = (dir: string): SnapshotIndex => {
  const file = join(dir, INDEX_FILE)
  if (!existsSync(file)) return emptyIndex()
  // A corrupt index only costs a re-download, so it is read as empty rather than failing the run.
  return Option.getOrElse(decodeIndex(readFileSync(file, "utf8")), emptyIndex)
}

const writeAtomicSync = (file: string, data: string | Uint8Array) => {
  const tmp = `${file}.${randomBytes(6).toString("hex")}.tmp`
  writeFileSync(tmp, data)
  renameSync(tmp, file)
}

/** A snapshot file name: the content's sha256, then the source's extension. */
const SNAPSHOT_FILE = /^([0-9a-f]{64})(\.[^/]*)?$/

/** Why a snapshot stays, or that it may go. */
export interface SnapshotDecision {
  readonly file: string
  readonly keep: boolean
  readonly why: string
}

/**
 * Which snapshots `iiot prune` may remove, each with the reason: a snapshot stays while it is
 * the latest of some URL in the index (the fallback a failed fetch would use), while a kept run
 * cites its sha256 (`cited`: what those runs were built from), or while it is younger than
 * `grace` (a refresh may have just downloaded it and not yet recorded it). Temp files and
 * anything not named like a snapshot are left alone.
 */
export const planSnapshotPrune = (snapshotDir: string, cited: ReadonlySet<string>, now: Date, grace: Duration.DurationInput = "1 day"): ReadonlyArray<SnapshotDecision> => {
  if (!existsSync(snapshotDir)) return []
  const latest = new Set(Object.values(readIndexSync(snapshotDir).urls).map((e) => e.file))
  const youngerThan = now.getTime() - Duration.toMillis(Duration.decode(grace))
  const out: Array<SnapshotDecision> = []
  for (const file of readdirSync(snapshotDir).sort()) {
    const m = SNAPSHOT_FILE.exec(file)
    if (m === null) continue
    const sha = m[1]!
    if (latest.has(file)) out.push({ file, keep: true, why: "latest snapshot of its URL" })
    else if (cited.has(sha)) out.push({ file, keep: true, why: "cited by a kept run" })
    else if (statSync(join(snapshotDir, file)).mtimeMs > youngerThan) out.push({ file, keep: true, why: "downloaded recently" })
    else out.push({ file, keep: false, why: "superseded, and cited by no kept run" })
  }
  return out
}

/** Removes the snapshots `planSnapshotPrune` let go; returns those removed and the failures (kept for next time). */
export const pruneSnapshots = (snapshotDir: string, plan: ReadonlyArray<SnapshotDecision>) =>
  Effect.sync(() => {
    const removed: Array<string> = []
    const failed: Array<string> = []
    for (const d of plan) {
      if (d.keep) continue
      try {
        rmSync(join(snapshotDir, d.file))
        removed.push(d.file)
      } catch (e) {
        failed.push(`cannot remove snapshot ${join(snapshotDir, d.file)}: ${describeCause(e)}`)
      }
    }
    return { removed, failed }
  })

/** The latest snapshot recorded for `url` in `snapshotDir`, if its file is still there. */
export const latestSnapshot = (snapshotDir: string, url: string): Effect.Effect<Option.Option<SnapshotEntry & { readonly path: string }>> =>
  Effect.try(() => {
    const entry = readIndexSync(snapshotDir).urls[url]
    if (entry === undefined) return Option.none()
    const path = join(snapshotDir, entry.file)
    return existsSync(path) ? Option.some({ ...entry, path }) : Option.none()
  }).pipe(Effect.orElseSucceed(() => Option.none()))

const ioError = (o: Resolved, attempts: number, what: string, cause: unknown) =>
  new FetchError({
    reason: "io",
    url: o.url,
    source: o.source,
    attempts,
    message: `${o.source}: ${what} in ${o.snapshotDir} failed for ${o.url}: ${describeCause(cause)}`,
  })

const recordSnapshot = (o: Resolved, attempts: number, entry: SnapshotEntry) =>
  Effect.try({
    try: () => {
      mkdirSync(o.snapshotDir, { recursive: true })
      const index = readIndexSync(o.snapshotDir)
      writeAtomicSync(join(o.snapshotDir, INDEX_FILE), JSON.stringify({ ...index, urls: { ...index.urls, [o.url]: entry } }, null, 2))
    },
    catch: (cause) => ioError(o, attempts, "updating the snapshot index", cause),
  })

/** The snapshot this fetch may reuse (for a 304 or a fallback): present, and matching the pin if any. */
const usableSnapshot = (o: Resolved) =>
  latestSnapshot(o.snapshotDir, o.url).pipe(
    Effect.map((found) => Option.filter(found, (entry) => o.sha256 === undefined || entry.sha256 === o.sha256)),
  )

// ---------------------------------------------------------------------------------------------
// One attempt

type Outcome =
  | { readonly _tag: "NotModified"; readonly entry: SnapshotEntry & { readonly path: string }; readonly etag: string | undefined; readonly lastModified: string | undefined }
  | { readonly _tag: "Downloaded"; readonly file: string; readonly sha256: string; readonly bytes: number; readonly etag: string | undefined; readonly lastModified: string | undefined }

const failure = (reason: FetchReason, transient: boolean, detail: string, extra: { status?: number; retryAfter?: Duration.Duration } = {}): AttemptFailure => ({
  reason,
  transient,
  detail,
  ...extra,
})

const describeCause = (cause: unknown): string => {
  if (typeof cause === "object" && cause !== null) {
    const code = "code" in cause && typeof cause.code === "string" ? cause.code : undefined
    const message = "message" in cause && typeof cause.message === "string" ? cause.message : String(cause)
    return code !== undefined && !message.includes(code) ? `${message} (${code})` : message
  }
  return String(cause)
}

const causeCode = (cause: unknown): string | undefined =>
  typeof cause === "object" && cause !== null && "code" in cause && typeof cause.code === "string" ? cause.code : undefined

// Name resolution failures and certificate problems will not fix themselves within seconds.
const permanentCodes = /^(ENOTFOUND|ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_INVALID_)/

const requestFailure = (error: HttpClientError.HttpClientError): AttemptFailure => {
  const code = causeCode(error.cause)
  const transient = error.reason === "Transport" && (code === undefined || !permanentCodes.test(code))
  return failure("connection", transient, `connection failed: ${describeCause(error.cause ?? error)}`)
}

const statusFailure = (response: HttpClientResponse.HttpClientResponse, nowMillis: number): AttemptFailure => {
  const status = response.status
  const transient = status === 408 || status === 429 || status >= 500
  const retryAfter = Option.flatMap(Headers.get(response.headers, "retry-after"), (value) => parseRetryAfter(value, nowMillis))
  const text = STATUS_CODES[status]
  return failure("http-status", transient, `HTTP ${status}${text === undefined ? "" : ` ${text}`}`, {
    status,
    ...(Option.isSome(retryAfter) ? { retryAfter: retryAfter.value } : {}),
  })
}

const seconds = (d: Duration.Duration) => `${Number((Duration.toMillis(d) / 1000).toFixed(3))} s`

/** Streams the body to a temp file in the snapshot folder, hashing as it goes, then renames it to its sha256. */
const download = (o: Resolved, response: HttpClientResponse.HttpClientResponse, contentLength: number | undefined) =>
  Effect.gen(function* () {
    const tmp = join(o.snapshotDir, `.download-${randomBytes(8).toString("hex")}.tmp`)
    const hash = createHash("sha256")
    let bytes = 0
    const removeTmp = Effect.sync(() => rmSync(tmp, { force: true }))
    const writeBody = Effect.acquireUseRelease(
      Effect.tryPromise({
        try: async () => {
          mkdirSync(o.snapshotDir, { recursive: true })
          return open(tmp, "w")
        },
        catch: (cause) => failure("io", false, `cannot write a snapshot in ${o.snapshotDir}: ${describeCause(cause)}`),
      }),
      (handle) =>
        response.stream.pipe(
          Stream.mapError((error): AttemptFailure => failure("connection", true, `connection lost while reading the body: ${describeCause(error.cause ?? error)}`)),
          Stream.timeoutFail((): AttemptFailure => failure("timeout", true, `no data for ${seconds(o.timeout)} while reading the body`), o.timeout),
          Stream.runForEach((chunk) =>
            Effect.suspend(() => {
              bytes += chunk.length
              if (bytes > o.maxBytes) return Effect.fail(failure("too-large", false, `body exceeds the ${o.maxBytes}-byte limit`))
              hash.update(chunk)
              return Effect.tryPromise({
                try: () => handle.write(chunk),
                catch: (cause) => failure("io", false, `cannot write a snapshot in ${o.snapshotDir}: ${describeCause(cause)}`),
              })
            }),
          ),
        ),
      (handle) => Effect.promise(() => handle.close()).pipe(Effect.ignore),
    )
    // A body that ends early (cleanly or with a reset) is the truncation the issue asks us to catch.
    const truncated = (): AttemptFailure | undefined =>
      contentLength !== undefined && bytes < contentLength
        ? failure("truncated", true, `body truncated: ${bytes} of the ${contentLength} bytes announced by Content-Length`)
        : undefined
    yield* writeBody.pipe(
      Effect.mapError((error) => (error.reason === "connection" ? (truncated() ?? error) : error)),
      Effect.onError(() => removeTmp),
    )
    const short = truncated()
    if (short !== undefined) return yield* Effect.zipRight(removeTmp, Effect.fail(short))
    const sha256 = hash.digest("hex")
    if (o.sha256 !== undefined && sha256 !== o.sha256) {
      return yield* Effect.zipRight(
        removeTmp,
        Effect.fail(failure("checksum", false, `downloaded content has sha256 ${sha256}, not the pinned ${o.sha256}`)),
      )
    }
    const file = `${sha256}${o.ext}`
    yield* Effect.try({
      try: () => {
        // Same content as an earlier snapshot: the existing file is already these bytes.
        if (existsSync(join(o.snapshotDir, file))) rmSync(tmp, { force: true })
        else renameSync(tmp, join(o.snapshotDir, file))
      },
      catch: (cause) => failure("io", false, `cannot store the snapshot in ${o.snapshotDir}: ${describeCause(cause)}`),
    }).pipe(Effect.onError(() => removeTmp))
    return { sha256, bytes, file }
  })

const attempt = (o: Resolved, client: HttpClient.HttpClient.With<HttpClientError.HttpClientError, Scope.Scope>) =>
  Effect.scoped(
    Effect.gen(function* () {
      const cached = yield* usableSnapshot(o)
      const conditional: Record<string, string> = {}
      if (Option.isSome(cached)) {
        if (cached.value.etag !== undefined) conditional["if-none-match"] = cached.value.etag
        if (cached.value.lastModified !== undefined) conditional["if-modified-since"] = cached.value.lastModified
      }
      const response = yield* client.execute(HttpClientRequest.get(o.url).pipe(HttpClientRequest.setHeaders(conditional))).pipe(
        Effect.mapError(requestFailure),
        Effect.timeoutFail({ duration: o.timeout, onTimeout: () => failure("timeout", true, `no response within ${seconds(o.timeout)}`) }),
      )
      const etag = Option.getOrUndefined(Headers.get(response.headers, "etag"))
      const lastModified = Option.getOrUndefined(Headers.get(response.headers, "last-modified"))
      if (response.status === 304 && Option.isSome(cached)) {
        return { _tag: "NotModified", entry: cached.value, etag, lastModified } satisfies Outcome as Outcome
      }
      if (response.status < 200 || response.status >= 300) {
        return yield* Effect.fail(statusFailure(response, yield* Clock.currentTimeMillis))
      }
      const announced = Option.getOrUndefined(Headers.get(response.headers, "content-length"))
      const contentLength = announced !== undefined && /^\d+$/.test(announced.trim()) ? Number(announced.trim()) : undefined
      if (contentLength !== undefined && contentLength > o.maxBytes) {
        return yield* Effect.fail(failure("too-large", false, `Content-Length ${contentLength} exceeds the ${o.maxBytes}-byte limit`))
      }
      const stored = yield* download(o, response, contentLength)
      return { _tag: "Downloaded", ...stored, etag, lastModified } satisfies Outcome as Outcome
    }),
  )

// ---------------------------------------------------------------------------------------------
// The whole fetch

/** Fetches `options.url` into `options.snapshotDir` with retries, conditional GET and snapshot fallback. */
export const fetchSource = (options: FetchOptions): Effect.Effect<FetchResult, FetchError, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const o = yield* resolve(options)
    const client = HttpClient.followRedirects(HttpClient.withScope(yield* HttpClient.HttpClient), 5)
    const attempts = yield* Ref.make(0)
    const outcome = yield* Ref.update(attempts, (n) => n + 1).pipe(
      Effect.zipRight(attempt(o, client)),
      Effect.retry(retryPolicy(o)),
      Effect.either,
    )
    const tried = yield* Ref.get(attempts)
    const now = new Date(yield* Clock.currentTimeMillis).toISOString()

    if (Either.isRight(outcome)) {
      const got = outcome.right
      const previous = got._tag === "NotModified" ? got.entry : undefined
      // A 304 may carry fresh validators; keep the old ones when it does not.
      const etag = got.etag ?? previous?.etag
      const lastModified = got.lastModified ?? previous?.lastModified
      const entry: SnapshotEntry = {
        file: got._tag === "NotModified" ? got.entry.file : got.file,
        sha256: got._tag === "NotModified" ? got.entry.sha256 : got.sha256,
        bytes: got._tag === "NotModified" ? got.entry.bytes : got.bytes,
        ...(etag !== undefined ? { etag } : {}),
        ...(lastModified !== undefined ? { lastModified } : {}),
        fetchedAt: previous?.fetchedAt ?? now,
        checkedAt: now,
      }
      yield* recordSnapshot(o, tried, entry)
      return {
        path: join(o.snapshotDir, entry.file),
        sha256: entry.sha256,
        bytes: entry.bytes,
        fromCache: got._tag === "NotModified",
        attempts: tried,
        findings: [],
        ...(etag !== undefined ? { etag } : {}),
        ...(lastModified !== undefined ? { lastModified } : {}),
        fetchedAt: now,
      } satisfies FetchResult
    }

    const last = outcome.left
    const tries = `${tried} attempt${tried === 1 ? "" : "s"} (timeout ${seconds(o.timeout)} each)`
    const lastWords = `last: ${last.detail}${last.transient ? "" : "; permanent, not retried"}`
    const fallback = yield* usableSnapshot(o)
    if (Option.isSome(fallback)) {
      const snap = fallback.value
      const message =
        `could not refresh ${o.url}: ${tries}, ${lastWords}; using the snapshot downloaded ${snap.fetchedAt}` +
        ` (last confirmed current ${snap.checkedAt}, sha256 ${snap.sha256.slice(0, 12)}…)`
      return {
        path: snap.path,
        sha256: snap.sha256,
        bytes: snap.bytes,
        fromCache: true,
        attempts: tried,
        findings: [Finding.make("warn", "stale-source", message, { source: o.source })],
        ...(snap.etag !== undefined ? { etag: snap.etag } : {}),
        ...(snap.lastModified !== undefined ? { lastModified: snap.lastModified } : {}),
        fetchedAt: snap.checkedAt,
      } satisfies FetchResult
    }
    const stale = yield* latestSnapshot(o.snapshotDir, o.url)
    const noFallback = Option.isSome(stale)
      ? `the earlier snapshot (sha256 ${stale.value.sha256.slice(0, 12)}…) does not match the pinned sha256, so there is no snapshot to fall back on`
      : "no earlier snapshot to fall back on"
    const hint = last.reason === "checksum" ? "; if the source was updated on purpose, update `sha256:` in the sidecar" : ""
    return yield* new FetchError({
      reason: last.reason,
      url: o.url,
      source: o.source,
      attempts: tried,
      ...(last.status !== undefined ? { status: last.status } : {}),
      message: `${o.source}: cannot fetch ${o.url}: ${tries}, ${lastWords}; ${noFallback}${hint}`,
    })
  })

/** Builds a Fetcher over the HttpClient in context (the client is captured once, at construction). */
export const make: Effect.Effect<Fetcher, never, HttpClient.HttpClient> = Effect.map(HttpClient.HttpClient, (client) => ({
  fetch: (options) => Effect.provideService(fetchSource(options), HttpClient.HttpClient, client),
}))

/** Fetcher over whichever HttpClient the caller provides (tests pass their own). */
export const layer: Layer.Layer<Fetcher, never, HttpClient.HttpClient> = Layer.effect(Fetcher, make)

/** Fetcher over Node's http/https client; what the CLI uses. */
export const layerNode: Layer.Layer<Fetcher> = Layer.provide(layer, NodeHttpClient.layer)

/** A Fetcher answering with `fetch`, for tests of code that consumes fetch results. */
export const layerTest = (fetch: Fetcher["fetch"]): Layer.Layer<Fetcher> => Layer.succeed(Fetcher, { fetch })
