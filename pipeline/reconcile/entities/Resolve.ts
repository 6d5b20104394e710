/**
 * Entity resolution for the reconciled tables: mentions from every clean table are linked to
 * the curated reference (stable ids, groups, aliases) and to registry rows (ids = credit
 * codes); what links to neither forms new entities from the keys its mentions share. Every
 * link carries its evidence; review-band pairs go to a review table; saved decisions apply
 * before scoring. Pure: no I/O, and the result does not depend on the order of the input.
 */
import type { OwnershipClass, RegistryRow } from "../../domain/Clean.js"
import * as Finding from "../../domain/Finding.js"
import { enCompanyName } from "../../normalize/companyEn.js"
import { zhCompanyName } from "../../normalize/companyZh.js"
import { checkCreditCode } from "../../normalize/creditCode.js"
import * as Decision from "./Decision.js"
import { contentHash, fullZhKey, homophoneDistance, pinyinRanks } from "./keys.js"
import type { Mention, Role } from "./Mention.js"
import * as Score from "./Score.js"

/** One real company (or organisation) as the reconciled tables show it. */
export interface Entity {
  /** Stable: the reference entity_id, else the credit code, else a hash of the canonical name key. */
  readonly id: string
  readonly nameZh?: string | undefined
  readonly nameEn?: string | undefined
  /** The top parent's id (the entity's own id when it heads a group of the reference). */
  readonly group?: string | undefined
  readonly parent?: string | undefined
  readonly ownership?: OwnershipClass | undefined
  readonly creditCode?: string | undefined
  /** Number of mentions linked to it. */
  readonly mentions: number
  /** Roles its mentions play, sorted. */
  readonly roles: ReadonlyArray<Role>
  /** Where the entity comes from: the curated reference, a registry row, or mentions alone. */
  readonly origin: "reference" | "registry" | "mentions"
  /** Ids of entities a merge decision folded into this one. */
  readonly mergedFrom?: ReadonlyArray<string> | undefined
}

/** Status of a link: linked by score, waiting for review, set by a decision, or forbidden by one. */
export type LinkStatus = "auto" | "review" | "decided" | "rejected"

/** A mention placed in an entity, with the score and the evidence that put it there. */
export interface Link {
  readonly linkKey: string
  readonly mentionId: string
  readonly entityId: string
  readonly score: number
  readonly status: LinkStatus
  readonly evidence: ReadonlyArray<Evidence>
}

/** A feature's contribution; "shared-key" and "new-entity" explain links to entities made from mentions. */
export interface Evidence {
  readonly feature: Score.Feature | "shared-key" | "new-entity"
  readonly weight: number
  readonly detail: string
}

/** What `resolve` needs; only `mentions` is required. */
export interface ResolveInput {
  readonly mentions: ReadonlyArray<Mention>
  /** The curated reference: rows with entityId, group, parent and aliases. */
  readonly reference?: ReadonlyArray<RegistryRow> | undefined
  /** A registry extract: rows keyed by credit code (entityId absent). */
  readonly registry?: ReadonlyArray<RegistryRow> | undefined
  readonly decisions?: ReadonlyArray<Decision.Decision> | undefined
  readonly weights?: Score.Weights | undefined
  readonly thresholds?: Score.Thresholds | undefined
}

/** What `resolve` returns. `links` has one non-review link per mention (plus rejected pairs). */
export interface ResolveResult {
  readonly entities: ReadonlyArray<Entity>
  readonly links: ReadonlyArray<Link>
  readonly review: ReadonlyArray<Link>
  readonly findings: ReadonlyArray<Finding.Finding>
}

// ---- targets: reference and registry rows with their keys -------------------------------------

interface Target {
  readonly id: string
  readonly origin: "reference" | "registry"
  readonly row: RegistryRow
  readonly zh: string
  readonly zhStripped: string
  readonly zhAliases: ReadonlyArray<string>
  readonly en: string
  readonly enAliases: ReadonlyArray<string>
  readonly code: string | undefined
  readonly loc: string
  readonly city: string
  readonly province: string
}

