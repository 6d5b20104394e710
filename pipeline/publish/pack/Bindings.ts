/**
 * Bindings: every figure, table and chart a briefing template may name, computed from the
 * publication data, each figure with the footnote that says where it comes from (source and
 * row, vintage or round) and which rule chose it when sources disagreed. Pure: the same data
 * and options give the same bindings. Lighthouse rounds and spending vintages come from the
 * figure reconcilers (`reconcile/figures`); platform, collaboration and entity figures are
 * counted here from the clean rows.
 */
import type * as Clean from "../../domain/Clean.js"
import * as FindingM from "../../domain/Finding.js"
import type { Finding } from "../../domain/Finding.js"
import { describePolicy } from "../../normalize/country.js"
import { periodText } from "../../normalize/period.js"
import { hostsOf, usableAt, shortSource } from "../../reconcile/figures/common.js"
import { reconcileRounds, type ClaimView, type Chosen, type RoundFigure } from "../../reconcile/figures/Lighthouses.js"
import { reconcileSpending, type SeriesFigure, type Vintage } from "../../reconcile/figures/Spending.js"
import type { PublicationData } from "../Data.js"
import type * as PackDoc from "../pdf/PackDoc.js"
import { formatQuantity } from "../../normalize/quantity.js"
import type { Quantity } from "../../domain/Quantity.js"

/** One source a figure rests on: source id, row and the URL a person can check. */
export interface SourceRef {
  readonly source: string
  readonly row?: number | undefined
  readonly url?: string | undefined
}

/** The note behind a figure: a sentence, the sources it names and the rule that chose the value. */
export interface Footnote {
  readonly text: string
  readonly sources: ReadonlyArray<SourceRef>
  readonly rule: string
  /** The first URL of the sources, printed as a clickable link after the text. */
  readonly link?: string | undefined
}

/** A bound value: its display text and (for figures, not for labels like the as-of date) its footnote. */
export interface Value {
  readonly _tag: "Value"
  readonly display: string
  readonly footnote?: Footnote | undefined
}

/** A name the template language knows, without data here (and why). */
export interface Missing {
  readonly _tag: "Missing"
  readonly why: string
}

/** A placeholder's binding. */
export type Binding = Value | Missing

/** A table cell as bound: text, optionally with its footnote or in bold. */
export type Cell = string | { readonly text: string; readonly footnote?: Footnote | undefined; readonly bold?: boolean }

/** A bound table column; `key` is what a template lists under `columns:`. */
export interface ColumnData {
  readonly key: string
  readonly header: string
  readonly align?: "left" | "right"
  readonly width?: number
}

/** A bound table: rows keyed by column key. */
export interface TableData {
  readonly _tag: "Table"
  readonly caption: string
  readonly columns: ReadonlyArray<ColumnData>
  readonly rows: ReadonlyArray<Readonly<Record<string, Cell>>>
  readonly footnote?: Footnote | undefined
  readonly notes?: ReadonlyArray<string>
}

/** A bound chart (PackDoc chart fields plus its footnote). */
export interface ChartData {
  readonly _tag: "Chart"
  readonly kind: PackDoc.Chart["kind"]
  readonly title: string
  readonly categories: ReadonlyArray<string>
  readonly series: ReadonlyArray<PackDoc.ChartSeries>
  readonly yLabel?: string
  readonly footnote?: Footnote | undefined
}

/** What a `--focus` matched: nothing (with the nearest names) or some rows. */
export interface FocusResult {
  readonly query: string
  readonly matched: boolean
  readonly near: ReadonlyArray<string>
}

/** Everything a template can bind to. Every name is always present (a `Missing` when there is no data), so unknown names are caught whatever the data. */
export interface Bindings {
  readonly asOf: string
  readonly figures: ReadonlyMap<string, Binding>
  readonly tables: ReadonlyMap<string, TableData | Missing>
  readonly charts: ReadonlyMap<string, ChartData | Missing>
  readonly sources: ReadonlyArray<PackDoc.Source>
  readonly focus?: FocusResult | undefined
}

/** Options: `asOf` ("YYYY", "YYYY-MM" or "YYYY-MM-DD") restricts every figure to what was known then; `focus` names an entity. */
export interface BindingOptions {
  readonly asOf?: string | undefined
  readonly focus?: string | undefined
}

// ---------------------------------------------------------------------------------------------
// Formatting

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]

/** "2022-10" → "October 2022"; other text unchanged. */
const monthLabel = (ym: string): string => {
  const m = /^(\d{4})-(\d{2})/.exec(ym)
  return m === null ? ym : `${MONTHS[Number(m[2]) - 1] ?? m[2]} ${m[1]}`
}
const shortMonth = (ym: string): string => {
  const m = /^(\d{4})-(\d{2})/.exec(ym)
  return m === null ? ym : `${(MONTHS[Number(m[2]) - 1] ?? m[2]!).slice(0, 3)} ${m[1]}`
}
const int = (n: number): string => n.toLocaleString("en-GB")
/** Percent with one decimal ("36.8%"). */
const pct = (x: number): string => `${(Math.round(x * 10) / 10).toFixed(1)}%`
const share = (part: number, whole: number): string => (whole === 0 ? "–" : pct((part / whole) * 100))
/** "a, b and c". */
const andList = (xs: ReadonlyArray<string>): string => (xs.length <= 1 ? (xs[0] ?? "") : `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}`)
const uniq = <A>(xs: ReadonlyArray<A>): Array<A> => [...new Set(xs)]
/** One reference per distinct source id, for notes that name whole sources rather than rows. */
const sourceRefs = (ids: ReadonlyArray<string>): Array<SourceRef> => uniq(ids).map((source) => ({ source }))
/** Where a finding points, short: "file.csv row 12". */
const findingWhere = (f: Finding): string => `${(f.source ?? "").split("/").pop()}${f.row !== undefined ? ` row ${f.row}` : ""}`
const firstUrl = (cell: string): string | undefined => /https?:\/\/[^\s;,)]+/.exec(cell)?.[0]

const value = (display: string, footnote?: Footnote): Value => (footnote === undefined ? { _tag: "Value", display } : { _tag: "Value", display, footnote })
const missing = (why: string): Missing => ({ _tag: "Missing", why })

const BOUND_SIGN: Record<Quantity["bound"], string> = { exact: "", lower: ">", upper: "<", approx: "~" }
/** Compact money for boxes and sentences: "~US$730 bn", "US$1.2 tn", ">US$1.0 tn"; other quantities as the reconciler prints them. */
const money = (q: Quantity): string => {
  if (q.dimension !== "money" || q.currency === undefined) return formatQuantity(q)
  const sym = q.currency === "USD" ? "US$" : q.currency === "EUR" ? "€" : "CN¥"
  const [f, w] = Math.abs(q.value) >= 1e12 ? [1e12, "tn"] : Math.abs(q.value) >= 1e9 ? [1e9, "bn"] : [1e6, "m"]
  const x = q.value / f
  const num = x >= 100 ? String(Math.round(x)) : (Math.round(x * 10) / 10).toFixed(1)
  // A no-break space keeps the unit with its number when a sentence wraps.
  return `${BOUND_SIGN[q.bound]}${sym}${num}\u00a0${w}`
}

/** Bigram (Dice) similarity of two names, for "did you mean" lists. */
const similarity = (a: string, b: string): number => {
  const grams = (s: string) => {
    const t = s.toLowerCase().replace(/\s+/g, " ")
    const out: Array<string> = []
    for (let i = 0; i < t.length - 1; i++) out.push(t.slice(i, i + 2))
    return out.length === 0 ? [t] : out
  }
  const ga = grams(a)
  const gb = grams(b)
  const pool = [...gb]
  let hits = 0
  for (const g of ga) {
    const k = pool.indexOf(g)
    if (k >= 0) {
      hits++
      pool.splice(k, 1)
    }
  }
  return (2 * hits) / (ga.length + gb.length)
}

