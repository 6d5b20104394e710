/**
 * The observatory workbook as a WorkbookDoc, built from the publication model: About first,
 * then one real Excel table per dataset, Findings, Quarantine and Sources. Headers are the
 * words a person reads and stay the same across runs. Pure: no file is touched here.
 */
import type * as Clean from "../../domain/Clean.js"
import type { Period } from "../../domain/Period.js"
import { periodText } from "../../normalize/period.js"
import { formatQuantity } from "../../normalize/quantity.js"
import { describePolicy } from "../../normalize/country.js"
import type { PublicationData } from "../Data.js"
import type { CellValue, ColumnDoc, Row, SheetDoc, TableSheet, TextLine, WorkbookDoc } from "./WorkbookDoc.js"

const col = (header: string, key: string, kind: ColumnDoc["kind"] = "text", extra: Partial<ColumnDoc> = {}): ColumnDoc => ({ header, key, kind, ...extra })
const link = (url: string): CellValue => {
  const first = url.match(/https?:\/\/\S+/)?.[0]
  return first ? { text: url, hyperlink: first } : url
}
const p = (x: Period | undefined): string => (x ? periodText(x) : "")
const n = (x: number | undefined): CellValue => (x === undefined || Number.isNaN(x) ? null : x)

const table = (name: string, columns: ReadonlyArray<ColumnDoc>, rows: ReadonlyArray<Row>, extra: Partial<TableSheet> = {}): TableSheet => ({
  kind: "table",
  name,
  tableName: name.replace(/[^A-Za-z0-9]/g, ""),
  columns,
  rows,
  freezeHeader: true,
  landscape: true,
  ...extra,
})

/** Provenance columns shared by every data sheet. */
const provenanceColumns = [
  col("Source", "source", "text", { description: "source extract (sources/<family>/<vintage>/<file>)" }),
  col("Source row", "source_row", "integer", { description: "row number as seen in the source file" }),
]
const prov = (r: { readonly provenance: { readonly source: string; readonly row: number } }): Row => [r.provenance.source, r.provenance.row]

const platformsSheet = (rows: ReadonlyArray<Clean.PlatformRow>) =>
  table(
    "Platforms",
    [
      col("List year", "list_year", "integer", { format: "0", description: "year of the MIIT list" }),
      col("No.", "seq", "integer", { description: "row order in the published list" }),
      col("Platform", "platform_en", "text", { description: "platform name in English" }),
      col("Platform (zh)", "platform_zh"),
      col("Company (zh)", "company_zh", "text", { description: "operating company as published (cut-off names repaired)" }),
      col("Ownership", "ownership", "text", { description: "Private, SOE, Mixed, Foreign or Unclear" }),
      col("Ownership (as published)", "ownership_original"),
      col("Source URL", "source_url", "url"),
      col("Notes", "notes"),
      ...provenanceColumns,
    ],
    [...rows]
      .sort((a, b) => b.listYear - a.listYear || (a.seq ?? 1e9) - (b.seq ?? 1e9))
      .map((r) => [r.listYear, n(r.seq), r.platformEn?.display ?? "", r.platformZh ?? "", r.company?.display ?? "", r.ownership?.value ?? "", r.ownership?.original ?? "", link(r.sourceUrl), r.notes, ...prov(r)]),
  )

const listSheet = (rows: ReadonlyArray<Clean.ListRow>) =>
  table(
    "MIIT lists",
    [
      col("No.", "seq"),
      col("Company (zh)", "company_zh"),
      col("Credit code", "credit_code"),
      col("Credit code valid", "credit_code_valid", "boolean"),
      col("Province", "province"),
      col("Sector", "sector"),
      col("Batch", "batch"),
      ...provenanceColumns,
    ],
    {
      count: rows.length,
      rows: function* () {
        for (const r of rows) yield [r.seq, r.name.display, r.creditCode ?? "", r.creditCodeValid, r.province, r.sector, r.batch, ...prov(r)]
      },
    } as never,
  )

