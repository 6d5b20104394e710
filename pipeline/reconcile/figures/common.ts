/**
 * Small pure helpers shared by the figure reconcilers: ordering periods, the as-of filter,
 * URL hosts for messages, and stable text keys. Hand-written because each is a few lines.
 */
import { knownBy, periodEnd, periodStart, periodText } from "../../normalize/period.js"

import type { Period } from "../../domain/Period.js"
import type { Provenance } from "../../domain/Provenance.js"

/** Sort key of a period: start then end, so "2018" sorts before "2018-06-18" and undated (undefined) first. */
export const periodKey = (p: Period | undefined): readonly [string, string] =>
  p === undefined ? ["", ""] : [periodStart(p) ?? "0000-00-00", periodEnd(p) ?? "9999-12-31"]

/** Compares two periods by start, then end; undefined sorts first (an unknown date never wins "latest"). */
export const comparePeriods = (a: Period | undefined, b: Period | undefined): number => {
  const [as, ae] = periodKey(a)
  const [bs, be] = periodKey(b)
  return as < bs ? -1 : as > bs ? 1 : ae < be ? -1 : ae > be ? 1 : 0
}

/** Text of an optional period; "" for a blank one. */
export const periodLabel = (p: Period | undefined): string => (p === undefined ? "" : periodText(p))

/** Month or day precision (a year alone or a bound is too coarse to call two dates "the same release"). */
export const isFine = (p: Period | undefined): boolean => p !== undefined && (p._tag === "Month" || p._tag === "Day")

/** Whether two periods overlap (one contains the other, or they are equal). */
export const overlaps = (a: Period, b: Period): boolean => {
  const [as, ae] = periodKey(a)
  const [bs, be] = periodKey(b)
  return as <= be && bs <= ae
}

/**
 * Whether a dated row may be used at `asOf`. No as-of: always. An undated row is left out,
 * because it cannot be shown to predate the as-of date (the same choice as `knownBy`).
 */
export const usableAt = (p: Period | undefined, asOf: string | undefined): boolean =>
  asOf === undefined || asOf.trim() === "" ? true : p !== undefined && knownBy(p, asOf)

/** Compares provenance (source id, then row) for a stable input order. */
export const compareProvenance = (a: Provenance, b: Provenance): number =>
  a.source < b.source ? -1 : a.source > b.source ? 1 : a.row - b.row

const URL_RE = /https?:\/\/([^/\s;,)]+)/gi

/** Host names in a source_url cell (several may be separated by " ; "); empty when the cell holds no URL. */
export const hostsOf = (url: string): ReadonlyArray<string> => {
  const out: Array<string> = []
  for (const m of url.matchAll(URL_RE)) {
    const host = m[1]!.toLowerCase().replace(/^www\./, "")
    if (!out.includes(host)) out.push(host)
  }
  return out
}

/** A short human name for a source cell: its first host, or its text cut to 60 characters. */
export const shortSource = (url: string): string => {
  const hosts = hostsOf(url)
  if (hosts.length > 0) return hosts[0]!
  const t = url.trim()
  return t === "" ? "(no source given)" : t.length > 60 ? t.slice(0, 57) + "..." : t
}

/** "sources/…/file.csv row 12 (host)" – how a message names one row. */
export const cite = (prov: Provenance, url: string): string => `${prov.source} row ${prov.row} (${shortSource(url)})`

/** Lowercase slug for stable ids: letters and digits, runs of anything else become "-". */
export const slug = (s: string): string =>
  s
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "-")
    .replace(/^-+|-+$/g, "")

/** Rounds to two decimals (change percentages, shares): enough for a reader, stable across platforms. */
export const round2 = (x: number): number => Math.round(x * 100) / 100
