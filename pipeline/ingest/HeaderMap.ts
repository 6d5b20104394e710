/**
 * Header mapping: which published column is which canonical field, per source kind.
 * Synonyms live in one data table so adding "Operator" or "运营企业" is a one-line change.
 * Also the header-row detection and header clean-up shared by the CSV and XLSX readers.
 */
import * as Finding from "../domain/Finding.js"

/** Source kinds, as in a sidecar's `kind:`. */
export const kinds = [
  "miit-platforms",
  "miit-list",
  "reference",
  "wef-lighthouses",
  "wef-rounds",
  "idc-spending",
  "collaborations",
  "review-decisions",
] as const

/** One source kind. */
export type Kind = (typeof kinds)[number]

/** A canonical field with the header spellings that mean it; the field name itself always matches. */
export interface FieldSpec {
  readonly field: string
  readonly synonyms: ReadonlyArray<string>
  /** Required fields: a group of names where at least one must be present (e.g. either name column). */
  readonly requiredGroup?: string
}

const f = (field: string, synonyms: ReadonlyArray<string> = [], requiredGroup?: string): FieldSpec =>
  requiredGroup === undefined ? { field, synonyms } : { field, synonyms, requiredGroup }

/** THE synonym table: canonical fields per kind (names = the bundled CSV headers) with Chinese and English synonyms. */
export const headerTable: Readonly<Record<Kind, ReadonlyArray<FieldSpec>>> = {
  "miit-platforms": [
    f("list_year", ["年份", "名单年份", "年", "Year", "List year"], "list_year"),
    f("seq", ["序号", "No.", "No", "#", "Seq", "Number"]),
    f("platform_name_en", ["Platform", "Platform (en)", "Platform name", "英文名称", "平台英文名称"], "name"),
    f("platform_name_zh", ["平台名称", "平台中文名称", "Platform (zh)"]),
    f("company_name_zh", ["企业名称", "申报单位", "运营企业", "运营单位", "Company", "Operator", "Company name"], "name"),
    f("ownership_character", ["所有制", "企业性质", "所有制性质", "Ownership", "Ownership character"]),
    f("source_url", ["来源", "来源链接", "Source URL", "URL", "Source"]),
    f("notes", ["备注", "说明", "Notes", "Note", "Remarks"]),
  ],
  "miit-list": [
    f("seq", ["序号", "No.", "No", "#", "Seq", "Number"]),
    f("company_name_zh", ["企业名称", "申报单位", "单位名称", "运营企业", "Company", "Company name", "Operator"], "company_name_zh"),
    f("credit_code", ["统一社会信用代码", "信用代码", "Credit code", "USCC", "Unified social credit code"]),
    f("province", ["所在地区", "省份", "地区", "所在省份", "Province", "Region"]),
    f("sector", ["所属行业", "行业", "Sector", "Industry"]),
    f("batch", ["批次", "Batch", "Round"]),
  ],
  reference: [
    f("credit_code", ["统一社会信用代码", "信用代码", "Credit code", "USCC", "Unified social credit code"]),
    f("name_zh", ["企业名称", "中文名称", "名称", "Company", "Company name", "Name (zh)", "Chinese name"], "name"),
    f("name_en", ["英文名称", "English name", "Name (en)"], "name"),
    f("province", ["省份", "所在地区", "Province", "Region"]),
    f("city", ["城市", "地点", "所在城市", "City", "Location"]),
    f("sector", ["行业门类", "行业", "所属行业", "Sector", "Industry"]),
    f("ownership", ["企业类型", "所有制", "企业性质", "Ownership", "Company type"]),
    f("entity_id", ["实体编号", "Entity ID", "ID"]),
    f("group", ["集团", "Group"]),
    f("parent", ["母公司", "上级公司", "Parent", "Parent company"]),
    f("alias_zh", ["中文别名", "别名", "Alias (zh)", "Chinese alias"]),
    f("alias_en", ["英文别名", "Alias (en)", "English alias", "Alias"]),
    f("relation", ["关系", "Relation", "Relationship"]),
    f("note", ["备注", "说明", "Note", "Notes", "Remarks"]),
  ],
  "wef-lighthouses": [
    f("company", ["企业名称", "企业", "公司", "Company", "Operator", "Company name"], "company"),
    f("site", ["地点", "城市", "工厂", "Site", "Location", "Plant", "City"]),
    f("country", ["国家", "国家或地区", "国家/地区", "Country", "Country or region", "Economy"]),
    f("year_joined", ["年份", "年", "入选年份", "Year", "Year joined"]),
    f("announcement_ym", ["发布日期", "发布时间", "Release date", "Published", "Announcement", "Announced", "Announcement month"]),
    f("industry", ["行业", "所属行业", "Industry", "Sector"]),
    f("lighthouse_type", ["类型", "灯塔类型", "Type", "Lighthouse type"]),
    f("owner_hq_country", ["总部所在国", "Owner HQ country", "HQ country", "Headquarters country"]),
    f("owner_hq_basis", ["Owner HQ basis", "HQ basis"]),
    f("source_url", ["来源", "来源链接", "Source URL", "URL", "Source"]),
    f("verification", ["核实", "核实情况", "Verification", "Verified"]),
    f("notes", ["备注", "说明", "Notes", "Note", "Remarks"]),
  ],
  "wef-rounds": [
    f("announcement_date", ["发布日期", "发布时间", "日期", "Release date", "Published", "Date", "Announcement date"], "announcement_date"),
    f("new_sites", ["新增", "新增数量", "New sites", "New"]),
    f("total_sites", ["总数", "累计", "Total sites", "Total"]),
    f("china_total", ["中国总数", "中国累计", "China total"]),
    f("china_new", ["中国新增", "China new"]),
    f("source_url", ["来源", "来源链接", "Source URL", "URL", "Source"]),
    f("note", ["备注", "说明", "Note", "Notes", "Remarks"]),
  ],
  "idc-spending": [
    f("publisher", ["发布机构", "机构", "Publisher", "Source"], "publisher"),
    f("release_date", ["发布日期", "发布时间", "Release date", "Published", "Vintage"]),
    f("region", ["地区", "区域", "Region", "Geography"], "region"),
    f("metric", ["指标", "Metric", "Indicator"], "metric"),
    f("year", ["年份", "年", "Year"], "year"),
    f("value", ["数值", "数额", "金额", "Value", "Amount"], "value"),
    f("unit", ["单位", "Unit", "Units"]),
    f("is_forecast", ["预测", "是否预测", "Forecast", "Projection", "Is forecast"]),
    f("cagr_pct", ["CAGR", "CAGR %", "CAGR (%)", "年复合增长率", "复合增长率"]),
    f("note", ["备注", "说明", "Note", "Notes", "Remarks"]),
    f("source_url", ["来源链接", "Source URL", "URL"]),
  ],
  collaborations: [
    f("platform", ["平台", "平台名称", "Platform"], "platform"),
    f("partner", ["合作方", "合作伙伴", "Partner"], "partner"),
    f("partner_country", ["合作方国家", "Partner country"]),
    f("partner_country_basis", ["Partner country basis"]),
    f("relation", ["关系", "合作内容", "Relation", "Relationship"]),
    f("source", ["来源", "Source"]),
    f("note", ["备注", "说明", "Note", "Notes", "Remarks"]),
  ],
  "review-decisions": [
    f("link_key", ["Link key", "Link"], "link_key"),
    f("decision", ["决定", "Decision"], "decision"),
    f("entity_a", ["Entity A"]),
    f("entity_b", ["Entity B"]),
    f("note", ["备注", "Note", "Notes"]),
    f("decided_by", ["Decided by", "Reviewer"]),
    f("decided_at", ["Decided at", "Date"]),
  ],
}

