/**
 * Reconciled assets: `reconciled/entities` (one entity per real company, links with their
 * evidence, the review band), `reconciled/list-links` (large MIIT lists against a registry),
 * `reconciled/figures` (one figure per question, every vintage and contradiction kept) and
 * `reconciled/findings` (every reconciliation finding in one table).
 */
import { Effect } from "effect"
import * as Asset from "../../engine/AssetSpec.js"
import type { Asset as AssetT } from "../../engine/AssetSpec.js"
import type * as Clean from "../../domain/Clean.js"
import * as Finding from "../../domain/Finding.js"
import * as RawRows from "../../domain/RawRows.js"
import type { RawTable } from "../../ingest/Ingest.js"
import type { Decision, DecisionKind } from "../../reconcile/entities/Decision.js"
import { linkList, type ListLinkResult } from "../../reconcile/entities/ListLink.js"
import * as Mention from "../../reconcile/entities/Mention.js"
import { resolve, type ResolveResult } from "../../reconcile/entities/Resolve.js"
import { buildFigures, type Figure } from "../../reconcile/figures/Figures.js"
import { reconcileRounds, type RoundsResult } from "../../reconcile/figures/Lighthouses.js"
import { reconcileSpending, type SpendingResult } from "../../reconcile/figures/Spending.js"
import type { ListsValue } from "../clean/lists.js"
import type { CleanTable } from "../clean/normalise.js"

type Clean<A> = AssetT<CleanTable<A>, any>

const DECISIONS = new Set<DecisionKind>(["accept", "reject", "merge", "split"])

/** `review/decisions`: reviewer decisions saved under sources/ (kind review-decisions). */
export const decisionsAsset = (raws: ReadonlyArray<AssetT<RawTable, any>>) =>
  Asset.make({
    key: "review/decisions",
    description: "reviewer decisions on entity links (accept / reject / merge / split), applied before scoring",
    deps: Object.fromEntries(raws.map((r) => [r.spec.key, r])) as Record<string, AssetT<RawTable, any>>,
    run: (inputs) =>
      Effect.sync(() => {
        const decisions: Array<Decision> = []
        const out: ReadonlyArray<Decision> = decisions
        const findings: Array<Finding.Finding> = []
        for (const t of Object.values(inputs) as Array<RawTable>) {
          for (const r of RawRows.iterate(t.rows)) {
            const kind = (r.values["decision"] ?? "").trim().toLowerCase()
            if (kind === "") continue
            if (!DECISIONS.has(kind as DecisionKind)) {
              findings.push(Finding.make("warn", "unknown-decision", `decision "${r.values["decision"]}" is not accept, reject, merge or split; ignored`, { source: t.source.id, row: r.row, field: "decision", value: r.values["decision"] ?? "" }))
              continue
            }
            const opt = (k: string) => (r.values[k] ?? "").trim() || undefined
            decisions.push({
              linkKey: (r.values["link_key"] ?? "").trim(),
              decision: kind as DecisionKind,
              entityA: opt("entity_a"),
              entityB: opt("entity_b"),
              note: opt("note"),
              decidedBy: opt("decided_by"),
              decidedAt: opt("decided_at"),
            })
          }
        }
        return { value: out, rows: decisions.length, findings }
      }),
  })

/** `reconciled/entities`: entity resolution over every mention of a company. */
export const entitiesAsset = (deps: {
  readonly platforms: Clean<Clean.PlatformRow>
  readonly collaborations: Clean<Clean.CollaborationRow>
  readonly lighthouses: Clean<Clean.LighthouseRow>
  readonly registry: Clean<Clean.RegistryRow>
  readonly decisions: AssetT<ReadonlyArray<Decision>, any>
}) =>
  Asset.make({
    key: "reconciled/entities",
    description: "one entity per real company across Chinese and English names, with links, evidence and the review band",
    codeVersion: "1",
    deps,
    checks: [
      {
        name: "every-entity-has-a-source",
        description: "no entity without a source row or a reference row",
        severity: "error",
        blocking: true,
        run: (r: ResolveResult) => {
          const orphans = r.entities.filter((e) => e.mentions === 0 && e.origin === "mentions")
          return { passed: orphans.length === 0, message: `${orphans.length} entities without a source row` }
        },
      },
    ],
    run: (i) =>
      Effect.sync(() => {
        // The curated reference only (reference/companies): registry firms (millions of them) are
        // linked to the large lists by `reconciled/list-links`; making an entity of every firm here
        // would publish millions of entities nobody mentions.
        const curated = i.registry.rows
        const result = resolve({
          mentions: [
            ...Mention.mentionsFromPlatforms(i.platforms.rows),
            ...Mention.mentionsFromCollaborations(i.collaborations.rows),
            ...Mention.mentionsFromLighthouses(i.lighthouses.rows),
          ],
          reference: curated,
          decisions: i.decisions,
        })
        return { value: result, rows: result.entities.length, findings: result.findings }
      }),
  })

