/** Test helpers: temp dirs and collecting a table's rows. */
import { Chunk, Effect, Stream } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import type { ReadError } from "../../../pipeline/ingest/ReadError.js"
import type { OpenTable, RawRow } from "../../../pipeline/ingest/Table.js"

/** A fresh temp directory for one test file's fixtures. */
export const tempDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), "iiot-readers-"))

/** Writes bytes or text to `dir/name` and returns the path. */
export const write = (dir: string, name: string, data: string | Uint8Array): string => {
  const p = path.join(dir, name)
  fs.writeFileSync(p, data)
  return p
}

/** Every data row of an opened table, batches flattened. */
export const allRows = (t: OpenTable): Effect.Effect<RawRow[], ReadError> =>
  Stream.runCollect(t.batches).pipe(Effect.map((c) => Chunk.toReadonlyArray(c).flat()))
