/** Remote sources (issue 3, part 6): retries, timeouts, truncation, conditional GET and snapshot fallback against a real server. */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import * as Clock from "effect/Clock"
import { createHash } from "node:crypto"
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { basename, join } from "node:path"
import * as Fetch from "../../../pipeline/ingest/Fetch.js"
import { FetchError } from "../../../pipeline/ingest/FetchError.js"
import { closedPortUrl, ok, startServer, tempDir } from "./server.js"

const CSV = "序号,企业名称,平台名称\n1,海尔,卡奥斯COSMOPlat\n2,树根互联,根云\n"
const sha = (s: string | Buffer) => createHash("sha256").update(s).digest("hex")

// Small delays keep the whole file to a few seconds; behaviour is the same as with the defaults.
const fast = { baseDelay: "10 millis", timeout: "2 seconds", maxAttempts: 4 } as const

const fetchNode = (options: Fetch.FetchOptions) => Fetch.fetchSource(options).pipe(Effect.provide(NodeHttpClient.layer))

/** Files in the snapshot folder other than the index; temp files would show up here too. */
const snapshotFiles = (dir: string) => readdirSync(dir).filter((f) => f !== "index.json").sort()

describe("fetchSource against a real server", () => {
  it.scopedLive("503 twice then 200: three attempts, a snapshot named by its sha256", () =>
    Effect.gen(function* () {
      const server = yield* startServer((_req, res, n) => {
        if (n <= 2) {
          res.writeHead(503).end("busy")
        } else ok(res, CSV)
      })
      const dir = tempDir()
      const result = yield* Effect.flatMap(Fetch.Fetcher, (f) => f.fetch({ ...fast, url: server.url(), snapshotDir: dir })).pipe(
        Effect.provide(Fetch.layerNode),
      )
      expect(result.attempts).toBe(3)
      expect(server.seen).toHaveLength(3)
      expect(result.fromCache).toBe(false)
      expect(result.findings).toEqual([])
      expect(result.sha256).toBe(sha(CSV))
      expect(result.bytes).toBe(Buffer.byteLength(CSV))
      expect(basename(result.path)).toBe(`${sha(CSV)}.csv`)
      expect(readFileSync(result.path, "utf8")).toBe(CSV)
      expect(snapshotFiles(dir)).toEqual([`${sha(CSV)}.csv`])
    }),
  )

  it.scopedLive("429 with Retry-After: 1 waits at least about a second before the next request", () =>
    Effect.gen(function* () {
      const server = yield* startServer((_req, res, n) => {
        if (n === 1) res.writeHead(429, { "retry-after": "1" }).end()
        else ok(res, CSV)
      })
      const result = yield* fetchNode({ ...fast, url: server.url(), snapshotDir: tempDir() })
      expect(result.attempts).toBe(2)
      // Backoff alone would be ~10 ms; only Retry-After explains a gap near a second (loose lower bound, no upper bound).
      expect(server.seen[1]!.at - server.seen[0]!.at).toBeGreaterThanOrEqual(900)
    }),
  )

  it.scopedLive("a server that hangs past the timeout is retried, and the next answer is used", () =>
    Effect.gen(function* () {
      const server = yield* startServer((_req, res, n) => {
        if (n === 1) return // never answers; the socket is closed when the test's scope ends
        ok(res, CSV)
      })
      const result = yield* fetchNode({ ...fast, timeout: "300 millis", url: server.url(), snapshotDir: tempDir() })
      expect(result.attempts).toBe(2)
      expect(readFileSync(result.path, "utf8")).toBe(CSV)
    }),
  )

  it.scopedLive("a server that always hangs fails with reason timeout after every attempt", () =>
    Effect.gen(function* () {
      const server = yield* startServer(() => {})
      const error = yield* Effect.flip(fetchNode({ ...fast, timeout: "300 millis", maxAttempts: 2, url: server.url(), snapshotDir: tempDir() }))
      expect(error).toBeInstanceOf(FetchError)
      expect(error.reason).toBe("timeout")
      expect(error.attempts).toBe(2)
      expect(server.seen).toHaveLength(2)
      expect(error.message).toContain("no response within 0.3 s")
    }),
  )

  it.scopedLive("a body that stalls mid-way times out and is retried", () =>
    Effect.gen(function* () {
      const server = yield* startServer((_req, res, n) => {
        if (n === 1) {
          res.writeHead(200, { "content-length": Buffer.byteLength(CSV) })
          res.write(CSV.slice(0, 5)) // then nothing: headers arrived, the body never finishes
        } else ok(res, CSV)
      })
      const dir = tempDir()
      const result = yield* fetchNode({ ...fast, timeout: "300 millis", url: server.url(), snapshotDir: dir })
      expect(result.attempts).toBe(2)
      expect(readFileSync(result.path, "utf8")).toBe(CSV)
      expect(snapshotFiles(dir)).toEqual([`${sha(CSV)}.csv`])
    }),
  )

  it.scopedLive("a connection reset is retried", () =>
    Effect.gen(function* () {
      const server = yield* startServer((req, res, n) => {
        if (n === 1) req.socket.destroy()
        else ok(res, CSV)
      })
      const result = yield* fetchNode({ ...fast, url: server.url(), snapshotDir: tempDir() })
      expect(result.attempts).toBe(2)
      expect(result.sha256).toBe(sha(CSV))
    }),
  )

  it.scopedLive("fewer bytes than Content-Length is a truncation, retried until a full body arrives", () =>
    Effect.gen(function* () {
      const full = Buffer.alloc(1000, 0x41)
      const server = yield* startServer((_req, res, n) => {
        if (n <= 2) {
          res.writeHead(200, { "content-length": 1000 })
          res.write(full.subarray(0, 10))
          setTimeout(() => res.socket?.destroy(), 20)
        } else ok(res, full)
      })
      const dir = tempDir()
      const result = yield* fetchNode({ ...fast, url: server.url("/data.bin"), snapshotDir: dir })
      expect(result.attempts).toBe(3)
      expect(result.bytes).toBe(1000)
      // Partial bodies never become snapshots or linger as temp files.
      expect(snapshotFiles(dir)).toEqual([`${sha(full)}.bin`])
    }),
  )

  it.scopedLive("a body that is always truncated fails with reason truncated and the byte counts", () =>
    Effect.gen(function* () {
      const server = yield* startServer((_req, res) => {
        res.writeHead(200, { "content-length": 1000 })
        res.write("0123456789")
        setTimeout(() => res.socket?.destroy(), 20)
      })
      const dir = tempDir()
      const error = yield* Effect.flip(fetchNode({ ...fast, maxAttempts: 3, url: server.url(), snapshotDir: dir }))
      expect(error.reason).toBe("truncated")
      expect(error.attempts).toBe(3)
      expect(error.message).toContain("10 of the 1000 bytes")
      expect(existsSync(dir) ? snapshotFiles(dir) : []).toEqual([])
    }),
  )

  it.scopedLive("404 fails fast: one attempt, status kept, message names the URL", () =>
    Effect.gen(function* () {
      const server = yield* startServer((_req, res) => res.writeHead(404).end("gone"))
      const url = server.url()
      const error = yield* Effect.flip(fetchNode({ ...fast, url, snapshotDir: tempDir(), source: "sources/miit/2023/list.csv.source.yml" }))
      expect(error.reason).toBe("http-status")
      expect(error.status).toBe(404)
      expect(error.attempts).toBe(1)
      expect(server.seen).toHaveLength(1)
      expect(error.source).toBe("sources/miit/2023/list.csv.source.yml")
      expect(error.message).toContain(url)
      expect(error.message).toContain("HTTP 404 Not Found; permanent, not retried")
    }),
  )

  it.scopedLive("a body that differs from the pinned sha256 is a checksum error and leaves no snapshot", () =>
    Effect.gen(function* () {
      const server = yield* startServer((_req, res) => ok(res, CSV))
      const dir = tempDir()
      const pinned = sha("something else")
      const error = yield* Effect.flip(fetchNode({ ...fast, url: server.url(), snapshotDir: dir, sha256: pinned }))
      expect(error.reason).toBe("checksum")
      expect(error.attempts).toBe(1)
      expect(error.message).toContain(pinned)
      expect(error.message).toContain(sha(CSV))
      expect(snapshotFiles(dir)).toEqual([])
    }),
  )

  it.scopedLive("a matching pinned sha256 is accepted", () =>
    Effect.gen(function* () {
      const server = yield* startServer((_req, res) => ok(res, CSV))
      const result = yield* fetchNode({ ...fast, url: server.url(), snapshotDir: tempDir(), sha256: sha(CSV).toUpperCase() })
      expect(result.sha256).toBe(sha(CSV))
    }),
  )

  it.scopedLive("a body larger than maxBytes is refused without retrying", () =>
    Effect.gen(function* () {
      const server = yield* startServer((_req, res) => ok(res, Buffer.alloc(5000)))
      const error = yield* Effect.flip(fetchNode({ ...fast, url: server.url(), snapshotDir: tempDir(), maxBytes: 1000 }))
      expect(error.reason).toBe("too-large")
      expect(error.attempts).toBe(1)
    }),
  )

  it.scopedLive("conditional GET: the second fetch sends the validators and a 304 reuses the snapshot", () =>
    Effect.gen(function* () {
      const lastModified = "Tue, 03 Oct 2023 08:00:00 GMT"
      const server = yield* startServer((req, res) => {
        if (req.headers["if-none-match"] === `"v1"`) res.writeHead(304, { etag: `"v1"` }).end()
        else ok(res, CSV, { etag: `"v1"`, "last-modified": lastModified })
      })
      const dir = tempDir()
      const first = yield* fetchNode({ ...fast, url: server.url(), snapshotDir: dir })
      const second = yield* fetchNode({ ...fast, url: server.url(), snapshotDir: dir })
      expect(first.fromCache).toBe(false)
      expect(first.etag).toBe(`"v1"`)
      expect(server.seen[0]!.headers["if-none-match"]).toBeUndefined()
      expect(server.seen[1]!.headers["if-none-match"]).toBe(`"v1"`)
      expect(server.seen[1]!.headers["if-modified-since"]).toBe(lastModified)
      expect(second.fromCache).toBe(true)
      expect(second.path).toBe(first.path)
      expect(second.sha256).toBe(first.sha256)
      expect(second.lastModified).toBe(lastModified)
      expect(second.findings).toEqual([])
      expect(snapshotFiles(dir)).toEqual([basename(first.path)])
    }),
  )

  it.scopedLive("a changed source gets a new snapshot beside the old one", () =>
    Effect.gen(function* () {
      const server = yield* startServer((_req, res, n) => ok(res, n === 1 ? CSV : `${CSV}3,徐工,汉云\n`))
      const dir = tempDir()
      const first = yield* fetchNode({ ...fast, url: server.url(), snapshotDir: dir })
      const second = yield* fetchNode({ ...fast, url: server.url(), snapshotDir: dir })
      expect(second.path).not.toBe(first.path)
      expect(snapshotFiles(dir)).toHaveLength(2)
      const latest = yield* Fetch.latestSnapshot(dir, server.url())
      expect(Option.map(latest, (s) => s.sha256)).toEqual(Option.some(second.sha256))
    }),
  )

  it.scopedLive("redirects are followed", () =>
    Effect.gen(function* () {
      const server = yield* startServer((req, res) => {
        if (req.url === "/moved.csv") res.writeHead(302, { location: "/extract.csv" }).end()
        else ok(res, CSV)
      })
      const result = yield* fetchNode({ ...fast, url: server.url("/moved.csv"), snapshotDir: tempDir() })
      expect(result.sha256).toBe(sha(CSV))
      expect(server.seen.map((s) => s.path)).toEqual(["/moved.csv", "/extract.csv"])
    }),
  )

  it.scopedLive("server gone with an earlier snapshot: the snapshot and a stale-source finding", () =>
    Effect.gen(function* () {
      const server = yield* startServer((_req, res) => ok(res, CSV))
      const dir = tempDir()
      const url = server.url()
      const first = yield* fetchNode({ ...fast, url, snapshotDir: dir })
      yield* server.close
      const second = yield* fetchNode({ ...fast, maxAttempts: 2, url, snapshotDir: dir, source: "sources/wef/2024/lighthouses.csv.source.yml" })
      expect(second.fromCache).toBe(true)
      expect(second.path).toBe(first.path)
      expect(second.attempts).toBe(2)
      expect(second.fetchedAt).toBe(first.fetchedAt)
      expect(second.findings).toHaveLength(1)
      const finding = second.findings[0]!
      expect(finding.severity).toBe("warn")
      expect(finding.code).toBe("stale-source")
      expect(finding.source).toBe("sources/wef/2024/lighthouses.csv.source.yml")
      expect(finding.message).toContain(url)
      expect(finding.message).toContain("connection failed")
      expect(finding.message).toContain(first.fetchedAt)
    }),
  )

  it.live("server gone and no snapshot: a FetchError naming the URL, the attempts and the missing fallback", () =>
    Effect.gen(function* () {
      const url = yield* closedPortUrl
      const error = yield* Effect.flip(fetchNode({ ...fast, maxAttempts: 3, url, snapshotDir: tempDir() }))
      expect(error.reason).toBe("connection")
      expect(error.attempts).toBe(3)
      expect(error.url).toBe(url)
      expect(error.message).toContain(url)
      expect(error.message).toContain("3 attempts")
      expect(error.message).toContain("ECONNREFUSED")
      expect(error.message).toContain("no earlier snapshot to fall back on")
    }),
  )

  it.scopedLive("a snapshot that does not match the pin is not used as a fallback", () =>
    Effect.gen(function* () {
      const server = yield* startServer((_req, res) => ok(res, CSV))
      const dir = tempDir()
      const url = server.url()
      yield* fetchNode({ ...fast, url, snapshotDir: dir })
      yield* server.close
      const error = yield* Effect.flip(fetchNode({ ...fast, maxAttempts: 1, url, snapshotDir: dir, sha256: sha("pinned elsewhere") }))
      expect(error.reason).toBe("connection")
      expect(error.message).toContain("does not match the pinned sha256")
    }),
  )

  it.live("a corrupt index is read as empty: the source is simply downloaded again", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const server = yield* startServer((_req, res) => ok(res, CSV, { etag: `"v1"` }))
        const dir = tempDir()
        writeFileSync(join(dir, "index.json"), "{ not json")
        const result = yield* fetchNode({ ...fast, url: server.url(), snapshotDir: dir })
        expect(result.fromCache).toBe(false)
        expect(server.seen[0]!.headers["if-none-match"]).toBeUndefined()
        expect(JSON.parse(readFileSync(join(dir, "index.json"), "utf8")).urls[server.url()].sha256).toBe(sha(CSV))
      }),
    ),
  )

  it.live("a URL that is not http(s) fails before any request", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(fetchNode({ url: "ftp://example.org/x.csv", snapshotDir: tempDir() }))
      expect(error.attempts).toBe(0)
      expect(error.message).toContain("not an http(s) URL")
    }),
  )
})