const zhKeyOf = (raw: string): string => {
  const n = zhCompanyName(raw)
  return fullZhKey(n.location === undefined ? { display: n.display, key: n.key } : { display: n.display, key: n.key, location: n.location })
}

const targetOf = (row: RegistryRow, id: string, origin: Target["origin"]): Target => {
  const zh = row.nameZh === undefined ? "" : fullZhKey(row.nameZh)
  const zhAliases = [...new Set(row.aliasesZh.map(zhKeyOf).filter((k) => k !== "" && k !== zh))]
  const en = row.nameEn?.key ?? ""
  const enFromZh = row.nameEn?.zh !== undefined ? [zhKeyOf(row.nameEn.zh)] : []
  const enAliases = [...new Set(row.aliasesEn.map((a) => enCompanyName(a).key).filter((k) => k !== "" && k !== en))]
  return {
    id,
    origin,
    row,
    zh,
    zhStripped: row.nameZh?.key ?? "",
    zhAliases: [...new Set([...zhAliases, ...enFromZh.filter((k) => k !== "" && k !== zh)])],
    en,
    enAliases,
    code: row.creditCode === undefined || row.creditCode === "" ? undefined : row.creditCode,
    loc: row.nameZh?.location ?? "",
    city: Score.bareplace(row.city),
    province: Score.bareplace(row.province),
  }
}

// ---- mentions: their keys ------------------------------------------------------------------------

interface MentionKeys {
  readonly m: Mention
  /** Chinese keys: the legal name's, then one found in brackets of the English name. */
  readonly zh: ReadonlyArray<string>
  readonly zhStripped: string
  readonly en: string
  readonly enLead: string
  readonly code: string | undefined
  readonly codeValid: boolean
  readonly loc: string
  readonly city: string
  readonly province: string
  /** Content key used in link keys: never a row number. */
  readonly contentKey: string
}

const leadToken = (enKey: string): string => {
  const sp = enKey.indexOf(" ")
  const t = sp < 0 ? enKey : enKey.slice(0, sp)
  // Short first words ("tu", "the", "cec") say too little to propose a pair.
  return t.length >= 4 ? t : ""
}

const keysOf = (m: Mention): MentionKeys => {
  const zh: Array<string> = []
  if (m.nameZh !== undefined && m.nameZh.key !== "") zh.push(fullZhKey(m.nameZh))
  if (m.nameEn?.zh !== undefined) {
    const k = zhKeyOf(m.nameEn.zh)
    if (k !== "" && !zh.includes(k)) zh.push(k)
  }
  const en = m.nameEn?.key ?? ""
  let code = m.creditCode === undefined || m.creditCode.trim() === "" ? undefined : m.creditCode
  let codeValid = m.creditCodeValid ?? true
  if (code !== undefined && m.creditCodeValid === undefined) {
    const c = checkCreditCode(code)
    code = c.normalized
    codeValid = c.valid
  }
  return {
    m,
    zh,
    zhStripped: m.nameZh?.key ?? "",
    en,
    enLead: en.indexOf(" ") > 0 ? leadToken(en) : "",
    code,
    codeValid,
    loc: m.nameZh?.location ?? "",
    city: Score.bareplace(m.city),
    province: Score.bareplace(m.province),
    contentKey: zh[0] ?? (en !== "" ? `en:${en}` : `id:${m.id}`),
  }
}

// ---- scoring ---------------------------------------------------------------------------------------

const ZH_FEATURES = new Set<Evidence["feature"]>(["zh-key", "alias-zh", "zh-key-stripped", "zh-homophone", "credit-code", "credit-code-body"])
const NAME_FEATURES = new Set<Evidence["feature"]>(["zh-key", "alias-zh", "zh-key-stripped", "zh-homophone", "en-key", "alias-en", "en-leading-token"])

