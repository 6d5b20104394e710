/**
 * Spending and market-size figures: one question per (publisher family, region, metric and
 * scope, year), every vintage kept, the latest dated release as the current value, each
 * revision recorded (old → new, change %), and the data problems that are not revisions
 * (scope changes, unit errors, bounds, contradictory growth rates, tempting cross-currency
 * comparisons) reported as findings. Pure and deterministic: the output does not depend on the
 * order of the input rows.
 */
import * as Finding from "../../domain/Finding.js"
import { normalizeText } from "../../normalize/text.js"
import { formatQuantity, sameDimension } from "../../normalize/quantity.js"
import { cite, compareProvenance, comparePeriods, isFine, overlaps, periodKey, periodLabel, round2, slug, usableAt } from "./common.js"

import type { SpendingRow } from "../../domain/Clean.js"
import type { Period } from "../../domain/Period.js"
import type { BoundKind, Quantity } from "../../domain/Quantity.js"

/** Options: `asOf` ("YYYY", "YYYY-MM" or "YYYY-MM-DD") leaves out releases after it, and undated ones. */
export interface SpendingOptions {
  readonly asOf?: string | undefined
}

/** A derived correction for a unit the source most likely misprinted; the published quantity is kept beside it. */
export interface UnitSuspect {
  /** DERIVED, not published: the value times `factor`. */
  readonly corrected: Quantity
  readonly factor: number
  readonly display: string
  /** The figures it was judged against, as "display (release, row)". */
  readonly reference: string
}

/** Where a vintage stands in its question. */
export type VintageStatus = "current" | "corroborates" | "superseded" | "unit-suspect" | "undated"

/** One release's figure for a question. */
export interface Vintage {
  /** Publisher exactly as labelled in the row ("IDC (quoted in Lee 2023)"). */
  readonly publisher: string
  /** As published; only its bound may come from the note (see `boundFromNote`). */
  readonly quantity: Quantity
  readonly display: string
  /** Release period as text; null when the row gives no release date. */
  readonly release: string | null
  readonly source: string
  readonly row: number
  readonly url: string
  readonly isForecast: boolean
  /** True when this is not the value to publish and does not agree with it (an older figure, or a suspect unit). */
  readonly superseded: boolean
  readonly status: VintageStatus
  /** True when the value cell was a plain number and the note said "exceeding", "about", "(lower bound)" … */
  readonly boundFromNote: boolean
  readonly unitSuspect?: UnitSuspect | undefined
}

/** The value to publish for a question, with its origin. */
export interface CurrentValue {
  readonly quantity: Quantity
  readonly release: string | null
  readonly source: string
  readonly row: number
  readonly url: string
  readonly publisher: string
  readonly display: string
}

/** One question (publisher family, region, metric with scope, year) with all its vintages. */
export interface SeriesFigure {
  /** Stable id: slug of family, region, metric (with scope) and year. */
  readonly key: string
  /** Publisher family ("IDC" for "IDC (quoted in Lee 2023)"). */
  readonly publisher: string
  readonly region: string
  readonly metric: string
  /** Scope qualifier ("enterprise-level") or null for the plain metric. */
  readonly scope: string | null
  readonly year: number
  /** Human sentence: "IDC Worldwide IoT spending, 2022". */
  readonly question: string
  readonly current: CurrentValue
  /** Oldest release first; undated vintages first of all (they never win "latest"). */
  readonly vintages: ReadonlyArray<Vintage>
  readonly isForecast: boolean
}

/** One end of a revision. */
export interface RevisionEnd {
  readonly release: string
  readonly display: string
  readonly source: string
  readonly row: number
}

/** A later release giving a different figure for the same question. */
export interface Revision {
  readonly key: string
  readonly year: number
  readonly from: RevisionEnd
  readonly to: RevisionEnd
  /** (new − old) / old × 100, two decimals; null when either end is a bound or the units differ. */
  readonly changePct: number | null
  readonly note: string
}

/** What `reconcileSpending` returns. */
export interface SpendingResult {
  readonly series: ReadonlyArray<SeriesFigure>
  readonly revisions: ReadonlyArray<Revision>
  readonly findings: ReadonlyArray<Finding.Finding>
}

// ---------------------------------------------------------------------------------------------
// Normalising the question

