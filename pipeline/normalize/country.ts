/**
 * Countries as ISO 3166-1 alpha-2 codes from English and Chinese names, and the Taiwan policy
 * that decides whether Taiwanese sites count as China (sources disagree: China 79 or 85 in
 * Jan 2025). Every place a China count is shown states the policy with `describePolicy`.
 */
import { Schema } from "effect"
import { normalizeText } from "./text.js"

/** A resolved country: ISO 3166-1 alpha-2 code and the English short name we print. */
export interface Country {
  readonly iso2: string
  readonly name: string
}

// [iso2, printed name, ...aliases]. Aliases are compared after lowercasing, diacritic folding
// and dropping dots, so "U.S.", "Türkiye" and "turkiye" need one entry each at most.
const TABLE: ReadonlyArray<readonly [string, string, ...Array<string>]> = [
  ["CN", "China", "prc", "p r china", "pr china", "people's republic of china", "peoples republic of china", "mainland china",
    "china mainland", "chinese mainland", "china (mainland)", "中国", "中国大陆", "中华人民共和国", "大陆", "内地"],
  ["TW", "Taiwan", "taiwan (china)", "taiwan, china", "taiwan province of china", "chinese taipei", "republic of china",
    "roc", "台湾", "中国台湾", "台湾省", "臺灣", "中国台湾省"],
  ["HK", "Hong Kong", "hong kong sar", "hong kong, china", "hong kong (china)", "hongkong", "香港", "中国香港"],
  ["MO", "Macao", "macau", "macao sar", "macau sar", "澳门", "中国澳门"],
  ["US", "United States", "usa", "us", "united states of america", "america", "u s", "u s a", "美国"],
  ["GB", "United Kingdom", "uk", "u k", "great britain", "britain", "england", "scotland", "wales", "英国"],
  ["DE", "Germany", "deutschland", "federal republic of germany", "德国"],
  ["FR", "France", "法国"],
  ["IT", "Italy", "意大利"],
  ["ES", "Spain", "西班牙"],
  ["PT", "Portugal", "葡萄牙"],
  ["NL", "Netherlands", "the netherlands", "holland", "荷兰"],
  ["BE", "Belgium", "比利时"],
  ["LU", "Luxembourg", "卢森堡"],
  ["IE", "Ireland", "republic of ireland", "爱尔兰"],
  ["CH", "Switzerland", "瑞士"],
  ["AT", "Austria", "奥地利"],
  ["DK", "Denmark", "丹麦"],
  ["SE", "Sweden", "瑞典"],
  ["NO", "Norway", "挪威"],
  ["FI", "Finland", "芬兰"],
  ["PL", "Poland", "波兰"],
  ["CZ", "Czech Republic", "czechia", "捷克", "捷克共和国"],
  ["SK", "Slovakia", "斯洛伐克"],
  ["HU", "Hungary", "匈牙利"],
  ["RO", "Romania", "罗马尼亚"],
  ["BG", "Bulgaria", "保加利亚"],
  ["GR", "Greece", "希腊"],
  ["SI", "Slovenia", "斯洛文尼亚"],
  ["HR", "Croatia", "克罗地亚"],
  ["RS", "Serbia", "塞尔维亚"],
  ["EE", "Estonia", "爱沙尼亚"],
  ["LV", "Latvia", "拉脱维亚"],
  ["LT", "Lithuania", "立陶宛"],
  ["RU", "Russia", "russian federation", "俄罗斯"],
  ["UA", "Ukraine", "乌克兰"],
  ["TR", "Türkiye", "turkey", "turkiye", "republic of turkiye", "土耳其"],
  ["IL", "Israel", "以色列"],
  ["SA", "Saudi Arabia", "ksa", "kingdom of saudi arabia", "沙特", "沙特阿拉伯"],
  ["AE", "United Arab Emirates", "uae", "u a e", "阿联酋", "阿拉伯联合酋长国"],
  ["QA", "Qatar", "卡塔尔"],
  ["EG", "Egypt", "埃及"],
  ["MA", "Morocco", "摩洛哥"],
  ["ZA", "South Africa", "南非"],
  ["NG", "Nigeria", "尼日利亚"],
  ["KE", "Kenya", "肯尼亚"],
  ["IN", "India", "印度"],
  ["PK", "Pakistan", "巴基斯坦"],
  ["BD", "Bangladesh", "孟加拉国", "孟加拉"],
  ["JP", "Japan", "日本"],
  ["KR", "South Korea", "korea", "republic of korea", "korea, republic of", "korea (south)", "rok", "韩国", "南韩"],
  ["KP", "North Korea", "democratic people's republic of korea", "dprk", "朝鲜"],
  ["SG", "Singapore", "新加坡"],
  ["MY", "Malaysia", "马来西亚"],
  ["TH", "Thailand", "泰国"],
  ["VN", "Vietnam", "viet nam", "越南"],
  ["ID", "Indonesia", "印度尼西亚", "印尼"],
  ["PH", "Philippines", "菲律宾"],
  ["KZ", "Kazakhstan", "哈萨克斯坦"],
  ["AU", "Australia", "澳大利亚", "澳洲"],
  ["NZ", "New Zealand", "新西兰"],
  ["CA", "Canada", "加拿大"],
  ["MX", "Mexico", "墨西哥"],
  ["BR", "Brazil", "巴西"],
  ["AR", "Argentina", "阿根廷"],
  ["CL", "Chile", "智利"],
  ["CO", "Colombia", "哥伦比亚"],
  ["PE", "Peru", "秘鲁"],
]

