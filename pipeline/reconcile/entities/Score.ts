/**
 * The scorer both resolvers share: per-feature weights, the two thresholds, and the evidence
 * record each link keeps ("why linked"). Weights are additive log-odds-like points: a credit
 * code alone links, a Chinese key alone links when the location does not contradict it, a
 * homophone typo needs the location or a rare character to back it.
 */
import { PLACE_SUFFIXES } from "./keys.js"

/** Every feature a score can be made of; the names appear in the links table. */
export type Feature =
  | "credit-code"
  | "credit-code-body"
  | "credit-code-mismatch"
  | "zh-key"
  | "zh-key-stripped"
  | "zh-homophone"
  | "rare-character"
  | "en-key"
  | "en-leading-token"
  | "alias-zh"
  | "alias-en"
  | "location"
  | "location-conflict"
  | "province"
  | "province-conflict"
  | "sector"
  | "sector-conflict"

/** One feature's contribution to a link's score, with what matched. */
export interface Evidence {
  readonly feature: Feature
  readonly weight: number
  readonly detail: string
}

/** Points per feature. */
export type Weights = Readonly<Record<Feature, number>>

/** Default weights, tuned on gen-extracts data and checked on the bundled real sources. */
export const defaultWeights: Weights = {
  // Same valid code: the registry's own identifier, decisive on its own.
  "credit-code": 10,
  // Same first 17 characters while the mention's check character is wrong: a typing slip.
  "credit-code-body": 8,
  // Two valid codes that differ name two different firms, whatever the names say.
  "credit-code-mismatch": -12,
  // An exact name key links on its own unless a place or a code contradicts it.
  "zh-key": 6.5,
  // Keys equal only after the normaliser also stripped a place-like trade word (金华, 泰安).
  "zh-key-stripped": 4.5,
  // For one homophone substitution; each further one costs HOMOPHONE_STEP. Alone (with agreeing
  // city, province, sector: 5.5) it only reaches review: firms named 新华 and 鑫华 both exist.
  "zh-homophone": 3.5,
  // The mention's differing characters are ones the reference hardly uses: typical of a slip
  // of the input method, and what lifts a homophone match to a link.
  "rare-character": 2,
  "en-key": 6.5,
  // Same first word only ("Sany Heavy Industry" / "Sany Renewable Energy"): worth a review.
  "en-leading-token": 3.5,
  // A curated alias links on its own, like a name; kept apart so the evidence says which it was.
  "alias-zh": 6,
  "alias-en": 6,
  "location": 1,
  // Different cities (or provinces) in the names: different registrations.
  "location-conflict": -6,
  "province": 0.5,
  "province-conflict": -6,
  "sector": 0.5,
  "sector-conflict": -1,
}

/** Points taken off per homophone substitution after the first. */
export const HOMOPHONE_STEP = 1

/** Most substitutions a homophone match may have. */
export const MAX_HOMOPHONES = 2

/** Score ≥ autoLink links; review ≤ score < autoLink goes to the review table; below is no link. */
export interface Thresholds {
  readonly autoLink: number
  readonly review: number
}

/**
 * Defaults: an exact name key or a curated alias links on its own (6.5, 6), but not against a
 * conflicting location (≤ 2.5) or a different valid credit code; a homophone of a rare
 * character with agreeing city, province and sector (7.5) links, one of a common character
 * (5.5) goes to review.
 */
export const defaultThresholds: Thresholds = { autoLink: 6, review: 3.5 }

/** Sum of an evidence list, rounded to avoid 0.1 + 0.2 noise in reports. */
export const total = (evidence: ReadonlyArray<Evidence>): number =>
  Math.round(evidence.reduce((s, e) => s + e.weight, 0) * 1000) / 1000

/** Points for a homophone match with `d` substitutions. */
export const homophonePoints = (w: Weights, d: number): number => w["zh-homophone"] - HOMOPHONE_STEP * (d - 1)

// The same suffixes the Chinese key drops after a location, as written after a province or city in list columns.
const ADMIN_SUFFIX_RE = new RegExp(`(${PLACE_SUFFIXES.join("|")})$`)
/** The last characters of those suffixes (省, 市, 区): a name ending otherwise has none to cut. */
const SUFFIX_ENDINGS = new Set(PLACE_SUFFIXES.map((x) => x.charCodeAt(x.length - 1)))

/** A province or city as a bare name (山东省 → 山东), for comparing list and registry columns. */
export const bareplace = (s: string | undefined): string => {
  if (s === undefined) return ""
  const t = s.trim()
  if (t === "") return ""
  // Cheap exit: the regex runs only on names that end like a suffix.
  return SUFFIX_ENDINGS.has(t.charCodeAt(t.length - 1)) ? t.replace(ADMIN_SUFFIX_RE, "") : t
}
