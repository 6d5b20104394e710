import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as Publication from "../../pipeline/engine/Publication.js"

describe("Publication.collect", () => {
  it.effect("puts stored files and folders into the run folder as hard links, not copies", () =>
    Effect.gen(function* () {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), "pub-collect-"))
      const store = path.join(root, "store")
      fs.mkdirSync(path.join(store, "data", "sub"), { recursive: true })
      fs.writeFileSync(path.join(store, "book.xlsx"), "workbook")
      fs.writeFileSync(path.join(store, "data", "lists.csv"), "a,b\r\n1,2\r\n")
      fs.writeFileSync(path.join(store, "data", "sub", "README.md"), "# readme")
      const run = path.join(root, "run")
      yield* Publication.collect(run, [
        { name: "book.xlsx", path: path.join(store, "book.xlsx") },
        { name: "data", path: path.join(store, "data") },
      ])
      for (const f of ["book.xlsx", "data/lists.csv", "data/sub/README.md"]) {
        const [a, b] = [fs.statSync(path.join(store, f)), fs.statSync(path.join(run, f))]
        expect(b.ino, f).toBe(a.ino)
        expect(fs.readFileSync(path.join(run, f), "utf8")).toBe(fs.readFileSync(path.join(store, f), "utf8"))
      }
      fs.rmSync(root, { recursive: true, force: true })
    }),
  )
})
