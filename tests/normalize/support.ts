/** Shared test support for the normalisers: fast-check arbitraries and the real data files. */
import * as fc from "fast-check"
import Papa from "papaparse"
import { readFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

/** Repository root (tests/normalize → ../..). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..")
/** The shared data and bench folder beside the repository (as on developer machines and CI). */
export const sharedDir = resolve(repoRoot, "../shared")

/** Reads one of the real extracts in ../shared/data as header-keyed rows of strings. */
export const readData = (file: string): Array<Record<string, string>> =>
  Papa.parse<Record<string, string>>(readFileSync(join(sharedDir, "data", file), "utf8"), { header: true, skipEmptyLines: true }).data

/** Reads a CSV written by the generator as arrays of strings, header row dropped. */
export const readRows = (path: string): Array<Array<string>> =>
  Papa.parse<Array<string>>(readFileSync(path, "utf8").replace(/^\uFEFF/, ""), { skipEmptyLines: true }).data.slice(1)

// Pieces the normalisers treat specially, so random strings hit their branches, not only noise.
const PIECES = [
  "（", "）", "(", ")", " ", "  ", "\u3000", "\u00A0", "\u200B", "\u200D", "\uFEFF", "\u2060", "\u00AD", "\t", "\n",
  "有限公司", "股份有限公司", "有限责任公", "有限", "有 限", "集团", "公司", "控股", "青岛", "山东", "广东省", "深圳市", "中国",
  "海智", "科技", "華", "聯", "遠", "麼", "峰", "乾", "著", "Ｃｏ．", "Ｌｔｄ", "Ltd.", "Co.,", "Inc", "Group", "GmbH", "S.A.",
  "С", "М", "Α", "Ο", "Газ", "Haier", "海尔", "ı", "İ", "ß", "é", "\u0301", "\u1100", "\u1161", "ﬁ", "Ⅻ", "²", "&", "'", "-",
  ".", "/", ",", "2022", "2020", "5", "18", "年", "月", "日", "前", "pre-", "before ", "after ", "June ", "44700", "万", "亿",
  "元", "USD", "CNY", "billion", "million", "%", "percent", "over ", "~", "约", "超过", ">", "<", "1,234.5", "-7", "9",
  "91", "3702", "X", "ｘ", "0", "A", "\u{20000}", "\u{1F600}",
]

/** Any string: every code point, lone surrogates, and the pieces above mixed in. */
export const anyText: fc.Arbitrary<string> = fc.string({
  unit: fc.oneof(
    { arbitrary: fc.constantFrom(...PIECES), weight: 4 },
    { arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }), weight: 2 },
    { arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)), weight: 1 },
    { arbitrary: fc.integer({ min: 0x4e00, max: 0x9fff }).map((c) => String.fromCharCode(c)), weight: 2 },
  ),
  maxLength: 24,
})

/** Property-run settings: enough runs to find edge cases, few enough to stay fast on 2 cores. */
export const runs = { numRuns: 2000 } as const
