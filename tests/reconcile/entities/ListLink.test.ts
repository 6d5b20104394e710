import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve as resolvePath } from "node:path"
import Papa from "papaparse"
import { afterAll, describe, expect, it } from "vitest"
import type { ListRow, RegistryRow, ZhName } from "../../../pipeline/domain/Clean.js"
import { zhCompanyName } from "../../../pipeline/normalize/companyZh.js"
import { checkCreditCode, creditCodeCheckChar } from "../../../pipeline/normalize/creditCode.js"
import { fromRows } from "../../../pipeline/reconcile/entities/Firms.js"
import * as Listed from "../../../pipeline/reconcile/entities/Listed.js"
import { linkList as linkFirms, type ListLink, type ListLinkOptions, type ListLinkResult, linksOf } from "../../../pipeline/reconcile/entities/ListLink.js"
import * as Mention from "../../../pipeline/reconcile/entities/Mention.js"
import * as Score from "../../../pipeline/reconcile/entities/Score.js"
import { resolve } from "../../../pipeline/reconcile/entities/Resolve.js"
import { shuffle } from "../../support/shuffle.js"
import { root } from "./support.js"

/** A result with its links as objects, to read in tests. */
type Linked = Omit<ListLinkResult, "links"> & { readonly links: ReadonlyArray<ListLink> }

/** linkList over list and registry rows, in columns (as the miit/lists and reference/firms assets build them). */
const linkList = (list: ReadonlyArray<ListRow>, registry: ReadonlyArray<RegistryRow>, options?: ListLinkOptions): Linked => {
  const r = linkFirms(Listed.fromRows(list), fromRows(registry), options)
  return { ...r, links: linksOf(r.links) }
}