const collaborationsSheet = (rows: ReadonlyArray<Clean.CollaborationRow>) =>
  table(
    "Collaborations",
    [
      col("Platform", "platform"),
      col("Partner", "partner"),
      col("Partner country", "partner_country"),
      col("Partner country (ISO)", "partner_iso2"),
      col("Country basis", "partner_country_basis", "text", { description: "whether the country is stated in the source or general knowledge" }),
      col("Relation", "relation"),
      col("Cited in", "cited_in"),
      col("Note", "note"),
      ...provenanceColumns,
    ],
    rows.map((r) => [r.platform.display, r.partner.display, r.partnerCountry.label, r.partnerCountry.iso2 ?? "", r.partnerCountryBasis, r.relation, r.citedIn, r.note, ...prov(r)]),
  )

const lighthousesSheet = (rows: ReadonlyArray<Clean.LighthouseRow>) =>
  table(
    "Lighthouses",
    [
      col("Company", "company"),
      col("Company (zh)", "company_zh"),
      col("Site", "site"),
      col("Country", "country"),
      col("Country (ISO)", "country_iso2"),
      col("Year joined", "year_joined"),
      col("Announced", "announced"),
      col("Industry", "industry"),
      col("Type", "type"),
      col("Owner HQ", "owner_hq"),
      col("Verification", "verification", "text", { description: "how fully the row is stated in its source" }),
      col("Notes", "notes"),
      col("Source URL", "source_url", "url"),
      ...provenanceColumns,
    ],
    rows.map((r) => [
      r.company.display,
      r.company.zh ?? "",
      r.site,
      r.country.label,
      r.country.iso2 ?? "",
      p(r.yearJoined),
      p(r.announced),
      r.industry,
      r.type,
      r.ownerHq.label,
      r.verification,
      r.notes,
      link(r.sourceUrl),
      ...prov(r),
    ]),
  )

const roundsSheet = (rows: ReadonlyArray<Clean.RoundClaimRow>) =>
  table(
    "Rounds",
    [
      col("Announced", "announced"),
      col("New sites", "new_sites", "integer"),
      col("Network total", "total_sites", "integer"),
      col("China total", "china_total", "integer"),
      col("China new", "china_new", "integer"),
      col("Source URL", "source_url", "url"),
      col("Note", "note"),
      ...provenanceColumns,
    ],
    rows.map((r) => [p(r.date), n(r.newSites), n(r.totalSites), n(r.chinaTotal), n(r.chinaNew), link(r.sourceUrl), r.note, ...prov(r)]),
  )

const spendingSheet = (rows: ReadonlyArray<Clean.SpendingRow>) =>
  table(
    "Spending",
    [
      col("Publisher", "publisher"),
      col("Release", "release", "text", { description: "release (vintage) of the figure" }),
      col("Region", "region"),
      col("Metric", "metric"),
      col("Year", "year", "integer", { format: "0" }),
      col("Value", "value", "number", { format: "#,##0.0##", description: "the number as published, before its scale word" }),
      col("Unit", "unit"),
      col("Reads as", "reads_as", "text", { description: "value, unit and bound in words" }),
      col("Bound", "bound", "text", { description: "exact, lower (over/exceeding), upper or approx" }),
      col("Forecast", "forecast", "boolean"),
      col("CAGR %", "cagr_pct", "number", { format: "0.0" }),
      col("Note", "note"),
      col("Source URL", "source_url", "url"),
      ...provenanceColumns,
    ],
    rows.map((r) => [
      r.publisher,
      p(r.release),
      r.region,
      r.metric,
      r.year,
      r.quantity.display,
      r.unitText,
      formatQuantity(r.quantity),
      r.quantity.bound,
      r.isForecast,
      n(r.cagrPct),
      r.note,
      link(r.sourceUrl),
      ...prov(r),
    ]),
  )

const findingsSheet = (data: PublicationData) =>
  table(
    "Findings",
    [
      col("Severity", "severity", "text", { severityColouring: true }),
      col("Code", "code"),
      col("Asset", "asset"),
      col("Source", "source"),
      col("Row", "row", "integer"),
      col("Field", "field"),
      col("Value", "value"),
      col("Message", "message"),
    ],
    data.findings.map((f) => [f.severity, f.code, f.asset ?? "", f.source ?? "", n(f.row), f.field ?? "", f.value ?? "", f.message]),
  )