/** Canonical field names of a kind, in table order. */
export const fieldsOf = (kind: Kind): ReadonlyArray<string> => headerTable[kind].map((s) => s.field)

/**
 * Matching key for a header: NFKC (full-width → ASCII), lower case, without spaces,
 * punctuation, symbols and underscores ("Year joined" = "year_joined" = "ＹＥＡＲ　ＪＯＩＮＥＤ").
 * A header made only of punctuation ("#") keeps its punctuation so it still means something.
 */
export const headerKey = (header: string): string => {
  const nfkc = header.normalize("NFKC").trim().toLowerCase()
  const key = nfkc.replace(/[\s\p{P}\p{S}_]/gu, "")
  return key === "" ? nfkc.replace(/\s/g, "") : key
}

const lookup: Readonly<Record<Kind, ReadonlyMap<string, string>>> = Object.fromEntries(
  kinds.map((kind) => {
    const m = new Map<string, string>()
    for (const spec of headerTable[kind]) m.set(headerKey(spec.field), spec.field)
    // Synonyms after field names: a field's own name always wins over another field's synonym.
    for (const spec of headerTable[kind]) for (const s of spec.synonyms) if (!m.has(headerKey(s))) m.set(headerKey(s), spec.field)
    return [kind, m]
  }),
) as unknown as Record<Kind, ReadonlyMap<string, string>>

