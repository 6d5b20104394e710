/**
 * One flat list of published figures built from the two reconcilers, so the workbook and the
 * PDF can print a footnote behind every number: the question, the value, its sources, the rule
 * that chose it and the values that lost. Pure; ordered by id.
 */
import { describePolicy } from "../../normalize/country.js"
import { formatQuantity } from "../../normalize/quantity.js"
import { shortSource } from "./common.js"

import type { BoundKind, Quantity } from "../../domain/Quantity.js"
import type { TaiwanPolicy } from "../../normalize/country.js"
import type { Chosen, ClaimView, RoundFigure, RoundsResult } from "./Lighthouses.js"
import type { SeriesFigure, SpendingResult } from "./Spending.js"

/** One source row behind a figure. */
export interface FigureSource {
  readonly source: string
  readonly row: number | null
  readonly url: string
}

/** A value that lost, with why. */
export interface Alternative {
  readonly display: string
  readonly source: string
  readonly row: number
  readonly url: string
  readonly why: string
}

/** A number ready to publish, with its footnote. */
export interface Figure {
  /** Stable id: "spending/<series key>" or "rounds/<YYYY-MM>/<field>[/<policy>]". */
  readonly id: string
  /** Human sentence: "IDC Worldwide IoT spending, 2022". */
  readonly question: string
  /** In base units (USD, sites, percentage points); null when no source gives it and it cannot be derived. */
  readonly value: number | null
  readonly display: string
  /** "USD", "CNY", "%", "% YoY", "devices", "sites" … */
  readonly unit: string
  readonly bound: BoundKind
  /** Release (spending) or round date (lighthouses) the value is as of; "" when undated. */
  readonly asOf: string
  readonly sources: ReadonlyArray<FigureSource>
  /** Which rule chose it when sources disagreed or it was derived; "" when there was one source. */
  readonly rule: string
  readonly alternatives: ReadonlyArray<Alternative>
  /** China counts: the Taiwan policy the figure follows, its label, and whether it is the headline one. */
  readonly policy?: { readonly policy: TaiwanPolicy; readonly label: string; readonly headline: boolean } | undefined
}

/** Sources without repeats (a share cites the same row for its numerator and denominator). */
const uniqueSources = (xs: ReadonlyArray<FigureSource>): Array<FigureSource> =>
  xs.filter((x, i) => xs.findIndex((y) => y.source === x.source && y.row === x.row) === i)

const unitOf = (q: Quantity): string =>
  q.dimension === "money" ? (q.currency ?? "") : q.dimension === "percent" ? (q.what === "yoy" ? "% YoY" : "%") : q.dimension === "ratio" ? "x" : (q.what ?? "")

/** Figures for the spending series: the current value, its agreeing sources, and the superseded or suspect vintages. */
export const spendingFigures = (result: SpendingResult): Array<Figure> => result.series.map(seriesFigure)

const seriesFigure = (s: SeriesFigure): Figure => {
  const agree = s.vintages.filter((v) => v.status === "current" || v.status === "corroborates")
  const others = s.vintages.filter((v) => v.status !== "current" && v.status !== "corroborates")
  const cur = s.current
  const why = (v: SeriesFigure["vintages"][number]): string =>
    v.status === "unit-suspect"
      ? `unit suspect: printed ${v.display}${v.unitSuspect !== undefined ? `; likely ${v.unitSuspect.display} (derived correction)` : ""}`
      : v.status === "undated"
        ? "undated release: ranks below every dated release"
        : `superseded by the ${cur.release ?? "latest"} release`
  const rule =
    s.vintages.length === 1
      ? ""
      : others.length === 0
        ? `all ${s.vintages.length} sources agree`
        : `latest dated release wins (${cur.release ?? "undated"} over ${[...new Set(others.map((v) => v.release ?? "undated"))].join(", ")}); unit-suspect rows are never current; bounds are shown as bounds`
  return {
    id: `spending/${s.key}`,
    question: s.question,
    value: cur.quantity.value,
    display: cur.display,
    unit: unitOf(cur.quantity),
    bound: cur.quantity.bound,
    asOf: cur.release ?? "",
    sources: agree.map((v) => ({ source: v.source, row: v.row, url: v.url })),
    rule,
    alternatives: others.map((v) => ({ display: v.unitSuspect !== undefined ? `${v.display} (as printed)` : formatQuantity(v.quantity), source: v.source, row: v.row, url: v.url, why: why(v) })),
  }
}

