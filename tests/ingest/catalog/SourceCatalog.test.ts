import { createHash } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Ingest from "../../../pipeline/ingest/Ingest.js"
import * as SourceCatalog from "../../../pipeline/ingest/SourceCatalog.js"

const sidecar = (extra = "") => `kind: wef-rounds\ntitle: t\nproducer: p\nurl: https://example.org\nretrieved: 2026-11-29\n${extra}`
const csv = "announcement_date,new_sites,total_sites\n2018-09-27,9,9\n"

const folder = () => {
  const root = mkdtempSync(join(tmpdir(), "iiot-catalog-"))
  const dir = join(root, "sources", "wef", "2026-01")
  mkdirSync(dir, { recursive: true })
  return { root, sources: join(root, "sources"), dir }
}

describe("SourceCatalog", () => {
  it.effect("pairs extracts with sidecars and names each unusable source", () =>
    Effect.gen(function* () {
      const { sources, dir } = folder()
      writeFileSync(join(dir, "ok.csv"), csv)
      writeFileSync(join(dir, "ok.csv.source.yml"), sidecar())
      writeFileSync(join(dir, "orphan.csv"), csv)
      writeFileSync(join(dir, "odd.csv"), csv)
      writeFileSync(join(dir, "odd.csv.source.yml"), sidecar().replace("wef-rounds", "wef-roundz"))
      writeFileSync(join(dir, "broken.csv"), csv)
      writeFileSync(join(dir, "broken.csv.source.yml"), "kind: wef-rounds\ntitle: t\n")
      writeFileSync(join(dir, "README.md"), "notes, not an extract")
      const c = yield* SourceCatalog.discover(sources)
      expect(c.entries.map((e) => e.id)).toEqual(["wef/2026-01/ok.csv"])
      expect(c.entries[0]).toMatchObject({ family: "wef", vintage: "2026-01" })
      const by = Object.fromEntries(c.errors.map((e) => [e.reason, e]))
      expect(by["missing-sidecar"]!.message).toContain("wef/2026-01/orphan.csv has no sidecar")
      expect(by["unknown-kind"]!.message).toMatch(/odd\.csv\.source\.yml:1: kind: .*\n {2}known kinds: miit-platforms/)
      expect(by["bad-sidecar"]!.message).toContain("broken.csv.source.yml")
      expect(by["bad-sidecar"]!.message).toContain("producer")
    }),
  )

  it.effect("refuses a sidecar path or a link that escapes the sources folder", () =>
    Effect.gen(function* () {
      const { root, sources, dir } = folder()
      writeFileSync(join(root, "secret.csv"), csv)
      writeFileSync(join(dir, "escape.csv.source.yml"), sidecar("path: ../../../secret.csv\n"))
      symlinkSync(join(root, "secret.csv"), join(dir, "linked.csv"))
      writeFileSync(join(dir, "linked.csv.source.yml"), sidecar())
      const c = yield* SourceCatalog.discover(sources)
      expect(c.entries).toEqual([])
      expect(c.errors.map((e) => e.reason)).toEqual(["path-escape", "path-escape"])
      expect(c.errors.find((e) => e.file.includes("escape"))!.message).toContain("points outside the sources folder")
    }),
  )

  it.effect("a pinned sha256 that does not match is a checksum-mismatch naming the file", () =>
    Effect.gen(function* () {
      const { sources, dir } = folder()
      writeFileSync(join(dir, "pinned.csv"), csv)
      writeFileSync(join(dir, "pinned.csv.source.yml"), sidecar(`sha256: "${"0".repeat(64)}"\n`))
      const c = yield* SourceCatalog.discover(sources)
      const err = yield* Effect.flip(Ingest.ingest(c.entries[0]!))
      expect(err.reason).toBe("checksum-mismatch")
      expect(err.message).toMatch(/^wef\/2026-01\/pinned\.csv: sha256 is [0-9a-f]{64} but the sidecar pins 0{64}/)
    }),
  )

  it.effect("a source whose rejected share exceeds the threshold fails as too-many-rejects", () =>
    Effect.gen(function* () {
      const { sources, dir } = folder()
      writeFileSync(join(dir, "bad.csv"), "announcement_date,new_sites\nsoon,9\nlater,x\n2019-01-10,7\n")
      writeFileSync(join(dir, "bad.csv.source.yml"), sidecar())
      const c = yield* SourceCatalog.discover(sources)
      const err = yield* Effect.flip(Ingest.ingest(c.entries[0]!))
      expect(err.reason).toBe("too-many-rejects")
      expect(err.message).toMatch(/2 of 3 rows rejected \(67% > 50%\)/)
      // Below the threshold the rows go to the quarantine with their reasons.
      writeFileSync(join(dir, "bad.csv.source.yml"), sidecar("max_reject_share: 0.9\n"))
      const ok = yield* Ingest.ingest((yield* SourceCatalog.discover(sources)).entries[0]!)
      expect(ok.counts).toEqual({ read: 3, kept: 1, rejected: 2 })
      expect(ok.quarantine[0]!.reasons[0]).toContain("[bad-date]")
      expect(ok.quarantine.map((q) => q.row)).toEqual([2, 3])
    }),
  )

  it.effect("hashes a big file in a worker thread, to the same sha256, and names a file it cannot read", () =>
    Effect.gen(function* () {
      const { dir } = folder()
      const file = join(dir, "big.csv")
      // Over the 32 MiB from which sha256File hashes in a worker.
      const bytes = Buffer.alloc(33 * 1024 * 1024, "2019-01-10,7,16\n")
      writeFileSync(file, bytes)
      const expected = createHash("sha256").update(bytes).digest("hex")
      expect(yield* SourceCatalog.sha256InWorker(file)).toBe(expected)
      expect(yield* SourceCatalog.sha256File(file)).toBe(expected)
      const missing = yield* Effect.flip(SourceCatalog.sha256InWorker(join(dir, "gone.csv")))
      expect(missing.message).toMatch(/cannot read .*gone\.csv/)
    }),
  )

  it.effect("a checksum recorded for a file stands until the file changes (a download is not hashed twice)", () =>
    Effect.gen(function* () {
      const { dir } = folder()
      const file = join(dir, "snap.csv")
      writeFileSync(file, csv)
      const real = yield* SourceCatalog.sha256File(file)
      // A recorded value is used as is: proof that the file is not read again.
      yield* SourceCatalog.rememberSha256(file, "f".repeat(64))
      expect(yield* SourceCatalog.sha256File(file)).toBe("f".repeat(64))
      // Different bytes (size and mtime change): hashed afresh.
      writeFileSync(file, csv + "2019-01-10,7,16\n")
      const changed = yield* SourceCatalog.sha256File(file)
      expect(changed).not.toBe("f".repeat(64))
      expect(changed).not.toBe(real)
    }),
  )
})