/** Every header spelling known for any kind; used to recognise a header row among title rows. */
const anyKnown: ReadonlySet<string> = new Set(kinds.flatMap((k) => [...lookup[k].keys()]))

/** True when the text is a known header spelling of some kind. */
export const isKnownHeader = (header: string): boolean => anyKnown.has(headerKey(header))

/** A column mapped to a canonical field. */
export interface MappedField {
  readonly index: number
  readonly field: string
  readonly header: string
}

/** A column kept as published because no field claims it. */
export interface ExtraColumn {
  readonly index: number
  readonly header: string
}

/** Result of `mapHeaders`. */
export interface HeaderMapping {
  readonly fields: Array<MappedField>
  readonly extras: Array<ExtraColumn>
  /** Required fields not found; an either-or group reads "company_name_zh or platform_name_en". */
  readonly missing: string[]
  readonly findings: Finding.Finding[]
}

/**
 * Maps published headers to a kind's canonical fields. `columns` (header → field, from the
 * sidecar) wins over synonyms. Unknown columns are kept in `extras`; a second column claiming
 * a field already taken is kept as an extra with a `duplicate-field` finding.
 */
export const mapHeaders = (kind: Kind, headers: ReadonlyArray<string>, columns?: Record<string, string>): HeaderMapping => {
  const fields: Array<MappedField> = []
  const extras: Array<ExtraColumn> = []
  const findings: Finding.Finding[] = []
  const known = new Set(fieldsOf(kind))
  const override = new Map<string, string>()
  const overrideUsed = new Set<string>()
  for (const [h, field] of Object.entries(columns ?? {})) {
    override.set(h.trim(), field)
    override.set(`key:${headerKey(h)}`, field)
    if (!known.has(field))
      findings.push(Finding.make("warn", "unknown-field", `columns: maps "${h}" to "${field}", which is not a field of kind ${kind} (fields: ${fieldsOf(kind).join(", ")}); kept under that name.`, { field }))
  }
  const taken = new Map<string, string>()
  headers.forEach((header, index) => {
    const fromOverride = override.get(header.trim()) ?? override.get(`key:${headerKey(header)}`)
    if (fromOverride !== undefined) overrideUsed.add(fromOverride)
    const field = fromOverride ?? lookup[kind].get(headerKey(header))
    if (field === undefined) {
      extras.push({ index, header })
      findings.push(Finding.make("info", "extra-column", `Column "${header}" matches no field of kind ${kind}; it is kept as an extra column.`, { field: header }))
      return
    }
    const first = taken.get(field)
    if (first !== undefined) {
      extras.push({ index, header })
      findings.push(Finding.make("warn", "duplicate-field", `Columns "${first}" and "${header}" both mean ${field}; the first is used, "${header}" is kept as an extra column. Add a columns: entry to choose.`, { field }))
      return
    }
    taken.set(field, header)
    fields.push({ index, field, header })
  })
  for (const [h, field] of Object.entries(columns ?? {}))
    if (!overrideUsed.has(field))
      findings.push(Finding.make("warn", "unused-column-override", `columns: names header "${h}", but no column has that header (headers: ${headers.join(", ")}).`, { field }))
  const groups = new Map<string, string[]>()
  for (const spec of headerTable[kind]) if (spec.requiredGroup !== undefined) groups.set(spec.requiredGroup, [...(groups.get(spec.requiredGroup) ?? []), spec.field])
  const missing: string[] = []
  for (const group of groups.values()) if (!group.some((g) => taken.has(g))) missing.push(group.join(" or "))
  for (const m of missing)
    findings.push(Finding.make("error", "missing-field", `No column for ${m} (kind ${kind}); headers are: ${headers.join(", ")}. Rename the column or add a columns: entry to the sidecar.`, { field: m }))
  return { fields, extras, missing, findings }
}