/** The names closest to `query` among `names`, best first. */
export const nearNames = (query: string, names: ReadonlyArray<string>, n = 5): Array<string> =>
  uniq(names.filter((x) => x.trim() !== ""))
    .map((x) => ({ x, s: similarity(query, x) }))
    .filter((c) => c.s > 0)
    .sort((a, b) => b.s - a.s || a.x.localeCompare(b.x))
    .slice(0, n)
    .map((c) => c.x)

// ---------------------------------------------------------------------------------------------

const OWNERSHIP_ORDER: ReadonlyArray<Clean.OwnershipClass> = ["Private", "SOE", "Mixed", "Foreign", "Unclear"]
const OWNERSHIP_LABEL: Record<Clean.OwnershipClass, string> = { Private: "private", SOE: "state-owned", Mixed: "mixed ownership", Foreign: "foreign-invested", Unclear: "unclear" }
const OWNERSHIP_KEY: Record<Clean.OwnershipClass, string> = { Private: "private", SOE: "soe", Mixed: "mixed", Foreign: "foreign", Unclear: "unclear" }

/**
 * How old a source was when the data was published ("3 weeks", "10 months", "2 years"), so a
 * reader sees at a glance which figures rest on old extracts; "" when a date cannot be read.
 */
export const ageAt = (retrieved: string, asOf: string): string => {
  const days = Math.floor((Date.parse(asOf) - Date.parse(retrieved)) / 86_400_000)
  if (!Number.isFinite(days) || days < 0) return ""
  if (days < 14) return days === 1 ? "1 day" : `${days} days`
  if (days < 61) return `${Math.round(days / 7)} weeks`
  const months = Math.round(days / 30.44)
  return months < 24 ? `${months} months` : `${Math.floor(months / 12)} years`
}