const MARKS_RE = /\p{M}+/gu
const DOTS_RE = /\./g
const SPACES_RE = / +/g

/** Lookup form: normalised, lowercase, no diacritics, no dots, single spaces. */
const lookupKey = (s: string): string =>
  normalizeText(s).toLowerCase().normalize("NFD").replace(MARKS_RE, "").replace(DOTS_RE, " ").replace(SPACES_RE, " ").trim()

const BY_NAME = new Map<string, Country>()
for (const [iso2, name, ...aliases] of TABLE) {
  const country: Country = { iso2, name }
  for (const alias of [name, iso2, ...aliases]) BY_NAME.set(lookupKey(alias), country)
}
// Two-letter codes that are also English words stay out of the lookup ("no", "it", "id" …)
// unless written in capitals; handled in `lookupOne`.
const CODE_WORDS = new Set(["no", "it", "id", "be", "at", "in", "is", "us", "ca", "co", "pe", "ma", "de", "es"])

// A trailing remark in brackets: "Taiwan (parent Hon Hai)", "United States (J&J)".
const TRAILING_REMARK_RE = /\s*\([^()]*\)\s*$/
// Several countries in one cell: "China/United States (JV)", "Germany / China".
const LIST_SPLIT_RE = /\s*(?:\/|;|、|,?\s+and\s+|\+)\s*/

const lookupOne = (raw: string): Country | undefined => {
  const key = lookupKey(raw)
  if (key === "") return undefined
  if (key.length === 2 && CODE_WORDS.has(key) && raw.trim() !== raw.trim().toUpperCase()) return undefined
  const direct = BY_NAME.get(key)
  if (direct !== undefined) return direct
  // "Taiwan (China)" is listed; other remarks are dropped and the rest is tried again.
  const bare = key.replace(TRAILING_REMARK_RE, "")
  return bare !== key && bare !== "" ? BY_NAME.get(bare) : undefined
}

/**
 * Every country named in a cell, in the order written ("China/United States (JV)" → CN, US).
 * Regions ("Europe (European initiative)", "Other") give an empty list.
 */
export const toCountries = (name: string): ReadonlyArray<Country> => {
  const whole = lookupOne(name)
  if (whole !== undefined) return [whole]
  const text = normalizeText(name).replace(TRAILING_REMARK_RE, "")
  const parts = text.split(LIST_SPLIT_RE)
  if (parts.length < 2) return []
  const out: Array<Country> = []
  for (const p of parts) {
    const c = lookupOne(p)
    if (c === undefined) return [] // one unknown part: do not guess the rest
    if (!out.some((o) => o.iso2 === c.iso2)) out.push(c)
  }
  return out
}

/**
 * The country a cell names: ISO alpha-2 and English name, or undefined for blanks, regions and
 * unknown names. A cell naming several countries (a joint venture) gives the first one written;
 * use `toCountries` when all of them matter.
 */
export const toCountry = (name: string): Country | undefined => toCountries(name)[0]

/** Whether Taiwanese sites are counted separately from China or with it. */
export const TaiwanPolicy = Schema.Literal("separate", "with-china")
export type TaiwanPolicy = typeof TaiwanPolicy.Type

/**
 * Whether a country counts towards a China total. Mainland China always does, and so do Hong
 * Kong and Macao (special administrative regions of the PRC); Taiwan only under "with-china".
 */
export const countsAsChina = (iso2: string, policy: TaiwanPolicy): boolean =>
  iso2 === "CN" || iso2 === "HK" || iso2 === "MO" || (policy === "with-china" && iso2 === "TW")

/** The sentence printed wherever a China count is shown, so a reader knows which count it is. */
export const describePolicy = (policy: TaiwanPolicy): string =>
  policy === "separate"
    ? "China excluding Taiwan (mainland China, Hong Kong and Macao; Taiwanese sites counted separately)"
    : "China including Taiwan (Taiwanese sites counted with China, as some sources do)"
