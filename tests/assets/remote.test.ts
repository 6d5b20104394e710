/** Issue 3: a source with `download:` is fetched by the refresh, and falls back to its snapshot when the server is gone. */
import { describe, expect, it } from "vitest"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { refresh, repo } from "./harness.js"

describe("a remote source", () => {
  it("is downloaded on refresh, retried on 503, and served from its snapshot with a stale-source finding when the server is gone", async () => {
    const body = readFileSync(join(repo, "sources/wef/2026-01/wef_rounds.csv"))
    let hits = 0
    const server = createServer((_req, res) => {
      hits++
      if (hits === 1) {
        res.writeHead(503).end("busy")
        return
      }
      res.writeHead(200, { "content-type": "text/csv", "content-length": body.length, etag: '"v1"' }).end(body)
    })
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/rounds.csv`

    const dir = mkdtempSync(join(tmpdir(), "iiot-remote-"))
    const sources = join(dir, "sources", "wef", "remote")
    mkdirSync(sources, { recursive: true })
    writeFileSync(join(sources, "rounds.csv.source.yml"), `kind: wef-rounds\ntitle: rounds\nproducer: p\nurl: ${url}\nretrieved: 2026-11-29\ndownload: ${url}\n`)

    const first = await refresh(dir, { select: "raw" })
    const raw = first.outcomes.find((o) => o.key === "raw/wef/remote/rounds")!
    expect(raw.status, raw.error ?? "").toBe("ran")
    expect(raw.rows).toBe(34)
    // A 503, then the download: the run uses the snapshot its plan fetched, not a second request.
    expect(hits).toBe(2)

    await new Promise<void>((r) => server.close(() => r()))
    const second = await refresh(dir, { select: "raw", force: true })
    const again = second.outcomes.find((o) => o.key === "raw/wef/remote/rounds")!
    expect(again.status, again.error ?? "").toBe("ran")
    expect(again.rows).toBe(34)
    expect(second.findings.some((f) => f.code === "stale-source" && f.message.includes(url))).toBe(true)
  })
})
