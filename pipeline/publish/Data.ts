/**
 * The publication model: everything the workbook and the briefing packs show, gathered from
 * the clean and reconciled assets. Pure data; the builders turn it into a WorkbookDoc or a PackDoc.
 */
import type * as Clean from "../domain/Clean.js"
import type { Finding } from "../domain/Finding.js"
import type { QuarantinedRow, SourceInfo } from "../domain/Source.js"
import type { ListLinkResult } from "../reconcile/entities/ListLink.js"
import type { ResolveResult } from "../reconcile/entities/Resolve.js"
import type { Figure } from "../reconcile/figures/Figures.js"
import type { RoundsResult } from "../reconcile/figures/Lighthouses.js"
import type { SpendingResult } from "../reconcile/figures/Spending.js"

/** A source with its row counts, for the Sources sheet and the pack's source list. */
export interface SourceSummary {
  readonly info: SourceInfo
  readonly read: number
  readonly kept: number
  readonly rejected: number
}

/** A rejected row with the source it came from. */
export interface QuarantineEntry extends QuarantinedRow {
  readonly source: string
}

/** How China's counts treat Taiwan wherever they are shown. */
export type TaiwanPolicy = "separate" | "with-china"

/** Everything published, before any layout decision. */
export interface PublicationData {
  readonly title: string
  /** The date the data is current to (latest `retrieved` of the sources, or `--as-of`). */
  readonly asOf: string
  /** Fingerprint of the inputs and code that built this publication. */
  readonly dataVersion: string
  readonly taiwanPolicy: TaiwanPolicy
  readonly sources: ReadonlyArray<SourceSummary>
  readonly quarantine: ReadonlyArray<QuarantineEntry>
  readonly findings: ReadonlyArray<Finding>
  readonly platforms: ReadonlyArray<Clean.PlatformRow>
  readonly collaborations: ReadonlyArray<Clean.CollaborationRow>
  readonly lighthouses: ReadonlyArray<Clean.LighthouseRow>
  readonly rounds: ReadonlyArray<Clean.RoundClaimRow>
  readonly spending: ReadonlyArray<Clean.SpendingRow>
  /** The large MIIT lists (e.g. little giants), in columns. */
  readonly lists: Clean.Listed
  /** Reconciled: entities, links and the review band. */
  readonly entities?: ResolveResult | undefined
  /** Reconciled: large lists linked to a registry. */
  readonly listLinks?: ListLinkResult | undefined
  /** Reconciled figures: spending series and revisions, lighthouse rounds, the flat figure list. */
  readonly figures?: { readonly spending: SpendingResult; readonly rounds: RoundsResult; readonly figures: ReadonlyArray<Figure> } | undefined
}