// ---------------------------------------------------------------------------------------------
// Header-row detection and header clean-up, shared by the CSV and XLSX readers.

/** Rows examined when looking for the header row (title and blank rows usually take 1-5). */
export const HEADER_SCAN_ROWS = 20

const numericLike = /^[\s(+-]*[\d.,%]+[\s)]*$|^\d{4}-\d{2}(-\d{2})?$/

const nonEmpty = (cells: ReadonlyArray<string>): number => {
  let n = 0
  for (const c of cells) if (c.trim() !== "") n++
  return n
}

/**
 * Picks the header among the first rows (index into `rows`, or -1 when all are blank): the row
 * with the most non-empty, non-numeric cells, boosted by known header synonyms, and followed by a
 * row of similar width (a title row is followed by the header, which is wider). Earliest wins ties.
 */
export const detectHeaderIndex = (rows: ReadonlyArray<ReadonlyArray<string>>): number => {
  let best = -1
  let bestScore = -Infinity
  const limit = Math.min(rows.length, HEADER_SCAN_ROWS)
  for (let i = 0; i < limit; i++) {
    const cells = rows[i]!
    const filled = nonEmpty(cells)
    if (filled === 0) continue
    let numeric = 0
    let known = 0
    for (const c of cells) {
      const t = c.trim()
      if (t === "") continue
      if (numericLike.test(t)) numeric++
      if (isKnownHeader(t)) known++
    }
    let next = i + 1
    while (next < rows.length && nonEmpty(rows[next]!) === 0) next++
    // A row followed by a much wider row is a title or a note above the real header.
    const followedByWider = next < rows.length && nonEmpty(rows[next]!) > filled * 1.5 + 1
    const score = filled - 2 * numeric + 2 * known - (followedByWider ? filled + 10 : 0)
    if (score > bestScore) {
      bestScore = score
      best = i
    }
  }
  return best
}

/**
 * Cleans published headers: trimmed (BOM too), an empty header becomes "column N", a repeated
 * one gets " (2)", " (3)"; returns findings `empty-header` and `duplicate-header`.
 */
export const cleanHeaders = (
  raw: ReadonlyArray<string>,
  at: { readonly source: string; readonly sheet?: string; readonly row: number },
): { headers: string[]; findings: Finding.Finding[] } => {
  const findings: Finding.Finding[] = []
  const where = { source: at.source, row: at.row, ...(at.sheet === undefined ? {} : { sheet: at.sheet }) }
  // Trailing empty header cells (Excel pads rows) are dropped; data cells under them stay kept.
  let end = raw.length
  while (end > 0 && raw[end - 1]!.trim() === "") end--
  const used = new Set<string>()
  const headers: string[] = []
  for (let i = 0; i < end; i++) {
    let h = raw[i]!.trim()
    if (h === "") {
      h = `column ${i + 1}`
      findings.push(Finding.make("warn", "empty-header", `Column ${i + 1} has no header; it is called "${h}".`, { ...where, field: h }))
    }
    if (used.has(h)) {
      let n = 2
      while (used.has(`${h} (${n})`)) n++
      const renamed = `${h} (${n})`
      findings.push(Finding.make("warn", "duplicate-header", `Header "${h}" appears more than once; column ${i + 1} is kept as "${renamed}".`, { ...where, field: renamed, value: h }))
      h = renamed
    }
    used.add(h)
    headers.push(h)
  }
  return { headers, findings }
}
