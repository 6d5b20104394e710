/**
 * The observatory workbook as a WorkbookDoc, built from the publication model: About first,
 * then one real Excel table per dataset, Findings, Quarantine and Sources. Headers are the
 * words a person reads and stay the same across runs. Pure: no file is touched here.
 */
import type * as Clean from "../../domain/Clean.js"
import { countBySeverity } from "../../domain/Finding.js"
import type { Period } from "../../domain/Period.js"
import { periodText } from "../../normalize/period.js"
import { formatQuantity } from "../../normalize/quantity.js"
import { describePolicy } from "../../normalize/country.js"
import * as Mention from "../../reconcile/entities/Mention.js"
import { textAt } from "../../reconcile/entities/Firms.js"
import { LIST_LINK_STATUSES } from "../../reconcile/entities/ListLink.js"
import type { PublicationData } from "../Data.js"
import type { CellValue, ColumnDoc, Row, Rows, SheetDoc, SourceColumn, TableSheet, TextLine, WorkbookDoc } from "./WorkbookDoc.js"

const col = (header: string, key: string, kind: ColumnDoc["kind"] = "text", extra: Partial<ColumnDoc> = {}): ColumnDoc => ({ header, key, kind, ...extra })
const link = (url: string): CellValue => {
  const first = url.match(/https?:\/\/\S+/)?.[0]
  return first ? { text: url, hyperlink: first } : url
}
const p = (x: Period | undefined): string => (x ? periodText(x) : "")
const n = (x: number | undefined): CellValue => (x === undefined || Number.isNaN(x) ? null : x)