/** Publisher family: the label before any bracketed remark ("IDC (keynote, V. Turner)" → "IDC"). */
export const publisherFamily = (label: string): string => {
  const t = normalizeText(label)
  const head = t.replace(/\s*\(.*$/, "").trim()
  return head === "" ? t : head
}

const regionKeyOf = (s: string): string =>
  normalizeText(s)
    .toLowerCase()
    .replace(/[-/_*',.]+/g, " ")
    .replace(/\s+/g, " ")
    .trim()

const TRAILING_BRACKET_RE = /^(.*?)\s*\(([^()]*)\)\s*$/
const ACRONYM_RE = /^[A-Z]{2,6}\*?$/

/**
 * A region label without a bracket that only repeats it: an acronym ("… (APEJ)", "(EMEA)") or
 * the publisher's own spelling of the same name ("Asia/Pacific (IDC 'Asia/Pacific*')").
 * A bracket that says something else ("China (share of Asia-Pacific …)") stays.
 */
export const normalizeRegion = (raw: string): { readonly label: string; readonly key: string } => {
  let label = normalizeText(raw)
  const m = TRAILING_BRACKET_RE.exec(label)
  if (m !== null) {
    const head = m[1]!.trim()
    const inner = m[2]!.trim()
    if (head !== "" && (ACRONYM_RE.test(inner) || regionKeyOf(inner).includes(regionKeyOf(head)))) label = head
  }
  return { label, key: regionKeyOf(label) }
}

/** Whether two region keys may describe overlapping areas: equal, or one is a word prefix of the other. */
const relatedRegions = (a: string, b: string): boolean => a === b || a.startsWith(b + " ") || b.startsWith(a + " ")

// Scope words a note may use when the metric column does not say it.
const NOTE_SCOPE_RE = /\b(enterprise[- ]level|enterprise market|consumer[- ]only|excluding consumer)\b/i

interface MetricParts {
  readonly base: string
  readonly scope: string | null
  /** Metric as shown: the published text, plus the scope when it came from the note. */
  readonly label: string
}

/** Splits "IoT spending (enterprise-level)" into base "IoT spending" and scope "enterprise-level"; a note may supply the scope. */
export const metricParts = (metric: string, note: string): MetricParts => {
  const t = normalizeText(metric)
  const m = TRAILING_BRACKET_RE.exec(t)
  if (m !== null && m[1]!.trim() !== "") return { base: m[1]!.trim(), scope: m[2]!.trim().toLowerCase(), label: t }
  const n = NOTE_SCOPE_RE.exec(note)
  if (n !== null) {
    const scope = n[1]!.toLowerCase()
    return { base: t, scope, label: `${t} (${scope}, per note)` }
  }
  return { base: t, scope: null, label: t }
}

// ---------------------------------------------------------------------------------------------
// Bounds stated in the note

const EN_BOUND_WORDS: ReadonlyArray<readonly [string, BoundKind]> = [
  ["exceeding", "lower"], ["exceeds", "lower"], ["exceed", "lower"], ["more than", "lower"], ["over", "lower"], ["above", "lower"],
  ["surpassing", "lower"], ["surpass", "lower"], ["crossing", "lower"], ["cross", "lower"], ["at least", "lower"], ["in excess of", "lower"],
  ["less than", "upper"], ["under", "upper"], ["below", "upper"], ["up to", "upper"],
  ["approximately", "approx"], ["about", "approx"], ["around", "approx"], ["nearly", "approx"], ["almost", "approx"], ["circa", "approx"],
  ["close to", "approx"], ["roughly", "approx"],
]
const EN_BOUND_RE = new RegExp(
  `\\b(${EN_BOUND_WORDS.map(([w]) => w.replace(/ /g, "\\s+")).join("|")})\\s+(?:the\\s+)?(?:US\\s?\\$|\\$|USD\\s?)?\\s*(\\d+(?:[.,]\\d+)*)\\s*(trillion|tn|billion|bn|million|mn)?`,
  "gi",
)
const ZH_BOUND_WORDS: ReadonlyArray<readonly [string, BoundKind]> = [["超过", "lower"], ["突破", "lower"], ["逾", "lower"], ["不到", "upper"], ["低于", "upper"], ["约", "approx"], ["近", "approx"]]
const ZH_BOUND_RE = /(超过|突破|逾|不到|低于|约|近)\s*(\d+(?:\.\d+)?)\s*(万亿|亿|万)?/g
const EXPLICIT_BOUND_RE = /\((lower|upper) bound\)/i
const SCALE: Record<string, number> = { trillion: 1e12, tn: 1e12, billion: 1e9, bn: 1e9, million: 1e6, mn: 1e6, 万亿: 1e12, 亿: 1e8, 万: 1e4 }

const close = (a: number, b: number): boolean => Math.abs(a - b) <= 0.005 * Math.max(Math.abs(a), Math.abs(b))

/**
 * The bound a note states for this very value: "(lower bound)", or a bound word right before
 * the same number ("'exceeding $1.0 trillion'", "超过1.2万亿元"). A bound word before another
 * number ("up from less than $180 billion in 2020") is not about this value and is ignored.
 */
export const boundFromNote = (q: Quantity, note: string): BoundKind | undefined => {
  const explicit = EXPLICIT_BOUND_RE.exec(note)
  if (explicit !== null) return explicit[1]!.toLowerCase() === "lower" ? "lower" : "upper"
  const unitScale = q.display === 0 ? 1 : q.value / q.display
  const matches = (n: number, scaleWord: string | undefined): boolean =>
    scaleWord !== undefined ? close(n * SCALE[scaleWord.toLowerCase()]!, q.value) : close(n * unitScale, q.value)
  for (const m of note.matchAll(EN_BOUND_RE)) {
    const word = m[1]!.toLowerCase().replace(/\s+/g, " ")
    const n = Number(m[2]!.replace(/,/g, ""))
    if (Number.isFinite(n) && matches(n, m[3])) return EN_BOUND_WORDS.find(([w]) => w === word)?.[1]
  }
  for (const m of note.matchAll(ZH_BOUND_RE)) {
    const n = Number(m[2]!)
    if (Number.isFinite(n) && matches(n, m[3])) return ZH_BOUND_WORDS.find(([w]) => w === m[1])?.[1]
  }
  return undefined
}

// ---------------------------------------------------------------------------------------------
// Rows prepared for grouping

interface Prepared {
  readonly row: SpendingRow
  readonly family: string
  readonly region: { readonly label: string; readonly key: string }
  readonly metric: MetricParts
  readonly key: string
  readonly seriesKey: string
  readonly quantity: Quantity
  readonly boundFromNote: boolean
  readonly cite: string
}

const isPoint = (q: Quantity): boolean => q.bound === "exact" || q.bound === "approx"
const sameQuantity = (a: Quantity, b: Quantity): boolean => sameDimension(a, b) && a.bound === b.bound && close(a.value, b.value)
// Outlets report one release a few days apart (IDC's 2022-06-13 release, quoted 2022-06-16).
const SAME_RELEASE_DAYS = 7
const sameRelease = (a: Period | undefined, b: Period | undefined): boolean => {
  if (a === undefined || b === undefined) return false
  if (periodLabel(a) === periodLabel(b)) return true
  if (!isFine(a) || !isFine(b)) return false
  if (overlaps(a, b)) return true
  const gap = Math.abs(Date.parse(periodKey(a)[0] + "T00:00:00Z") - Date.parse(periodKey(b)[0] + "T00:00:00Z")) / 86_400_000
  return a._tag === "Day" && b._tag === "Day" && gap <= SAME_RELEASE_DAYS
}

const releaseText = (p: Period | undefined): string => (p === undefined ? "undated release" : periodLabel(p))

const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

// A printed "million" for "billion" is a factor of 1000; allow half an order of magnitude either way.
const UNIT_ERROR_LOG_MIN = 2.5
const UNIT_ERROR_LOG_MAX = 3.5
// Neighbouring years a unit error is judged against: close enough that real growth stays far below 300×.
const NEIGHBOUR_YEARS = 3

const sortFindings = (fs: Array<Finding.Finding>): Array<Finding.Finding> =>
  fs.sort((a, b) => Finding.order(a, b) || a.message.localeCompare(b.message))

/**
 * Reconciles spending rows into series figures, revisions and findings. Total on odd input:
 * rows without a usable year or quantity become findings, never failures.
 */
export const reconcileSpending = (rows: ReadonlyArray<SpendingRow>, options: SpendingOptions = {}): SpendingResult => {
  const findings: Array<Finding.Finding> = []
  const at = (r: SpendingRow, field?: string) => ({ source: r.provenance.source, row: r.provenance.row, ...(field !== undefined ? { field } : {}) })
  const sorted = [...rows].sort((a, b) => compareProvenance(a.provenance, b.provenance))

  // 1. as-of filter and unusable rows.
  const asOf = options.asOf?.trim() === "" ? undefined : options.asOf
  const prepared: Array<Prepared> = []
  let leftOut = 0
  let leftOutUndated = 0
  for (const r of sorted) {
    if (!usableAt(r.release, asOf)) {
      leftOut++
      if (r.release === undefined) leftOutUndated++
      continue
    }
    // The row type promises a quantity; a clean asset built by hand may still break that promise.
    const q = r.quantity as Quantity | undefined
    if (q === undefined || !Number.isFinite(q.value) || !Number.isInteger(r.year)) {
      findings.push(
        Finding.make("warn", "unusable-figure", `${cite(r.provenance, r.sourceUrl)}: no usable ${q === undefined || !Number.isFinite(q.value) ? "value" : "year"} for "${r.metric}" (${r.publisher}); left out of reconciliation.`, at(r)),
      )
      continue
    }
    const family = publisherFamily(r.publisher)
    const region = normalizeRegion(r.region)
    const metric = metricParts(r.metric, r.note)
    const noteBound = q.bound === "exact" ? boundFromNote(q, r.note) : undefined
    const quantity: Quantity = noteBound !== undefined && noteBound !== "exact" ? { ...q, bound: noteBound } : q
    const metricKey = slug(metric.base) + (metric.scope === null ? "" : "--" + slug(metric.scope))
    const seriesKey = `${slug(family)}/${slug(region.key)}/${metricKey}`
    prepared.push({
      row: r,
      family,
      region,
      metric,
      key: `${seriesKey}/${r.year}`,
      seriesKey,
      quantity,
      boundFromNote: quantity !== q,
      cite: cite(r.provenance, r.sourceUrl),
    })
  }
  if (asOf !== undefined && leftOut > 0)
    findings.push(
      Finding.make("info", "as-of-excluded", `As of ${asOf}: ${leftOut} figure(s) left out (${leftOut - leftOutUndated} released later, ${leftOutUndated} with no release date that cannot be shown to predate ${asOf}).`, {
        ...(sorted[0] !== undefined ? { source: sorted[0].provenance.source } : {}),
      }),
    )

  // 2. Unit errors: a money figure about 1000× off its neighbours of the same series.
  const suspects = new Map<Prepared, UnitSuspect>()
  const neighbourhood = new Map<Prepared, Array<Prepared>>()
  const candidates: Array<readonly [Prepared, UnitSuspect, number]> = []
  for (const p of prepared) {
    if (p.quantity.dimension !== "money" || p.quantity.value === 0) continue
    const neighbours = prepared.filter(
      (o) => o !== p && o.seriesKey === p.seriesKey && o.quantity.currency === p.quantity.currency && o.quantity.dimension === "money" && Math.abs(o.row.year - p.row.year) <= NEIGHBOUR_YEARS && o.quantity.value > 0,
    )
    if (neighbours.length === 0 || p.quantity.value < 0) continue
    const ref = median(neighbours.map((o) => o.quantity.value))
    const lg = Math.log10(ref / p.quantity.value)
    const factor = lg >= UNIT_ERROR_LOG_MIN && lg <= UNIT_ERROR_LOG_MAX ? 1000 : lg <= -UNIT_ERROR_LOG_MIN && lg >= -UNIT_ERROR_LOG_MAX ? 1 / 1000 : undefined
    if (factor === undefined) continue
    const corrected: Quantity = { ...p.quantity, value: p.quantity.value * factor, display: p.quantity.display * factor, unitText: `${p.quantity.unitText} (corrected ×${factor === 1000 ? "1000" : "1/1000"}, derived)` }
    const nearest = [...neighbours].sort((a, b) => Math.abs(a.row.year - p.row.year) - Math.abs(b.row.year - p.row.year) || comparePeriods(a.row.release, b.row.release) || compareProvenance(a.row.provenance, b.row.provenance)).slice(0, 4)
    const reference = nearest.map((o) => `${formatQuantity(o.quantity)} for ${o.row.year} (${releaseText(o.row.release)}, ${o.cite})`).join("; ")
    neighbourhood.set(p, neighbours)
    candidates.push([p, { corrected, factor, display: formatQuantity(corrected), reference }, factor])
  }
  // Two figures 1000× apart with nothing else to judge by accuse each other: the one printed
  // with a remark ("(sic)") is the suspect; with no remark either way, both stay suspect.
  const isCandidate = new Set(candidates.map(([p]) => p))
  for (const [p, suspect, factor] of candidates) {
    const ns = neighbourhood.get(p)!
    if (ns.every((o) => isCandidate.has(o)) && p.quantity.remark === undefined && ns.some((o) => o.quantity.remark !== undefined)) continue
    suspects.set(p, suspect)
    const { corrected, reference } = suspect
    findings.push(
      Finding.make(
        "warn",
        "unit-suspect",
        `${p.cite}: ${p.row.publisher} ${releaseText(p.row.release)} prints ${p.row.valueText} ${p.row.unitText} for ${p.region.label} ${p.metric.label} ${p.row.year}, about 1000× ${factor === 1000 ? "below" : "above"} the same series: ${reference}. Likely a unit error; derived correction ${formatQuantity(corrected)} (published value kept, not used as the current value).`,
        { ...at(p.row, "unit"), value: p.row.unitText },
      ),
    )
  }

  // 3. Questions.
  const groups = new Map<string, Array<Prepared>>()
  for (const p of prepared) {
    const g = groups.get(p.key)
    if (g === undefined) groups.set(p.key, [p])
    else g.push(p)
  }
  const series: Array<SeriesFigure> = []
  const revisions: Array<Revision> = []
  // Series key without the scope, per question key: where scope changes are looked for.
  const plainSeries = new Map<string, string>()
  for (const key of [...groups.keys()].sort()) {
    const members = groups.get(key)!.sort((a, b) => comparePeriods(a.row.release, b.row.release) || compareProvenance(a.row.provenance, b.row.provenance))
    const first = members[0]!
    const question = `${first.family} ${first.region.label} ${first.metric.label}, ${first.row.year}`
    plainSeries.set(key, `${slug(first.family)}/${slug(first.region.key)}/${slug(first.metric.base)}`)
    const usable = members.filter((p) => !suspects.has(p))
    const pool = usable.length > 0 ? usable : members
    const dated = pool.filter((p) => p.row.release !== undefined)
    const current = dated.length > 0 ? dated[dated.length - 1]! : pool[0]!

    for (const p of members)
      if (p.row.release === undefined)
        findings.push(
          Finding.make(
            "info",
            "undated-release",
            `${p.cite}: ${p.row.publisher} figure for ${question} (${formatQuantity(p.quantity)}) has no release date; it ranks below every dated release of this question${current === p ? " but is the only value, so it is shown as current" : " and takes no part in the revision order"}.`,
            at(p.row, "release_date"),
          ),
        )

    // Same release, different point values: the publisher contradicts itself (or is misquoted).
    for (let i = 0; i < usable.length; i++)
      for (let j = i + 1; j < usable.length; j++) {
        const a = usable[i]!
        const b = usable[j]!
        if (!sameRelease(a.row.release, b.row.release) || !sameDimension(a.quantity, b.quantity) || !isPoint(a.quantity) || !isPoint(b.quantity) || close(a.quantity.value, b.quantity.value)) continue
        findings.push(
          Finding.make("warn", "contradiction", `${question}: the same release (${releaseText(a.row.release)} / ${releaseText(b.row.release)}) is reported as ${formatQuantity(a.quantity)} by ${a.cite} and as ${formatQuantity(b.quantity)} by ${b.cite}.`, at(a.row, "value")),
        )
      }

    const statusOf = (p: Prepared): VintageStatus =>
      p === current ? "current" : suspects.has(p) ? "unit-suspect" : sameQuantity(p.quantity, current.quantity) ? "corroborates" : p.row.release === undefined ? "undated" : "superseded"
    const vintages: Array<Vintage> = members.map((p) => {
      const status = statusOf(p)
      const suspect = suspects.get(p)
      return {
        publisher: p.row.publisher,
        quantity: p.quantity,
        display: formatQuantity(p.quantity),
        release: p.row.release === undefined ? null : periodLabel(p.row.release),
        source: p.row.provenance.source,
        row: p.row.provenance.row,
        url: p.row.sourceUrl,
        isForecast: p.row.isForecast,
        superseded: status !== "current" && status !== "corroborates",
        status,
        boundFromNote: p.boundFromNote,
        ...(suspect !== undefined ? { unitSuspect: suspect } : {}),
      }
    })
    series.push({
      key,
      publisher: first.family,
      region: first.region.label,
      metric: first.metric.label,
      scope: first.metric.scope,
      year: first.row.year,
      question,
      current: {
        quantity: current.quantity,
        release: current.row.release === undefined ? null : periodLabel(current.row.release),
        source: current.row.provenance.source,
        row: current.row.provenance.row,
        url: current.row.sourceUrl,
        publisher: current.row.publisher,
        display: formatQuantity(current.quantity) + (suspects.has(current) ? ` (unit suspect; likely ${suspects.get(current)!.display})` : ""),
      },
      vintages,
      isForecast: current.row.isForecast,
    })

    // Revisions: consecutive dated, trusted vintages whose figure changed.
    const chain = usable.filter((p) => p.row.release !== undefined)
    let prev: Prepared | undefined
    const mine: Array<Revision> = []
    for (const p of chain) {
      if (prev !== undefined && !sameRelease(prev.row.release, p.row.release) && !sameQuantity(prev.quantity, p.quantity)) {
        mine.push(makeRevision(key, question, prev, p))
      }
      if (prev === undefined || !sameRelease(prev.row.release, p.row.release) || !sameQuantity(prev.quantity, p.quantity)) prev = p
    }
    revisions.push(...mine)
    if (mine.length > 0)
      findings.push(
        Finding.make(
          "info",
          "forecast-revision",
          `${question} was ${current.row.isForecast ? "forecast" : "stated"} differently by successive releases: ${chain.map((p) => `${formatQuantity(p.quantity)} (${releaseText(p.row.release)}, ${p.cite})`).join(" → ")}. The latest release is current; every vintage is kept.`,
          at(current.row, "value"),
        ),
      )
  }

  // 4. Scope changes: a scoped question beside the plain metric of the same publisher and region.
  const byBase = new Map<string, Array<SeriesFigure>>()
  for (const s of series) {
    const base = plainSeries.get(s.key)!
    const g = byBase.get(base)
    if (g === undefined) byBase.set(base, [s])
    else g.push(s)
  }
  for (const group of byBase.values()) {
    const plain = group.filter((s) => s.scope === null)
    if (plain.length === 0) continue
    for (const s of group.filter((x) => x.scope !== null)) {
      const sameYear = plain.filter((x) => x.year === s.year)
      const compare = sameYear.length > 0 ? sameYear : plain
      const cur = s.current
      findings.push(
        Finding.make(
          "warn",
          "scope-change",
          `${s.question} (${cur.display}, ${cite({ source: cur.source, row: cur.row }, cur.url)}) measures a different scope ("${s.scope}") than ${compare
            .map((x) => `${x.question} (${x.current.display}, ${cite({ source: x.current.source, row: x.current.row }, x.current.url)})`)
            .join("; ")}: kept as a separate question, not a revision.`,
          { source: cur.source, row: cur.row, field: "metric", value: s.metric },
        ),
      )
    }
  }

  // 5. Growth rates of the same release with opposite signs.
  const growth = prepared.filter((p) => p.quantity.dimension === "percent" && (p.quantity.what === "yoy" || /growth/i.test(p.metric.base)))
  for (let i = 0; i < growth.length; i++)
    for (let j = i + 1; j < growth.length; j++) {
      const a = growth[i]!
      const b = growth[j]!
      if (a.family !== b.family || slug(a.metric.base) !== slug(b.metric.base) || a.row.year !== b.row.year) continue
      if (!sameRelease(a.row.release, b.row.release) || !relatedRegions(a.region.key, b.region.key)) continue
      if (!(a.quantity.value * b.quantity.value < 0)) continue
      const regions = a.region.key === b.region.key ? a.region.label : `${a.region.label} / ${b.region.label}`
      findings.push(
        Finding.make(
          "warn",
          "contradiction",
          `${a.family} ${a.metric.base} ${a.row.year} (${regions}), same release (${releaseText(a.row.release)} / ${releaseText(b.row.release)}), has opposite signs: ${formatQuantity(a.quantity)} in ${a.cite} and ${formatQuantity(b.quantity)} in ${b.cite}.${a.region.key !== b.region.key ? " The region labels differ slightly, but one contains the other." : ""}`,
          { ...at(a.row, "value"), value: a.row.valueText },
        ),
      )
    }

  // 6. Same printed number, different currency (or a different publisher's different metric): never compared.
  const money = prepared.filter((p) => p.quantity.dimension === "money")
  const pairs = new Map<string, { a: Array<Prepared>; b: Array<Prepared> }>()
  for (let i = 0; i < money.length; i++)
    for (let j = i + 1; j < money.length; j++) {
      const [a, b] = money[i]!.key <= money[j]!.key ? [money[i]!, money[j]!] : [money[j]!, money[i]!]
      if (a.key === b.key || a.row.year !== b.row.year || !close(a.quantity.value, b.quantity.value)) continue
      const otherCurrency = a.quantity.currency !== b.quantity.currency
      const otherMetric = a.family !== b.family && slug(a.metric.base) !== slug(b.metric.base)
      if (!otherCurrency && !otherMetric) continue
      const k = `${a.key}|${b.key}`
      const e = pairs.get(k) ?? { a: [], b: [] }
      if (!e.a.includes(a)) e.a.push(a)
      if (!e.b.includes(b)) e.b.push(b)
      pairs.set(k, e)
    }
  for (const k of [...pairs.keys()].sort()) {
    const { a, b } = pairs.get(k)!
    const side = (ps: Array<Prepared>) => {
      const p = ps[0]!
      return `${p.family} ${p.region.label} ${p.metric.label}, ${p.row.year} (${ps.map((x) => `${formatQuantity(x.quantity)} in ${x.cite}`).join("; ")})`
    }
    const pa = a[0]!
    const pb = b[0]!
    const why = [pa.quantity.currency !== pb.quantity.currency ? `currency (${pa.quantity.currency ?? "none"} vs ${pb.quantity.currency ?? "none"})` : "", slug(pa.metric.base) !== slug(pb.metric.base) ? `metric ("${pa.metric.base}" vs "${pb.metric.base}")` : "", pa.region.key !== pb.region.key ? `region (${pa.region.label} vs ${pb.region.label})` : ""]
      .filter((x) => x !== "")
      .join(", ")
    findings.push(Finding.make("info", "incomparable", `${side(a)} and ${side(b)} print the same number but differ in ${why}: not comparable, never reconciled against each other.`, { ...at(pa.row, "value"), value: pa.row.valueText }))
  }

  revisions.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : x.to.release.localeCompare(y.to.release) || x.to.row - y.to.row))
  return { series, revisions, findings: sortFindings(findings) }
}

const end = (p: Prepared): RevisionEnd => ({ release: periodLabel(p.row.release), display: formatQuantity(p.quantity), source: p.row.provenance.source, row: p.row.provenance.row })

const BOUND_NAME: Record<BoundKind, string> = { exact: "point value", approx: "point value (approximate)", lower: "lower bound", upper: "upper bound" }

/** One revision old → new; change % only between two point values of the same dimension, currency and metric. */
const makeRevision = (key: string, question: string, a: Prepared, b: Prepared): Revision => {
  const from = end(a)
  const to = end(b)
  const head = `${question}: ${from.display} (${from.release}, row ${from.row}) → ${to.display} (${to.release}, row ${to.row})`
  if (!sameDimension(a.quantity, b.quantity))
    return { key, year: a.row.year, from, to, changePct: null, note: `${head}; not compared: different dimension, currency or metric.` }
  const qa = a.quantity
  const qb = b.quantity
  if (isPoint(qa) && isPoint(qb)) {
    const pct = qa.value === 0 ? null : round2(((qb.value - qa.value) / Math.abs(qa.value)) * 100)
    return { key, year: a.row.year, from, to, changePct: pct, note: `${head}${pct === null ? "" : `: ${pct > 0 ? "+" : ""}${pct}%`}.` }
  }
  // A bound is not a point: say whether the two statements are consistent instead of a change %.
  let verdict: string
  if (qb.bound === "lower") verdict = qa.value >= qb.value || !isPoint(qa) ? "the later release states only a floor" : "the later floor is above the earlier figure (revised up)"
  else if (qb.bound === "upper") verdict = "the later release states only a ceiling"
  else if (qa.bound === "lower") verdict = qb.value >= qa.value ? "the later figure meets the earlier floor" : "the later figure is below the earlier floor (revised down)"
  else verdict = qb.value <= qa.value ? "the later figure is within the earlier ceiling" : "the later figure is above the earlier ceiling (revised up)"
  return { key, year: a.row.year, from, to, changePct: null, note: `${head}; ${BOUND_NAME[qa.bound]} → ${BOUND_NAME[qb.bound]}: ${verdict}; no change % between a bound and a value.` }
}