const fromChosen = (c: Chosen, claims: ReadonlyArray<ClaimView>, inputs: ReadonlyArray<Chosen>): { sources: Array<FigureSource>; rule: string; alternatives: Array<Alternative> } => {
  if (c.confidence === "derived") {
    // A derived figure's provenance is the figures it was derived from.
    const sources = inputs.filter((i) => i.row !== null).map((i) => ({ source: i.source, row: i.row, url: i.url }))
    return { sources: uniqueSources(sources), rule: c.rule, alternatives: claims.map((v) => ({ display: String(v.value), source: v.source, row: v.row, url: v.url, why: v.why })) }
  }
  const agreeing = claims.filter((v) => v.won || v.value === c.value)
  return {
    sources: uniqueSources(agreeing.map((v) => ({ source: v.source, row: v.row, url: v.url }))),
    rule: claims.length <= 1 ? "" : c.rule,
    alternatives: claims.filter((v) => !v.won && v.value !== c.value).map((v) => ({ display: String(v.value), source: v.source, row: v.row, url: v.url, why: v.why })),
  }
}

/** Figures for each round: total, new sites, and China total, new and share under both Taiwan policies. */
export const roundFigures = (result: RoundsResult): Array<Figure> => {
  const out: Array<Figure> = []
  const rounds = result.rounds
  rounds.forEach((r, i) => {
    const prev: RoundFigure | undefined = rounds[i - 1]
    const net = "WEF Global Lighthouse Network"
    const plain = (field: string, question: string, c: Chosen, claims: ReadonlyArray<ClaimView>, inputs: ReadonlyArray<Chosen>) => {
      const f = fromChosen(c, claims, inputs)
      out.push({ id: `rounds/${r.round}/${field}`, question, value: c.value, display: c.value === null ? "n/a" : String(c.value), unit: "sites", bound: "exact", asOf: r.date, ...f })
    }
    plain("total", `${net}: sites after the ${r.round} round`, r.total, r.totalClaims, prev === undefined ? [r.newSites] : [prev.total, r.newSites])
    plain("new-sites", `${net}: new sites in the ${r.round} round`, r.newSites, r.newSitesClaims, prev === undefined ? [r.total] : [r.total, prev.total])
    for (const policy of ["separate", "with-china"] as const) {
      const label = describePolicy(policy)
      const tag = policy === "separate" ? "excl-taiwan" : "incl-taiwan"
      const pol = { policy, label, headline: policy === r.headline.policy }
      const china = (field: string, question: string, c: Chosen, both: RoundFigure["chinaTotalBoth"], claims: ReadonlyArray<ClaimView>, inputs: ReadonlyArray<Chosen>) => {
        const f = fromChosen(c, claims, inputs)
        const count = both[policy]
        const asAnnounced = count.basis.startsWith("as announced")
        out.push({
          id: `rounds/${r.round}/${field}/${tag}`,
          question: `${net}: ${question} (${label})`,
          value: count.value,
          display: count.value === null ? "n/a" : `${count.basis.includes("lower bound") ? "≥ " : ""}${count.value}`,
          unit: "sites",
          bound: count.basis.includes("lower bound") ? "lower" : "exact",
          asOf: r.date,
          sources: f.sources,
          rule: [f.rule, asAnnounced ? "" : count.basis].filter((x) => x !== "").join("; "),
          alternatives: f.alternatives,
          policy: pol,
        })
      }
      china("china-total", `China's sites after the ${r.round} round`, r.chinaTotal, r.chinaTotalBoth, r.chinaTotalClaims, prev === undefined ? [r.chinaNew] : [prev.chinaTotal, r.chinaNew])
      china("china-new", `new China sites in the ${r.round} round`, r.chinaNew, r.chinaNewBoth, r.chinaNewClaims, prev === undefined ? [r.chinaTotal] : [r.chinaTotal, prev.chinaTotal])
      const share = policy === "separate" ? r.shareChina.exclTaiwan : r.shareChina.inclTaiwan
      const china_ = fromChosen(r.chinaTotal, r.chinaTotalClaims, prev === undefined ? [r.chinaNew] : [prev.chinaTotal, r.chinaNew])
      const total_ = fromChosen(r.total, r.totalClaims, prev === undefined ? [r.newSites] : [prev.total, r.newSites])
      const count = r.chinaTotalBoth[policy]
      const lower = count.basis.includes("lower bound")
      out.push({
        id: `rounds/${r.round}/china-share/${tag}`,
        question: `${net}: China's share of all sites after the ${r.round} round (${label})`,
        value: share,
        display: share === null ? "n/a" : `${lower ? "≥ " : ""}${share}%`,
        unit: "%",
        bound: lower ? "lower" : "exact",
        asOf: r.date,
        sources: uniqueSources([...china_.sources, ...total_.sources]),
        rule: share === null ? "" : `${count.value} / ${r.total.value} (${count.basis}; total: ${r.total.rule === "only claim" ? shortSource(r.total.url) : r.total.rule})`,
        alternatives: [],
        policy: pol,
      })
    }
  })
  return out
}

/** All figures for publishing, ordered by id. */
export const buildFigures = (spending: SpendingResult, rounds: RoundsResult): Array<Figure> =>
  [...spendingFigures(spending), ...roundFigures(rounds)].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
