/**
 * Raw → clean, one function per kind: names, countries, periods and quantities normalised,
 * originals kept beside them, every row with its provenance. Problems are findings; a row that
 * passed validation is never dropped here.
 */
import type * as Clean from "../../domain/Clean.js"
import * as Finding from "../../domain/Finding.js"
import type { Provenance } from "../../domain/Provenance.js"
import * as RawRows from "../../domain/RawRows.js"
import type { RawRecord, RawTable } from "../../ingest/Ingest.js"
import { enCompanyName } from "../../normalize/companyEn.js"
import { zhCompanyName } from "../../normalize/companyZh.js"
import { checkCreditCode } from "../../normalize/creditCode.js"
import { toCountry } from "../../normalize/country.js"
import { normalizeOwnership } from "../../normalize/ownership.js"
import { parsePeriod } from "../../normalize/period.js"
import { parseQuantity } from "../../normalize/quantity.js"
import { normalizeText } from "../../normalize/text.js"
import { splitAliases } from "../../reconcile/entities/Reference.js"
import { isFirm } from "../../reconcile/entities/Firms.js"

/** A clean table: rows plus the findings normalisation raised. */
export interface CleanTable<A> {
  readonly rows: ReadonlyArray<A>
  readonly findings: ReadonlyArray<Finding.Finding>
}

const text = (r: RawRecord, field: string): string => normalizeText(r.values[field] ?? "")

/**
 * A pure normaliser remembered per distinct input, for columns that repeat a few values over
 * millions of rows (province, city, sector, batch, ownership): the 2M-row registry normalised
 * each of them 2M times. Stops remembering past `limit` distinct inputs (then it is free text).
 */
export const memo = <A>(f: (s: string) => A, limit = 20_000): ((s: string) => A) => {
  const known = new Map<string, A>()
  return (s) => {
    const hit = known.get(s)
    if (hit !== undefined || known.has(s)) return hit as A
    const v = f(s)
    if (known.size < limit) known.set(s, v)
    return v
  }
}

/** `text` for a categorical column (see memo); one cache per normaliser run. */
const categorical = () => {
  const norm = memo(normalizeText)
  return (r: RawRecord, field: string): string => norm(r.values[field] ?? "")
}
const opt = (s: string): string | undefined => (s === "" ? undefined : s)
const int = (s: string): number | undefined => (s.trim() === "" ? undefined : Number(s.replace(/,/g, "")))

const provenance = (t: RawTable, r: RawRecord): Provenance => ({ source: t.source.id, row: r.row, ...(t.source.sheet ? { sheet: t.source.sheet } : {}) })

/** Where a normaliser reports a finding. */
export type Emit = (f: Finding.Finding) => void

/** Runs `clean` over every row of every table, collecting the rows and the findings it emits. */
const eachRow = <A>(tables: ReadonlyArray<RawTable>, clean: (t: RawTable, r: RawRecord, emit: Emit) => A): CleanTable<A> => {
  const rows: Array<A> = []
  const findings: Array<Finding.Finding> = []
  const emit: Emit = (f) => findings.push(f)
  for (const t of tables) RawRows.forEach(t.rows, (r) => rows.push(clean(t, r, emit)))
  return { rows, findings }
}

/** A Chinese company name cleaned and keyed (undefined when blank); a repaired form cut short is an info finding. */
export const zh = (raw: string, at: Provenance, field: string, emit: Emit): Clean.ZhName | undefined => {
  if (raw.trim() === "") return undefined
  const n = zhCompanyName(raw)
  if (n.repaired) {
    emit(Finding.make("info", "repaired-name", `company form cut short in the source ("${raw}"); read as "${n.display}"`, { source: at.source, row: at.row, field, value: raw }))
  }
  return { display: n.display, key: n.key, location: n.location, repaired: n.repaired }
}

const en = (raw: string): Clean.EnName | undefined => {
  if (raw.trim() === "") return undefined
  const n = enCompanyName(raw)
  return { display: n.display, key: n.key, zh: n.zh }
}

const country = (raw: string, at: Provenance, field: string, emit: Emit): Clean.CountryRef => {
  const label = normalizeText(raw)
  if (label === "") return { label }
  const c = toCountry(label)
  if (!c) emit(Finding.make("info", "not-a-country", `"${label}" is not a country (kept as written; counted in no country total)`, { source: at.source, row: at.row, field, value: raw }))
  return { label, iso2: c?.iso2 }
}

const period = (raw: string) => (raw.trim() === "" ? undefined : parsePeriod(raw))

/** MIIT cross-industry platform lists. */
export const platforms = (tables: ReadonlyArray<RawTable>): CleanTable<Clean.PlatformRow> =>
  eachRow(tables, (t, r, emit) => {
    const at = provenance(t, r)
    const own = text(r, "ownership_character")
    const ownership = normalizeOwnership(own)
    if (ownership && !ownership.recognised) {
      emit(Finding.make("warn", "unknown-ownership", `ownership "${own}" is not a known category; shown as Unclear`, { source: at.source, row: at.row, field: "ownership_character", value: own }))
    }
    return {
      listYear: Number(text(r, "list_year")),
      seq: int(text(r, "seq")),
      platformEn: en(text(r, "platform_name_en")),
      platformZh: opt(text(r, "platform_name_zh")),
      company: zh(r.values["company_name_zh"] ?? "", at, "company_name_zh", emit),
      ownership: ownership ? { value: ownership.value, original: ownership.original } : undefined,
      sourceUrl: text(r, "source_url"),
      notes: text(r, "notes"),
      provenance: at,
    }
  })

