/** One extract with its sidecar in a fresh temp sources folder, found by the real catalog; and valid credit codes. */
import { Effect } from "effect"
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import type { SourceKind } from "../../pipeline/domain/Source.js"
import * as SourceCatalog from "../../pipeline/ingest/SourceCatalog.js"
import { creditCodeCheckChar } from "../../pipeline/normalize/creditCode.js"

/** The catalog entry of `bytes` written at `sources/<id>` (e.g. "miit/t/list.csv") with a minimal sidecar of `kind`. */
export const oneSource = (id: string, kind: SourceKind, bytes: string | Uint8Array) =>
  Effect.gen(function* () {
    const sources = join(mkdtempSync(join(tmpdir(), "iiot-source-")), "sources")
    const file = join(sources, id)
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, bytes)
    writeFileSync(`${file}.source.yml`, `kind: ${kind}\ntitle: t\nproducer: p\nurl: https://example.org\nretrieved: 2026-11-29\n`)
    return (yield* SourceCatalog.discover(sources)).entries[0]!
  })

/** The `i`-th unified social credit code under an 8-character prefix, with its GB 32100 check character. */
export const creditCode = (prefix: string, i: number): string => {
  const first = `${prefix}${String(i).padStart(17 - prefix.length, "0")}`
  return first + creditCodeCheckChar(first)!
}