describe("retry policy and Retry-After (TestClock)", () => {
  it("parseRetryAfter reads delay-seconds and HTTP dates, ignores garbage", () => {
    const now = Date.parse("2024-05-01T12:00:00Z")
    expect(Fetch.parseRetryAfter("120", now).pipe(Option.map(Duration.toMillis))).toEqual(Option.some(120_000))
    expect(Fetch.parseRetryAfter("Wed, 01 May 2024 12:00:30 GMT", now).pipe(Option.map(Duration.toMillis))).toEqual(Option.some(30_000))
    expect(Fetch.parseRetryAfter("Wed, 01 May 2024 11:00:00 GMT", now).pipe(Option.map(Duration.toMillis))).toEqual(Option.some(0))
    expect(Fetch.parseRetryAfter("soon", now)).toEqual(Option.none())
  })

  /** Runs an always-failing attempt under the policy and returns the clock time of every attempt. */
  const attemptTimes = (failure: Fetch.AttemptFailure, policy: Parameters<typeof Fetch.retryPolicy>[0]) =>
    Effect.gen(function* () {
      const times: Array<number> = []
      const fiber = yield* Effect.fork(
        Effect.flatMap(Clock.currentTimeMillis, (t) => {
          times.push(t)
          return Effect.fail(failure)
        }).pipe(Effect.retry(Fetch.retryPolicy(policy)), Effect.flip),
      )
      yield* TestClock.adjust("2 hours")
      yield* Fiber.join(fiber)
      return times
    })

  it.effect("Retry-After lengthens the wait, capped at maxRetryAfter", () =>
    Effect.gen(function* () {
      const asked = yield* attemptTimes(
        { reason: "http-status", transient: true, detail: "HTTP 429", status: 429, retryAfter: Duration.seconds(5) },
        { maxAttempts: 3, baseDelay: "100 millis", maxRetryAfter: "60 seconds" },
      )
      expect(asked).toHaveLength(3)
      expect(asked[1]! - asked[0]!).toBeGreaterThanOrEqual(5000)
      const capped = yield* attemptTimes(
        { reason: "http-status", transient: true, detail: "HTTP 503", status: 503, retryAfter: Duration.hours(1) },
        { maxAttempts: 2, baseDelay: "100 millis", maxRetryAfter: "2 seconds" },
      )
      expect(capped[1]! - capped[0]!).toBeGreaterThanOrEqual(2000)
      expect(capped[1]! - capped[0]!).toBeLessThan(3_600_000)
    }),
  )

  it.effect("backoff grows between attempts, and permanent failures are not retried", () =>
    Effect.gen(function* () {
      const times = yield* attemptTimes({ reason: "timeout", transient: true, detail: "no response" }, { maxAttempts: 4, baseDelay: "1 second", maxRetryAfter: "60 seconds" })
      expect(times).toHaveLength(4)
      const gaps = times.slice(1).map((t, i) => t - times[i]!)
      // Jitter is ±20 %: 1 s, 2 s, 4 s nominal, so each gap stays above the previous one.
      expect(gaps[1]!).toBeGreaterThan(gaps[0]!)
      expect(gaps[2]!).toBeGreaterThan(gaps[1]!)
      const once = yield* attemptTimes({ reason: "http-status", transient: false, detail: "HTTP 404", status: 404 }, { maxAttempts: 4, baseDelay: "1 second", maxRetryAfter: "60 seconds" })
      expect(once).toHaveLength(1)
    }),
  )
})
