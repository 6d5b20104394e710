/**
 * Selections, Dagster-style: `wef/*` (glob on keys), `wef/lighthouses+` (and everything
 * downstream), `+published/workbook` (and everything upstream), comma-separated unions.
 */
import { Effect } from "effect"
import type { Definitions } from "./Definitions.js"
import { suggest } from "./Definitions.js"
import { GraphError } from "./errors.js"

const globToRegExp = (glob: string): RegExp =>
  new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*\*/g, "\u0000").replace(/\*/g, "[^/]*").replace(/\u0000/g, ".*")}$`)

const closure = (start: Iterable<string>, next: (k: string) => ReadonlyArray<string>): Set<string> => {
  const seen = new Set<string>()
  const todo = [...start]
  while (todo.length > 0) {
    const k = todo.pop()!
    if (seen.has(k)) continue
    seen.add(k)
    todo.push(...next(k))
  }
  return seen
}

/** Resolves a selection string to a set of keys; an empty or `*` selection means everything. */
export const resolve = (defs: Definitions, selection: string | undefined): Effect.Effect<ReadonlySet<string>, GraphError> =>
  Effect.gen(function* () {
    const all = new Set(defs.order)
    if (selection === undefined || selection.trim() === "" || selection.trim() === "*") return all
    const out = new Set<string>()
    for (const raw of selection.split(/[,\s]+/).filter(Boolean)) {
      const up = raw.startsWith("+")
      const down = raw.endsWith("+")
      const pattern = raw.replace(/^\+/, "").replace(/\+$/, "")
      // A bare family name (`wef`) selects the family, like `wef/*`.
      const re = globToRegExp(pattern.includes("*") || all.has(pattern) ? pattern : `${pattern}/**`)
      const hits = defs.order.filter((k) => re.test(k))
      if (hits.length === 0) {
        const near = suggest(pattern, all)
        return yield* new GraphError({
          reason: "bad-selection",
          key: pattern,
          message: `selection \`${raw}\` matches no asset${near ? `; did you mean \`${near}\`?` : ""}`,
        })
      }
      let chosen: Set<string> = new Set(hits)
      if (down) chosen = new Set([...chosen, ...closure(hits, (k) => defs.dependents.get(k) ?? [])])
      if (up) chosen = new Set([...chosen, ...closure(hits, (k) => defs.assets.get(k)!.spec.deps)])
      for (const k of chosen) out.add(k)
    }
    return out
  })
