/**
 * Mentions: every occurrence of a company name in a clean table, in one shape, ready to be
 * resolved to an entity. Ids are `${source}#${row}#${role}`, so they follow the source row,
 * not the order rows arrive in.
 */
import type { CollaborationRow, EnName, LighthouseRow, ListRow, OwnershipClass, PlatformRow, ZhName } from "../../domain/Clean.js"
import type { Provenance } from "../../domain/Provenance.js"

/** What part a name plays in its row. */
export type Role = "platform-operator" | "platform" | "collaboration-platform" | "partner" | "lighthouse-operator" | "list-firm"

/** One name occurrence to resolve. */
export interface Mention {
  /** Stable: `${source}#${row}#${role}`. */
  readonly id: string
  readonly role: Role
  readonly nameZh?: ZhName | undefined
  readonly nameEn?: EnName | undefined
  readonly creditCode?: string | undefined
  /** false when a code is present but fails the GB 32100 check. */
  readonly creditCodeValid?: boolean | undefined
  readonly province?: string | undefined
  readonly city?: string | undefined
  readonly sector?: string | undefined
  /** ISO 3166-1 alpha-2 of the firm's home country, when the source states or implies it. */
  readonly country?: string | undefined
  readonly ownership?: OwnershipClass | undefined
  readonly provenance: Provenance
}

/** The stable id of a mention. */
export const mentionId = (provenance: Provenance, role: Role): string => `${provenance.source}#${provenance.row}#${role}`

/**
 * Platform rows: one mention per row, for the operating company (Chinese legal name) with the
 * platform's English name beside it; a row naming only a platform gives a "platform" mention.
 */
export const mentionsFromPlatforms = (rows: ReadonlyArray<PlatformRow>): Array<Mention> =>
  rows.flatMap((r): Array<Mention> => {
    if (r.company === undefined && r.platformEn === undefined) return []
    const role: Role = r.company !== undefined ? "platform-operator" : "platform"
    return [
      {
        id: mentionId(r.provenance, role),
        role,
        nameZh: r.company,
        nameEn: r.platformEn,
        country: "CN",
        ownership: r.ownership?.value,
        provenance: r.provenance,
      },
    ]
  })

/** Collaboration rows: the Chinese platform and its partner, two mentions per row. */
export const mentionsFromCollaborations = (rows: ReadonlyArray<CollaborationRow>): Array<Mention> =>
  rows.flatMap((r): Array<Mention> => [
    { id: mentionId(r.provenance, "collaboration-platform"), role: "collaboration-platform", nameEn: r.platform, country: "CN", provenance: r.provenance },
    { id: mentionId(r.provenance, "partner"), role: "partner", nameEn: r.partner, country: r.partnerCountry.iso2, provenance: r.provenance },
  ])

/** Lighthouse rows: the operating company, with its home country (not the site's). */
export const mentionsFromLighthouses = (rows: ReadonlyArray<LighthouseRow>): Array<Mention> =>
  rows.map((r) => ({
    id: mentionId(r.provenance, "lighthouse-operator"),
    role: "lighthouse-operator" as const,
    nameEn: r.company,
    country: r.ownerHq.iso2,
    provenance: r.provenance,
  }))

/** Firms of a large MIIT list (for `resolve`; the million-row path is `linkList`). */
export const mentionsFromList = (rows: ReadonlyArray<ListRow>): Array<Mention> =>
  rows.map((r) => ({
    id: mentionId(r.provenance, "list-firm"),
    role: "list-firm" as const,
    nameZh: r.name,
    creditCode: r.creditCode,
    creditCodeValid: r.creditCodeValid,
    province: r.province,
    sector: r.sector,
    country: "CN",
    provenance: r.provenance,
  }))