const quarantineSheet = (data: PublicationData) =>
  table(
    "Quarantine",
    [col("Source", "source"), col("Source row", "source_row", "integer"), col("Reasons", "reasons"), col("Row as published", "values")],
    data.quarantine.map((q) => [q.source, q.row, q.reasons.join("; "), Object.entries(q.values).map(([k, v]) => `${k}=${v}`).join(" | ")]),
  )

const sourcesSheet = (data: PublicationData) =>
  table(
    "Sources",
    [
      col("Source", "source"),
      col("Kind", "kind"),
      col("Title", "title"),
      col("Producer", "producer"),
      col("URL", "url", "url"),
      col("Retrieved", "retrieved"),
      col("Published", "published"),
      col("Licence", "license"),
      col("Citation", "citation"),
      col("SHA-256", "sha256"),
      col("Rows read", "rows_read", "integer"),
      col("Rows kept", "rows_kept", "integer"),
      col("Rows rejected", "rows_rejected", "integer"),
    ],
    data.sources.map((s) => [
      s.info.id,
      s.info.kind,
      s.info.title,
      s.info.producer,
      link(s.info.url),
      s.info.retrieved,
      s.info.published ?? "",
      s.info.license ?? "",
      s.info.citation ?? "",
      s.info.sha256,
      s.read,
      s.kept,
      s.rejected,
    ]),
  )

const describeSheet: Record<string, string> = {
  Platforms: "MIIT cross-industry cross-domain industrial internet platforms, every list year, with operating company and ownership",
  "MIIT lists": "other MIIT lists of firms, one row per listed firm",
  Collaborations: "international collaborations of leading Chinese platforms, one row per platform and partner",
  Lighthouses: "WEF Global Lighthouse Network sites in the extracts",
  Rounds: "lighthouse announcement rounds: every source's claim side by side",
  Spending: "IoT spending and device figures, every vintage of every publisher",
  Findings: "every data problem found, with source, row and field",
  Quarantine: "source rows that could not be used, with the reasons",
  Sources: "every source: provenance, checksum and rows read / kept / rejected",
}

const about = (data: PublicationData, sheets: ReadonlyArray<SheetDoc>): SheetDoc => {
  const lines: Array<TextLine> = [
    { kind: "title", text: data.title },
    { kind: "keyValue", key: "As of", value: data.asOf },
    { kind: "keyValue", key: "Data version", value: data.dataVersion },
    { kind: "keyValue", key: "Taiwan", value: describePolicy(data.taiwanPolicy) },
    { kind: "keyValue", key: "Findings", value: `${data.findings.filter((f) => f.severity === "error").length} error, ${data.findings.filter((f) => f.severity === "warn").length} warn, ${data.findings.filter((f) => f.severity === "info").length} info` },
    { kind: "blank" },
    { kind: "heading", text: "Sheets" },
    ...sheets.map((s): TextLine => ({ kind: "link", text: s.name, target: `#'${s.name}'!A1`, description: describeSheet[s.name] ?? "" })),
    { kind: "blank" },
    { kind: "heading", text: "How to read it" },
    { kind: "paragraph", text: "Every row names its source file and the row it came from; the Sources sheet gives each source's producer, address and checksum. Data problems are listed in Findings; rows that could not be used are in Quarantine, nothing is dropped silently." },
    { kind: "paragraph", text: "Text from sources is written as text: a cell beginning with = + - or @ is never a formula." },
  ]
  return { kind: "text", name: "About", lines }
}

/** Builds the workbook document. */
export const build = (data: PublicationData): WorkbookDoc => {
  const sheets: Array<SheetDoc> = [platformsSheet(data.platforms)]
  if (data.lists.length > 0) sheets.push(listSheet(data.lists))
  sheets.push(
    collaborationsSheet(data.collaborations),
    lighthousesSheet(data.lighthouses),
    roundsSheet(data.rounds),
    spendingSheet(data.spending),
    findingsSheet(data),
    quarantineSheet(data),
    sourcesSheet(data),
  )
  return {
    properties: {
      title: data.title,
      subject: "China's Industrial Internet of Things: platforms, lighthouses, spending",
      company: "iiot-observatory",
      creator: "iiot-observatory",
      created: data.asOf,
      keywords: "MIIT; industrial internet; WEF Global Lighthouse Network; IoT spending",
    },
    sheets: [about(data, sheets), ...sheets],
  }
}