const table = (name: string, columns: ReadonlyArray<ColumnDoc>, rows: Rows, extra: Partial<TableSheet> = {}): TableSheet => ({
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

const listSheet = (data: PublicationData) => {
  const list = data.lists
  const links = data.listLinks?.links
  const sourceOf = (i: number) => textAt(list.source, i)
  // Links are one per list row, in list order, made from this very list (then the sheet is also
  // given in columns: the list's and the links' own, see RowSource.columns). Should that ever not
  // hold, a row's link is found by its provenance instead, never another row's taken.
  const aligned =
    links !== undefined &&
    links.length === list.length &&
    list.row.every((r, i) => links.row[i] === r && textAt(links.source, i) === sourceOf(i))
  let byRow: Map<string, number> | undefined
  const linkOf = (i: number): number => {
    if (links === undefined) return -1
    if (aligned) return i
    byRow ??= new Map(Array.from({ length: links.length }, (_, j) => [`${textAt(links.source, j)}\u0000${links.row[j]}`, j]))
    return byRow.get(`${sourceOf(i)}\u0000${list.row[i]}`) ?? -1
  }
  const columns = (): ReadonlyArray<SourceColumn> => [
    { t: "text", values: list.seq },
    { t: "text", values: list.nameZh },
    { t: "text", values: list.creditCode },
    { t: "bool", values: list.creditCodeValid },
    { t: "coded", ...list.province },
    { t: "coded", ...list.sector },
    { t: "coded", ...list.batch },
    { t: "text", values: links!.creditCode },
    { t: "num", values: links!.score },
    { t: "coded", values: LIST_LINK_STATUSES, codes: links!.status },
    { t: "coded", ...list.source },
    { t: "num", values: list.row },
  ]
  return table(
    "MIIT lists",
    [
      col("No.", "seq"),
      col("Company (zh)", "company_zh"),
      col("Credit code", "credit_code"),
      col("Credit code valid", "credit_code_valid", "boolean"),
      col("Province", "province"),
      col("Sector", "sector"),
      col("Batch", "batch"),
      col("Linked registry code", "linked_code", "text", { description: "the registry firm this row was linked to (credit code)" }),
      col("Link score", "link_score", "number", { format: "0.00" }),
      col("Link status", "link_status", "text", { description: "auto, decided, review (needs a person) or none (not in the registry)" }),
      ...provenanceColumns,
    ],
    {
      count: list.length,
      rows: function* () {
        for (let i = 0; i < list.length; i++) {
          const l = linkOf(i)
          yield [
            list.seq[i]!,
            list.nameZh[i]!,
            list.creditCode[i]!,
            list.creditCodeValid[i] === 1,
            textAt(list.province, i),
            textAt(list.sector, i),
            textAt(list.batch, i),
            l < 0 ? "" : links!.creditCode[l]!,
            l < 0 ? null : links!.score[l]!,
            l < 0 ? "" : LIST_LINK_STATUSES[links!.status[l]!]!,
            sourceOf(i),
            list.row[i]!,
          ]
        }
      },
      ...(aligned ? { columns } : {}),
    },
  )
}

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

const roundsSheet = (data: PublicationData): TableSheet | undefined => {
  const rounds = data.figures?.rounds.rounds
  if (!rounds || rounds.length === 0) return undefined
  const claims = (cs: ReadonlyArray<{ readonly value: number; readonly source: string; readonly row: number; readonly won: boolean; readonly why: string }>) =>
    cs.map((c) => `${c.value} (${c.source} row ${c.row}${c.won ? ", chosen" : `: ${c.why}`})`).join("; ")
  return table(
    "Rounds",
    [
      col("Round", "round"),
      col("Date", "date"),
      col("Network total", "total", "integer"),
      col("China (excl. Taiwan)", "china_excl_tw", "integer", { description: "China's sites, Taiwan counted separately" }),
      col("China (incl. Taiwan)", "china_incl_tw", "integer", { description: "China's sites, Taiwan counted with China" }),
      col("Rest of network", "rest", "integer", { description: "network total minus China (excl. Taiwan)" }),
      col("China share (excl. Taiwan)", "share_excl", "percent"),
      col("China share (incl. Taiwan)", "share_incl", "percent"),
      col("New sites", "new_sites", "integer"),
      col("Rule", "rule", "text", { description: "which rule chose the network total when sources disagreed" }),
      col("Network total claims", "total_claims", "text", { description: "every source's claim, chosen or not, and why" }),
      col("China total claims", "china_claims"),
      col("China total as announced", "china_policy", "text", { description: "which Taiwan policy the announced China total follows" }),
      col("Sites in extract", "extract_sites", "integer"),
    ],
    rounds.map((r) => {
      const excl = r.chinaTotalBoth.separate.value
      const incl = r.chinaTotalBoth["with-china"].value
      return [
        r.round,
        r.date,
        r.total.value,
        excl,
        incl,
        r.total.value !== null && excl !== null ? r.total.value - excl : null,
        r.shareChina.exclTaiwan === null ? null : r.shareChina.exclTaiwan / 100,
        r.shareChina.inclTaiwan === null ? null : r.shareChina.inclTaiwan / 100,
        r.newSites.value,
        r.total.rule,
        claims(r.totalClaims),
        claims(r.chinaTotalClaims),
        r.chinaTotalPolicy.label,
        r.extract.sites,
      ]
    }),
    {
      note: `Lighthouse rounds, one row per announcement; China counted both ways. Precedence when sources disagree: ${data.figures?.rounds.precedence ?? ""}`,
      charts: [
        {
          kind: "stacked-column",
          title: "Global Lighthouse Network per round: China (excl. Taiwan) vs rest",
          categoriesFrom: { column: "round" },
          series: [
            { name: "China (excl. Taiwan)", column: "china_excl_tw" },
            { name: "Rest of network", column: "rest" },
          ],
          anchor: { col: 15, row: 1, width: 10, height: 20 },
        },
      ],
    },
  )
}

const roundClaimsSheet = (rows: ReadonlyArray<Clean.RoundClaimRow>) =>
  table(
    "Round claims",
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

const spendingSheet = (data: PublicationData) => {
  const rows = data.spending
  // Each published row's place in its series: current value, superseded vintage, suspect unit …
  const status = new Map<string, { readonly status: string; readonly question: string }>()
  const revised = new Map<string, string>()
  for (const s of data.figures?.spending.series ?? []) for (const v of s.vintages) status.set(`${v.source}#${v.row}`, { status: v.status, question: s.question })
  for (const r of data.figures?.spending.revisions ?? []) {
    revised.set(`${r.to.source}#${r.to.row}`, `from ${r.from.display} (${r.from.release})${r.changePct === null ? "" : `, ${r.changePct > 0 ? "+" : ""}${r.changePct.toFixed(1)}%`}`)
  }
  const at = (r: Clean.SpendingRow) => `${r.provenance.source}#${r.provenance.row}`
  return table(
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
      col("Question", "question", "text", { description: "publisher family, region, metric and year the figure answers" }),
      col("Current", "current", "boolean", { description: "true for the value published for its question (the latest release)" }),
      col("Vintage status", "vintage_status", "text", { description: "current, corroborates, superseded, unit-suspect or undated" }),
      col("Revised", "revised", "text", { description: "the earlier release's value this one revised, and the change" }),
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
      status.get(at(r))?.question ?? "",
      status.get(at(r))?.status === "current",
      status.get(at(r))?.status ?? "",
      revised.get(at(r)) ?? "",
      r.note,
      link(r.sourceUrl),
      ...prov(r),
    ]),
  )
}

/** Worldwide IoT spending by year, one column per release, with a native line chart. */
const spendingByVintageSheet = (data: PublicationData): TableSheet | undefined => {
  const series = (data.figures?.spending.series ?? []).filter(
    (s) => s.publisher === "IDC" && /^worldwide$/i.test(s.region) && /^IoT spending$/i.test(s.metric) && s.scope === null,
  )
  const releases = [...new Set(series.flatMap((s) => s.vintages.map((v) => v.release ?? "")).filter((r) => r !== ""))].sort()
  if (series.length === 0 || releases.length === 0) return undefined
  const years = [...new Set(series.map((s) => s.year))].sort((a, b) => a - b)
  const key = (r: string) => `r_${r.replace(/[^0-9]/g, "_")}`
  const rows: Array<Row> = years.map((y) => [
    String(y),
    ...releases.map((rel) => {
      const v = series.find((s) => s.year === y)?.vintages.find((x) => x.release === rel && x.status !== "unit-suspect")
      return v ? v.quantity.value / 1e9 : null
    }),
  ])
  return table(
    "Spending by vintage",
    [col("Year", "year"), ...releases.map((r) => col(`Release ${r}`, key(r), "number", { format: "#,##0", description: `IDC worldwide IoT spending, USD billion, as forecast in the ${r} release` }))],
    rows,
    {
      note: "IDC worldwide IoT spending, USD billion: each column is one release (vintage); a later release revises the earlier ones.",
      charts: [
        {
          kind: "line",
          title: "IDC worldwide IoT spending by release (USD bn)",
          categoriesFrom: { column: "year" },
          series: releases.map((r) => ({ name: r, column: key(r) })),
          anchor: { col: releases.length + 2, row: 1, width: 9, height: 18 },
        },
      ],
    },
  )
}

const entitiesSheet = (data: PublicationData): TableSheet | undefined => {
  const r = data.entities
  if (!r) return undefined
  const byId = new Map(r.entities.map((e) => [e.id, e]))
  const counts = new Map<string, { platforms: Set<string>; sites: number; collaborations: number }>()
  for (const l of r.links) {
    if (l.status !== "auto" && l.status !== "decided") continue
    const role = l.mentionId.split("#").at(-1)
    const c = counts.get(l.entityId) ?? { platforms: new Set<string>(), sites: 0, collaborations: 0 }
    if (role === "platform" || role === "platform-operator") c.platforms.add(l.mentionId.split("#").slice(0, 2).join("#"))
    if (role === "lighthouse-operator") c.sites++
    if (role === "partner" || role === "collaboration-platform") c.collaborations++
    counts.set(l.entityId, c)
  }
  const name = (id: string | undefined) => (id ? (byId.get(id)?.nameEn ?? byId.get(id)?.nameZh ?? id) : "")
  return table(
    "Entities",
    [
      col("Entity", "entity_id", "text", { description: "stable id: curated reference id, else credit code, else a hash of the name key" }),
      col("Name (zh)", "name_zh"),
      col("Name (en)", "name_en"),
      col("Group", "group"),
      col("Parent", "parent"),
      col("Ownership", "ownership"),
      col("Credit code", "credit_code"),
      col("Platform list rows", "platforms", "integer", { description: "rows on MIIT platform lists naming it as platform or operator" }),
      col("Lighthouse sites", "lighthouse_sites", "integer"),
      col("Collaborations", "collaborations", "integer"),
      col("Mentions", "mentions", "integer"),
      col("Origin", "origin", "text", { description: "reference (curated file), registry, or mentions only" }),
    ],
    [...r.entities]
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((e) => {
        const c = counts.get(e.id)
        return [e.id, e.nameZh ?? "", e.nameEn ?? "", name(e.group), name(e.parent), e.ownership ?? "", e.creditCode ?? "", c?.platforms.size ?? 0, c?.sites ?? 0, c?.collaborations ?? 0, e.mentions, e.origin]
      }),
  )
}

/** The decisions a reviewer may take on a link (the Decision column's dropdown). */
export const DECISIONS = ["accept", "reject", "merge", "split"] as const

const linksSheet = (data: PublicationData): TableSheet | undefined => {
  const r = data.entities
  if (!r) return undefined
  const byId = new Map(r.entities.map((e) => [e.id, e]))
  const mentions = new Map(
    [
      ...Mention.mentionsFromPlatforms(data.platforms),
      ...Mention.mentionsFromCollaborations(data.collaborations),
      ...Mention.mentionsFromLighthouses(data.lighthouses),
    ].map((m) => [m.id, m]),
  )
  const rank = { review: 0, decided: 1, auto: 2, rejected: 3 } as const
  // One row per link key: the same name linked to the same entity from several rows is one decision.
  const groups = new Map<string, Array<(typeof r.links)[number]>>()
  for (const l of [...r.review, ...r.links]) groups.set(l.linkKey, [...(groups.get(l.linkKey) ?? []), l])
  const firsts = [...groups.values()]
    .map((g) => [...g].sort((a, b) => rank[a.status] - rank[b.status] || a.mentionId.localeCompare(b.mentionId)))
    .sort((a, b) => rank[a[0]!.status] - rank[b[0]!.status] || a[0]!.entityId.localeCompare(b[0]!.entityId) || a[0]!.mentionId.localeCompare(b[0]!.mentionId))
  return table(
    "Links",
    [
      col("Link key", "link_key", "text", { description: "stable key of this (name, entity) pair; decisions are saved against it" }),
      col("Name as published", "name"),
      col("Role", "role"),
      col("Source", "source"),
      col("Source row", "source_row", "integer"),
      col("Rows", "rows", "integer", { description: "source rows with this name linked to this entity (one decision covers them all)" }),
      col("Entity", "entity_id"),
      col("Entity name", "entity_name"),
      col("Score", "score", "number", { format: "0.00" }),
      col("Status", "status", "text", { description: "auto (above the auto-link threshold), review (in the review band), decided (by a reviewer), rejected" }),
      col("Why linked", "evidence", "text", { description: "each feature's contribution to the score" }),
      col("Decision", "decision", "text", { validation: { list: DECISIONS }, description: "your decision: accept, reject, merge or split; read back by `iiot review import`" }),
      col("Note", "note", "text", { description: "your note, kept with the decision" }),
    ],
    firsts.map((g) => {
      const l = g[0]!
      const m = mentions.get(l.mentionId)
      const e = byId.get(l.entityId)
      return [
        l.linkKey,
        [m?.nameEn?.display, m?.nameZh?.display].filter(Boolean).join(" / "),
        m?.role ?? l.mentionId.split("#").at(-1) ?? "",
        m?.provenance.source ?? "",
        m ? m.provenance.row : null,
        g.length,
        l.entityId,
        e?.nameEn ?? e?.nameZh ?? "",
        l.score,
        l.status,
        l.evidence.map((x) => `${x.feature} ${x.weight >= 0 ? "+" : ""}${x.weight}: ${x.detail}`).join("; "),
        "",
        "",
      ]
    }),
  )
}

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
  Rounds: "lighthouse announcement rounds: chosen totals, China with and without Taiwan, every claim and the rule that chose",
  "Round claims": "every source's claim about a round, one row each, as published",
  Spending: "IoT spending and device figures, every vintage of every publisher, current value and revisions marked",
  "Spending by vintage": "IDC worldwide IoT spending forecasts by release, with a line chart",
  Entities: "one row per reconciled company: names, group, ownership, platforms, lighthouse sites, collaborations",
  Links: "every link of a published name to an entity, with its score and evidence; mark your decisions here",
  Findings: "every data problem found, with source, row and field",
  Quarantine: "source rows that could not be used, with the reasons",
  Sources: "every source: provenance, checksum and rows read / kept / rejected",
}

