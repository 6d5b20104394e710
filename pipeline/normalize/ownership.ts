/**
 * Ownership character as a closed set, mapped from the report's English categories, Chinese
 * terms and registry 企业类型 values. The original label always travels beside the value.
 */
import { Schema } from "effect"
import { normalizeText } from "./text.js"

/** The closed ownership set used in every clean table. */
export const Ownership = Schema.Literal("Private", "SOE", "Mixed", "Foreign", "Unclear")
export type Ownership = typeof Ownership.Type

/** A mapped ownership label; `recognised` is false when an unknown label fell back to Unclear. */
export interface OwnershipResult {
  readonly value: Ownership
  readonly original: string
  readonly recognised: boolean
}

// Checked in order, first hit wins. Order matters: 混合所有制 before 国有 (a mixed firm's label
// may say 国有参股), 外资/合资 before 国有 (中外合资 is foreign-invested whatever the Chinese
// partner), 非国有 before 国有. English prefixes cover the report's wording ("SOE / SASAC /
// Ministry controlled", "Mixed (majority private owned)", "Foreign (Taiwan)").
const RULES: ReadonlyArray<readonly [needle: string, value: Ownership]> = [
  ["不明", "Unclear"], ["未知", "Unclear"], ["unclear", "Unclear"], ["unknown", "Unclear"], ["n/a", "Unclear"],
  ["混合所有", "Mixed"], ["混改", "Mixed"], ["mixed", "Mixed"],
  ["外商", "Foreign"], ["外资", "Foreign"], ["外国", "Foreign"], ["合资", "Foreign"], ["中外合作", "Foreign"],
  ["台资", "Foreign"], ["台商", "Foreign"], ["港资", "Foreign"], ["澳资", "Foreign"], ["港澳台", "Foreign"], ["台港澳", "Foreign"],
  ["foreign", "Foreign"], ["joint venture", "Foreign"],
  ["非国有", "Private"],
  ["国有", "SOE"], ["国企", "SOE"], ["央企", "SOE"], ["国资", "SOE"], ["中央企业", "SOE"], ["全民所有制", "SOE"],
  ["soe", "SOE"], ["state", "SOE"], ["sasac", "SOE"], ["government", "SOE"],
  ["民营", "Private"], ["私营", "Private"], ["民企", "Private"], ["个体", "Private"], ["自然人", "Private"], ["个人独资", "Private"],
  ["private", "Private"],
]

/** Maps a label to the closed set; unknown labels give Unclear with `recognised: false`, blanks undefined. */
export const normalizeOwnership = (label: string): OwnershipResult | undefined => {
  const original = normalizeText(label)
  if (original === "") return undefined
  const lower = original.toLowerCase()
  for (const [needle, value] of RULES) if (lower.includes(needle)) return { value, original, recognised: true }
  return { value: "Unclear", original, recognised: false }
}

/** Whether a label maps on its own merit (false for blanks and labels that only fell back to Unclear). */
export const isRecognisedOwnership = (label: string): boolean => normalizeOwnership(label)?.recognised === true