// Small generated extracts (same generator as the bench): noise, absent firms and ground truth.
const dir = mkdtempSync(join(tmpdir(), "iiot-entities-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
execFileSync(process.execPath, [resolvePath(root, "../shared/bench/gen-extracts.mjs"), "--rows", "2000", "--out", dir], { stdio: "ignore" })
const csv = (file: string) => Papa.parse<Array<string>>(readFileSync(join(dir, file), "utf8"), { skipEmptyLines: true }).data.slice(1)
const zh = (raw: string): ZhName => {
  const n = zhCompanyName(raw)
  return { display: n.display, key: n.key, location: n.location }
}
const list: Array<ListRow> = csv("miit-little-giants.csv").map((c, i) => {
  const code = c[2]!.trim() === "" ? undefined : checkCreditCode(c[2]!)
  return { seq: c[0]!, name: zh(c[1]!), creditCode: code?.normalized, creditCodeValid: code?.valid ?? true, province: c[3]!, sector: c[4]!, batch: c[5]!, provenance: { source: "gen/miit-little-giants.csv", row: i + 2 } }
})
const registry: Array<RegistryRow> = csv("company-registry.csv").map((c, i) => ({
  creditCode: c[0]!,
  nameZh: zh(c[1]!),
  province: c[3]!,
  city: c[4]!,
  sector: c[5]!,
  aliasesZh: [],
  aliasesEn: [],
  provenance: { source: "gen/company-registry.csv", row: i + 2 },
}))
const truth = new Map(csv("truth.csv").map((c) => [c[0]!, c[1] ?? ""]))

const score = (pred: ReadonlyMap<string, string>) => {
  let tp = 0
  let fp = 0
  let fn = 0
  for (const [seq, gold] of truth) {
    const p = pred.get(seq) ?? ""
    if (p !== "" && p === gold) tp++
    if (p !== "" && p !== gold) fp++
    if (gold !== "" && p !== gold) fn++
  }
  return { precision: tp / (tp + fp), recall: tp / (tp + fn) }
}
const predOf = (r: Linked) => new Map(r.links.map((l) => [l.seq, l.creditCode ?? ""]))

describe("linkList on generated extracts", () => {
  const result = linkList(list, registry)

  it("gives the same result where a row's code decides as when every name is looked up", () => {
    expect(result).toEqual(linkList(list, registry, { exhaustive: true }))
    // A code that only just outweighs a firm of the same name (the shortcut still taken), and one
    // that no longer does (every name looked up).
    for (const over of [{ "credit-code": 7 }, { "credit-code": 1, "credit-code-mismatch": 0 }]) {
      const weights = { ...Score.defaultWeights, ...over }
      expect(linkList(list, registry, { weights })).toEqual(linkList(list, registry, { weights, exhaustive: true }))
    }
  })

  it("reaches the issue's goals: P ≥ 0.995, R ≥ 0.97, ≤ 2% to review", () => {
    const { precision, recall } = score(predOf(result))
    expect(precision).toBeGreaterThanOrEqual(0.995)
    expect(recall).toBeGreaterThanOrEqual(0.97)
    expect(result.stats.review / list.length).toBeLessThanOrEqual(0.02)
    expect(result.stats.linked + result.stats.review + result.stats.unlinked).toBe(list.length)
    // Homophone typos are part of what lifts recall above exact keys.
    expect(result.stats.byHomophone).toBeGreaterThan(0)
  })

  it("gives the same links whatever the row order", () => {
    const shuffled = linkList(shuffle(list, 11), shuffle(registry, 12))
    expect(predOf(shuffled)).toEqual(predOf(result))
  })

  it("resolve() agrees with the scale path on the same rows", () => {
    const mentions = Mention.mentionsFromList(list)
    const r = resolve({ mentions, registry })
    const seqOf = new Map(mentions.map((m, i) => [m.id, list[i]!.seq]))
    const codes = new Set(registry.map((x) => x.creditCode))
    const pred = new Map(r.links.filter((l) => l.status !== "rejected" && codes.has(l.entityId)).map((l) => [seqOf.get(l.mentionId)!, l.entityId]))
    const { precision, recall } = score(pred)
    expect(precision).toBeGreaterThanOrEqual(0.995)
    expect(recall).toBeGreaterThanOrEqual(0.97)
  })
})

describe("linkList findings and decisions", () => {
  const firm = registry.find((r) => r.nameZh!.display.startsWith(r.city) && !r.nameZh!.display.includes("（"))!
  const other = registry.find((r) => r.city !== firm.city && r.sector === firm.sector)!
  const row = (seq: string, over: Partial<ListRow>): ListRow => ({
    seq,
    name: firm.nameZh!,
    creditCode: undefined,
    creditCodeValid: true,
    province: firm.province,
    sector: firm.sector,
    batch: "第一批",
    provenance: { source: "test/list.csv", row: Number(seq) + 1 },
    ...over,
  })
  const code = firm.creditCode!
  const wrongCheck = code.slice(0, 17) + (creditCodeCheckChar(code.slice(0, 17)) === "0" ? "1" : "0")

  it("reports an invalid credit code and still links the row", () => {
    const r = linkList([row("1", { creditCode: wrongCheck, creditCodeValid: false })], registry)
    expect(r.links[0]!.creditCode).toBe(code)
    expect(r.findings.some((f) => f.code === "invalid-credit-code" && f.row === 2 && f.value === wrongCheck)).toBe(true)
  })

  it("lets a row's code decide without its name only where no firm of that name could outscore it", () => {
    // The same name in another city, under another valid code: the row gives that code and its own city.
    const body = "91370200MA0000001"
    const twinCode = body + creditCodeCheckChar(body)
    const twin: RegistryRow = { ...firm, creditCode: twinCode, province: other.province, city: other.city, provenance: { source: "test/registry.csv", row: 99_999 } }
    const withTwin = [...registry, twin]
    const rows = [row("1", { creditCode: twinCode })]
    const weak = { ...Score.defaultWeights, "credit-code": 1, "credit-code-mismatch": 0 }
    for (const weights of [Score.defaultWeights, weak]) expect(linkList(rows, withTwin, { weights })).toEqual(linkList(rows, withTwin, { weights, exhaustive: true }))
    // Where the code cannot outweigh the name, the firm of that name in the row's city is linked.
    expect(linkList(rows, withTwin, { weights: weak }).links[0]).toMatchObject({ creditCode: code, status: "auto" })
    // Where it can (the defaults), the code decides: its firm, in another city, goes to review.
    expect(linkList(rows, withTwin).links[0]).toMatchObject({ creditCode: undefined, status: "review" })
    expect(linkList(rows, withTwin).review[0]!.candidate).toBe(twinCode)
  })

  it("reports a credit code that contradicts the name", () => {
    // The code names a firm in another city: neither the code's firm nor the name's is linked
    // silently; the row goes to review and the contradiction is a finding.
    const r = linkList([row("1", { creditCode: other.creditCode!, creditCodeValid: true })], registry)
    expect(r.links[0]).toMatchObject({ creditCode: undefined, status: "review" })
    expect(r.review[0]!.candidate).toBe(other.creditCode)
    expect(r.review[0]!.evidence.map((e) => e.feature)).toEqual(expect.arrayContaining(["credit-code", "location-conflict"]))
    expect(r.findings.some((f) => f.code === "credit-code-name-conflict" && f.value === other.creditCode)).toBe(true)
  })

  it("applies a saved decision keyed by content, not by row number", () => {
    // A strict run puts the pair in the review table, where a reviewer records a decision.
    const strict = linkList([row("1", {})], registry, { thresholds: { autoLink: 100, review: 0 } })
    const key = strict.review[0]!.linkKey
    expect(strict.review[0]!.candidate).toBe(code)
    expect(strict.review[0]!.evidence.map((e) => e.feature)).toContain("zh-key")
    // Next run: the row moved (now row 3, seq 2), another row came first; the decision still applies.
    const rows = [row("1", { name: other.nameZh!, province: other.province }), row("2", {})]
    const rejected = linkList(rows, registry, { decisions: [{ linkKey: key, decision: "reject" }] })
    expect(rejected.links[1]!.creditCode).toBeUndefined()
    expect(rejected.links[0]!.creditCode).toBe(other.creditCode)
    const accepted = linkList(rows, registry, { thresholds: { autoLink: 100, review: 0 }, decisions: [{ linkKey: key, decision: "accept" }] })
    expect(accepted.links[1]).toMatchObject({ creditCode: code, status: "decided" })
    expect(accepted.links[0]!.status).toBe("review")
  })

  it("names each review row's own source in its finding", () => {
    const rows = [row("1", {}), row("2", { provenance: { source: "test/other-list.csv", row: 7 } })]
    const r = linkList(rows, registry, { thresholds: { autoLink: 100, review: 0 } })
    expect(r.links.map((l) => [l.source, l.row, l.status])).toEqual([["test/list.csv", 2, "review"], ["test/other-list.csv", 7, "review"]])
    expect(r.findings.filter((f) => f.code === "review-band").map((f) => [f.source, f.row])).toEqual([["test/list.csv", 2], ["test/other-list.csv", 7]])
  })

  it("sends a name found in two cities of the named province to review, as ambiguous", () => {
    const byKey = new Map<string, Array<RegistryRow>>()
    for (const r of registry) byKey.set(`${r.nameZh!.key}|${r.province}`, [...(byKey.get(`${r.nameZh!.key}|${r.province}`) ?? []), r])
    const twins = [...byKey.values()].find((g) => g.length === 2 && g[0]!.city !== g[1]!.city && g[0]!.sector === g[1]!.sector)
    if (twins === undefined) return expect(byKey.size).toBeGreaterThan(0)
    const bare: ZhName = { display: twins[0]!.nameZh!.key + "有限公司", key: twins[0]!.nameZh!.key }
    const r = linkList([row("1", { name: bare, province: twins[0]!.province, sector: twins[0]!.sector })], registry)
    expect(r.links[0]!.status).toBe("review")
    expect(r.review[0]!.reason).toBe("ambiguous")
    expect(r.findings.some((f) => f.code === "ambiguous-match")).toBe(true)
  })
})