const about = (data: PublicationData, sheets: ReadonlyArray<SheetDoc>): SheetDoc => {
  const sev = countBySeverity(data.findings)
  const lines: Array<TextLine> = [
    { kind: "title", text: data.title },
    { kind: "keyValue", key: "As of", value: data.asOf },
    { kind: "keyValue", key: "Data version", value: data.dataVersion },
    { kind: "keyValue", key: "Taiwan", value: describePolicy(data.taiwanPolicy) },
    { kind: "keyValue", key: "Findings", value: `${sev.error} error, ${sev.warn} warn, ${sev.info} info` },
    { kind: "blank" },
    { kind: "heading", text: "Sheets" },
    ...sheets.map((s): TextLine => ({ kind: "link", text: s.name, target: `#'${s.name}'!A1`, description: describeSheet[s.name] ?? "" })),
    { kind: "blank" },
    { kind: "heading", text: "How to read it" },
    { kind: "paragraph", text: "Every row names its source file and the row it came from; the Sources sheet gives each source's producer, address and checksum. Data problems are listed in Findings; rows that could not be used are in Quarantine, nothing is dropped silently." },
    { kind: "paragraph", text: "Text from sources is written as text: a cell beginning with = + - or @ is never a formula." },
    { kind: "blank" },
    { kind: "heading", text: "Reviewing links and sending the workbook back" },
    { kind: "paragraph", text: "On the Links sheet, rows with status review sit in the review band: the evidence was not strong enough to link automatically. Pick accept, reject, merge or split in the Decision column (a dropdown), add a note if useful, save, and send the workbook back." },
    { kind: "paragraph", text: "The analyst runs `iiot review import --workbook <file>` (or drops the file into sources/ with a sidecar saying `kind: review-decisions` and `sheet: Links`); the next refresh applies the decisions. They are keyed by the Link key, so they survive re-runs and reordered rows. Do not edit the Link key column." },
  ]
  return { kind: "text", name: "About", lines }
}

/** Builds the workbook document. */
export const build = (data: PublicationData): WorkbookDoc => {
  const sheets: Array<SheetDoc> = [platformsSheet(data.platforms)]
  if (data.lists.length > 0) sheets.push(listSheet(data))
  const present = (s: TableSheet | undefined): Array<TableSheet> => (s ? [s] : [])
  sheets.push(
    collaborationsSheet(data.collaborations),
    lighthousesSheet(data.lighthouses),
    ...present(roundsSheet(data)),
    roundClaimsSheet(data.rounds),
    spendingSheet(data),
    ...present(spendingByVintageSheet(data)),
    ...present(entitiesSheet(data)),
    ...present(linksSheet(data)),
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
