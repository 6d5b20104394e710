/** Clean rows built from the bundled sources for the entity tests (a tiny stand-in for the clean assets). */
import { readFileSync } from "node:fs"
import { join, resolve } from "node:path"
import Papa from "papaparse"
import type { CollaborationRow, EnName, LighthouseRow, PlatformRow, RegistryRow, ZhName } from "../../../pipeline/domain/Clean.js"
import { enCompanyName } from "../../../pipeline/normalize/companyEn.js"
import { zhCompanyName } from "../../../pipeline/normalize/companyZh.js"
import { toCountry } from "../../../pipeline/normalize/country.js"
import { normalizeOwnership } from "../../../pipeline/normalize/ownership.js"
import * as Reference from "../../../pipeline/reconcile/entities/Reference.js"

export const root = resolve(import.meta.dirname, "../../..")
const sources = join(root, "sources")

/** Records of a bundled CSV with their 1-based row numbers (header = row 1). */
export const records = (rel: string): Array<{ row: number; get: (f: string) => string }> => {
  const parsed = Papa.parse<Record<string, string>>(readFileSync(join(sources, rel), "utf8"), { header: true, skipEmptyLines: true })
  return parsed.data.map((r, i) => ({ row: i + 2, get: (f: string) => r[f] ?? "" }))
}

const zh = (raw: string): ZhName | undefined => {
  if (raw.trim() === "") return undefined
  const n = zhCompanyName(raw)
  return { display: n.display, key: n.key, location: n.location, repaired: n.repaired }
}
const en = (raw: string): EnName | undefined => {
  if (raw.trim() === "") return undefined
  const n = enCompanyName(raw)
  return { display: n.display, key: n.key, zh: n.zh }
}
const country = (label: string) => ({ label, iso2: toCountry(label)?.iso2 })

export const PLATFORMS = "miit/2023-06/miit_platforms.csv"
export const COLLABORATIONS = "miit/2023-06/miit_collaborations.csv"
export const LIGHTHOUSES = "wef/2026-01/wef_lighthouses.csv"
export const CURATED = "reference/curated/entities.csv"

export const platforms = (): Array<PlatformRow> =>
  records(PLATFORMS).map(({ row, get }) => {
    const own = normalizeOwnership(get("ownership_character"))
    return {
      listYear: Number(get("list_year")),
      seq: get("seq") === "" ? undefined : Number(get("seq")),
      platformEn: en(get("platform_name_en")),
      platformZh: get("platform_name_zh") || undefined,
      company: zh(get("company_name_zh")),
      ownership: own === undefined ? undefined : { value: own.value, original: own.original },
      sourceUrl: get("source_url"),
      notes: get("notes"),
      provenance: { source: PLATFORMS, row },
    }
  })

export const collaborations = (): Array<CollaborationRow> =>
  records(COLLABORATIONS).map(({ row, get }) => ({
    platform: en(get("platform"))!,
    partner: en(get("partner"))!,
    partnerCountry: country(get("partner_country")),
    partnerCountryBasis: get("partner_country_basis"),
    relation: get("relation"),
    citedIn: get("source"),
    note: get("note"),
    provenance: { source: COLLABORATIONS, row },
  }))

export const lighthouses = (): Array<LighthouseRow> =>
  records(LIGHTHOUSES).map(({ row, get }) => ({
    company: en(get("company"))!,
    site: get("site"),
    country: country(get("country")),
    industry: get("industry"),
    type: get("lighthouse_type"),
    ownerHq: country(get("owner_hq_country")),
    sourceUrl: get("source_url"),
    verification: get("verification"),
    notes: get("notes"),
    provenance: { source: LIGHTHOUSES, row },
  }))

export const curated = (): Array<RegistryRow> => records(CURATED).map(({ row, get }) => Reference.fromFields(get, { source: CURATED, row }))
