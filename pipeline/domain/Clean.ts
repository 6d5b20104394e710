/**
 * Clean tables: one row type per family, normalised from the raw rows (names, countries,
 * periods, quantities), each row carrying its provenance. Built in `assets/clean/`, read by
 * reconciliation and publishing.
 */
import type { Period } from "./Period.js"
import type { Provenance } from "./Provenance.js"
import type { Quantity } from "./Quantity.js"

/** Ownership character, closed set (mapped in `normalize/ownership.ts`). */
export type OwnershipClass = "Private" | "SOE" | "Mixed" | "Foreign" | "Unclear"

/** A Chinese company name: display form and comparison key (see `normalize/companyZh.ts`). */
export interface ZhName {
  readonly display: string
  readonly key: string
  readonly location?: string | undefined
  /** Set when the published name was cut short and repaired. */
  readonly repaired?: "truncated-form" | undefined
}

/** An English company name: display form, comparison key, and a Chinese name found in brackets. */
export interface EnName {
  readonly display: string
  readonly key: string
  readonly zh?: string | undefined
}

/** A country as published and as ISO 3166-1 alpha-2 (absent for regions and blanks). */
export interface CountryRef {
  readonly label: string
  readonly iso2?: string | undefined
}

/** One platform on an MIIT cross-industry list. */
export interface PlatformRow {
  readonly listYear: number
  readonly seq?: number | undefined
  readonly platformEn?: EnName | undefined
  readonly platformZh?: string | undefined
  readonly company?: ZhName | undefined
  readonly ownership?: { readonly value: OwnershipClass; readonly original: string } | undefined
  readonly sourceUrl: string
  readonly notes: string
  readonly provenance: Provenance
}

/** One (platform, partner) collaboration. */
export interface CollaborationRow {
  readonly platform: EnName
  readonly partner: EnName
  readonly partnerCountry: CountryRef
  readonly partnerCountryBasis: string
  readonly relation: string
  readonly citedIn: string
  readonly note: string
  readonly provenance: Provenance
}

/** One Global Lighthouse Network site as an extract states it. */
export interface LighthouseRow {
  readonly company: EnName
  readonly site: string
  readonly country: CountryRef
  readonly yearJoined?: Period | undefined
  readonly announced?: Period | undefined
  readonly industry: string
  readonly type: string
  readonly ownerHq: CountryRef
  readonly sourceUrl: string
  readonly verification: string
  readonly notes: string
  readonly provenance: Provenance
}

/** One source's claim about a lighthouse announcement round. */
export interface RoundClaimRow {
  readonly date: Period
  readonly newSites?: number | undefined
  readonly totalSites?: number | undefined
  readonly chinaTotal?: number | undefined
  readonly chinaNew?: number | undefined
  readonly sourceUrl: string
  readonly note: string
  readonly provenance: Provenance
}

/** One spending, device or market-size figure, as a given publisher released it. */
export interface SpendingRow {
  readonly publisher: string
  readonly release?: Period | undefined
  readonly region: string
  readonly metric: string
  readonly year: number
  readonly quantity: Quantity
  readonly valueText: string
  readonly unitText: string
  readonly isForecast: boolean
  readonly cagrPct?: number | undefined
  readonly note: string
  readonly sourceUrl: string
  readonly provenance: Provenance
}

/** One firm on a large MIIT list (e.g. "little giants"). */
export interface ListRow {
  readonly seq: string
  readonly name: ZhName
  readonly creditCode?: string | undefined
  /** false when a code is present but fails the GB 32100 check. */
  readonly creditCodeValid: boolean
  readonly province: string
  readonly sector: string
  readonly batch: string
  readonly provenance: Provenance
}

/**
 * The firms of the large MIIT lists (kind `miit-list`, e.g. "little giants"), column by column:
 * `ListRow` without an object per row, for lists of a million firms (see `reconcile/entities/Listed`
 * for a row's view). Index i is one list row, in list order; text is normalised, "" where the
 * source has none.
 */
export interface Listed {
  readonly length: number
  readonly seq: ReadonlyArray<string>
  /** Chinese name as shown (`ZhName.display`). */
  readonly nameZh: ReadonlyArray<string>
  /** Its comparison key (`ZhName.key`). */
  readonly nameKey: ReadonlyArray<string>
  /** The key with a place-like trade word kept (`fullZhKey`; usually the same string as `nameKey`). */
  readonly fullKey: ReadonlyArray<string>
  /** The place the name gives (`ZhName.location`). */
  readonly location: ReadonlyArray<string>
  /** 1 where the company form was cut short in the source and repaired (`ZhName.repaired`). */
  readonly repaired: Uint8Array
  /** Normalised credit code (see `normalize/creditCode.ts`). */
  readonly creditCode: ReadonlyArray<string>
  /** 0 where a code is present but fails the GB 32100 check. */
  readonly creditCodeValid: Uint8Array
  readonly province: CodedText
  readonly sector: CodedText
  readonly batch: CodedText
  /** Provenance: source id and row (a spreadsheet source's sheet is its own, in its catalog entry: not repeated per row). */
  readonly source: CodedText
  readonly row: Int32Array
}

/** One firm of a company registry or of the curated reference file. */
export interface RegistryRow {
  readonly creditCode?: string | undefined
  readonly nameZh?: ZhName | undefined
  /**
   * The English name with its comparison key: curated reference rows only, the rows entity
   * resolution matches by English name. A registry firm is linked by credit code and Chinese
   * name, so its English name is kept as text (`nameEnText`): deriving keys for the 2M-row bench
   * registry cost 3.6 s and ~300 MB that no step used (measured).
   */
  readonly nameEn?: EnName | undefined
  /** The English name as published (text normalised), for every row that has one. */
  readonly nameEnText?: string | undefined
  readonly province: string
  readonly city: string
  readonly sector: string
  readonly ownership?: OwnershipClass | undefined
  /** Curated reference only: a stable id, group/parent and aliases. */
  readonly entityId?: string | undefined
  readonly group?: string | undefined
  readonly parent?: string | undefined
  readonly aliasesZh: ReadonlyArray<string>
  readonly aliasesEn: ReadonlyArray<string>
  readonly provenance: Provenance
}

/** A text column with few distinct values: the values, and each row's index into them. */
export interface CodedText {
  readonly values: ReadonlyArray<string>
  readonly codes: Uint32Array
}

/**
 * The firms of company registries (reference rows without an entity id), column by column:
 * what list linking reads, for millions of rows without an object per row. Index i is one
 * registry row; text is normalised as in `RegistryRow`, "" where the source has none.
 */
export interface Firms {
  readonly length: number
  /** Normalised credit code (see `normalize/creditCode.ts`). */
  readonly creditCode: ReadonlyArray<string>
  /** Chinese name as shown (`ZhName.display`). */
  readonly nameZh: ReadonlyArray<string>
  /** Its comparison key (`ZhName.key`). */
  readonly nameKey: ReadonlyArray<string>
  /** The key with a place-like trade word kept (`fullZhKey`; usually the same string as `nameKey`). */
  readonly fullKey: ReadonlyArray<string>
  readonly province: CodedText
  readonly city: CodedText
  readonly sector: CodedText
  /** Provenance: source id and row. */
  readonly source: CodedText
  readonly row: Int32Array
}
