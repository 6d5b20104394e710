import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Asset from "../../pipeline/engine/AssetSpec.js"
import * as Definitions from "../../pipeline/engine/Definitions.js"
import * as Selection from "../../pipeline/engine/Selection.js"

const noop = (key: string, deps: ReadonlyArray<string> = []) => Asset.fromKeys({ key, deps, run: () => Effect.succeed({ value: key }) })

describe("Definitions", () => {
  it.effect("names an unknown dependency and suggests the nearest key", () =>
    Effect.gen(function* () {
      const err = yield* Effect.flip(Definitions.make([noop("wef/lighthouses"), noop("wef/rounds", ["wef/lighthouse"])]))
      expect(err._tag).toBe("GraphError")
      expect(err.reason).toBe("unknown-dep")
      expect(err.message).toBe("asset `wef/rounds` depends on unknown asset `wef/lighthouse`; did you mean `wef/lighthouses`?")
    }),
  )

  it.effect("offers no suggestion when nothing is close", () =>
    Effect.gen(function* () {
      const err = yield* Effect.flip(Definitions.make([noop("a/b"), noop("c/d", ["zzz/qqq/rrr"])]))
      expect(err.message).not.toContain("did you mean")
    }),
  )

  it.effect("rejects duplicate keys", () =>
    Effect.gen(function* () {
      const err = yield* Effect.flip(Definitions.make([noop("miit/platforms"), noop("miit/platforms")]))
      expect(err.reason).toBe("duplicate-key")
      expect(err.message).toContain("`miit/platforms` is defined twice")
    }),
  )

  it.effect("names the loop of a cycle", () =>
    Effect.gen(function* () {
      const err = yield* Effect.flip(Definitions.make([noop("a", ["c"]), noop("b", ["a"]), noop("c", ["b"])]))
      expect(err.reason).toBe("cycle")
      expect(err.message).toMatch(/cycle: `a` → `c` → `b` → `a`/)
    }),
  )

  it.effect("orders topologically and renders Mermaid", () =>
    Effect.gen(function* () {
      const defs = yield* Definitions.make([noop("z/top", ["a/raw", "b/raw"]), noop("b/raw"), noop("a/raw")])
      expect(defs.order).toEqual(["a/raw", "b/raw", "z/top"])
      expect(Definitions.toMermaid(defs)).toContain("a_raw --> z_top")
    }),
  )

  it.effect("selects by glob, downstream (+ suffix) and upstream (+ prefix)", () =>
    Effect.gen(function* () {
      const defs = yield* Definitions.make([
        noop("wef/raw"),
        noop("wef/clean", ["wef/raw"]),
        noop("idc/raw"),
        noop("published/workbook", ["wef/clean", "idc/raw"]),
      ])
      expect([...(yield* Selection.resolve(defs, "wef/*"))].sort()).toEqual(["wef/clean", "wef/raw"])
      expect([...(yield* Selection.resolve(defs, "wef/raw+"))].sort()).toEqual(["published/workbook", "wef/clean", "wef/raw"])
      expect([...(yield* Selection.resolve(defs, "+published/workbook"))].length).toBe(4)
      expect([...(yield* Selection.resolve(defs, "idc"))]).toEqual(["idc/raw"])
      const err = yield* Effect.flip(Selection.resolve(defs, "wef/clen"))
      expect(err.message).toContain("did you mean `wef/clean`")
    }),
  )
})
