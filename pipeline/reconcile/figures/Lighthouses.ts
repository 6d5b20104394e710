/**
 * Global Lighthouse Network rounds: claims about each announcement round (network total, new
 * sites, China total, China new) from several sources, side by side, with one precedence rule
 * (`ROUND_PRECEDENCE`, stated once, as data) choosing the value and the losing values kept with
 * why they lost; general consistency rules (same-round disagreement, previous total + new ≠
 * total, year sums, a network that shrinks) raising contradictions; the extract's own coverage
 * per round, with every China count available with and without Taiwan. Pure and deterministic.
 */
import * as Finding from "../../domain/Finding.js"
import { countsAsChina, describePolicy } from "../../normalize/country.js"
import { normalizeText } from "../../normalize/text.js"
import { cite, compareProvenance, comparePeriods, hostsOf, periodKey, periodLabel, round2, shortSource, usableAt } from "./common.js"

import type { LighthouseRow, RoundClaimRow } from "../../domain/Clean.js"
import type { Period } from "../../domain/Period.js"
import type { TaiwanPolicy } from "../../normalize/country.js"

// ---------------------------------------------------------------------------------------------
// The precedence rule: one place, as data.

/** How a source is classed for precedence. */
export type SourceClass = "wef" | "wef-text" | "official" | "consultancy" | "research" | "press"

/** One class of the precedence rule: how a source is recognised (URL host or note/citation text). */
export interface SourceClassRule {
  readonly class: SourceClass
  /** Lower wins. */
  readonly rank: number
  readonly label: string
  /** Host suffixes ("weforum.org" matches "cn.weforum.org"). */
  readonly hosts: ReadonlyArray<string>
  /** URL path fragments (a company newsroom). */
  readonly paths: ReadonlyArray<RegExp>
  /** Patterns on the note, and on the source cell when it holds a citation instead of a URL. */
  readonly text: ReadonlyArray<RegExp>
}

/** The whole rule: source classes in rank order, then the tie-breakers in the order applied. */
export interface RoundPrecedence {
  readonly classes: ReadonlyArray<SourceClassRule>
  readonly tieBreakers: ReadonlyArray<string>
}

