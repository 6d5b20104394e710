/**
 * Entity resolution at scale: reads a gen-extracts folder (MIIT-style list + registry + truth),
 * normalises into ListRow / RegistryRow, links with `linkList`, scores auto-links against
 * truth.csv, and prints one `BENCH {json}` line (peak RSS is measured from outside).
 *
 *   node --import tsx bench/entities.ts --data DIR [--verbose] [--mem]
 *
 * --verbose prints linkList's stats on stderr; --mem prints heap and RSS after loading, linking
 * and scoring (add node's --expose-gc to measure after a full collection).
 */
import { join } from "node:path"
import type { ListRow, RegistryRow, ZhName } from "../pipeline/domain/Clean.js"
import { zhCompanyName } from "../pipeline/normalize/companyZh.js"
import { checkCreditCode } from "../pipeline/normalize/creditCode.js"
import { normalizeOwnership } from "../pipeline/normalize/ownership.js"
import { normalizeText } from "../pipeline/normalize/text.js"
import { fromRows } from "../pipeline/reconcile/entities/Firms.js"
import * as Listed from "../pipeline/reconcile/entities/Listed.js"
import { linkList } from "../pipeline/reconcile/entities/ListLink.js"
import { emit, now, parseArgs } from "./lib.js"
import { scanCsv, scoreLinks } from "./truth.js"

const args = parseArgs(process.argv.slice(2))
const data = args["data"]
if (data === undefined) {
  process.stderr.write("usage: node --import tsx bench/entities.ts --data DIR\n")
  process.exit(2)
}

// Cells parsed from a decoded chunk can be slices of it, and one kept slice keeps the whole
// chunk alive (at 1M rows, most of both files). Rows keep flat copies, and one shared string
// per repeated value (province, city, sector, batch): the clean tables should do the same.
const flat = (s: string): string => (s.length < 13 ? s : (JSON.parse(JSON.stringify(s)) as string))
const pool = new Map<string, string>()
const intern = (s: string): string => {
  const hit = pool.get(s)
  if (hit !== undefined) return hit
  const own = flat(s)
  pool.set(own, own)
  return own
}

// Display and key only: the bench keeps rows as lean as the clean tables will be.
const zh = (raw: string): ZhName => {
  const n = zhCompanyName(raw)
  const display = flat(n.display)
  // The key is usually a slice of the display: cut it from the flat copy.
  const at = display.indexOf(n.key)
  const key = at >= 0 ? display.slice(at, at + n.key.length) : flat(n.key)
  return n.location === undefined ? { display, key } : { display, key, location: intern(n.location) }
}

// --mem: heap and RSS at each stage, on stderr (with node --expose-gc, after a full collection).
const mem = (stage: string): void => {
  if (args["mem"] === undefined) return
  ;(globalThis as { gc?: () => void }).gc?.()
  const m = process.memoryUsage()
  process.stderr.write(`${stage}: heap ${Math.round(m.heapUsed / 1e6)} MB, rss ${Math.round(m.rss / 1e6)} MB\n`)
}

const t0 = now()
const listSource = "miit-little-giants.csv"
const regSource = "company-registry.csv"
const list: Array<ListRow> = []
await scanCsv(join(data, listSource), "miit-list", (get, row) => {
  const raw = get("credit_code")
  const code = raw.trim() === "" ? undefined : checkCreditCode(raw)
  list.push({
    seq: normalizeText(get("seq")),
    name: zh(get("company_name_zh")),
    creditCode: code === undefined ? undefined : flat(code.normalized),
    creditCodeValid: code === undefined || code.valid,
    province: intern(get("province")),
    sector: intern(get("sector")),
    batch: intern(get("batch")),
    provenance: { source: listSource, row },
  })
})
const registry: Array<RegistryRow> = []
const noAliases: ReadonlyArray<string> = []
await scanCsv(join(data, regSource), "reference", (get, row) => {
  const code = get("credit_code").trim()
  const own = normalizeOwnership(get("ownership"))
  registry.push({
    creditCode: code === "" ? undefined : flat(code),
    nameZh: zh(get("name_zh")),
    province: intern(get("province")),
    city: intern(get("city")),
    sector: intern(get("sector")),
    ownership: own?.value,
    aliasesZh: noAliases,
    aliasesEn: noAliases,
    provenance: { source: regSource, row },
  })
})
// In columns, as the miit/lists and reference/firms assets give them to list-links.
const listed = Listed.fromRows(list)
const firms = fromRows(registry)
const t1 = now()
mem("loaded")
const result = linkList(listed, firms)
const t2 = now()
mem("linked")

// The rows are not needed any more: let them go before truth.csv is read (peak RSS).
list.length = 0
registry.length = 0
const quality = await scoreLinks(data, result)
mem("scored")
if (args["verbose"] !== undefined) process.stderr.write(JSON.stringify(result.stats) + "\n")
emit({
  name: "entities",
  rows: result.stats.rows,
  precision: quality.precision,
  recall: quality.recall,
  reviewShare: quality.reviewShare,
  normaliseMs: Math.round(t1 - t0),
  linkMs: Math.round(t2 - t1),
  totalMs: Math.round(now() - t0),
})