/** The evidence for one (mention, target) pair, feature by feature. */
const evidenceOf = (k: MentionKeys, t: Target, w: Score.Weights, ranks: Uint16Array): Array<Evidence> => {
  const ev: Array<Evidence> = []
  if (k.code !== undefined && t.code !== undefined) {
    if (k.codeValid) {
      ev.push(k.code === t.code ? { feature: "credit-code", weight: w["credit-code"], detail: k.code } : { feature: "credit-code-mismatch", weight: w["credit-code-mismatch"], detail: `${k.code} ≠ ${t.code}` })
    } else if (k.code.slice(0, 17) === t.code.slice(0, 17)) {
      ev.push({ feature: "credit-code-body", weight: w["credit-code-body"], detail: `${k.code} (check character wrong) ~ ${t.code}` })
    }
  }
  // Chinese channel: the best of exact, alias, stripped and homophone.
  let zhBest: Evidence | undefined
  const better = (e: Evidence) => {
    if (zhBest === undefined || e.weight > zhBest.weight) zhBest = e
  }
  for (const z of k.zh) {
    if (t.zh !== "" && z === t.zh) better({ feature: "zh-key", weight: w["zh-key"], detail: z })
    else if (t.zhAliases.includes(z)) better({ feature: "alias-zh", weight: w["alias-zh"], detail: z })
    else {
      for (const tz of t.zh !== "" ? [t.zh, ...t.zhAliases] : t.zhAliases) {
        const d = homophoneDistance(z, tz, Score.MAX_HOMOPHONES, ranks)
        if (d > 0 && z.length > 2 * d) better({ feature: "zh-homophone", weight: Score.homophonePoints(w, d), detail: `${z} ~ ${tz} (${d} character${d > 1 ? "s" : ""} read alike)` })
      }
    }
  }
  if (zhBest === undefined && k.zhStripped !== "" && k.zhStripped === t.zhStripped && k.zh[0] !== t.zh)
    zhBest = { feature: "zh-key-stripped", weight: w["zh-key-stripped"], detail: k.zhStripped }
  if (zhBest !== undefined) ev.push(zhBest)
  // English channel.
  if (k.en !== "") {
    if (k.en === t.en) ev.push({ feature: "en-key", weight: w["en-key"], detail: k.en })
    else if (t.enAliases.includes(k.en)) ev.push({ feature: "alias-en", weight: w["alias-en"], detail: k.en })
    else if (k.enLead !== "" && [t.en, ...t.enAliases].some((e) => e === k.enLead || e.startsWith(k.enLead + " ")))
      ev.push({ feature: "en-leading-token", weight: w["en-leading-token"], detail: `${k.enLead} …` })
  }
  // Places: the name's location and the row's city/province against the target's.
  const tCity = t.city !== "" ? t.city : t.loc
  for (const [loc, what] of [[k.loc, "name"], [k.city, "city"]] as const) {
    if (loc === "") continue
    if (tCity !== "") ev.push(loc === tCity ? { feature: "location", weight: w.location, detail: `${loc} (${what})` } : loc === t.province ? { feature: "province", weight: w.province, detail: `${loc} (${what})` } : { feature: "location-conflict", weight: w["location-conflict"], detail: `${loc} ≠ ${tCity}` })
    else if (loc === t.province) ev.push({ feature: "province", weight: w.province, detail: `${loc} (${what})` })
    break
  }
  if (k.province !== "" && t.province !== "")
    ev.push(k.province === t.province ? { feature: "province", weight: w.province, detail: k.province } : { feature: "province-conflict", weight: w["province-conflict"], detail: `${k.province} ≠ ${t.province}` })
  const ms = k.m.sector ?? ""
  if (ms !== "" && t.row.sector !== "")
    ev.push(ms === t.row.sector ? { feature: "sector", weight: w.sector, detail: ms } : { feature: "sector-conflict", weight: w["sector-conflict"], detail: `${ms} ≠ ${t.row.sector}` })
  return ev
}

const sum = (ev: ReadonlyArray<Evidence>): number => Math.round(ev.reduce((s, e) => s + e.weight, 0) * 1000) / 1000