/** The default rule: WEF > WEF text republished > company or government release > consultancy > research report > press. */
export const ROUND_PRECEDENCE: RoundPrecedence = {
  classes: [
    { class: "wef", rank: 1, label: "WEF (weforum.org page or press release)", hosts: ["weforum.org"], paths: [], text: [] },
    { class: "wef-text", rank: 2, label: "WEF release text republished elsewhere", hosts: [], paths: [], text: [/\bWEF (?:CN )?(?:press )?(?:release|impact)\b/i] },
    {
      class: "official",
      rank: 3,
      label: "company or government release",
      hosts: ["gov.cn", "gov", "gov.uk", "europa.eu"],
      paths: [/\/(?:corporate\/news|newsroom|press-releases?|media\/release)\//i],
      text: [/\brelease\b/i, /\b(?:MIIT|ministry|spokes(?:man|person)|SCIO|State Council|government)\b/i],
    },
    { class: "consultancy", rank: 4, label: "consultancy (McKinsey and the like)", hosts: ["mckinsey.com", "bcg.com", "bain.com", "deloitte.com", "accenture.com"], paths: [], text: [/\bMcKinsey\b/i] },
    { class: "research", rank: 5, label: "research report", hosts: ["leidenasiacentre.nl"], paths: [], text: [/\bLeidenAsiaCentre\b/i, /\breport\b.*\bsection\b|\bsection\b.*\breport\b/i, /\bLee \d{4}\b/] },
    { class: "press", rank: 6, label: "press and other reports", hosts: [], paths: [], text: [] },
  ],
  tieBreakers: [
    "a network or China total below the previous round's chosen total cannot win (the network does not shrink)",
    "claims dated within the round beat later statements about it, which beat claims dated only by year",
    "source class, in the order above",
    "the finer date (day over month over year)",
    "the value more claims agree on",
    "the earlier row of the source file",
  ],
}

/** The precedence rule as one sentence, for footnotes and the workbook. */
export const describePrecedence = (p: RoundPrecedence = ROUND_PRECEDENCE): string =>
  `Where sources disagree on a round, the value is taken from the highest class: ${[...p.classes]
    .sort((a, b) => a.rank - b.rank)
    .map((c) => c.label)
    .join(" > ")}; ties are settled by ${p.tieBreakers.join("; then ")}. Losing values are kept beside the chosen one.`

/** Classes a source by its URL hosts and paths, then by its note (and citation text when there is no URL). */
export const classifySource = (sourceUrl: string, note: string, p: RoundPrecedence = ROUND_PRECEDENCE): SourceClassRule => {
  const hosts = hostsOf(sourceUrl)
  const text = hosts.length === 0 ? `${note} ${sourceUrl}` : note
  const ordered = [...p.classes].sort((a, b) => a.rank - b.rank)
  for (const c of ordered) {
    if (hosts.some((h) => c.hosts.some((suffix) => h === suffix || h.endsWith("." + suffix)))) return c
    if (c.paths.some((re) => re.test(sourceUrl))) return c
    if (c.text.some((re) => re.test(text))) return c
  }
  // The catch-all is the class with nothing to match (press in the default rule), wherever it ranks.
  return ordered.find((c) => c.hosts.length === 0 && c.paths.length === 0 && c.text.length === 0) ?? { class: "press", rank: 99, label: "press and other reports", hosts: [], paths: [], text: [] }
}

// ---------------------------------------------------------------------------------------------
// Result types

/** Which Taiwan policy an announced China number follows, as far as can be told. */
export interface PolicyView {
  readonly policy: TaiwanPolicy | "unknown" | "no-difference"
  /** `describePolicy` text, or a sentence saying why it is unknown or does not matter. */
  readonly label: string
  readonly why: string
}

/** One source's value for one field of a round. */
export interface ClaimView {
  readonly value: number
  readonly source: string
  readonly row: number
  readonly url: string
  readonly date: string
  readonly sourceClass: SourceClass
  /** "round": dated within the round; "year": dated only by year (lower confidence); "status": a later statement with no new round. */
  readonly attached: "round" | "year" | "status"
  readonly won: boolean
  readonly why: string
  /** China fields only. */
  readonly taiwan?: PolicyView | undefined
}

/** The value chosen for one field of a round. */
export interface Chosen {
  readonly value: number | null
  /** Source id of the winning claim; "" when derived or missing. */
  readonly source: string
  readonly row: number | null
  readonly url: string
  /** Which rule chose it ("only claim", "all 3 claims agree", "source precedence: …", "derived: 201 + 23"). */
  readonly rule: string
  readonly confidence: "round" | "year" | "derived" | "none"
}

/** A China count under one Taiwan policy. */
export interface ChinaCount {
  readonly value: number | null
  readonly policy: TaiwanPolicy
  readonly label: string
  /** How it was obtained: stated, derived with the Taiwan count, or assumed. */
  readonly basis: string
}

/** Sites of the extract designated in a round (each distinct site once, at its first designation). */
export interface ExtractCoverage {
  readonly sites: number
  readonly chinaExclTaiwan: number
  readonly chinaInclTaiwan: number
  readonly taiwan: number
  /** Sites of this round whose country the extract does not give. */
  readonly countryUnknown: number
  /** Rows of this round not counted: re-designations or repeats of a site first designated earlier. */
  readonly redesignations: number
  /** Sites dated only by this round's year, counted here because the year had one round. */
  readonly yearOnlyAttached: number
  /** Sites dated only by this round's year, not counted here because the year had several rounds. */
  readonly yearOnlyInYear: number
  /** All distinct sites designated up to and including this round (a lower bound of the network). */
  readonly cumulative: { readonly sites: number; readonly chinaExclTaiwan: number; readonly chinaInclTaiwan: number; readonly taiwan: number }
}

/** One announcement round, reconciled. */
export interface RoundFigure {
  /** "YYYY-MM" of the round. */
  readonly round: string
  /** Best-supported date (the highest-ranked claim with the finest date). */
  readonly date: string
  readonly total: Chosen
  readonly totalClaims: ReadonlyArray<ClaimView>
  readonly newSites: Chosen
  readonly newSitesClaims: ReadonlyArray<ClaimView>
  /** China total as announced (its Taiwan policy in `chinaTotalPolicy`). */
  readonly chinaTotal: Chosen
  readonly chinaTotalClaims: ReadonlyArray<ClaimView>
  readonly chinaTotalPolicy: PolicyView
  /** The China total under both policies, each labelled. */
  readonly chinaTotalBoth: Readonly<Record<TaiwanPolicy, ChinaCount>>
  readonly chinaNew: Chosen
  readonly chinaNewClaims: ReadonlyArray<ClaimView>
  readonly chinaNewPolicy: PolicyView
  readonly chinaNewBoth: Readonly<Record<TaiwanPolicy, ChinaCount>>
  readonly extract: ExtractCoverage
  /** China's share of the chosen network total, in percent (two decimals). */
  readonly shareChina: { readonly exclTaiwan: number | null; readonly inclTaiwan: number | null }
  /** The policy the caller asked to headline (`options.taiwan`) and its label. */
  readonly headline: { readonly policy: TaiwanPolicy; readonly label: string }
}

/** What `reconcileRounds` returns. */
export interface RoundsResult {
  readonly rounds: ReadonlyArray<RoundFigure>
  readonly findings: ReadonlyArray<Finding.Finding>
  /** `describePrecedence` of the rule used. */
  readonly precedence: string
}

/** Options: the Taiwan policy to headline, an optional precedence rule, and an as-of date. */
export interface RoundsOptions {
  readonly taiwan: TaiwanPolicy
  readonly precedence?: RoundPrecedence | undefined
  readonly asOf?: string | undefined
}

// ---------------------------------------------------------------------------------------------
// Internals

type Field = "totalSites" | "newSites" | "chinaTotal" | "chinaNew"
const FIELDS: ReadonlyArray<Field> = ["totalSites", "newSites", "chinaTotal", "chinaNew"]
const FIELD_NAME: Record<Field, string> = { totalSites: "network total", newSites: "new sites", chinaTotal: "China total", chinaNew: "new China sites" }

interface Claim {
  readonly row: RoundClaimRow
  readonly cls: SourceClassRule
  readonly cite: string
  readonly precision: number
  attached: "round" | "year" | "status"
}

interface Cluster {
  readonly claims: Array<Claim>
  readonly months: Set<string>
}

// Claims of one round are dated within a few weeks of each other (press coverage trails the release).
const CLUSTER_DAYS = 31

const PRECISION: Record<Period["_tag"], number> = { Day: 3, Month: 2, Year: 1, Bound: 0 }
const monthOf = (p: Period): string | undefined => {
  if (p._tag === "Month" || p._tag === "Day") return `${p.year}-${String(p.month).padStart(2, "0")}`
  return undefined
}
const yearOf = (p: Period): number | undefined => (p._tag === "Bound" ? undefined : p.year)
const days = (a: string, b: string): number => (Date.parse(b + "T00:00:00Z") - Date.parse(a + "T00:00:00Z")) / 86_400_000

const TW_WITH_RE = /(?:台湾|Taiwan)[^.;]{0,40}(?:includ|incl\.|counted)|(?:includ|incl\.|counts?)[^.;]{0,60}(?:台湾|Taiwan)|\+\s*台湾|Taiwan included/i
const TW_SEPARATE_RE = /(?:omit|exclud|without|separately)[^.;]{0,30}Taiwan|Taiwan[^.;]{0,30}(?:omitted|excluded|separately)/i
const TW_STATED_RE = /台湾\s*(\d+)\s*家|(\d+)\s+(?:sites?\s+)?in Taiwan/

const noteSignal = (note: string): TaiwanPolicy | undefined => (TW_SEPARATE_RE.test(note) ? "separate" : TW_WITH_RE.test(note) ? "with-china" : undefined)
const statedTaiwan = (note: string): number | undefined => {
  const m = TW_STATED_RE.exec(note)
  const n = m === null ? undefined : Number(m[1] ?? m[2])
  return n !== undefined && Number.isFinite(n) ? n : undefined
}

const REDESIGNATION_RE = /re-?designation|additional designation|already a (?:factory )?lighthouse/i

interface SitePrep {
  readonly row: LighthouseRow
  readonly period: Period | undefined
  readonly key: string | undefined
  readonly redesignation: boolean
  /** Dated on or before the as-of date (always true without one); undated rows are unusable under an as-of date. */
  readonly usable: boolean
}

const latinTokens = (s: string): string =>
  normalizeText(s)
    .toLowerCase()
    .normalize("NFD")
    .replace(/\p{M}+/gu, "")
    .replace(/[^a-z0-9]+/g, " ")
    .trim()

/** Site identity: company key + site head (before any bracket); bracket kept apart to tell factories of one city apart. */
const siteIdentity = (r: LighthouseRow): { head: string; bracket: string } | undefined => {
  const t = normalizeText(r.site)
  const open = t.indexOf("(")
  const headRaw = (open >= 0 ? t.slice(0, open) : t).trim()
  const close = open >= 0 ? t.indexOf(")", open) : -1
  const bracket = open >= 0 ? latinTokens(t.slice(open + 1, close > open ? close : undefined)) : ""
  const head = latinTokens(headRaw) || headRaw
  if (head === "" || r.company.key === "") return undefined
  return { head: `${r.company.key}|${head}`, bracket }
}

const countryIso = (r: LighthouseRow): string | undefined => r.country.iso2

/**
 * Reconciles round claims and the extract's sites into one figure per round, with findings.
 * Total on odd input: claims or sites without a usable date become findings.
 */
export const reconcileRounds = (claims: ReadonlyArray<RoundClaimRow>, sites: ReadonlyArray<LighthouseRow>, options: RoundsOptions): RoundsResult => {
  const precedence = options.precedence ?? ROUND_PRECEDENCE
  const asOf = options.asOf?.trim() === "" ? undefined : options.asOf
  const findings: Array<Finding.Finding> = []
  const at = (c: Claim, field?: string) => ({ source: c.row.provenance.source, row: c.row.provenance.row, ...(field !== undefined ? { field } : {}) })

  // 1. Claims: as-of filter, then fine-dated claims clustered into rounds; year-dated kept apart.
  const sortedClaims = [...claims].sort((a, b) => comparePeriods(a.date, b.date) || compareProvenance(a.provenance, b.provenance))
  const fine: Array<Claim> = []
  const yearly: Array<Claim> = []
  let claimsLeftOut = 0
  for (const row of sortedClaims) {
    // The row type promises a date; a hand-built clean row may still lack one, so check as if optional.
    if (!usableAt(row.date as Period | undefined, asOf)) {
      claimsLeftOut++
      continue
    }
    const c: Claim = { row, cls: classifySource(row.sourceUrl, row.note, precedence), cite: cite(row.provenance, row.sourceUrl), precision: row.date === undefined ? 0 : PRECISION[row.date._tag], attached: "round" }
    if (row.date === undefined || row.date._tag === "Bound") {
      findings.push(Finding.make("info", "undated-claim", `${c.cite}: the claim has no usable announcement date (${row.date === undefined ? "blank" : periodLabel(row.date)}); not attached to a round.`, at(c, "announcement_date")))
      continue
    }
    if (row.date._tag === "Year") {
      c.attached = "year"
      yearly.push(c)
    } else fine.push(c)
  }
  if (asOf !== undefined && claimsLeftOut > 0)
    findings.push(Finding.make("info", "as-of-excluded", `As of ${asOf}: ${claimsLeftOut} round claim(s) dated later (or not datable before it) left out.`, sortedClaims[0] !== undefined ? { source: sortedClaims[0].provenance.source } : {}))

  // A claim joins the last round when it names the same month, or when both are full dates a few
  // weeks apart; a month alone is not compared by distance (its first day is no real date).
  const clusters: Array<Cluster> = []
  for (const c of fine) {
    const start = periodKey(c.row.date)[0]
    const month = monthOf(c.row.date)!
    const last = clusters[clusters.length - 1]
    const near = (o: Claim) => o.row.date._tag === "Day" && c.row.date._tag === "Day" && Math.abs(days(periodKey(o.row.date)[0], start)) <= CLUSTER_DAYS
    if (last !== undefined && (last.months.has(month) || last.claims.some(near))) {
      last.claims.push(c)
      last.months.add(month)
    } else clusters.push({ claims: [c], months: new Set([month]) })
  }

  // 2. Sites: dedupe, then date each kept site.
  const sortedSites = [...sites].sort((a, b) => compareProvenance(a.provenance, b.provenance))
  const preps: Array<SitePrep> = []
  for (const r of sortedSites) {
    const period = r.announced ?? r.yearJoined
    const id = siteIdentity(r)
    // All rows take part in dedupe (a re-designation still finds its original); `usable` decides what is counted.
    preps.push({ row: r, period, key: id === undefined ? undefined : id.head + "\u0000" + id.bracket, redesignation: REDESIGNATION_RE.test(r.type), usable: usableAt(period, asOf) })
  }
  // Group by company + site head; a bracket-less row joins the one bracketed variant when there is exactly one.
  const byHead = new Map<string, Array<SitePrep>>()
  for (const p of preps) {
    if (p.key === undefined) continue
    const head = p.key.split("\u0000")[0]!
    const g = byHead.get(head)
    if (g === undefined) byHead.set(head, [p])
    else g.push(p)
  }
  const dropped = new Map<SitePrep, SitePrep>() // duplicate row → kept row
  const siteOrder = (a: SitePrep, b: SitePrep): number =>
    Number(a.redesignation) - Number(b.redesignation) ||
    Number(a.period === undefined || a.period._tag === "Bound") - Number(b.period === undefined || b.period._tag === "Bound") ||
    comparePeriods(a.period, b.period) ||
    compareProvenance(a.row.provenance, b.row.provenance)
  for (const head of [...byHead.keys()].sort()) {
    const g = byHead.get(head)!
    const brackets = [...new Set(g.map((p) => p.key!.split("\u0000")[1]!).filter((b) => b !== ""))]
    const groups = new Map<string, Array<SitePrep>>()
    for (const p of g) {
      const b = p.key!.split("\u0000")[1]!
      const k = b === "" && brackets.length === 1 ? brackets[0]! : b
      const x = groups.get(k)
      if (x === undefined) groups.set(k, [p])
      else x.push(p)
    }
    for (const k of [...groups.keys()].sort()) {
      const members = groups.get(k)!.sort(siteOrder)
      if (members.length < 2) continue
      const kept = members[0]!
      for (const m of members.slice(1)) dropped.set(m, kept)
      // Report only what is known at the as-of date (all rows without one).
      const shown = members.filter((m) => m.usable)
      if (shown.length < 2) continue
      const when = (p: SitePrep) => (p.period === undefined ? "undated" : periodLabel(p.period))
      const allRedesignations = shown.filter((m) => m !== kept).every((m) => m.redesignation)
      findings.push(
        Finding.make(
          allRedesignations ? "info" : "warn",
          "duplicate-site",
          `${kept.row.company.display}, ${kept.row.site}: the same site appears ${shown.length} times (${shown.map((m) => `${when(m)}${m.redesignation ? " re-designation" : ""} in ${cite(m.row.provenance, m.row.sourceUrl)}`).join("; ")}). Kept as one site, ${kept.period === undefined ? "first designation undated" : `first designated ${when(kept)}`} (row ${kept.row.provenance.row}); ${allRedesignations ? "the others are re-designations" : "the sources give different rounds for it"} and are not counted again.`,
          { source: kept.row.provenance.source, row: kept.row.provenance.row, field: "site", value: kept.row.site },
        ),
      )
    }
  }

  // 3. A cluster with no new counts whose totals repeat the previous round's is a later statement about that round.
  const rounds0: Array<Cluster> = []
  for (const cl of clusters) {
    const last = rounds0[rounds0.length - 1]
    const noNew = cl.claims.every((c) => c.row.newSites === undefined && c.row.chinaNew === undefined)
    const totals = cl.claims.map((c) => c.row.totalSites).filter((t): t is number => t !== undefined)
    const lastTotals = new Set(last?.claims.map((c) => c.row.totalSites).filter((t): t is number => t !== undefined) ?? [])
    if (last !== undefined && noNew && totals.length > 0 && totals.every((t) => lastTotals.has(t))) {
      for (const c of cl.claims) c.attached = "status"
      last.claims.push(...cl.claims)
    } else rounds0.push(cl)
  }
  // A round is named by its own claims, never by a later status statement merged into it.
  const roundMonth = (cl: Cluster): string => monthOf(bestDated(cl.claims.filter((c) => c.attached !== "status")).row.date)!
  const roundIds = rounds0.map(roundMonth)
  const roundOfMonth = (month: string): number => rounds0.findIndex((cl) => cl.claims.some((c) => c.attached !== "status" && monthOf(c.row.date) === month))
  const roundsOfYear = (y: number): Array<number> => roundIds.flatMap((id, i) => (Number(id.slice(0, 4)) === y ? [i] : []))

  // 4. Year-only claims: attached to the year's round when there is one; totals to the round they match (else the year's last).
  // Per round, the year-only claims attached to it and the fields they count for.
  const yearAttached = rounds0.map(() => new Map<Claim, ReadonlySet<Field>>())
  const yearSumClaims: Array<Claim> = []
  for (const c of yearly) {
    const idx = roundsOfYear(yearOf(c.row.date)!)
    if (idx.length === 0) {
      findings.push(Finding.make("info", "unplaced-claim", `${c.cite}: dated only ${periodLabel(c.row.date)}, and no round of that year is known; not attached.`, at(c, "announcement_date")))
      continue
    }
    const say = (where: string) =>
      findings.push(Finding.make("info", "year-only-claim", `${c.cite}: dated only ${periodLabel(c.row.date)}; ${where}, with lower confidence than claims dated within a round.`, at(c, "announcement_date")))
    if (idx.length === 1) {
      yearAttached[idx[0]!]!.set(c, new Set(FIELDS))
      say(`attached to the year's only round, ${roundIds[idx[0]!]}`)
      continue
    }
    const placed: Array<string> = []
    // Totals are cumulative: they belong to the round they match, else to the year's last round.
    for (const field of ["totalSites", "chinaTotal"] as const) {
      if (c.row[field] === undefined) continue
      const match = idx.find((i) => rounds0[i]!.claims.some((o) => o.row[field] === c.row[field]))
      const target = yearAttached[match ?? idx[idx.length - 1]!]!
      target.set(c, new Set([...(target.get(c) ?? []), field]))
      placed.push(`its ${FIELD_NAME[field]} attached to round ${roundIds[match ?? idx[idx.length - 1]!]} (${match !== undefined ? "same value" : "the year's last round"})`)
    }
    if (c.row.newSites !== undefined || c.row.chinaNew !== undefined) {
      yearSumClaims.push(c)
      placed.push(`its new-site counts checked against the sum of the year's ${idx.length} rounds`)
    }
    say(placed.join("; "))
  }

  // 5. Each kept site's round: by month, else by year when the year has exactly one round.
  const siteRound = new Map<SitePrep, number | "year">()
  for (const p of preps) {
    if (dropped.has(p) || !p.usable) continue
    const r = p.row
    const where = cite(r.provenance, r.sourceUrl)
    const name = `${r.company.display}${r.site.trim() !== "" ? ", " + r.site : ""}`
    if (p.period === undefined) {
      findings.push(Finding.make("info", "undated-site", `${where}: ${name} has no year or month of designation; counted in no round.`, { source: r.provenance.source, row: r.provenance.row, field: "year_joined" }))
      continue
    }
    if (p.period._tag === "Bound") {
      findings.push(Finding.make("info", "bound-date", `${where}: ${name} is dated only "${periodLabel(p.period)}" (a bound, not a date); counted in no round.`, { source: r.provenance.source, row: r.provenance.row, field: "year_joined", value: periodLabel(p.period) }))
      continue
    }
    const month = monthOf(p.period)
    if (month !== undefined) {
      const i = roundOfMonth(month)
      if (i >= 0) siteRound.set(p, i)
      else findings.push(Finding.make("warn", "site-round-unknown", `${where}: ${name} is dated ${month}, which matches no announcement round in the claims; counted in no round.`, { source: r.provenance.source, row: r.provenance.row, field: "announcement_ym", value: month }))
      continue
    }
    const idx = roundsOfYear(p.period.year)
    siteRound.set(p, idx.length === 1 ? idx[0]! : "year")
    if (idx.length !== 1)
      findings.push(
        Finding.make("info", "year-only-site", `${where}: ${name} is dated only ${p.period.year}, a year with ${idx.length} rounds; counted in that year's total but in no round.`, { source: r.provenance.source, row: r.provenance.row, field: "year_joined", value: String(p.period.year) }),
      )
  }
  const count = (ps: ReadonlyArray<SitePrep>) => {
    const isos = ps.map((p) => countryIso(p.row))
    return {
      sites: ps.length,
      chinaExclTaiwan: isos.filter((i) => i !== undefined && countsAsChina(i, "separate")).length,
      chinaInclTaiwan: isos.filter((i) => i !== undefined && countsAsChina(i, "with-china")).length,
      taiwan: isos.filter((i) => i === "TW").length,
      countryUnknown: isos.filter((i) => i === undefined).length,
    }
  }

  // 6. Rounds in order.
  const rounds: Array<RoundFigure> = []
  for (let ri = 0; ri < rounds0.length; ri++) {
    const cl = rounds0[ri]!
    const id = roundIds[ri]!
    const year = Number(id.slice(0, 4))
    const prevFig = rounds[ri - 1]
    const attachedHere = yearAttached[ri]!
    const all = [...cl.claims, ...attachedHere.keys()]
    // Claims that count for a field: the round's own, and year-only claims attached for that field.
    const forField = (field: Field) => all.filter((x) => x.attached !== "year" || attachedHere.get(x)?.has(field) === true)

    // Extract coverage.
    const mine = [...siteRound.entries()].filter(([, r]) => r === ri).map(([p]) => p)
    const yearOnly = [...siteRound.entries()].filter(([p, r]) => r === "year" && p.period !== undefined && yearOf(p.period) === year).map(([p]) => p)
    const upTo = [...siteRound.entries()].filter(([p, r]) => (typeof r === "number" ? r <= ri : p.period !== undefined && yearOf(p.period)! < year)).map(([p]) => p)
    const c = count(mine)
    const cum = count(upTo)
    const extract: ExtractCoverage = {
      sites: c.sites,
      chinaExclTaiwan: c.chinaExclTaiwan,
      chinaInclTaiwan: c.chinaInclTaiwan,
      taiwan: c.taiwan,
      countryUnknown: c.countryUnknown,
      redesignations: [...dropped.keys()].filter((d) => d.usable && d.period !== undefined && monthOf(d.period) !== undefined && roundOfMonth(monthOf(d.period)!) === ri).length,
      yearOnlyAttached: mine.filter((p) => p.period !== undefined && p.period._tag === "Year").length,
      yearOnlyInYear: yearOnly.length,
      cumulative: { sites: cum.sites, chinaExclTaiwan: cum.chinaExclTaiwan, chinaInclTaiwan: cum.chinaInclTaiwan, taiwan: cum.taiwan },
    }

    // Round date and date disagreement among the round's own claims.
    const own = cl.claims.filter((x) => x.attached === "round")
    const best = bestDated(own.length > 0 ? own : cl.claims)
    const dayDates = new Set(own.filter((x) => x.row.date._tag === "Day").map((x) => periodLabel(x.row.date)))
    if (dayDates.size > 1)
      findings.push(
        Finding.make("info", "date-disagreement", `Round ${id}: sources date it differently (${own.filter((x) => x.row.date._tag === "Day").map((x) => `${periodLabel(x.row.date)} in ${x.cite}`).join("; ")}); ${periodLabel(best.row.date)} is used (${best.cls.label}).`, at(best, "announcement_date")),
      )

    // Choose each field.
    const prevTotal = prevFig?.total.value ?? undefined
    const prevChina = prevFig?.chinaTotal.value ?? undefined
    const pick = (field: Field, floor: number | undefined) => choose(field, forField(field), floor, precedence)
    const total0 = pick("totalSites", prevTotal ?? undefined)
    const new0 = pick("newSites", undefined)
    const china0 = pick("chinaTotal", prevChina ?? undefined)
    const chinaNew0 = pick("chinaNew", undefined)

    const derive = (chosen: Chosen, a: number | null | undefined, b: number | null, op: "+" | "-", what: string): Chosen =>
      chosen.value !== null || a === undefined || a === null || b === null
        ? chosen
        : { value: op === "+" ? a + b : b - a, source: "", row: null, url: "", rule: `derived: ${op === "+" ? `${a} + ${b}` : `${b} − ${a}`} (${what}); no source states it`, confidence: "derived" }
    const total = derive(total0.chosen, prevTotal, new0.chosen.value, "+", "previous round's total + new sites")
    const newSites = derive(new0.chosen, prevTotal, total.value, "-", "this round's total − previous round's total")
    const chinaTotal = derive(china0.chosen, prevChina, chinaNew0.chosen.value, "+", "previous China total + new China sites")
    const chinaNew = derive(chinaNew0.chosen, prevChina, chinaTotal.value, "-", "this China total − previous China total")

    // Stale totals: below the previous round's chosen value.
    for (const [field, floor, res] of [["totalSites", prevTotal, total0], ["chinaTotal", prevChina, china0]] as const)
      for (const v of res.implausible)
        findings.push(
          Finding.make(
            "warn",
            "contradiction",
            `Round ${id}: ${v.cite} gives a ${FIELD_NAME[field]} of ${v.row[field]}, below the previous round's ${floor} (${prevFig !== undefined ? chosenCite(field === "totalSites" ? prevFig.total : prevFig.chinaTotal) : ""}); the network does not shrink, so the claim is stale or wrong and is not used.${field === "totalSites" && total.confidence === "derived" ? ` Used instead: ${total.rule.replace(/^derived: /, "")} = ${total.value}.` : ""}`,
            { ...at(v, field === "totalSites" ? "total_sites" : "china_total"), value: String(v.row[field]) },
          ),
        )

    // Same-round disagreement (Taiwan-explained or not).
    const ctx: TaiwanContext = { roundTaiwan: extract.taiwan, roundChina: extract, cumulativeTaiwan: extract.cumulative.taiwan, stated: firstStated(all) }
    const views = {
      totalSites: total0.views,
      newSites: new0.views,
      chinaTotal: withPolicies("chinaTotal", china0.views, forField("chinaTotal"), ctx),
      chinaNew: withPolicies("chinaNew", chinaNew0.views, forField("chinaNew"), ctx),
    }
    for (const field of FIELDS) {
      const res = field === "totalSites" ? total0 : field === "newSites" ? new0 : field === "chinaTotal" ? china0 : chinaNew0
      const plausible = res.views.filter((v) => !res.implausible.some((x) => x.row === v.claim.row))
      const values = [...new Set(plausible.map((v) => v.view.value))].sort((a, b) => a - b)
      if (values.length < 2) continue
      const list = values.map((val) => `${val} (${plausible.filter((v) => v.view.value === val).map((v) => v.claim.cite).join(", ")})`).join(" vs ")
      const explained = (field === "chinaTotal" || field === "chinaNew") && values.length === 2 ? taiwanExplains(field, values[1]! - values[0]!, forField(field), ctx) : undefined
      const winner = plausible.find((v) => v.view.won) ?? plausible[0]!
      if (explained !== undefined) {
        findings.push(
          Finding.make(
            "info",
            "taiwan-policy",
            `Round ${id}, ${FIELD_NAME[field]}: ${list}. The difference of ${values[1]! - values[0]!} is the Taiwanese sites (${explained}): ${values[1]} counts Taiwan with China, ${values[0]} does not. Both are kept: ${describePolicy("separate")} = ${values[0]}; ${describePolicy("with-china")} = ${values[1]}.`,
            { ...at(winner.claim, field === "chinaTotal" ? "china_total" : "china_new"), value: values.join(" / ") },
          ),
        )
      } else {
        findings.push(
          Finding.make(
            "warn",
            "contradiction",
            `Round ${id}, ${FIELD_NAME[field]}: sources disagree for the same round: ${list}. Chosen ${winner.view.value} by the precedence rule (${res.chosen.rule}); the others are kept as alternatives.`,
            { ...at(winner.claim, FIELD_COLUMN[field]), value: values.join(" / ") },
          ),
        )
      }
    }

    // Arithmetic: previous total + new = total (stated values only; derived ones prove nothing).
    const arith = (label: string, prevC: Chosen | undefined, newC: Chosen, totC: Chosen, field: Field) => {
      if (prevC === undefined || prevC.value === null || prevC.confidence === "derived" || newC.value === null || newC.confidence === "derived" || totC.value === null || totC.confidence === "derived") return
      if (prevC.value + newC.value === totC.value) return
      const grew = totC.value - prevC.value
      findings.push(
        Finding.make(
          "warn",
          "contradiction",
          `Round ${id}, ${label}: previous round's ${prevC.value} (${chosenCite(prevC)}) + ${newC.value} new (${chosenCite(newC)}) = ${prevC.value + newC.value}, but the total is ${totC.value} (${chosenCite(totC)}). ${grew < newC.value ? `Only ${grew} were added: ${newC.value - grew} of the "new" are likely re-designations of existing sites counted as new, or one of the figures is wrong.` : `${grew - newC.value} more were added than announced as new.`}`,
          { source: totC.source, ...(totC.row !== null ? { row: totC.row } : {}), field: FIELD_COLUMN[field], value: `${prevC.value} + ${newC.value} ≠ ${totC.value}` },
        ),
      )
    }
    arith("network total", prevFig?.total, newSites, total, "totalSites")
    arith("China total", prevFig?.chinaTotal, chinaNew, chinaTotal, "chinaTotal")

    // China both ways.
    const unknown: PolicyView = { policy: "unknown", label: "unknown: no source states this figure", why: "no China figure for this round" }
    const winnerPolicy = (vs: ReadonlyArray<Scored>): PolicyView => vs.find((v) => v.view.won)?.view.taiwan ?? unknown
    // A derived China total inherits the policy of the previous total it was derived from.
    const chinaTotalPolicy = chinaTotal.confidence === "derived" ? (prevFig?.chinaTotalPolicy ?? unknown) : winnerPolicy(views.chinaTotal)
    const chinaNewPolicy = chinaNew.confidence === "derived" ? chinaTotalPolicy : winnerPolicy(views.chinaNew)
    const totalTw = taiwanCount("chinaTotal", forField("chinaTotal"), ctx)
    const newTw = taiwanCount("chinaNew", forField("chinaNew"), ctx)
    const chinaTotalBoth = bothWays(chinaTotal, chinaTotalPolicy, totalTw)
    const chinaNewBoth = bothWays(chinaNew, chinaNewPolicy, newTw)
    const share = (n: number | null) => (n === null || total.value === null || total.value === 0 ? null : round2((n / total.value) * 100))

    rounds.push({
      round: id,
      date: periodLabel(best.row.date),
      total,
      totalClaims: views.totalSites.map((v) => v.view),
      newSites,
      newSitesClaims: views.newSites.map((v) => v.view),
      chinaTotal,
      chinaTotalClaims: views.chinaTotal.map((v) => v.view),
      chinaTotalPolicy,
      chinaTotalBoth,
      chinaNew,
      chinaNewClaims: views.chinaNew.map((v) => v.view),
      chinaNewPolicy,
      chinaNewBoth,
      extract,
      shareChina: { exclTaiwan: share(chinaTotalBoth.separate.value), inclTaiwan: share(chinaTotalBoth["with-china"].value) },
      headline: { policy: options.taiwan, label: describePolicy(options.taiwan) },
    })
  }

  // 7. Year sums: a year-only count of new sites against the sum of that year's rounds.
  for (const c of yearSumClaims) {
    const y = yearOf(c.row.date)!
    const figs = rounds.filter((r) => Number(r.round.slice(0, 4)) === y)
    for (const field of ["newSites", "chinaNew"] as const) {
      const v = c.row[field]
      if (v === undefined) continue
      const parts = figs.map((r) => (field === "newSites" ? r.newSites : r.chinaNew))
      if (parts.some((p) => p.value === null)) continue
      const sum = parts.reduce((s, p) => s + p.value!, 0)
      if (sum === v) continue
      const chinaParts = figs.map((r) => r.chinaNew)
      const china = field === "newSites" && chinaParts.every((p) => p.value !== null) ? ` The same rounds add ${chinaParts.map((p) => p.value).join(" + ")} = ${chinaParts.reduce((s, p) => s + p.value!, 0)} new China sites (${chinaParts.map(chosenCite).join("; ")}).` : ""
      findings.push(
        Finding.make(
          "warn",
          "contradiction",
          `${y}: ${c.cite} says ${v} ${FIELD_NAME[field]} in the year, but the ${figs.length} rounds of ${y} (${figs.map((r) => r.round).join(", ")}) add ${parts.map((p) => p.value).join(" + ")} = ${sum} (${parts.map(chosenCite).join("; ")}).${china}`,
          { ...at(c, FIELD_COLUMN[field]), value: String(v) },
        ),
      )
    }
  }

  return { rounds, findings: findings.sort((a, b) => Finding.order(a, b) || a.message.localeCompare(b.message)), precedence: describePrecedence(precedence) }
}

const FIELD_COLUMN: Record<Field, string> = { totalSites: "total_sites", newSites: "new_sites", chinaTotal: "china_total", chinaNew: "china_new" }

/** The claim with the finest date, then the highest class, then the earliest row. */
const bestDated = (cs: ReadonlyArray<Claim>): Claim =>
  [...cs].sort((a, b) => b.precision - a.precision || a.cls.rank - b.cls.rank || compareProvenance(a.row.provenance, b.row.provenance))[0]!

const chosenCite = (c: Chosen): string => (c.confidence === "derived" ? c.rule : c.row === null ? "no source" : `${c.source} row ${c.row} (${shortSource(c.url)})`)

interface Scored {
  readonly claim: Claim
  readonly view: ClaimView
}

interface Choice {
  readonly chosen: Chosen
  readonly views: ReadonlyArray<Scored>
  readonly implausible: ReadonlyArray<Claim>
}

const ATTACH_RANK: Record<Claim["attached"], number> = { round: 0, status: 1, year: 2 }

interface Criterion {
  readonly name: string
  readonly cmp: (a: Claim, b: Claim) => number
}

/** Applies the precedence rule to one field's claims; the criteria follow `RoundPrecedence.tieBreakers`. */
const choose = (field: Field, claims: ReadonlyArray<Claim>, floor: number | undefined, p: RoundPrecedence): Choice => {
  const with_ = claims.filter((c) => c.row[field] !== undefined)
  const none: Chosen = { value: null, source: "", row: null, url: "", rule: "no source states it", confidence: "none" }
  if (with_.length === 0) return { chosen: none, views: [], implausible: [] }
  const value = (c: Claim) => c.row[field]!
  const implausible = with_.filter((c) => floor !== undefined && (field === "totalSites" || field === "chinaTotal") && value(c) < floor)
  const agree = (c: Claim) => with_.filter((o) => value(o) === value(c)).length
  const criteria: ReadonlyArray<Criterion> = [
    { name: p.tieBreakers[0] ?? "plausibility", cmp: (a, b) => Number(implausible.includes(a)) - Number(implausible.includes(b)) },
    { name: p.tieBreakers[1] ?? "attachment", cmp: (a, b) => ATTACH_RANK[a.attached] - ATTACH_RANK[b.attached] },
    { name: p.tieBreakers[2] ?? "source class", cmp: (a, b) => a.cls.rank - b.cls.rank },
    { name: p.tieBreakers[3] ?? "date precision", cmp: (a, b) => b.precision - a.precision },
    { name: p.tieBreakers[4] ?? "agreement", cmp: (a, b) => agree(b) - agree(a) },
    { name: p.tieBreakers[5] ?? "row order", cmp: (a, b) => compareProvenance(a.row.provenance, b.row.provenance) },
  ]
  const sorted = [...with_].sort((a, b) => {
    for (const c of criteria) {
      const d = c.cmp(a, b)
      if (d !== 0) return d
    }
    return 0
  })
  const winner = sorted[0]!
  const decisive = (loser: Claim): Criterion | undefined => criteria.find((c) => c.cmp(winner, loser) !== 0)
  const distinct = new Set(with_.map(value))
  const rival = sorted.find((c) => value(c) !== value(winner))
  const rule =
    with_.length === 1
      ? "only claim"
      : distinct.size === 1
        ? `all ${with_.length} claims agree`
        : `precedence: ${winner.cls.label}; decided by ${rival === undefined ? "agreement" : (decisive(rival)?.name ?? "row order")}`
  const chosenClaim = implausible.includes(winner) ? undefined : winner
  const chosen: Chosen =
    chosenClaim === undefined
      ? { ...none, rule: `no usable claim: ${with_.map((c) => `${value(c)} (${c.cite})`).join(", ")} below the previous round's ${floor}` }
      : { value: value(winner), source: winner.row.provenance.source, row: winner.row.provenance.row, url: winner.row.sourceUrl, rule, confidence: winner.attached === "year" ? "year" : "round" }
  const views: Array<Scored> = with_.map((c) => {
    const won = c === chosenClaim
    const why = won
      ? `chosen: ${rule}`
      : implausible.includes(c)
        ? `below the previous round's ${floor}: the network does not shrink`
        : value(c) === value(winner)
          ? `agrees with the chosen value (${winner.cite})`
          : `lost to ${winner.cite}: ${decisive(c)?.name ?? "row order"}`
    return {
      claim: c,
      view: {
        value: value(c),
        source: c.row.provenance.source,
        row: c.row.provenance.row,
        url: c.row.sourceUrl,
        date: periodLabel(c.row.date),
        sourceClass: c.cls.class,
        attached: c.attached,
        won,
        why: c.attached === "year" && !won ? `${why} (dated only by year: lower confidence)` : why,
      },
    }
  })
  views.sort((a, b) => Number(b.view.won) - Number(a.view.won) || compareProvenance(a.claim.row.provenance, b.claim.row.provenance))
  return { chosen, views, implausible }
}

interface TaiwanContext {
  /** Taiwanese sites of this round in the extract. */
  readonly roundTaiwan: number
  readonly roundChina: { readonly chinaExclTaiwan: number; readonly chinaInclTaiwan: number }
  /** Taiwanese sites up to this round in the extract (a lower bound). */
  readonly cumulativeTaiwan: number
  /** A Taiwanese site count some claim's note states ("台湾6家"), with that claim. */
  readonly stated: { readonly n: number; readonly claim: Claim } | undefined
}

const firstStated = (cs: ReadonlyArray<Claim>): TaiwanContext["stated"] => {
  for (const c of [...cs].sort((a, b) => compareProvenance(a.row.provenance, b.row.provenance))) {
    const n = statedTaiwan(c.row.note)
    if (n !== undefined) return { n, claim: c }
  }
  return undefined
}

/**
 * Whether a gap of `diff` between two China counts of one round is the Taiwanese sites: it equals
 * a Taiwanese count a note states; or (new sites) the extract's Taiwanese sites of the round; or a
 * note says one of the counts includes or omits Taiwan and the gap is at least the extract's
 * Taiwanese sites. Returns the evidence, or undefined.
 */
const taiwanExplains = (field: "chinaTotal" | "chinaNew", diff: number, cs: ReadonlyArray<Claim>, ctx: TaiwanContext): string | undefined => {
  if (diff <= 0) return undefined
  if (ctx.stated !== undefined && ctx.stated.n === diff) return `${diff} Taiwanese sites stated in ${ctx.stated.claim.cite}`
  if (field === "chinaNew" && ctx.roundTaiwan === diff) return `the extract has ${diff} Taiwanese site(s) in this round`
  const signal = cs.find((c) => c.row[field] !== undefined && noteSignal(c.row.note) !== undefined)
  const floor = field === "chinaNew" ? ctx.roundTaiwan : ctx.cumulativeTaiwan
  if (signal !== undefined && diff >= floor) return `${signal.cite} says whether Taiwan is included; the extract has at least ${floor} Taiwanese site(s) by then`
  return undefined
}

/** Each China claim with the Taiwan policy it most likely follows (note, a Taiwan-explained gap, or the extract's count), else "unknown". */
const withPolicies = (field: "chinaTotal" | "chinaNew", views: ReadonlyArray<Scored>, cs: ReadonlyArray<Claim>, ctx: TaiwanContext): Array<Scored> => {
  const values = [...new Set(views.map((v) => v.view.value))].sort((a, b) => a - b)
  const gap = values.length === 2 ? taiwanExplains(field, values[1]! - values[0]!, cs, ctx) : undefined
  return views.map((v) => {
    const note = noteSignal(v.claim.row.note)
    let taiwan: PolicyView
    if (note !== undefined) taiwan = { policy: note, label: describePolicy(note), why: `its note says so (${v.claim.cite})` }
    else if (gap !== undefined) {
      const pol: TaiwanPolicy = v.view.value === values[1] ? "with-china" : "separate"
      taiwan = { policy: pol, label: describePolicy(pol), why: `differs from the other claim by the Taiwanese sites (${gap})` }
    } else if (field === "chinaNew" && ctx.roundChina.chinaExclTaiwan !== ctx.roundChina.chinaInclTaiwan && (v.view.value === ctx.roundChina.chinaExclTaiwan || v.view.value === ctx.roundChina.chinaInclTaiwan)) {
      const pol: TaiwanPolicy = v.view.value === ctx.roundChina.chinaInclTaiwan ? "with-china" : "separate"
      taiwan = { policy: pol, label: describePolicy(pol), why: `matches the extract's count of this round ${pol === "with-china" ? "including" : "excluding"} Taiwan (likely)` }
    } else if (field === "chinaNew" && ctx.roundTaiwan === 0) taiwan = { policy: "no-difference", label: "no difference: the extract has no Taiwanese site in this round", why: "no Taiwanese site in this round in the extract" }
    else taiwan = { policy: "unknown", label: "unknown: the source does not say whether Taiwan is counted", why: "no note, no second claim and no extract count tells" }
    return { claim: v.claim, view: { ...v.view, taiwan } }
  })
}

/** Taiwanese sites to add or remove when converting a China count: stated, else the extract's count (a lower bound for totals). */
const taiwanCount = (field: "chinaTotal" | "chinaNew", cs: ReadonlyArray<Claim>, ctx: TaiwanContext): { readonly n: number; readonly basis: string } => {
  if (field === "chinaTotal" && ctx.stated !== undefined) return { n: ctx.stated.n, basis: `${ctx.stated.n} Taiwanese sites stated in ${ctx.stated.claim.cite}` }
  const values = [...new Set(cs.map((c) => c.row[field]).filter((v): v is number => v !== undefined))].sort((a, b) => a - b)
  if (values.length === 2) {
    const why = taiwanExplains(field, values[1]! - values[0]!, cs, ctx)
    if (why !== undefined) return { n: values[1]! - values[0]!, basis: why }
  }
  return field === "chinaNew"
    ? { n: ctx.roundTaiwan, basis: `${ctx.roundTaiwan} Taiwanese site(s) of this round in the extract` }
    : { n: ctx.cumulativeTaiwan, basis: `at least ${ctx.cumulativeTaiwan} Taiwanese site(s) in the extract by this round (a lower bound)` }
}

/** The chosen China count under both policies, each labelled with how it was obtained. */
const bothWays = (c: Chosen, view: PolicyView, tw: { readonly n: number; readonly basis: string }): Record<TaiwanPolicy, ChinaCount> => {
  const mk = (policy: TaiwanPolicy, value: number | null, basis: string): ChinaCount => ({ value, policy, label: describePolicy(policy), basis })
  if (c.value === null) return { separate: mk("separate", null, "no figure"), "with-china": mk("with-china", null, "no figure") }
  const src = chosenCite(c)
  if (view.policy === "with-china")
    return { separate: mk("separate", c.value - tw.n, `derived: ${c.value} − ${tw.n} (${tw.basis})`), "with-china": mk("with-china", c.value, `as announced (${src}); ${view.why}`) }
  if (view.policy === "no-difference") return { separate: mk("separate", c.value, `as announced (${src}); ${view.why}`), "with-china": mk("with-china", c.value, `as announced (${src}); ${view.why}`) }
  const assumed = view.policy === "unknown" ? "assumed to exclude Taiwan (the source does not say; WEF lists Taiwan separately)" : view.why
  return { separate: mk("separate", c.value, `as announced (${src}); ${assumed}`), "with-china": mk("with-china", c.value + tw.n, `derived: ${c.value} + ${tw.n} (${tw.basis})`) }
}
