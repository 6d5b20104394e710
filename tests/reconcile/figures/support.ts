/**
 * Test support: clean rows built from the bundled real extracts with papaparse and the
 * normalisers, the way the clean assets do it (one row per CSV line; row numbers as a person
 * sees them, header = 1). Rows without a readable value or year are left out here, as the
 * clean asset quarantines them.
 */
import Papa from "papaparse"
import { readFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { enCompanyName } from "../../../pipeline/normalize/companyEn.js"
import { toCountry } from "../../../pipeline/normalize/country.js"
import { parsePeriod } from "../../../pipeline/normalize/period.js"
import { parseQuantity } from "../../../pipeline/normalize/quantity.js"

import type { CountryRef, EnName, LighthouseRow, RoundClaimRow, SpendingRow } from "../../../pipeline/domain/Clean.js"

/** Repository root (tests/reconcile/figures → ../../..). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..")

/** Source ids of the three bundled extracts. */
export const SPENDING = "sources/idc/2025/idc_iot_spending.csv"
export const ROUNDS = "sources/wef/2026-01/wef_rounds.csv"
export const SITES = "sources/wef/2026-01/wef_lighthouses.csv"

const read = (id: string): Array<Record<string, string>> =>
  Papa.parse<Record<string, string>>(readFileSync(join(repoRoot, id), "utf8"), { header: true, skipEmptyLines: true }).data

const num = (s: string | undefined): number | undefined => {
  const t = (s ?? "").trim()
  if (t === "") return undefined
  const n = Number(t)
  return Number.isFinite(n) ? n : undefined
}

/** The bundled IDC/other spending figures as clean rows. */
export const spendingRows = (): Array<SpendingRow> => {
  const out: Array<SpendingRow> = []
  read(SPENDING).forEach((r, i) => {
    const quantity = parseQuantity(r["value"] ?? "", r["unit"] ?? "")
    const year = num(r["year"])
    if (quantity === undefined || year === undefined || !Number.isInteger(year)) return
    const release = parsePeriod(r["release_date"] ?? "")
    const cagr = num(r["cagr_pct"])
    out.push({
      publisher: r["publisher"] ?? "",
      ...(release !== undefined ? { release } : {}),
      region: r["region"] ?? "",
      metric: r["metric"] ?? "",
      year,
      quantity,
      valueText: r["value"] ?? "",
      unitText: r["unit"] ?? "",
      isForecast: (r["is_forecast"] ?? "").trim().toLowerCase() === "true",
      ...(cagr !== undefined ? { cagrPct: cagr } : {}),
      note: r["note"] ?? "",
      sourceUrl: r["source_url"] ?? "",
      provenance: { source: SPENDING, row: i + 2 },
    })
  })
  return out
}

/** The bundled round claims as clean rows (a claim without a readable date is left out). */
export const roundRows = (): Array<RoundClaimRow> => {
  const out: Array<RoundClaimRow> = []
  read(ROUNDS).forEach((r, i) => {
    const date = parsePeriod(r["announcement_date"] ?? "")
    if (date === undefined) return
    const opt = (k: keyof RoundClaimRow, v: number | undefined) => (v === undefined ? {} : { [k]: v })
    out.push({
      date,
      ...opt("newSites", num(r["new_sites"])),
      ...opt("totalSites", num(r["total_sites"])),
      ...opt("chinaTotal", num(r["china_total"])),
      ...opt("chinaNew", num(r["china_new"])),
      sourceUrl: r["source_url"] ?? "",
      note: r["note"] ?? "",
      provenance: { source: ROUNDS, row: i + 2 },
    })
  })
  return out
}

const country = (label: string): CountryRef => {
  const iso2 = toCountry(label)?.iso2
  return iso2 === undefined ? { label } : { label, iso2 }
}
const enName = (raw: string): EnName => {
  const n = enCompanyName(raw)
  return { display: n.display, key: n.key, ...(n.zh !== undefined ? { zh: n.zh } : {}) }
}

/** The bundled lighthouse sites as clean rows. */
export const siteRows = (): Array<LighthouseRow> =>
  read(SITES).map((r, i) => {
    const yearJoined = parsePeriod(r["year_joined"] ?? "")
    const announced = parsePeriod(r["announcement_ym"] ?? "")
    return {
      company: enName(r["company"] ?? ""),
      site: r["site"] ?? "",
      country: country(r["country"] ?? ""),
      ...(yearJoined !== undefined ? { yearJoined } : {}),
      ...(announced !== undefined ? { announced } : {}),
      industry: r["industry"] ?? "",
      type: r["lighthouse_type"] ?? "",
      ownerHq: country(r["owner_hq_country"] ?? ""),
      sourceUrl: r["source_url"] ?? "",
      verification: r["verification"] ?? "",
      notes: r["notes"] ?? "",
      provenance: { source: SITES, row: i + 2 },
    }
  })

/** Row number (as a person sees it) of the first CSV line whose text contains every needle. */
export const rowOf = (id: string, ...needles: ReadonlyArray<string>): number => {
  const lines = readFileSync(join(repoRoot, id), "utf8").split("\n")
  // Quoted cells here never span lines, so line index + 1 is the row number.
  const i = lines.findIndex((l) => needles.every((n) => l.includes(n)))
  if (i < 0) throw new Error(`no line in ${id} contains ${needles.join(" + ")}`)
  return i + 1
}