// ---- union-find ---------------------------------------------------------------------------------------

class UnionFind {
  private readonly up: Int32Array
  constructor(n: number) {
    this.up = new Int32Array(n).map((_, i) => i)
  }
  find(i: number): number {
    while (this.up[i] !== i) {
      this.up[i] = this.up[this.up[i]!]!
      i = this.up[i]!
    }
    return i
  }
  union(a: number, b: number): void {
    const x = this.find(a)
    const y = this.find(b)
    // The smaller index wins so that the result does not depend on the order of unions.
    if (x !== y) this.up[Math.max(x, y)] = Math.min(x, y)
  }
}

/** Most frequent value, ties to the smallest: a choice that does not depend on input order. */
const modeOf = (xs: ReadonlyArray<string>): string | undefined => {
  const counts = new Map<string, number>()
  for (const x of xs) counts.set(x, (counts.get(x) ?? 0) + 1)
  let best: string | undefined
  let n = 0
  for (const [x, c] of counts) if (c > n || (c === n && best !== undefined && x < best)) [best, n] = [x, c]
  return best
}

const EPS = 1e-9

/** Resolves mentions to entities. See the module comment; thresholds and weights are in `Score`. */
export const resolve = (input: ResolveInput): ResolveResult => {
  const w = input.weights ?? Score.defaultWeights
  const th = input.thresholds ?? Score.defaultThresholds
  const ranks = pinyinRanks()
  const decisions = Decision.table(input.decisions ?? [])
  const findings: Array<Finding.Finding> = [...decisions.findings]

  // Targets, sorted by id so that indexes and tie-breaks never depend on input order.
  const targets: Array<Target> = []
  const seen = new Set<string>()
  for (const row of input.reference ?? []) {
    const id = row.entityId?.trim() ?? ""
    if (id === "" || seen.has(id)) {
      findings.push(Finding.make("warn", id === "" ? "reference-without-id" : "duplicate-entity-id", id === "" ? "A reference row has no entity_id; it is ignored." : `entity_id ${id} appears twice in the reference; the second row is ignored.`, { source: row.provenance.source, row: row.provenance.row, field: "entity_id", value: id }))
      continue
    }
    seen.add(id)
    targets.push(targetOf(row, id, "reference"))
  }
  for (const row of input.registry ?? []) {
    const code = row.creditCode?.trim() ?? ""
    if (code === "" || seen.has(code)) continue
    seen.add(code)
    targets.push(targetOf(row, code, "registry"))
  }
  targets.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const byId = new Map(targets.map((t, i) => [t.id, i]))

  // Blocking indexes: candidate pairs only by shared keys.
  const push = (m: Map<string, Array<number>>, k: string, i: number) => {
    if (k === "") return
    const g = m.get(k)
    if (g === undefined) m.set(k, [i])
    else if (g[g.length - 1] !== i) g.push(i)
  }
  const byCode = new Map<string, Array<number>>()
  const byZh = new Map<string, Array<number>>()
  const byEn = new Map<string, Array<number>>()
  const byLead = new Map<string, Array<number>>()
  // Homophone blocks: same length and the same first or last two characters (one pair survives a typo elsewhere).
  const byZhShape = new Map<string, Array<number>>()
  targets.forEach((t, i) => {
    if (t.code !== undefined) {
      push(byCode, t.code, i)
      push(byCode, t.code.slice(0, 17), i)
    }
    for (const z of [t.zh, ...t.zhAliases]) {
      push(byZh, z, i)
      if (z.length >= 3) {
        push(byZhShape, `${z.length}<${z.slice(0, 2)}`, i)
        push(byZhShape, `${z.length}>${z.slice(-2)}`, i)
      }
    }
    push(byZh, "~" + t.zhStripped, i)
    for (const e of [t.en, ...t.enAliases]) {
      push(byEn, e, i)
      push(byLead, leadToken(e), i)
    }
  })

  const keys = input.mentions.map(keysOf)
  const links: Array<Link> = []
  const review: Array<Link> = []
  // Per mention: target index linked (-1: none), and whether a split decision took it out.
  const linkedTo = new Int32Array(keys.length).fill(-1)
  const split = new Uint8Array(keys.length)
  const mergeWith: Array<[number, string]> = []

  keys.forEach((k, mi) => {
    const m = k.m
    if (k.code !== undefined && !k.codeValid)
      findings.push(Finding.make("warn", "invalid-credit-code", `Credit code "${k.code}" of "${m.nameZh?.display ?? m.nameEn?.display ?? m.id}" fails the GB 32100 check; the mention is linked by name instead.`, { source: m.provenance.source, row: m.provenance.row, field: "credit_code", value: k.code }))
    const cand = new Set<number>()
    const add = (g: ReadonlyArray<number> | undefined) => g?.forEach((i) => cand.add(i))
    if (k.code !== undefined) add(byCode.get(k.codeValid ? k.code : k.code.slice(0, 17)))
    for (const z of k.zh) add(byZh.get(z))
    if (k.zhStripped !== "") add(byZh.get("~" + k.zhStripped))
    if (k.en !== "") {
      add(byEn.get(k.en))
      if (k.enLead !== "") add(byLead.get(k.enLead))
      else add(byLead.get(leadToken(k.en)))
    }
    // Score every candidate; decisions first.
    type Scored = { i: number; ev: Array<Evidence>; score: number; decided: boolean; lk: string }
    let scored: Array<Scored> = []
    const exact = [...cand]
    // Homophone blocks only when the exact keys found nothing that links: they are wide.
    if (k.zh.some((z) => z.length >= 3) && !exact.some((i) => sum(evidenceOf(k, targets[i]!, w, ranks)) >= th.autoLink))
      for (const z of k.zh)
        if (z.length >= 3) {
          add(byZhShape.get(`${z.length}<${z.slice(0, 2)}`))
          add(byZhShape.get(`${z.length}>${z.slice(-2)}`))
        }
    for (const i of [...cand].sort((a, b) => a - b)) {
      const t = targets[i]!
      const ev = evidenceOf(k, t, w, ranks)
      if (!ev.some((e) => NAME_FEATURES.has(e.feature) || e.feature === "credit-code" || e.feature === "credit-code-body")) continue
      const lk = Decision.linkKeyOf(k.contentKey, k.code, t.id)
      const d = decisions.byKey.get(lk)
      const score = sum(ev)
      if (d !== undefined) {
        decisions.used.add(lk)
        if (d.decision === "reject" || d.decision === "split") {
          links.push({ linkKey: lk, mentionId: m.id, entityId: t.id, score, status: "rejected", evidence: ev })
          if (d.decision === "split") split[mi] = 1
          continue
        }
        if (d.decision === "merge") {
          mergeWith.push([mi, t.id])
          continue
        }
      }
      scored.push({ i, ev, score, decided: d?.decision === "accept", lk })
    }
    // A Chinese legal name outranks an English label: with a Chinese (or code) match in hand,
    // candidates found only through the English name are dropped.
    if (k.zh.length > 0 && scored.some((s) => s.score >= th.review && s.ev.some((e) => ZH_FEATURES.has(e.feature))))
      scored = scored.filter((s) => s.ev.some((e) => ZH_FEATURES.has(e.feature)))
    scored.sort((a, b) => Number(b.decided) - Number(a.decided) || b.score - a.score || a.i - b.i)
    const top = scored[0]
    if (top === undefined) return
    if (top.decided) {
      if (scored.filter((s) => s.decided).length > 1)
        findings.push(Finding.make("warn", "conflicting-decisions", `"${m.nameZh?.display ?? m.nameEn?.display}" is accepted into ${scored.filter((s) => s.decided).map((s) => targets[s.i]!.id).join(" and ")}; the best-scoring one (${targets[top.i]!.id}) is used.`, { source: m.provenance.source, row: m.provenance.row }))
      linkedTo[mi] = top.i
      links.push({ linkKey: top.lk, mentionId: m.id, entityId: targets[top.i]!.id, score: top.score, status: "decided", evidence: top.ev })
      return
    }
    const second = scored[1]
    if (second !== undefined && top.score >= th.review && second.score >= top.score - EPS) {
      const tied = scored.filter((s) => s.score >= top.score - EPS)
      for (const s of tied) review.push({ linkKey: s.lk, mentionId: m.id, entityId: targets[s.i]!.id, score: s.score, status: "review", evidence: s.ev })
      findings.push(Finding.make("warn", "ambiguous-match", `"${m.nameZh?.display ?? m.nameEn?.display}" matches ${tied.map((s) => targets[s.i]!.id).join(" and ")} equally (score ${top.score}); sent to review.`, { source: m.provenance.source, row: m.provenance.row }))
      return
    }
    if (top.score >= th.autoLink) {
      linkedTo[mi] = top.i
      links.push({ linkKey: top.lk, mentionId: m.id, entityId: targets[top.i]!.id, score: top.score, status: "auto", evidence: top.ev })
      const byCodeOnly = top.ev.some((e) => e.feature === "credit-code") && !top.ev.some((e) => NAME_FEATURES.has(e.feature))
      if (byCodeOnly && (k.zh.length > 0 || k.en !== ""))
        findings.push(Finding.make("warn", "credit-code-name-conflict", `Credit code ${k.code} belongs to ${targets[top.i]!.id} ("${targets[top.i]!.row.nameZh?.display ?? targets[top.i]!.row.nameEn?.display ?? ""}"), whose name does not match "${m.nameZh?.display ?? m.nameEn?.display}"; linked by the code.`, { source: m.provenance.source, row: m.provenance.row, field: "credit_code", value: k.code ?? "" }))
      return
    }
    if (top.score >= th.review) {
      review.push({ linkKey: top.lk, mentionId: m.id, entityId: targets[top.i]!.id, score: top.score, status: "review", evidence: top.ev })
    }
  })
  const mentionById = new Map(input.mentions.map((m) => [m.id, m]))
  for (const r of review) {
    const m = mentionById.get(r.mentionId)
    findings.push(Finding.make("info", "review-band", `"${m?.nameZh?.display ?? m?.nameEn?.display ?? r.mentionId}" may be ${r.entityId} (score ${r.score}); a reviewer should accept or reject link ${r.linkKey}.`, { source: m?.provenance.source, row: m?.provenance.row, value: r.linkKey }))
  }

  // ---- new entities from mentions that linked to nothing: union by shared keys -----------------
  const uf = new UnionFind(keys.length)
  const owner = new Map<string, number>()
  const join = (key: string, mi: number) => {
    const o = owner.get(key)
    if (o === undefined) owner.set(key, mi)
    else uf.union(o, mi)
  }
  keys.forEach((k, mi) => {
    if (linkedTo[mi] !== -1) return
    // A split mention stands alone (with identical split mentions only).
    const p = split[mi] === 1 ? "split|" : ""
    if (k.code !== undefined && k.codeValid) join(`${p}code:${k.code}`, mi)
    for (const z of k.zh) join(`${p}zh:${z}`, mi)
    if (k.en !== "") join(`${p}en:${k.en}`, mi)
    if (k.zh.length === 0 && k.en === "") join(`${p}id:${k.m.id}`, mi)
  })
  const clusters = new Map<number, Array<number>>()
  keys.forEach((_, mi) => {
    if (linkedTo[mi] !== -1) return
    const r = uf.find(mi)
    const g = clusters.get(r)
    if (g === undefined) clusters.set(r, [mi])
    else g.push(mi)
  })

  interface Draft {
    id: string
    origin: Entity["origin"]
    members: Array<number>
    target?: Target
  }
  const drafts = new Map<string, Draft>()
  for (const t of targets) drafts.set(t.id, { id: t.id, origin: t.origin, members: [], target: t })
  for (const members of clusters.values()) {
    const ks = members.map((mi) => keys[mi]!)
    const codes = ks.flatMap((k) => (k.code !== undefined && k.codeValid ? [k.code] : [])).sort()
    const zhs = ks.flatMap((k) => k.zh.map((z) => `zh:${z}`)).sort()
    const ens = ks.flatMap((k) => (k.en !== "" ? [`en:${k.en}`] : [])).sort()
    const canonical = zhs[0] ?? ens[0] ?? `id:${[...ks.map((k) => k.m.id)].sort()[0]}`
    const prefix = split[members[0]!] === 1 ? "split|" : ""
    let id = codes[0] !== undefined && prefix === "" ? codes[0] : "e-" + contentHash(prefix + canonical).slice(2)
    if (drafts.has(id)) id = "e-" + contentHash(`${prefix}${canonical}\u0001${id}`).slice(2)
    drafts.set(id, { id, origin: "mentions", members })
    for (const mi of members) {
      const k = keys[mi]!
      const shared = [...k.zh.map((z) => `zh:${z}`), ...(k.en !== "" ? [`en:${k.en}`] : [])]
      const ev: Array<Evidence> =
        members.length === 1
          ? [{ feature: "new-entity", weight: 0, detail: `no reference or registry entity scored ${th.autoLink} or more` }]
          : [{ feature: "shared-key", weight: 0, detail: `shares ${shared.filter((s) => (s.startsWith("zh:") ? zhs : ens).filter((x) => x === s).length > 1).join(", ") || "a code"} with other mentions` }]
      links.push({ linkKey: Decision.linkKeyOf(k.contentKey, k.code, id), mentionId: k.m.id, entityId: id, score: 0, status: "auto", evidence: ev })
    }
  }

  // ---- merges -------------------------------------------------------------------------------------
  const entityOfMention = new Map<string, string>()
  for (const l of links) if (l.status !== "rejected") entityOfMention.set(l.mentionId, l.entityId)
  const ids = [...drafts.keys()].sort()
  const idIndex = new Map(ids.map((id, i) => [id, i]))
  const muf = new UnionFind(ids.length)
  const mergePairs: Array<readonly [string, string]> = [...decisions.merges]
  for (const [mi, tid] of mergeWith) {
    const own = entityOfMention.get(keys[mi]!.m.id)
    if (own !== undefined) mergePairs.push([own, tid])
  }
  for (const [a, b] of mergePairs) {
    const x = idIndex.get(a)
    const y = idIndex.get(b)
    if (x === undefined || y === undefined) {
      findings.push(Finding.make("warn", "merge-unknown-entity", `A merge decision names ${x === undefined ? a : b}, which is not an entity in this run; it is not applied.`, { source: "review-decisions", value: `${a} + ${b}` }))
      continue
    }
    // Reference first, then registry, then mentions: the surviving id is the most stable one.
    const rank = (id: string) => ({ reference: 0, registry: 1, mentions: 2 })[drafts.get(id)!.origin] * ids.length + idIndex.get(id)!
    const keep = rank(a) <= rank(b) ? x : y
    const drop = keep === x ? y : x
    muf.union(keep, drop)
  }
  const survivor = new Map<string, string>()
  const groupsOf = new Map<number, Array<string>>()
  ids.forEach((id, i) => {
    const r = muf.find(i)
    const g = groupsOf.get(r)
    if (g === undefined) groupsOf.set(r, [id])
    else g.push(id)
  })
  for (const g of groupsOf.values()) {
    const rank = (id: string) => ({ reference: 0, registry: 1, mentions: 2 })[drafts.get(id)!.origin]
    const keep = [...g].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1))[0]!
    for (const id of g) survivor.set(id, keep)
    if (g.length > 1) findings.push(Finding.make("info", "entities-merged", `Entities ${g.filter((x) => x !== keep).join(", ")} merged into ${keep} by a review decision.`, { source: "review-decisions", value: keep }))
  }
  const finalLinks = links.map((l) => (survivor.get(l.entityId) ?? l.entityId) === l.entityId ? l : { ...l, entityId: survivor.get(l.entityId)! })

  // ---- groups and parents ----------------------------------------------------------------------------
  const topOf = (t: Target): string | undefined => {
    let cur: Target = t
    const path = new Set<string>([t.id])
    for (;;) {
      const p = cur.row.parent?.trim() ?? ""
      if (p === "") break
      const pi = byId.get(p)
      if (pi === undefined) {
        findings.push(Finding.make("warn", "unknown-parent", `Reference entity ${cur.id} names parent ${p}, which is not in the reference.`, { source: cur.row.provenance.source, row: cur.row.provenance.row, field: "parent", value: p }))
        break
      }
      if (path.has(p)) {
        findings.push(Finding.make("error", "parent-cycle", `Reference parents form a cycle through ${p}.`, { source: cur.row.provenance.source, row: cur.row.provenance.row, field: "parent", value: p }))
        break
      }
      path.add(p)
      cur = targets[pi]!
    }
    if (cur === t && (t.row.group ?? "") === "") return undefined
    const declared = t.row.group?.trim() ?? ""
    if (cur === t) return declared
    if (declared !== "" && declared !== cur.id)
      findings.push(Finding.make("warn", "group-parent-mismatch", `Reference entity ${t.id} declares group ${declared} but its parents lead to ${cur.id}; ${cur.id} is used.`, { source: t.row.provenance.source, row: t.row.provenance.row, field: "group", value: declared }))
    return cur.id
  }

  const linkCount = new Map<string, Array<number>>()
  const mentionIndex = new Map(keys.map((k, i) => [k.m.id, i]))
  for (const l of finalLinks) {
    if (l.status === "rejected") continue
    const g = linkCount.get(l.entityId)
    const mi = mentionIndex.get(l.mentionId)!
    if (g === undefined) linkCount.set(l.entityId, [mi])
    else g.push(mi)
  }
  const entities: Array<Entity> = []
  for (const g of groupsOf.values()) {
    const keep = survivor.get(g[0]!)!
    const d = drafts.get(keep)!
    const members = linkCount.get(keep) ?? []
    const ms = members.map((mi) => keys[mi]!.m)
    const t = d.target
    const ownership = t?.row.ownership ?? (modeOf(ms.flatMap((m) => (m.ownership !== undefined ? [m.ownership] : []))) as OwnershipClass | undefined)
    const merged = g.filter((x) => x !== keep).sort()
    entities.push({
      id: keep,
      nameZh: t?.row.nameZh?.display ?? t?.row.aliasesZh[0] ?? modeOf(ms.flatMap((m) => (m.nameZh !== undefined ? [m.nameZh.display] : m.nameEn?.zh !== undefined ? [m.nameEn.zh] : []))),
      nameEn: t?.row.nameEn?.display ?? modeOf(ms.flatMap((m) => (m.nameEn !== undefined ? [m.nameEn.display] : []))),
      group: t !== undefined ? topOf(t) : undefined,
      parent: t?.row.parent?.trim() || undefined,
      ownership,
      creditCode: t?.code ?? modeOf(ms.flatMap((m) => (m.creditCode !== undefined && m.creditCodeValid !== false ? [m.creditCode] : []))),
      mentions: members.length,
      roles: [...new Set(ms.map((m) => m.role))].sort(),
      origin: d.origin,
      ...(merged.length > 0 ? { mergedFrom: merged } : {}),
    })
  }
  entities.sort((a, b) => (a.id < b.id ? -1 : 1))
  findings.push(...Decision.unusedFindings(decisions))
  const order = (a: Link, b: Link) => (a.mentionId < b.mentionId ? -1 : a.mentionId > b.mentionId ? 1 : a.entityId < b.entityId ? -1 : a.entityId > b.entityId ? 1 : 0)
  return { entities, links: finalLinks.sort(order), review: review.sort(order), findings: findings.sort(Finding.order) }
}
