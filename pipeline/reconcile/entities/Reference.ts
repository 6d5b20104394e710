/**
 * The curated reference file (`sources/reference/curated/entities.csv`, kind `reference`) as
 * RegistryRows: one row per entity with its stable id, group, parent and "|"-separated aliases.
 * The ingest layer reads the file and maps headers; this turns mapped fields into clean rows.
 */
import type { EnName, RegistryRow, ZhName } from "../../domain/Clean.js"
import type { Provenance } from "../../domain/Provenance.js"
import { enCompanyName } from "../../normalize/companyEn.js"
import { zhCompanyName } from "../../normalize/companyZh.js"
import { checkCreditCode } from "../../normalize/creditCode.js"
import { normalizeOwnership } from "../../normalize/ownership.js"
import { normalizeText } from "../../normalize/text.js"

/** Splits an alias cell: "|" between aliases, blanks dropped, duplicates kept once. */
export const splitAliases = (cell: string | undefined): Array<string> =>
  [...new Set((cell ?? "").split("|").map((s) => normalizeText(s)).filter((s) => s !== ""))]

const zhName = (raw: string): ZhName | undefined => {
  if (normalizeText(raw) === "") return undefined
  const n = zhCompanyName(raw)
  return { display: n.display, key: n.key, location: n.location, repaired: n.repaired }
}

const enName = (raw: string): EnName | undefined => {
  if (normalizeText(raw) === "") return undefined
  const n = enCompanyName(raw)
  return { display: n.display, key: n.key, zh: n.zh }
}

/**
 * A reference row from canonical fields (entity_id, name_zh, name_en, group, parent, alias_zh,
 * alias_en, and optionally credit_code, province, city, sector, ownership).
 */
export const fromFields = (get: (field: string) => string | undefined, provenance: Provenance): RegistryRow => {
  const code = normalizeText(get("credit_code") ?? "")
  const text = (f: string) => normalizeText(get(f) ?? "")
  return {
    entityId: text("entity_id") || undefined,
    creditCode: code === "" ? undefined : checkCreditCode(code).normalized,
    nameZh: zhName(get("name_zh") ?? ""),
    nameEn: enName(get("name_en") ?? ""),
    nameEnText: text("name_en") || undefined,
    group: text("group") || undefined,
    parent: text("parent") || undefined,
    province: text("province"),
    city: text("city"),
    sector: text("sector"),
    ownership: normalizeOwnership(get("ownership") ?? "")?.value,
    aliasesZh: splitAliases(get("alias_zh")),
    aliasesEn: splitAliases(get("alias_en")),
    provenance,
  }
}
