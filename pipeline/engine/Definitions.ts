/**
 * Definitions: the whole asset graph, validated eagerly (duplicate keys, unknown deps with
 * "did you mean", cycles) and ordered topologically. Pure; never runs asset code.
 */
import { Effect } from "effect"
import type { AnyAsset, AssetSpec } from "./AssetSpec.js"
import { GraphError } from "./errors.js"

/** A validated graph. `order` is topological (deps before dependents, ties by key). */
export interface Definitions<R = any> {
  readonly assets: ReadonlyMap<string, AnyAsset<R>>
  readonly order: ReadonlyArray<string>
  /** Direct dependents of each key. */
  readonly dependents: ReadonlyMap<string, ReadonlyArray<string>>
}

/** Levenshtein distance, for "did you mean". */
const distance = (a: string, b: string): number => {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = cur
    }
  }
  return row[b.length]!
}

/** The closest known key, when it is close enough to be a plausible typo. */
export const suggest = (wanted: string, known: Iterable<string>): string | undefined => {
  let best: string | undefined
  let bestD = Infinity
  for (const k of known) {
    const d = distance(wanted, k)
    if (d < bestD) [best, bestD] = [k, d]
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(wanted.length / 3)) ? best : undefined
}

/** Validates the specs of a graph and returns its topological order. Pure. */
export const validateSpecs = (specs: ReadonlyArray<AssetSpec>): Effect.Effect<ReadonlyArray<string>, GraphError> =>
  Effect.gen(function* () {
    const byKey = new Map<string, AssetSpec>()
    for (const spec of specs) {
      if (byKey.has(spec.key)) {
        return yield* new GraphError({
          reason: "duplicate-key",
          key: spec.key,
          message: `asset \`${spec.key}\` is defined twice; asset keys must be unique`,
        })
      }
      byKey.set(spec.key, spec)
    }
    for (const spec of specs) {
      for (const dep of spec.deps) {
        if (byKey.has(dep)) continue
        const near = suggest(dep, byKey.keys())
        return yield* new GraphError({
          reason: "unknown-dep",
          key: spec.key,
          message: `asset \`${spec.key}\` depends on unknown asset \`${dep}\`${near ? `; did you mean \`${near}\`?` : ""}`,
        })
      }
    }
    // Depth-first topological sort; the grey set catches cycles and names the loop.
    const order: Array<string> = []
    const state = new Map<string, "grey" | "black">()
    const stack: Array<string> = []
    const sortedKeys = [...byKey.keys()].sort()
    let cycle: Array<string> | undefined
    const visit = (key: string): void => {
      if (cycle) return
      const s = state.get(key)
      if (s === "black") return
      if (s === "grey") {
        cycle = [...stack.slice(stack.indexOf(key)), key]
        return
      }
      state.set(key, "grey")
      stack.push(key)
      for (const dep of [...byKey.get(key)!.deps].sort()) visit(dep)
      stack.pop()
      state.set(key, "black")
      order.push(key)
    }
    for (const key of sortedKeys) visit(key)
    if (cycle) {
      return yield* new GraphError({
        reason: "cycle",
        key: cycle[0]!,
        message: `assets form a cycle: ${cycle.map((k) => `\`${k}\``).join(" → ")}; break it by removing one dependency`,
      })
    }
    return order
  })

/** Builds validated definitions from assets. */
export const make = <R>(assets: ReadonlyArray<AnyAsset<R>>): Effect.Effect<Definitions<R>, GraphError> =>
  Effect.map(validateSpecs(assets.map((a) => a.spec)), (order) => {
    const map = new Map(assets.map((a) => [a.spec.key, a] as const))
    const dependents = new Map<string, Array<string>>(order.map((k) => [k, []]))
    for (const key of order) for (const dep of map.get(key)!.spec.deps) dependents.get(dep)!.push(key)
    return { assets: map, order, dependents }
  })

/** Mermaid flowchart of the graph, for `iiot graph`. */
export const toMermaid = (defs: Definitions): string => {
  const id = (k: string) => k.replace(/[^A-Za-z0-9_]/g, "_")
  const lines = ["flowchart LR"]
  for (const key of defs.order) lines.push(`  ${id(key)}["${key}"]`)
  for (const key of defs.order) for (const dep of defs.assets.get(key)!.spec.deps) lines.push(`  ${id(dep)} --> ${id(key)}`)
  return lines.join("\n")
}
