/**
 * Reviewer decisions on links, keyed by content so that they survive re-runs, new rows and row
 * reordering: a link key hashes the mention's normalised name key, its credit code and the
 * target entity id, never a row number. Applied before scoring on the next run.
 */
import * as Finding from "../../domain/Finding.js"
import { contentHash } from "./keys.js"

/** What a reviewer decided about a link (or, for merge, about two entities). */
export type DecisionKind = "accept" | "reject" | "merge" | "split"

/**
 * One saved decision. accept: force the link; reject: forbid this mention-entity pair;
 * split: the mention leaves the entity and stands alone; merge: the entity the mention ends up
 * in and the link's entity become one (or `entityA` and `entityB` when both are given).
 */
export interface Decision {
  readonly linkKey: string
  readonly decision: DecisionKind
  readonly entityA?: string | undefined
  readonly entityB?: string | undefined
  readonly note?: string | undefined
  readonly decidedBy?: string | undefined
  readonly decidedAt?: string | undefined
}

/**
 * The content a link key is made of: the mention's name key (Chinese key when it has one,
 * else the English key), its credit code and the entity id.
 */
export const linkKeyOf = (nameKey: string, creditCode: string | undefined, entityId: string): string =>
  "lk-" + contentHash(`${nameKey}\u0001${creditCode ?? ""}\u0001${entityId}`)

/** Decisions ready to apply: one per link key, conflicts set aside with findings. */
export interface DecisionTable {
  readonly byKey: ReadonlyMap<string, Decision>
  /** Explicit entity merges (entityA, entityB). */
  readonly merges: ReadonlyArray<readonly [string, string]>
  readonly findings: ReadonlyArray<Finding.Finding>
  /** Keys a run actually met; the rest are reported as unused by `unusedFindings`. */
  readonly used: Set<string>
}

const DECISIONS_SOURCE = "review-decisions"

/**
 * Builds the table. Two different decisions on one key conflict: the later `decidedAt` wins
 * when both are dated and differ; otherwise neither is applied (a reviewer has to settle it).
 */
export const table = (decisions: ReadonlyArray<Decision>): DecisionTable => {
  const groups = new Map<string, Array<Decision>>()
  const merges: Array<readonly [string, string]> = []
  for (const d of decisions) {
    if (d.decision === "merge" && d.entityA !== undefined && d.entityB !== undefined && d.entityA !== d.entityB) {
      merges.push([d.entityA, d.entityB])
      continue
    }
    const g = groups.get(d.linkKey)
    if (g === undefined) groups.set(d.linkKey, [d])
    else g.push(d)
  }
  const byKey = new Map<string, Decision>()
  const findings: Array<Finding.Finding> = []
  for (const [key, g] of groups) {
    const kinds = new Set(g.map((d) => d.decision))
    if (kinds.size === 1) {
      byKey.set(key, g[0]!)
      continue
    }
    const dated = g.filter((d) => d.decidedAt !== undefined && d.decidedAt !== "").sort((a, b) => a.decidedAt!.localeCompare(b.decidedAt!))
    const last = dated[dated.length - 1]
    const winner = dated.length === g.length && last !== undefined && dated.filter((d) => d.decidedAt === last.decidedAt).length === 1 ? last : undefined
    if (winner !== undefined) byKey.set(key, winner)
    findings.push(
      Finding.make(
        "warn",
        "conflicting-decisions",
        `Link ${key} has conflicting decisions (${g.map((d) => `${d.decision}${d.decidedAt ? ` on ${d.decidedAt}` : ""}${d.decidedBy ? ` by ${d.decidedBy}` : ""}`).join(", ")}); ` +
          (winner !== undefined ? `the latest (${winner.decision}) is applied.` : "none is applied until a reviewer keeps one."),
        { source: DECISIONS_SOURCE, field: "link_key", value: key },
      ),
    )
  }
  return { byKey, merges, findings, used: new Set() }
}

/** Info findings for decisions whose link no longer appears (data changed, or a typo in the key). */
export const unusedFindings = (t: DecisionTable): Array<Finding.Finding> =>
  [...t.byKey.keys()]
    .filter((k) => !t.used.has(k))
    .sort()
    .map((k) =>
      Finding.make("info", "unused-decision", `Decision on link ${k} matched no candidate link in this run; it is kept but had no effect.`, {
        source: DECISIONS_SOURCE,
        field: "link_key",
        value: k,
      }),
    )