/** `reconciled/list-links`: each firm of the large MIIT lists linked to the company registry. */
export const listLinksAsset = (deps: { readonly lists: AssetT<ListsValue, any>; readonly firms: AssetT<Clean.Firms, any>; readonly decisions: AssetT<ReadonlyArray<Decision>, any> }) =>
  Asset.make({
    key: "reconciled/list-links",
    description: "MIIT list firms linked to the company registry by credit code and name, with scores and the review band",
    // Version 2: a review-band finding names its row's own source (it named the first row's).
    codeVersion: "2",
    deps,
    run: (i) =>
      Effect.sync(() => {
        const result: ListLinkResult = linkList(i.lists.rows, i.firms, { decisions: i.decisions })
        return { value: result, rows: result.links.length, findings: result.findings, metadata: { ...result.stats } }
      }),
  })

/** What `reconciled/figures` holds. */
export interface FiguresValue {
  readonly spending: SpendingResult
  readonly rounds: RoundsResult
  readonly figures: ReadonlyArray<Figure>
}

/** `reconciled/figures`: one figure per question, with every vintage, claim and contradiction. */
export const figuresAsset = (deps: { readonly spending: Clean<Clean.SpendingRow>; readonly rounds: Clean<Clean.RoundClaimRow>; readonly lighthouses: Clean<Clean.LighthouseRow> }) =>
  Asset.make({
    key: "reconciled/figures",
    description: "spending figures across vintages and lighthouse round totals, reconciled with the rule that settled each",
    codeVersion: "1",
    deps,
    checks: [
      {
        name: "provenance",
        description: "every figure names at least one source row",
        severity: "error",
        blocking: true,
        run: (v: FiguresValue) => {
          const bare = v.figures.filter((f) => f.value !== null && f.sources.length === 0)
          return { passed: bare.length === 0, message: `${bare.length} figures without a source` }
        },
      },
    ],
    run: (i) =>
      Effect.sync(() => {
        const spending = reconcileSpending(i.spending.rows)
        const rounds = reconcileRounds(i.rounds.rows, i.lighthouses.rows, { taiwan: "separate" })
        const figures = buildFigures(spending, rounds)
        const value: FiguresValue = { spending, rounds, figures }
        return { value, rows: figures.length, findings: [...spending.findings, ...rounds.findings] }
      }),
  })

/** `reconciled/findings`: every reconciliation finding (entities, list links, figures) in one table. */
export const findingsAsset = (deps: {
  readonly entities: AssetT<ResolveResult, any>
  readonly listLinks: AssetT<ListLinkResult, any>
  readonly figures: AssetT<FiguresValue, any>
}) =>
  Asset.make({
    key: "reconciled/findings",
    description: "every contradiction, review-band pair and data problem found while reconciling, with its sources",
    deps,
    checks: [
      {
        name: "findings-name-a-source",
        description: "every reconciliation finding at warn or error names the source it is about",
        severity: "warn",
        blocking: false,
        run: (fs: ReadonlyArray<Finding.Finding>) => {
          const bare = fs.filter((f) => f.severity !== "info" && !f.source && !f.message.includes("/"))
          return { passed: bare.length === 0, message: `${bare.length} findings name no source` }
        },
      },
    ],
    run: (i) =>
      Effect.sync(() => {
        const all = [...i.entities.findings, ...i.listLinks.findings, ...i.figures.spending.findings, ...i.figures.rounds.findings].sort(Finding.order)
        return { value: all as ReadonlyArray<Finding.Finding>, rows: all.length }
      }),
  })