/** Computes every binding from the publication data. */
export const bindings = (data: PublicationData, options: BindingOptions = {}): Bindings => {
  const asOfOpt = options.asOf === undefined || options.asOf.trim() === "" ? undefined : options.asOf.trim()
  const asOf = asOfOpt ?? data.asOf
  const figures = new Map<string, Binding>()
  const tables = new Map<string, TableData | Missing>()
  const charts = new Map<string, ChartData | Missing>()
  const put = (name: string, b: Binding) => figures.set(name, b)

  // Sources are numbered as in the pack's source list, so a note says "[2] miit/…/file.csv, rows 2–29".
  const sourceNo = new Map(data.sources.map((s, i) => [s.info.id, i + 1]))
  const sourceName = (id: string): string => (sourceNo.has(id) ? `[${sourceNo.get(id)}] ${id}` : id)
  /** Names each source once with its rows and the hosts of the rows' URLs: "[2] miit/…/file.csv, rows 2–29 (miit.gov.cn)". */
  const refsText = (refs: ReadonlyArray<SourceRef>): string => {
    const bySource = new Map<string, Array<SourceRef>>()
    for (const r of refs) {
      if (r.source === "") continue
      bySource.set(r.source, [...(bySource.get(r.source) ?? []), r])
    }
    return [...bySource.entries()]
      .map(([id, rs]) => {
        const rows = uniq(rs.map((r) => r.row).filter((r): r is number => r !== undefined)).sort((a, b) => a - b)
        const contiguous = rows.length > 2 && rows[rows.length - 1]! - rows[0]! === rows.length - 1
        const rowText = rows.length === 0 ? "" : contiguous ? `, rows ${rows[0]}–${rows[rows.length - 1]}` : `, row${rows.length > 1 ? "s" : ""} ${rows.join(", ")}`
        const hosts = uniq(rs.flatMap((r) => (r.url === undefined ? [] : hostsOf(r.url))))
        return `${sourceName(id)}${rowText}${hosts.length > 0 ? ` (${hosts.slice(0, 4).join(", ")}${hosts.length > 4 ? ", …" : ""})` : ""}`
      })
      .join("; ")
  }
  const footnote = (what: string, refs: ReadonlyArray<SourceRef>, rule: string, detail = ""): Footnote => {
    const link = refs.map((r) => (r.url === undefined ? undefined : firstUrl(r.url))).find((u) => u !== undefined)
    return {
      text: `${what}. Source: ${refsText(refs) || "derived (see rule)"}.${detail === "" ? "" : ` ${detail}`}${rule === "" ? "" : ` Rule: ${rule}.`}`,
      sources: refs,
      rule,
      ...(link === undefined ? {} : { link }),
    }
  }

  // ---- meta (labels, no footnote) -----------------------------------------------------------
  put("meta.title", value(data.title))
  put("meta.as_of", value(asOf))
  put("meta.data_as_of", value(data.asOf))
  put("meta.data_version", value(data.dataVersion))
  put("meta.taiwan_policy", value(describePolicy(data.taiwanPolicy)))
  put("meta.restriction", value(asOfOpt === undefined ? "every round and vintage in the data" : `only rounds, releases and lists known by ${asOfOpt}`))

  // ---- MIIT platforms -------------------------------------------------------------------------
  const asOfYear = asOfOpt === undefined ? Number.POSITIVE_INFINITY : Number(asOfOpt.slice(0, 4))
  const platforms = data.platforms.filter((p) => Number.isFinite(p.listYear) && p.listYear <= asOfYear)
  const years = uniq(platforms.map((p) => p.listYear)).sort((a, b) => a - b)
  const listRows = (y: number) => platforms.filter((p) => p.listYear === y).sort((a, b) => (a.seq ?? 1e9) - (b.seq ?? 1e9) || a.provenance.row - b.provenance.row)
  // A list is complete when the extract numbers its rows 1…n without a gap: partial lists (press mentions) carry no numbering.
  const isComplete = (y: number): boolean => {
    const rows = listRows(y)
    return rows.length > 0 && rows.every((r, i) => r.seq === i + 1)
  }
  const completeYears = years.filter(isComplete)
  const partialYears = years.filter((y) => !isComplete(y))
  const latestYear = completeYears.at(-1)
  const completeRule = `the latest list whose rows the extract numbers 1…n without a gap (a complete list); ${partialYears.length > 0 ? `lists known only in part (${andList(partialYears.map(String))}) are not counted` : "no list is partial"}${asOfOpt === undefined ? "" : `; lists of years after ${asOfYear} left out`}`
  put("platforms.list_years", years.length > 0 ? value(andList(years.map(String))) : missing("no MIIT platform rows"))
  put("platforms.partial_years", value(partialYears.length > 0 ? andList(partialYears.map(String)) : "none"))
  const ownershipOf = (p: Clean.PlatformRow): Clean.OwnershipClass => p.ownership?.value ?? "Unclear"
  if (latestYear === undefined) {
    for (const k of ["year", "count", "ownership", "repaired", ...OWNERSHIP_ORDER.flatMap((o) => [OWNERSHIP_KEY[o], `${OWNERSHIP_KEY[o]}_share`])]) put(`platforms.latest.${k}`, missing(`no complete MIIT platform list${asOfOpt ? ` known by ${asOfOpt}` : ""}`))
    tables.set("platforms.latest", missing("no complete MIIT platform list"))
    charts.set("platforms.ownership", missing("no complete MIIT platform list"))
  } else {
    const rows = listRows(latestYear)
    const refs = rows.map((r) => ({ source: r.provenance.source, row: r.provenance.row }))
    const miitUrl = uniq(rows.map((r) => firstUrl(r.sourceUrl)).filter((u): u is string => u !== undefined))[0]
    const refsU = miitUrl === undefined ? refs : refs.map((r, i) => (i === 0 ? { ...r, url: miitUrl } : r))
    const countNote = footnote(`MIIT cross-industry, cross-domain industrial internet platforms (跨行业跨领域工业互联网平台), ${latestYear} list: ${rows.length} platforms`, refsU, completeRule)
    put("platforms.latest.year", value(String(latestYear)))
    put("platforms.latest.count", value(int(rows.length), countNote))
    const counts = new Map<Clean.OwnershipClass, number>(OWNERSHIP_ORDER.map((o) => [o, 0]))
    for (const r of rows) counts.set(ownershipOf(r), counts.get(ownershipOf(r))! + 1)
    const originals = uniq(rows.map((r) => r.ownership?.original ?? "(blank)"))
    const ownRule = `ownership character as published (${originals.map((o) => `“${o}”`).join(", ")}) mapped to five classes (private, state-owned, mixed, foreign-invested, unclear); a blank or unknown label counts as unclear`
    const breakdown = OWNERSHIP_ORDER.filter((o) => counts.get(o)! > 0).map((o) => `${counts.get(o)} ${OWNERSHIP_LABEL[o]}`)
    const ownNote = footnote(`Ownership of the ${rows.length} platforms on the ${latestYear} MIIT list: ${breakdown.join(", ")}`, refsU, ownRule)
    put("platforms.latest.ownership", value(andList(breakdown), ownNote))
    for (const o of OWNERSHIP_ORDER) {
      put(`platforms.latest.${OWNERSHIP_KEY[o]}`, value(int(counts.get(o)!), ownNote))
      put(`platforms.latest.${OWNERSHIP_KEY[o]}_share`, value(share(counts.get(o)!, rows.length), ownNote))
    }
    const repaired = rows.filter((r) => r.company?.repaired !== undefined)
    const rawName = (r: Clean.PlatformRow): string | undefined =>
      data.findings.find((f) => f.code === "repaired-name" && f.source === r.provenance.source && f.row === r.provenance.row)?.value
    put(
      "platforms.latest.repaired",
      value(
        int(repaired.length),
        footnote(`Company names cut short in the source and repaired: ${repaired.length}`, repaired.map((r) => ({ source: r.provenance.source, row: r.provenance.row })), "a Chinese company name ending in a truncated company form (…有限责任公, …有限) is completed to the full form (normalize/companyZh); the published text is kept beside it"),
      ),
    )
    tables.set("platforms.latest", {
      _tag: "Table",
      caption: `MIIT cross-industry platforms, ${latestYear} list (${rows.length})`,
      footnote: footnote(`MIIT ${latestYear} list of cross-industry, cross-domain industrial internet platforms, company names as published`, refsU, completeRule),
      columns: [
        { key: "seq", header: "No.", align: "right", width: 0.5 },
        { key: "platform_en", header: "Platform", width: 2.2 },
        { key: "platform_zh", header: "Platform (zh)", width: 2.2 },
        { key: "company_zh", header: "Operating company (zh)", width: 3.4 },
        { key: "ownership", header: "Ownership", width: 1.5 },
        { key: "ownership_original", header: "Ownership as published", width: 2.4 },
        { key: "row", header: "Source row", align: "right", width: 0.8 },
      ],
      rows: rows.map((r) => ({
        seq: r.seq === undefined ? "" : String(r.seq),
        platform_en: r.platformEn?.display ?? "",
        platform_zh: r.platformZh ?? "",
        company_zh: r.company === undefined ? "" : r.company.repaired !== undefined ? `${r.company.display} †` : r.company.display,
        ownership: OWNERSHIP_LABEL[ownershipOf(r)],
        ownership_original: r.ownership?.original ?? "",
        row: String(r.provenance.row),
      })),
      notes: [
        "Company names exactly as published in the source, except those marked †, which the source cuts short and the observatory repaired:",
        ...repaired.map((r) => `† ${rawName(r) ?? "(published text)"} → ${r.company!.display} (row ${r.provenance.row})`),
      ].filter((_, i) => i > 0 || repaired.length > 0),
    })
    charts.set("platforms.ownership", {
      _tag: "Chart",
      kind: "bar",
      title: `Platforms on the ${latestYear} MIIT list by ownership`,
      categories: OWNERSHIP_ORDER.map((o) => OWNERSHIP_LABEL[o]),
      series: [{ name: `${latestYear} list`, values: OWNERSHIP_ORDER.map((o) => counts.get(o)!) }],
      yLabel: "Platforms",
      footnote: ownNote,
    })
  }

  // ---- Lighthouses ----------------------------------------------------------------------------
  const rr = reconcileRounds(data.rounds, data.lighthouses, { taiwan: data.taiwanPolicy, asOf: asOfOpt })
  const roundRefs = sourceRefs(data.rounds.map((r) => r.provenance.source))
  const chosenRef = (c: Chosen): ReadonlyArray<SourceRef> => (c.source === "" ? [] : [{ source: c.source, row: c.row ?? undefined, url: c.url }])
  const othersText = (claims: ReadonlyArray<ClaimView>): string => {
    const losers = claims.filter((c) => !c.won && c.value !== claims.find((w) => w.won)?.value)
    return losers.length === 0 ? "" : ` Other claims: ${losers.map((c) => `${c.value} (${shortSource(c.url)}, row ${c.row}: ${c.why})`).join("; ")}.`
  }
  const roundNote = (r: RoundFigure): Footnote => {
    const sep = r.chinaTotalBoth.separate
    const withC = r.chinaTotalBoth["with-china"]
    const china =
      r.chinaTotal.value === null
        ? "No source states China's total for this round."
        : `China: ${sep.value} excluding Taiwan (${r.shareChina.exclTaiwan === null ? "share unknown" : `${pct(r.shareChina.exclTaiwan)} of the network`}; ${sep.basis}); ${withC.value} including Taiwan (${r.shareChina.inclTaiwan === null ? "share unknown" : `${pct(r.shareChina.inclTaiwan)}`}; ${withC.basis}).`
    return footnote(
      `WEF Global Lighthouse Network, round of ${monthLabel(r.round)} (${r.date}): network total ${r.total.value ?? "not stated"}`,
      [...chosenRef(r.total), ...chosenRef(r.chinaTotal)],
      `network total: ${r.total.rule}${r.chinaTotal.value === null ? "" : `; China total: ${r.chinaTotal.rule}`}`,
      `${china}${othersText(r.totalClaims)}${othersText(r.chinaTotalClaims)}`,
    )
  }
  const withChina = rr.rounds.filter((r) => r.total.value !== null && r.chinaTotalBoth.separate.value !== null)
  const latest = withChina.at(-1)
  const lhKeys = ["round", "date", "total", "new", "china", "china_excl_taiwan", "china_incl_taiwan", "taiwan", "share", "share_excl_taiwan", "share_incl_taiwan", "china_new"]
  put("lighthouses.policy", value(describePolicy(data.taiwanPolicy)))
  put("lighthouses.rounds.count", value(int(rr.rounds.length), footnote(`Announcement rounds of the Global Lighthouse Network in the data: ${rr.rounds.length}${rr.rounds.length > 0 ? ` (${monthLabel(rr.rounds[0]!.round)} to ${monthLabel(rr.rounds.at(-1)!.round)})` : ""}`, roundRefs, "claims dated within a few weeks of each other form one round; a later statement repeating a round's totals joins that round" + (asOfOpt ? `; claims after ${asOfOpt} left out` : ""))))
  if (latest === undefined) for (const k of lhKeys) put(`lighthouses.latest.${k}`, missing(`no round with a network and a China total${asOfOpt ? ` by ${asOfOpt}` : ""}`))
  else {
    const n = roundNote(latest)
    const sep = latest.chinaTotalBoth.separate.value!
    const incl = latest.chinaTotalBoth["with-china"].value!
    const total = latest.total.value!
    put("lighthouses.latest.round", value(monthLabel(latest.round)))
    put("lighthouses.latest.date", value(latest.date))
    put("lighthouses.latest.total", value(int(total), n))
    put("lighthouses.latest.new", latest.newSites.value === null ? missing("no new-site count for the round") : value(int(latest.newSites.value), n))
    put("lighthouses.latest.china_excl_taiwan", value(int(sep), n))
    put("lighthouses.latest.china_incl_taiwan", value(int(incl), n))
    put("lighthouses.latest.taiwan", value(int(incl - sep), n))
    put("lighthouses.latest.china", value(int(data.taiwanPolicy === "separate" ? sep : incl), n))
    put("lighthouses.latest.share_excl_taiwan", value(pct((sep / total) * 100), n))
    put("lighthouses.latest.share_incl_taiwan", value(pct((incl / total) * 100), n))
    put("lighthouses.latest.share", value(pct(((data.taiwanPolicy === "separate" ? sep : incl) / total) * 100), n))
    const cn = latest.chinaNewBoth[data.taiwanPolicy].value
    put("lighthouses.latest.china_new", cn === null ? missing("no count of new China sites for the round") : value(int(cn), n))
  }
  const first = withChina[0]
  put("lighthouses.first_china.round", first === undefined ? missing("no round with a China total") : value(monthLabel(first.round)))
  put("lighthouses.first_china.share_excl_taiwan", first === undefined ? missing("no round with a China total") : value(pct(first.shareChina.exclTaiwan ?? 0), roundNote(first)))
  const lhContradictions = rr.findings.filter((f) => f.code === "contradiction")
  put("lighthouses.contradictions.count", value(int(lhContradictions.length), footnote(`Contradictions between lighthouse round claims found by the consistency checks: ${lhContradictions.length}`, sourceRefs(lhContradictions.map((f) => f.source ?? "")), rr.precedence)))
  if (rr.rounds.length === 0) {
    tables.set("lighthouses.rounds", missing("no lighthouse rounds"))
    charts.set("lighthouses.per_round", missing("no lighthouse rounds"))
  } else {
    const dash = "–"
    tables.set("lighthouses.rounds", {
      _tag: "Table",
      caption: "Global Lighthouse Network: sites per announcement round, China with and without Taiwan",
      footnote: footnote("Network and China totals per round, reconciled from one row per claim per source", roundRefs, rr.precedence),
      columns: [
        { key: "round", header: "Round", width: 1.3 },
        { key: "total", header: "Network total", align: "right", width: 1.2 },
        { key: "new", header: "New", align: "right", width: 0.8 },
        { key: "china_excl", header: "China excl. Taiwan", align: "right", width: 1.3 },
        { key: "share_excl", header: "Share excl. Taiwan", align: "right", width: 1.3 },
        { key: "china_incl", header: "China incl. Taiwan", align: "right", width: 1.3 },
        { key: "share_incl", header: "Share incl. Taiwan", align: "right", width: 1.3 },
        { key: "extract", header: "Sites in extract", align: "right", width: 1.2 },
        { key: "rule", header: "How China's total was chosen", width: 3.2 },
      ],
      rows: rr.rounds.map((r) => ({
        round: { text: shortMonth(r.round), footnote: roundNote(r) },
        total: r.total.value === null ? dash : int(r.total.value),
        new: r.newSites.value === null ? dash : int(r.newSites.value),
        china_excl: r.chinaTotalBoth.separate.value === null ? dash : int(r.chinaTotalBoth.separate.value),
        share_excl: r.shareChina.exclTaiwan === null ? dash : pct(r.shareChina.exclTaiwan),
        china_incl: r.chinaTotalBoth["with-china"].value === null ? dash : int(r.chinaTotalBoth["with-china"].value),
        share_incl: r.shareChina.inclTaiwan === null ? dash : pct(r.shareChina.inclTaiwan),
        extract: int(r.extract.cumulative.sites),
        rule: r.chinaTotal.value === null ? "no source states it" : r.chinaTotal.rule,
      })),
      notes: [
        `${describePolicy("separate")} vs ${describePolicy("with-china")}.`,
        "– = no source states the figure. Sites in extract: distinct sites the bundled extract lists up to the round (a lower bound of the network).",
      ],
    })
    const sepLabel = data.taiwanPolicy === "separate" ? "China (excl. Taiwan)" : "China (incl. Taiwan)"
    const series: Array<PackDoc.ChartSeries> = [
      { name: sepLabel, values: rr.rounds.map((r) => r.chinaTotalBoth[data.taiwanPolicy].value) },
      ...(data.taiwanPolicy === "separate"
        ? [{ name: "Taiwan", values: rr.rounds.map((r) => (r.chinaTotalBoth.separate.value === null || r.chinaTotalBoth["with-china"].value === null ? null : r.chinaTotalBoth["with-china"].value - r.chinaTotalBoth.separate.value)) }]
        : []),
      { name: "Rest of the network", values: rr.rounds.map((r) => (r.total.value === null || r.chinaTotalBoth["with-china"].value === null ? null : r.total.value - r.chinaTotalBoth["with-china"].value)) },
      { name: "Network, China not reported", values: rr.rounds.map((r) => (r.total.value !== null && r.chinaTotalBoth.separate.value === null ? r.total.value : null)) },
    ]
    charts.set("lighthouses.per_round", {
      _tag: "Chart",
      kind: "stacked-bar",
      title: "Lighthouse sites per announcement round: China and the rest of the network",
      categories: rr.rounds.map((r) => shortMonth(r.round)),
      series,
      yLabel: "Sites",
      footnote: footnote(`Network and China totals per round (${describePolicy(data.taiwanPolicy)}); before ${first === undefined ? "any round" : monthLabel(first.round)} no source states China's total, so the whole network is shown in grey`, roundRefs, rr.precedence),
    })
  }

  // ---- Spending -------------------------------------------------------------------------------
  const ss = reconcileSpending(data.spending, { asOf: asOfOpt })
  const ww = ss.series.filter((s) => s.key.startsWith("idc/worldwide/iot-spending/"))
  const dated = (s: SeriesFigure): Array<Vintage> => s.vintages.filter((v) => v.release !== null && v.status !== "unit-suspect")
  const vRef = (v: { readonly source: string; readonly row: number; readonly url: string }): SourceRef => ({ source: v.source, row: v.row, url: v.url })
  const spendingRule = "the latest dated release of the same publisher, region, metric and year is the current value; earlier releases are kept as superseded vintages; undated releases and misprinted units never win; a different scope (enterprise-level) is a different question, not a revision"
  const headline = [...ww].sort((a, b) => dated(b).length - dated(a).length || b.year - a.year)[0]
  const spKeys = ["year", "current", "current_release", "first", "first_release", "vintages", "path", "change"]
  if (headline === undefined || dated(headline).length === 0) for (const k of spKeys) put(`spending.headline.${k}`, missing(`no dated IDC worldwide IoT spending figure${asOfOpt ? ` released by ${asOfOpt}` : ""}`))
  else {
    const vs = dated(headline)
    const f0 = vs[0]!
    const cur = headline.current
    const n = footnote(
      `${headline.question}: ${vs.map((v) => `${v.display} (release ${v.release})`).join(" → ")}`,
      vs.map(vRef),
      spendingRule,
      `Current value ${cur.display} from the release of ${cur.release ?? "an undated release"}.`,
    )
    put("spending.headline.year", value(String(headline.year)))
    put("spending.headline.current", value(money(cur.quantity), n))
    put("spending.headline.current_release", value(cur.release ?? "undated"))
    put("spending.headline.first", value(money(f0.quantity), n))
    put("spending.headline.first_release", value(f0.release!))
    put("spending.headline.vintages", value(int(vs.length), n))
    put("spending.headline.path", value(vs.map((v) => `${money(v.quantity)} (${v.release})`).join(" → "), n))
    const comparable = f0.quantity.dimension === cur.quantity.dimension && f0.quantity.currency === cur.quantity.currency && f0.quantity.value !== 0
    const ch = comparable ? ((cur.quantity.value - f0.quantity.value) / f0.quantity.value) * 100 : undefined
    const approx = f0.quantity.bound !== "exact" || cur.quantity.bound !== "exact"
    put("spending.headline.change", ch === undefined ? missing("first and current figures are not comparable") : value(`${approx ? "about " : ""}${ch > 0 ? "+" : "−"}${pct(Math.abs(ch))}`, n))
  }
  const wwDated = ww.flatMap((s) => dated(s).map((v) => ({ s, v })))
  const latestRelease = [...wwDated].sort((a, b) => (a.v.release! < b.v.release! ? -1 : a.v.release! > b.v.release! ? 1 : 0)).at(-1)?.v.release ?? undefined
  if (latestRelease === undefined) for (const k of ["release", "forecast", "forecast_year"]) put(`spending.latest.${k}`, missing("no dated IDC worldwide IoT spending release"))
  else {
    const inLatest = wwDated.filter((x) => x.v.release === latestRelease).sort((a, b) => b.s.year - a.s.year)
    const top = inLatest[0]!
    const n = footnote(`IDC worldwide IoT spending, latest release in the data (${latestRelease}): ${inLatest.map((x) => `${x.v.display} for ${x.s.year}`).join("; ")}`, inLatest.map((x) => vRef(x.v)), spendingRule)
    put("spending.latest.release", value(latestRelease))
    put("spending.latest.forecast", value(money(top.v.quantity), n))
    put("spending.latest.forecast_year", value(String(top.s.year)))
  }
  const wwRevisions = ss.revisions.filter((r) => r.key.startsWith("idc/worldwide/iot-spending/"))
  put("spending.revisions.count", value(int(wwRevisions.length), footnote(`Revisions of IDC worldwide IoT spending figures (a later release giving a different figure for the same year): ${wwRevisions.length}`, wwRevisions.flatMap((r) => [{ source: r.from.source, row: r.from.row }, { source: r.to.source, row: r.to.row }]), spendingRule)))
  if (wwDated.length === 0) {
    charts.set("spending.vintages", missing("no dated IDC worldwide IoT spending release"))
    tables.set("spending.revisions", missing("no dated IDC worldwide IoT spending release"))
    tables.set("spending.headline", missing("no dated IDC worldwide IoT spending release"))
  } else {
    // One line per release year (a later release of the same year overwrites an earlier one's figure for a target year).
    const byVintage = new Map<string, Map<number, number>>()
    for (const { s, v } of [...wwDated].sort((a, b) => (a.v.release! < b.v.release! ? -1 : 1))) {
      if (v.quantity.currency !== "USD") continue
      const vy = v.release!.slice(0, 4)
      const m = byVintage.get(vy) ?? new Map<number, number>()
      m.set(s.year, Math.round((v.quantity.value / 1e9) * 10) / 10)
      byVintage.set(vy, m)
    }
    const targetYears = uniq([...byVintage.values()].flatMap((m) => [...m.keys()])).sort((a, b) => a - b)
    charts.set("spending.vintages", {
      _tag: "Chart",
      kind: "line",
      title: "IDC worldwide IoT spending forecasts by release year (US$ bn)",
      categories: targetYears.map(String),
      series: [...byVintage.keys()].sort().map((vy) => ({ name: `${vy} release${byVintage.get(vy)!.size > 1 ? "s" : ""}`, values: targetYears.map((y) => byVintage.get(vy)!.get(y) ?? null) })),
      yLabel: "US$ bn",
      footnote: footnote("IDC worldwide IoT spending as forecast (or reported) by each release year; bounds (“exceeding”, “about”) are drawn at their stated value", wwDated.map((x) => vRef(x.v)), `${spendingRule}; within one release year the later release's figure is drawn`),
    })
    tables.set("spending.revisions", wwRevisions.length === 0 ? missing("no revision of IDC worldwide IoT spending") : {
      _tag: "Table",
      caption: "Revisions of IDC worldwide IoT spending figures",
      footnote: footnote("Successive IDC releases for the same year", wwRevisions.flatMap((r) => [{ source: r.from.source, row: r.from.row }, { source: r.to.source, row: r.to.row }]), spendingRule),
      columns: [
        { key: "year", header: "Year", width: 0.7 },
        { key: "from", header: "Earlier release", width: 2.2 },
        { key: "to", header: "Later release", width: 2.2 },
        { key: "change", header: "Change", align: "right", width: 1 },
        { key: "note", header: "Note", width: 3 },
      ],
      rows: wwRevisions.map((r) => ({
        year: String(r.year),
        from: `${r.from.display} (${r.from.release}, row ${r.from.row})`,
        to: `${r.to.display} (${r.to.release}, row ${r.to.row})`,
        change: r.changePct === null ? "bound" : `${r.changePct > 0 ? "+" : "−"}${pct(Math.abs(r.changePct))}`,
        note: r.note,
      })),
      notes: ["bound = one end is a lower bound or an approximation, so no percentage is computed."],
    })
    if (headline !== undefined) {
      tables.set("spending.headline", {
        _tag: "Table",
        caption: `${headline.question}: every vintage`,
        footnote: footnote(headline.question, headline.vintages.map(vRef), spendingRule),
        columns: [
          { key: "release", header: "Release", width: 1.2 },
          { key: "publisher", header: "Publisher (as labelled)", width: 2.4 },
          { key: "figure", header: "Figure", align: "right", width: 1.6 },
          { key: "status", header: "Status", width: 1.3 },
          { key: "row", header: "Source row", align: "right", width: 0.9 },
        ],
        rows: headline.vintages.map((v) => ({
          release: v.release ?? "undated",
          publisher: v.publisher,
          figure: v.status === "current" ? { text: v.display, bold: true } : v.display,
          status: v.status,
          row: String(v.row),
        })),
      })
    }
  }

  // ---- Collaborations -------------------------------------------------------------------------
  const collabs = data.collaborations
  const collabRefs = sourceRefs(collabs.map((c) => c.provenance.source))
  const collabRule = "one row per (platform, partner) as the report lists it; partner countries from the report or, where the basis column says so, general knowledge; regions (“Europe”) count in no country"
  const byCountry = new Map<string, number>()
  for (const c of collabs) if (c.partnerCountry.iso2 !== undefined && c.partnerCountry.iso2 !== "CN") byCountry.set(c.partnerCountry.label, (byCountry.get(c.partnerCountry.label) ?? 0) + 1)
  const topCountry = [...byCountry.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]
  const cNote = footnote(`International collaborations of Chinese industrial internet platforms: ${collabs.length} (platform, partner) pairs, ${uniq(collabs.map((c) => c.platform.key)).length} platforms, partners in ${byCountry.size} countries`, collabRefs, collabRule)
  put("collaborations.count", value(int(collabs.length), cNote))
  put("collaborations.platforms", value(int(uniq(collabs.map((c) => c.platform.key)).length), cNote))
  put("collaborations.countries", value(int(byCountry.size), cNote))
  put("collaborations.top_country", topCountry === undefined ? missing("no partner country") : value(`${topCountry[0]} (${topCountry[1]} of ${collabs.length})`, cNote))
  const collabTable = (rows: ReadonlyArray<Clean.CollaborationRow>, caption: string): TableData | Missing =>
    rows.length === 0
      ? missing("no collaboration rows")
      : {
          _tag: "Table",
          caption,
          footnote: footnote(caption, sourceRefs(rows.map((c) => c.provenance.source)), collabRule),
          columns: [
            { key: "platform", header: "Platform", width: 1.6 },
            { key: "partner", header: "Partner", width: 2.2 },
            { key: "country", header: "Partner country", width: 1.5 },
            { key: "relation", header: "Relation", width: 2.2 },
            { key: "basis", header: "Country basis", width: 1.8 },
            { key: "cited", header: "Cited in", width: 1.2 },
          ],
          rows: rows.map((c) => ({
            platform: c.platform.display,
            partner: c.partner.display,
            country: c.partnerCountry.label === "" ? "–" : c.partnerCountry.label,
            relation: c.relation,
            basis: c.partnerCountryBasis.replace(/\s*\(company\/institution HQ\)/, ""),
            cited: c.citedIn,
          })),
        }
  tables.set("collaborations", collabTable(collabs, "Foreign collaborations of Chinese industrial internet platforms"))

  // ---- Data quality ---------------------------------------------------------------------------
  const seen = new Set<string>()
  const allFindings: Array<Finding> = []
  for (const f of [...data.findings, ...rr.findings, ...ss.findings]) {
    const k = `${f.code}|${f.source ?? ""}|${f.row ?? ""}|${f.message}`
    if (seen.has(k)) continue
    seen.add(k)
    allFindings.push(f)
  }
  allFindings.sort(FindingM.order)
  const sev = FindingM.countBySeverity(allFindings)
  const qRefs = data.sources.map((s) => ({ source: s.info.id }))
  const qNote = footnote(`Findings of ingest, normalisation and reconciliation: ${allFindings.length} (${sev.error} error, ${sev.warn} warning, ${sev.info} information)`, qRefs, "every data problem is reported as a finding with its source and row; none is dropped silently")
  put("quality.findings.total", value(int(allFindings.length), qNote))
  put("quality.findings.error", value(int(sev.error), qNote))
  put("quality.findings.warn", value(int(sev.warn), qNote))
  put("quality.findings.info", value(int(sev.info), qNote))
  put("quality.sources.count", value(int(data.sources.length), footnote(`Sources read: ${data.sources.length}`, qRefs, "")))
  const rejected = data.sources.reduce((a, s) => a + s.rejected, 0)
  const read = data.sources.reduce((a, s) => a + s.read, 0)
  const covNote = footnote(`Rows read ${read}, kept ${read - rejected}, rejected ${rejected} (quarantined with reasons)`, qRefs, "a row that fails validation goes to the quarantine with its reasons; a source with more than half its rows rejected fails as a whole")
  put("quality.rows.read", value(int(read), covNote))
  put("quality.rows.rejected", value(int(rejected), covNote))
  tables.set("quality.coverage", {
    _tag: "Table",
    caption: "Coverage per source: rows read, kept and rejected, when retrieved and how old",
    footnote: covNote,
    columns: [
      { key: "source", header: "Source", width: 3 },
      { key: "kind", header: "Kind", width: 1.4 },
      { key: "read", header: "Read", align: "right", width: 0.7 },
      { key: "kept", header: "Kept", align: "right", width: 0.7 },
      { key: "rejected", header: "Rejected", align: "right", width: 0.9 },
      { key: "retrieved", header: "Retrieved", width: 1.1 },
      { key: "age", header: "Age", align: "right", width: 0.9 },
    ],
    rows: data.sources.map((s) => ({
      source: s.info.id,
      kind: s.info.kind,
      read: int(s.read),
      kept: int(s.kept),
      rejected: s.rejected > 0 ? { text: int(s.rejected), bold: true } : "0",
      retrieved: s.info.retrieved,
      age: ageAt(s.info.retrieved, data.asOf),
    })),
  })
  tables.set("quality.severity", {
    _tag: "Table",
    caption: "Findings by severity",
    footnote: qNote,
    columns: [
      { key: "severity", header: "Severity", width: 2 },
      { key: "count", header: "Findings", align: "right", width: 1 },
      { key: "meaning", header: "Meaning", width: 5 },
    ],
    rows: [
      { severity: "error", count: int(sev.error), meaning: "the data cannot be used as published" },
      { severity: "warn", count: int(sev.warn), meaning: "a contradiction, an unknown label or a value that needs a reader's judgement" },
      { severity: "info", count: int(sev.info), meaning: "a repair or a choice the pipeline made and recorded (repaired names, duplicates, undated releases)" },
    ],
  })
  // Keyed by severity and code; the first finding of each (in finding order) is its example.
  const codes = new Map<string, { example: Finding; n: number }>()
  for (const f of allFindings) {
    const k = `${f.severity}|${f.code}`
    const c = codes.get(k)
    if (c === undefined) codes.set(k, { example: f, n: 1 })
    else c.n++
  }
  tables.set("quality.codes", {
    _tag: "Table",
    caption: "Findings by code",
    footnote: qNote,
    columns: [
      { key: "code", header: "Code", width: 2.5 },
      { key: "severity", header: "Severity", width: 1 },
      { key: "count", header: "Findings", align: "right", width: 1 },
      { key: "example", header: "Example", width: 6 },
    ],
    rows: [...codes.values()].map(({ example: ex, n }) => {
      const m = ex.message.length > 160 ? `${ex.message.slice(0, 157)}…` : ex.message
      return { code: ex.code, severity: ex.severity, count: int(n), example: m }
    }),
  })
  // Contradictions settled by a rule: round claims that disagree, and revised spending vintages.
  const settled: Array<Record<string, Cell>> = []
  const fieldNames: ReadonlyArray<readonly [keyof RoundFigure, keyof RoundFigure, string]> = [
    ["totalClaims", "total", "network total"],
    ["newSitesClaims", "newSites", "new sites"],
    ["chinaTotalClaims", "chinaTotal", "China total"],
    ["chinaNewClaims", "chinaNew", "new China sites"],
  ]
  for (const r of rr.rounds) {
    for (const [claimsKey, chosenKey, label] of fieldNames) {
      const claims = r[claimsKey] as ReadonlyArray<ClaimView>
      const chosen = r[chosenKey] as Chosen
      if (uniq(claims.map((c) => c.value)).length < 2) continue
      settled.push({
        subject: `${shortMonth(r.round)}: ${label}`,
        claims: claims.map((c) => `${c.value} (${shortSource(c.url)}, row ${c.row})`).join("; "),
        chosen: { text: chosen.value === null ? "none" : String(chosen.value), bold: true },
        rule: chosen.rule,
      })
    }
  }
  for (const r of ss.revisions) {
    settled.push({
      subject: ss.series.find((x) => x.key === r.key)?.question ?? r.key,
      claims: `${r.from.display} (${r.from.release}, row ${r.from.row}); ${r.to.display} (${r.to.release}, row ${r.to.row})`,
      chosen: { text: r.to.display, bold: true },
      rule: "later release supersedes the earlier vintage (kept as superseded)",
    })
  }
  const settleNote = footnote(`Disagreements between sources and the rule that settled each: ${settled.length}`, qRefs, `${rr.precedence} Spending: ${spendingRule}`)
  put("quality.contradictions.count", value(int(settled.length), settleNote))
  tables.set("quality.contradictions", {
    _tag: "Table",
    caption: "Disagreements between sources and the rule that settled each",
    footnote: settleNote,
    columns: [
      { key: "subject", header: "Figure", width: 2 },
      { key: "claims", header: "Claims (source, row)", width: 4 },
      { key: "chosen", header: "Chosen", align: "right", width: 1.3 },
      { key: "rule", header: "Rule", width: 3.5 },
    ],
    rows: settled,
  })
  const checks = allFindings.filter((f) => f.code === "contradiction" || f.code === "unit-suspect" || f.code === "scope-change")
  tables.set("quality.checks", {
    _tag: "Table",
    caption: "Contradictions the consistency checks report (the chosen values stand; the reader is told)",
    footnote: footnote(`Consistency findings: ${checks.length}`, sourceRefs(checks.map((f) => f.source ?? "")), "previous total + new sites = total; year sums; opposite signs in one release; units far off their series; scope changes are separate questions"),
    columns: [
      { key: "code", header: "Code", width: 1.9 },
      { key: "where", header: "Where", width: 1.9 },
      { key: "message", header: "Finding", width: 6.6 },
    ],
    rows: checks.map((f) => ({ code: f.code, where: findingWhere(f), message: f.message })),
  })
  tables.set(
    "quality.quarantine",
    data.quarantine.length === 0
      ? missing("no rejected rows")
      : {
          _tag: "Table",
          caption: "Rejected rows (quarantine) and why",
          footnote: covNote,
          columns: [
            { key: "source", header: "Source", width: 2.5 },
            { key: "row", header: "Row", align: "right", width: 0.6 },
            { key: "reasons", header: "Reasons", width: 6 },
          ],
          rows: data.quarantine.map((q) => ({ source: q.source, row: String(q.row), reasons: q.reasons.join("; ") })),
        },
  )

  // ---- Sources --------------------------------------------------------------------------------
  const sources: Array<PackDoc.Source> = data.sources.map((s) => ({
    title: s.info.title,
    producer: s.info.producer,
    url: s.info.url,
    retrieved: s.info.retrieved,
    ...(s.info.citation !== undefined ? { citation: s.info.citation } : {}),
  }))

  // ---- Entity (--focus) -----------------------------------------------------------------------
  const focus = entity(data, options.focus, asOfOpt, allFindings, footnote, latest, put, tables)
  return { asOf, figures, tables, charts, sources, focus: focus }
}