/** Collaborations of platforms with foreign partners. */
export const collaborations = (tables: ReadonlyArray<RawTable>): CleanTable<Clean.CollaborationRow> =>
  eachRow(tables, (t, r, emit) => {
    const at = provenance(t, r)
    return {
      platform: en(text(r, "platform"))!,
      partner: en(text(r, "partner"))!,
      partnerCountry: country(r.values["partner_country"] ?? "", at, "partner_country", emit),
      partnerCountryBasis: text(r, "partner_country_basis"),
      relation: text(r, "relation"),
      citedIn: text(r, "source"),
      note: text(r, "note"),
      provenance: at,
    }
  })

/** Global Lighthouse Network sites. */
export const lighthouses = (tables: ReadonlyArray<RawTable>): CleanTable<Clean.LighthouseRow> =>
  eachRow(tables, (t, r, emit) => {
    const at = provenance(t, r)
    return {
      company: en(text(r, "company"))!,
      site: text(r, "site"),
      country: country(r.values["country"] ?? "", at, "country", emit),
      yearJoined: period(text(r, "year_joined")),
      announced: period(text(r, "announcement_ym")),
      industry: text(r, "industry"),
      type: text(r, "lighthouse_type"),
      ownerHq: country(r.values["owner_hq_country"] ?? "", at, "owner_hq_country", emit),
      sourceUrl: text(r, "source_url"),
      verification: text(r, "verification"),
      notes: text(r, "notes"),
      provenance: at,
    }
  })

/** Claims about lighthouse announcement rounds. */
export const rounds = (tables: ReadonlyArray<RawTable>): CleanTable<Clean.RoundClaimRow> =>
  eachRow(tables, (t, r) => {
    return {
      date: parsePeriod(text(r, "announcement_date"))!,
      newSites: int(text(r, "new_sites")),
      totalSites: int(text(r, "total_sites")),
      chinaTotal: int(text(r, "china_total")),
      chinaNew: int(text(r, "china_new")),
      sourceUrl: text(r, "source_url"),
      note: text(r, "note"),
      provenance: provenance(t, r),
    }
  })

const truthy = (s: string) => /^(true|yes|y|1|是|预测|forecast)$/i.test(s.trim())

/** IoT spending, devices and market-size figures across vintages. */
export const spending = (tables: ReadonlyArray<RawTable>): CleanTable<Clean.SpendingRow> =>
  eachRow(tables, (t, r) => {
    const valueText = text(r, "value")
    const unitText = text(r, "unit")
    const cagr = text(r, "cagr_pct")
    return {
      publisher: text(r, "publisher"),
      release: period(text(r, "release_date")),
      region: text(r, "region"),
      metric: text(r, "metric"),
      year: Number(text(r, "year")),
      quantity: parseQuantity(valueText, unitText)!,
      valueText,
      unitText,
      isForecast: truthy(text(r, "is_forecast")),
      cagrPct: cagr === "" || Number.isNaN(Number(cagr)) ? undefined : Number(cagr),
      note: text(r, "note"),
      sourceUrl: text(r, "source_url"),
      provenance: provenance(t, r),
    }
  })

/** A credit code normalised (undefined when blank) and whether it passes the GB 32100 check. */
export const code = (raw: string): { code: string | undefined; valid: boolean } => {
  if (raw.trim() === "") return { code: undefined, valid: true }
  const c = checkCreditCode(raw)
  return { code: c.normalized, valid: c.valid }
}

/** One shared empty list: most registry rows have no aliases, and 2M rows made 12M throwaway arrays. */
const NONE: ReadonlyArray<string> = Object.freeze([])

/** An alias cell as Reference.splitAliases reads it, with NONE for the usual blank cell. */
const split = (s: string): ReadonlyArray<string> => (s.trim() === "" ? NONE : splitAliases(s))

/**
 * The curated reference of groups and aliases: reference rows with an entity id. The other rows
 * (registry firms, millions of them) are the `reference/firms` asset's, in columns (firms.ts); a
 * table without an entity id column is all firms and is not read here.
 */
export const registry = (tables: ReadonlyArray<RawTable>): CleanTable<Clean.RegistryRow> => {
  const cat = categorical()
  const ownership = memo(normalizeOwnership)
  const curated = tables.map((t) => ({ ...t, rows: RawRows.filter(t.rows, "entity_id", (id) => !isFirm(id)) }))
  return eachRow(curated, (t, r, emit) => {
    const at = provenance(t, r)
    const c = code(r.values["credit_code"] ?? "")
    const own = ownership(cat(r, "ownership"))
    const entityId = opt(text(r, "entity_id"))
    const nameEnText = text(r, "name_en")
    return {
      creditCode: c.code,
      nameZh: zh(r.values["name_zh"] ?? "", at, "name_zh", emit),
      // Keys only where something matches on them (see Clean.RegistryRow.nameEn).
      nameEn: entityId === undefined ? undefined : en(nameEnText),
      nameEnText: opt(nameEnText),
      province: cat(r, "province"),
      city: cat(r, "city"),
      sector: cat(r, "sector"),
      ownership: own?.value,
      entityId,
      group: opt(text(r, "group")),
      parent: opt(text(r, "parent")),
      aliasesZh: split(r.values["alias_zh"] ?? ""),
      aliasesEn: split(r.values["alias_en"] ?? ""),
      provenance: at,
    }
  })
}
