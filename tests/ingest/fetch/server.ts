/** A real node:http server on 127.0.0.1 for fetch tests, scoped so every test closes its sockets. */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { mkdtempSync } from "node:fs"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { performance } from "node:perf_hooks"

/** One request as the server saw it. */
export interface Seen {
  readonly at: number
  readonly path: string
  readonly headers: http.IncomingHttpHeaders
}

/** Answers request number `n` (1-based). */
export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void

/** A running test server. */
export interface TestServer {
  readonly url: (path?: string) => string
  readonly seen: ReadonlyArray<Seen>
  /** Stops the server early (e.g. to simulate a source that went away); idempotent. */
  readonly close: Effect.Effect<void>
}

const stop = (server: http.Server) =>
  Effect.async<void>((resume) => {
    server.closeAllConnections()
    server.close(() => resume(Effect.void))
  })

/** Starts a server on an ephemeral port; it is closed when the scope closes. */
export const startServer = (handler: Handler): Effect.Effect<TestServer, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<{ server: http.Server; api: TestServer }>((resume) => {
      const seen: Array<Seen> = []
      const server = http.createServer((req, res) => {
        seen.push({ at: performance.now(), path: req.url ?? "", headers: req.headers })
        handler(req, res, seen.length)
      })
      server.listen(0, "127.0.0.1", () => {
        const port = (server.address() as AddressInfo).port
        resume(
          Effect.succeed({
            server,
            api: { url: (path = "/extract.csv") => `http://127.0.0.1:${port}${path}`, seen, close: stop(server) },
          }),
        )
      })
    }),
    ({ server }) => stop(server),
  ).pipe(Effect.map(({ api }) => api))

/** A URL on a port nothing listens on (bound, then released). */
export const closedPortUrl: Effect.Effect<string> = Effect.async((resume) => {
  const server = http.createServer()
  server.listen(0, "127.0.0.1", () => {
    const port = (server.address() as AddressInfo).port
    server.close(() => resume(Effect.succeed(`http://127.0.0.1:${port}/extract.csv`)))
  })
})

/** A fresh temporary snapshot folder. */
export const tempDir = (): string => mkdtempSync(join(tmpdir(), "iiot-fetch-"))

/** Plain body answer with an explicit Content-Length. */
export const ok = (res: http.ServerResponse, body: string | Buffer, headers: http.OutgoingHttpHeaders = {}) => {
  const bytes = typeof body === "string" ? Buffer.from(body) : body
  res.writeHead(200, { "content-type": "text/csv", "content-length": bytes.length, ...headers })
  res.end(bytes)
}