const ENTITY_FIGURES = ["query", "names_en", "names_zh", "ownership", "platforms.count", "platforms.years", "platforms.names", "lighthouses.count", "lighthouses.countries", "lighthouses.share_of_china", "collaborations.count", "collaborations.countries", "findings.count"]
const ENTITY_TABLES = ["names", "platforms", "lighthouses", "collaborations", "findings"]

/** The `entity.*` bindings: rows whose names contain the focus (zh or en, case-insensitive), widened once by the Chinese names those rows give. */
const entity = (
  data: PublicationData,
  query: string | undefined,
  asOf: string | undefined,
  findings: ReadonlyArray<Finding>,
  footnote: (what: string, refs: ReadonlyArray<SourceRef>, rule: string, detail?: string) => Footnote,
  latest: RoundFigure | undefined,
  put: (name: string, b: Binding) => void,
  tables: Map<string, TableData | Missing>,
): FocusResult | undefined => {
  const none = (why: string) => {
    for (const k of ENTITY_FIGURES) put(`entity.${k}`, missing(why))
    for (const k of ENTITY_TABLES) tables.set(`entity.${k}`, missing(why))
  }
  if (query === undefined || query.trim() === "") {
    none("no --focus given: this figure belongs to an entity profile")
    return undefined
  }
  const asOfYear = asOf === undefined ? Number.POSITIVE_INFINITY : Number(asOf.slice(0, 4))
  const platforms = data.platforms.filter((p) => p.listYear <= asOfYear)
  const sites = data.lighthouses.filter((l) => usableAt(l.announced ?? l.yearJoined, asOf))
  const collabs = data.collaborations
  const pNames = (p: Clean.PlatformRow) => [p.platformEn?.display, p.platformEn?.zh, p.platformZh, p.company?.display]
  const lNames = (l: Clean.LighthouseRow) => [l.company.display, l.company.zh]
  const cNames = (c: Clean.CollaborationRow) => [c.platform.display, c.platform.zh, c.partner.display, c.partner.zh]
  const match = (needles: ReadonlyArray<string>) => (names: ReadonlyArray<string | undefined>) =>
    names.some((n) => n !== undefined && needles.some((q) => n.toLowerCase().includes(q)))
  let needles = [query.trim().toLowerCase()]
  let hitP = platforms.filter((p) => match(needles)(pNames(p)))
  let hitL = sites.filter((l) => match(needles)(lNames(l)))
  // Widen once by the short Chinese names the hits give ("Haier (海尔)" → 海尔), so the 2019 list's "海尔" is found from "Haier".
  const zhAliases = uniq([...hitL.map((l) => l.company.zh), ...hitP.map((p) => p.platformEn?.zh)].filter((z): z is string => z !== undefined && z.length >= 2))
  if (zhAliases.length > 0) {
    needles = uniq([...needles, ...zhAliases.map((z) => z.toLowerCase())])
    hitP = platforms.filter((p) => match(needles)(pNames(p)))
    hitL = sites.filter((l) => match(needles)(lNames(l)))
  }
  const hitC = collabs.filter((c) => match(needles)(cNames(c)))
  if (hitP.length + hitL.length + hitC.length === 0) {
    const all = [...data.platforms.flatMap(pNames), ...data.lighthouses.flatMap(lNames), ...data.collaborations.flatMap(cNames)].filter((n): n is string => n !== undefined)
    const near = nearNames(query, all)
    none(`--focus "${query}" matches no company or platform name`)
    return { query, matched: false, near }
  }
  const rule = `rows whose company or platform name (English or Chinese) contains “${query}” (case-insensitive)${zhAliases.length > 0 ? `, widened by the Chinese names they give (${zhAliases.join(", ")})` : ""}; name matching, not entity resolution: a subsidiary under another name is not found`
  const refs = [...hitP, ...hitL, ...hitC].map((r) => ({ source: r.provenance.source, row: r.provenance.row }))
  const en = uniq([...hitP.map((p) => p.platformEn?.display), ...hitL.map((l) => l.company.display)].filter((x): x is string => x !== undefined && x !== ""))
  const zh = uniq([...hitP.flatMap((p) => [p.company?.display, p.platformZh]), ...hitL.map((l) => l.company.zh)].filter((x): x is string => x !== undefined && x !== ""))
  const nNames = footnote(`Names under which “${query}” appears in the data`, refs, rule)
  put("entity.query", value(query))
  put("entity.names_en", value(en.join("; ") || "–", nNames))
  put("entity.names_zh", value(zh.join("；") || "–", nNames))
  const owns = uniq(hitP.filter((p) => p.ownership !== undefined).map((p) => `${OWNERSHIP_LABEL[p.ownership!.value]} (“${p.ownership!.original}”, ${p.listYear} list)`))
  put("entity.ownership", owns.length === 0 ? value("not stated in the data") : value(owns.join("; "), footnote(`Ownership character of ${query}`, hitP.map((p) => ({ source: p.provenance.source, row: p.provenance.row })), "as published on the MIIT list extract, mapped to five classes")))
  const pNote = footnote(`${query} on MIIT cross-industry platform lists`, hitP.map((p) => ({ source: p.provenance.source, row: p.provenance.row })), rule)
  put("entity.platforms.count", value(int(hitP.length), pNote))
  put("entity.platforms.years", hitP.length === 0 ? value("none", pNote) : value(andList(uniq(hitP.map((p) => String(p.listYear))).sort()), pNote))
  put("entity.platforms.names", value(uniq(hitP.map((p) => p.platformEn?.display ?? p.platformZh ?? "")).filter((x) => x !== "").join("; ") || "no named platform", pNote))
  const lNote = footnote(`${query}: lighthouse sites in the bundled WEF extract (partial: roughly half the network)`, hitL.map((l) => ({ source: l.provenance.source, row: l.provenance.row })), `${rule}${asOf ? `; sites announced after ${asOf} or undated left out` : ""}`)
  put("entity.lighthouses.count", value(int(hitL.length), lNote))
  put("entity.lighthouses.countries", value(uniq(hitL.map((l) => l.country.label).filter((c) => c !== "")).join(", ") || "not stated", lNote))
  put(
    "entity.lighthouses.share_of_china",
    latest === undefined || latest.chinaTotalBoth.separate.value === null
      ? missing("no China lighthouse total")
      : value(`${hitL.filter((l) => l.country.iso2 === "CN").length} of ${latest.chinaTotalBoth.separate.value}`, footnote(`${query}'s Chinese lighthouse rows in the extract, against China's total in ${monthLabel(latest.round)} (excluding Taiwan)`, [...hitL.map((l) => ({ source: l.provenance.source, row: l.provenance.row })), ...(latest.chinaTotal.source === "" ? [] : [{ source: latest.chinaTotal.source, row: latest.chinaTotal.row ?? undefined }])], `${rule}; China total: ${latest.chinaTotal.rule}`)),
  )
  const cNote = footnote(`${query}: foreign collaborations`, hitC.map((c) => ({ source: c.provenance.source, row: c.provenance.row })), rule)
  put("entity.collaborations.count", value(int(hitC.length), cNote))
  put("entity.collaborations.countries", value(uniq(hitC.map((c) => c.partnerCountry.label).filter((x) => x !== "")).join(", ") || "none stated", cNote))
  const rowKeys = new Set(refs.map((r) => `${r.source}#${r.row}`))
  const nameHits = [...en, ...zh].filter((n) => n.length >= 2)
  const about = findings.filter((f) => (f.source !== undefined && f.row !== undefined && rowKeys.has(`${f.source}#${f.row}`)) || nameHits.some((n) => f.message.includes(n)))
  put("entity.findings.count", value(int(about.length), footnote(`Findings about ${query}`, about.map((f) => ({ source: f.source ?? "", row: f.row })), "findings on a matched row, or naming a matched name")))

  tables.set("entity.names", {
    _tag: "Table",
    caption: `Names of ${query} in the sources`,
    footnote: nNames,
    columns: [
      { key: "name", header: "Name", width: 3.2 },
      { key: "lang", header: "Script", width: 0.8 },
      { key: "role", header: "Appears as", width: 2 },
      { key: "where", header: "Source rows", width: 3 },
    ],
    rows: [
      ...uniq(hitP.flatMap((p) => [p.company?.display ? `zh|${p.company.display}|platform operator` : "", p.platformEn?.display ? `en|${p.platformEn.display}|platform` : "", p.platformZh ? `zh|${p.platformZh}|platform` : ""]).filter((x) => x !== "")),
      ...uniq(hitL.flatMap((l) => [`en|${l.company.display}|lighthouse operator`, l.company.zh ? `zh|${l.company.zh}|lighthouse operator` : ""]).filter((x) => x !== "")),
      ...uniq(hitC.flatMap((c) => (match(needles)([c.platform.display, c.platform.zh]) ? [`en|${c.platform.display}|collaborating platform`] : [`en|${c.partner.display}|collaboration partner`]))),
    ].map((k) => {
      const [lang, name, role] = k.split("|") as [string, string, string]
      const where = [
        ...hitP.filter((p) => [p.company?.display, p.platformEn?.display, p.platformZh].includes(name)),
        ...hitL.filter((l) => [l.company.display, l.company.zh].includes(name)),
        ...hitC.filter((c) => [c.platform.display, c.partner.display].includes(name)),
      ].map((r) => r.provenance)
      const bySource = uniq(where.map((w) => w.source)).map((s) => `${s.split("/").pop()} ${where.filter((w) => w.source === s).map((w) => w.row).join(", ")}`)
      return { name, lang, role, where: bySource.join("; ") }
    }),
  })
  tables.set(
    "entity.platforms",
    hitP.length === 0
      ? missing(`${query} is on no MIIT platform list in the data`)
      : {
          _tag: "Table",
          caption: `${query} on MIIT cross-industry platform lists`,
          footnote: pNote,
          columns: [
            { key: "year", header: "List", width: 0.7 },
            { key: "platform", header: "Platform", width: 2 },
            { key: "company", header: "Company (zh)", width: 3.2 },
            { key: "ownership", header: "Ownership as published", width: 2.4 },
            { key: "row", header: "Row", align: "right", width: 0.6 },
          ],
          rows: [...hitP].sort((a, b) => a.listYear - b.listYear).map((p) => ({ year: String(p.listYear), platform: p.platformEn?.display ?? p.platformZh ?? "–", company: p.company?.display ?? "–", ownership: p.ownership?.original ?? "–", row: String(p.provenance.row) })),
        },
  )
  const when = (l: Clean.LighthouseRow) => (l.announced ?? l.yearJoined) === undefined ? "undated" : (l.announced !== undefined ? shortMonth(periodText(l.announced)) : periodText(l.yearJoined!))
  tables.set(
    "entity.lighthouses",
    hitL.length === 0
      ? missing(`${query} has no lighthouse site in the data`)
      : {
          _tag: "Table",
          caption: `${query}: lighthouse sites`,
          footnote: lNote,
          columns: [
            { key: "site", header: "Site", width: 3.2 },
            { key: "country", header: "Country", width: 1 },
            { key: "when", header: "Designated", width: 1.1 },
            { key: "type", header: "Type", width: 1.8 },
            { key: "verification", header: "Verification", width: 1.8 },
            { key: "row", header: "Row", align: "right", width: 0.6 },
          ],
          rows: hitL.map((l) => ({ site: l.site === "" ? "(site not given)" : l.site, country: l.country.label || "–", when: when(l), type: l.type || "–", verification: l.verification || "–", row: String(l.provenance.row) })),
        },
  )
  const ct = hitC.length === 0 ? missing(`${query} has no collaboration in the data`) : undefined
  tables.set(
    "entity.collaborations",
    ct ?? {
      _tag: "Table",
      caption: `${query}: foreign collaborations`,
      footnote: cNote,
      columns: [
        { key: "platform", header: "Platform", width: 1.6 },
        { key: "partner", header: "Partner", width: 2.2 },
        { key: "country", header: "Partner country", width: 1.5 },
        { key: "relation", header: "Relation", width: 2.4 },
      ],
      rows: hitC.map((c) => ({ platform: c.platform.display, partner: c.partner.display, country: c.partnerCountry.label || "–", relation: c.relation })),
    },
  )
  tables.set(
    "entity.findings",
    about.length === 0
      ? missing(`no finding about ${query}`)
      : {
          _tag: "Table",
          caption: `Findings about ${query}`,
          columns: [
            { key: "severity", header: "Severity", width: 0.8 },
            { key: "code", header: "Code", width: 1.4 },
            { key: "where", header: "Where", width: 1.8 },
            { key: "message", header: "Finding", width: 6 },
          ],
          rows: about.map((f) => ({ severity: f.severity, code: f.code, where: findingWhere(f), message: f.message })),
        },
  )
  return { query, matched: true, near: [] }
}
