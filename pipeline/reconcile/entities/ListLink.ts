/**
 * The large-scale path: an MIIT list (≈1M firms) linked to a company registry (≈2M rows).
 * Same features and weights as `Resolve`, organised for speed and memory: keys in open-
 * addressing tables on typed arrays with chained row numbers (`KeyIndex`), scores as plain
 * numbers (evidence is rebuilt only for review rows), and homophone candidates found by one
 * pass over the registry against a phonetic hash of the rows the exact keys did not settle
 * (blocked by province × sector × key length).
 */
import type { CodedText, Firms, Listed, ListRow } from "../../domain/Clean.js"
import * as Finding from "../../domain/Finding.js"
import { checkCreditCode, creditCodeCheckChar } from "../../normalize/creditCode.js"
import * as Decision from "./Decision.js"
import { firmAt, type FirmView, textAt } from "./Firms.js"
import { rowAt } from "./Listed.js"
import { fullZhKey, homophoneDistance, KeyIndex, phoneticHashes, pinyinRanks, stringHash } from "./keys.js"
import * as Score from "./Score.js"

/** Options of `linkList`; all optional. */
export interface ListLinkOptions {
  readonly weights?: Score.Weights
  readonly thresholds?: Score.Thresholds
  readonly decisions?: ReadonlyArray<Decision.Decision>
  /** Looks up every row's name, even where its code decides (tests: the shortcut must not change the result). */
  readonly exhaustive?: boolean
}

/** How a list row ended: linked automatically, by a reviewer's decision, sent to review, or not linked. */
export type ListLinkStatus = "auto" | "decided" | "review" | "none"

/** Each status's code in `ListLinks.status`. */
export const LIST_LINK_STATUSES: ReadonlyArray<ListLinkStatus> = ["none", "auto", "decided", "review"]
const STATUS_CODE = Object.fromEntries(LIST_LINK_STATUSES.map((s, i) => [s, i])) as Readonly<Record<ListLinkStatus, number>>

/**
 * Every list row's outcome, column by column: one link per list row, in list order (index i is
 * list row i). A million links as objects cost seconds to store and collect.
 */
export interface ListLinks {
  readonly length: number
  /** The list row's number, source and row (its provenance): the list's own columns. */
  readonly seq: ReadonlyArray<string>
  readonly source: CodedText
  readonly row: Int32Array
  /** The linked registry code; "" unless auto or decided. */
  readonly creditCode: ReadonlyArray<string>
  readonly score: Float64Array
  /** Codes of `LIST_LINK_STATUSES`. */
  readonly status: Uint8Array
}

/** One list row's outcome; `creditCode` is the linked registry code (undefined unless auto/decided). */
export interface ListLink {
  readonly seq: string
  /** The list row's source and row (its provenance): links are one per list row, in list order. */
  readonly source: string
  readonly row: number
  readonly creditCode: string | undefined
  readonly score: number
  readonly status: ListLinkStatus
}

/** A row a reviewer should look at: its best candidate, why, and the key to record a decision under. */
export interface ListReview {
  readonly seq: string
  readonly row: number
  readonly candidate: string
  readonly score: number
  readonly linkKey: string
  readonly reason: "review-band" | "ambiguous"
  readonly evidence: ReadonlyArray<Score.Evidence>
}

/** Counts for reports and benches. */
export interface ListLinkStats {
  readonly rows: number
  readonly linked: number
  readonly byCode: number
  readonly byName: number
  readonly byHomophone: number
  readonly decided: number
  readonly review: number
  readonly ambiguous: number
  readonly unlinked: number
  readonly invalidCodes: number
  readonly codesNotInRegistry: number
}

/** Link `i` as an object (see linksOf). */
const linkAt = (links: ListLinks, i: number): ListLink => {
  const code = links.creditCode[i]!
  return {
    seq: links.seq[i]!,
    source: textAt(links.source, i),
    row: links.row[i]!,
    creditCode: code === "" ? undefined : code,
    score: links.score[i]!,
    status: LIST_LINK_STATUSES[links.status[i]!]!,
  }
}

/** Every link as an object (tests). */
export const linksOf = (links: ListLinks): Array<ListLink> => Array.from({ length: links.length }, (_, i) => linkAt(links, i))

/** Everything `linkList` returns. */
export interface ListLinkResult {
  readonly links: ListLinks
  readonly review: ReadonlyArray<ListReview>
  readonly findings: ReadonlyArray<Finding.Finding>
  readonly stats: ListLinkStats
}

// How a best candidate was found (kept per row in a Uint8Array).
const VIA_CODE = 1
const VIA_CODE_BODY = 2
const VIA_KEY = 3
const VIA_STRIPPED = 4
const VIA_HOMOPHONE = 5

const EPS = 1e-9

/**
 * Links every list row to at most one registry firm. Firms need a credit code (that is what a
 * link points at); firms without one are ignored. Pure: no I/O, deterministic for the same
 * inputs whatever their order (ties go to review, never to the first row seen).
 */
export const linkList = (list: Listed, registry: Firms, options: ListLinkOptions = {}): ListLinkResult => {
  const w = options.weights ?? Score.defaultWeights
  const th = options.thresholds ?? Score.defaultThresholds
  const decisions = Decision.table(options.decisions ?? [])
  const useDecisions = decisions.byKey.size > 0
  const R = registry.length
  const N = list.length

  // ---- registry indexes -------------------------------------------------------------------
  const regCode = registry.creditCode
  const regKey: Array<string> = new Array<string>(R).fill("")
  const regStripped: Array<string> = new Array<string>(R).fill("")
  // Places and sectors are coded columns: each distinct value is made bare once.
  const provinces = registry.province.values.map(Score.bareplace)
  const cities = registry.city.values.map(Score.bareplace)
  const provCodes = registry.province.codes
  const cityCodes = registry.city.codes
  const sectorCodes = registry.sector.codes
  const sectors = registry.sector.values
  const regCity: Array<string> = Array.from(cityCodes, (c) => cities[c]!)
  const charCount = new Uint32Array(0x10000)
  let charTotal = 0
  for (let i = 0; i < R; i++) {
    // A firm without a code cannot be a link target; without a name, no key finds it.
    if (regCode[i] === "" || registry.nameKey[i] === "") continue
    const k = registry.fullKey[i]!
    regKey[i] = k
    // Firms whose normaliser key lost a place-like trade word (see fullZhKey) are found by that key too.
    if (k !== registry.nameKey[i]) regStripped[i] = registry.nameKey[i]!
    for (let j = 0; j < k.length; j++) charCount[k.charCodeAt(j)]++
    charTotal += k.length
  }
  const codeIndex = new KeyIndex(regCode)
  const keyIndex = new KeyIndex(regKey)
  const strippedIndex = new KeyIndex(regStripped)
  // (key, city): one short chain per firm, so a list row naming its city skips the firms of
  // the same name elsewhere (at 2M rows a two-character trade name exists in most cities).
  const cityIndex = new KeyIndex(regKey, regCity)
  // Every hash first, then each table filled in a loop of its own: the inserts are random reads
  // and writes in tables of tens of MB, which the CPU overlaps only in a loop that does little
  // else. With one loop hashing and filling all four, the code index alone took ~1.1 s of the
  // 1M-row refresh; bench/entities' link time went from 5.4–6.9 to 4.6 s with these loops.
  const regCodeHash = new Uint32Array(R)
  const regKeyHash = new Uint32Array(R)
  const regCityHash = new Uint32Array(R)
  for (let i = 0; i < R; i++) {
    if (regCode[i] === "") continue
    regCodeHash[i] = stringHash(regCode[i]!)
    if (regKey[i] === "") continue
    regKeyHash[i] = stringHash(regKey[i]!)
    if (regCity[i] !== "") regCityHash[i] = KeyIndex.withSecond(regKeyHash[i]!, regCity[i]!)
  }
  // Backwards, so that each chain starts at the first row: a duplicated code links to its first row.
  for (let i = R - 1; i >= 0; i--) if (regCode[i] !== "") codeIndex.add(i, regCodeHash[i]!)
  for (let i = R - 1; i >= 0; i--) if (regKey[i] !== "") keyIndex.add(i, regKeyHash[i]!)
  for (let i = R - 1; i >= 0; i--) if (regKey[i] !== "" && regCity[i] !== "") cityIndex.add(i, regCityHash[i]!)
  for (let i = R - 1; i >= 0; i--) if (regStripped[i] !== "") strippedIndex.add(i, stringHash(regStripped[i]!))
  const keyNext = keyIndex.next
  const strippedNext = strippedIndex.next
  const cityNext = cityIndex.next
  // A character the registry uses this rarely is more likely a slip than a trade name.
  const rareBelow = Math.max(1, charTotal * 2e-5)

  // ---- per-row state (typed arrays: no object per row until the output) ---------------------
  const best = new Int32Array(N).fill(-1)
  const bestScore = new Float64Array(N).fill(-Infinity)
  const secondScore = new Float64Array(N).fill(-Infinity)
  const via = new Uint8Array(N)
  const decided = new Uint8Array(N)
  // The list's columns; province and sector are coded, so each distinct value is made bare once.
  const mKey = list.fullKey
  const mLoc = list.location
  const listProvinces = list.province.values.map(Score.bareplace)
  const mProv: Array<string> = Array.from(list.province.codes, (c) => listProvinces[c]!)
  const mSector = (i: number): string => textAt(list.sector, i)
  const sourceAt = (i: number): string => textAt(list.source, i)
  const findings: Array<Finding.Finding> = [...decisions.findings]
  let invalidCodes = 0
  let codesNotInRegistry = 0

  /** Location, province and sector points for a (list row, registry row) pair. */
  const placePoints = (loc: string, prov: string, sector: string, ri: number): number => {
    let s = 0
    const rc = regCity[ri]!
    const rp = provinces[provCodes[ri]!]!
    if (loc !== "") {
      if (rc !== "") s += loc === rc ? w.location : loc === rp ? w.province : w["location-conflict"]
      else if (loc === rp) s += w.province
    }
    if (prov !== "" && rp !== "") s += prov === rp ? w.province : w["province-conflict"]
    const rs = sectors[sectorCodes[ri]!]!
    if (sector !== "" && rs !== "") s += sector === rs ? w.sector : w["sector-conflict"]
    return s
  }

  /** Offers candidate `ri` at `score` to row `i`, keeping the best and the runner-up. */
  const offer = (i: number, ri: number, score: number, how: number, code: string | undefined) => {
    if (useDecisions) {
      const key = Decision.linkKeyOf(mKey[i]!, code, regCode[ri]!)
      const d = decisions.byKey.get(key)
      if (d !== undefined) {
        decisions.used.add(key)
        if (d.decision === "reject" || d.decision === "split") return
        if (d.decision === "accept" || d.decision === "merge") {
          decided[i] = 1
          best[i] = ri
          bestScore[i] = Math.max(score, th.autoLink)
          secondScore[i] = -Infinity
          via[i] = how
          return
        }
      }
    }
    if (decided[i] === 1) return
    if (ri === best[i]) {
      if (score > bestScore[i]!) bestScore[i] = score
      return
    }
    if (score > bestScore[i]! + EPS) {
      secondScore[i] = bestScore[i]!
      bestScore[i] = score
      best[i] = ri
      via[i] = how
    } else if (score > secondScore[i]!) secondScore[i] = score
  }

  // ---- pass 1: codes and exact keys -------------------------------------------------------
  // A row whose valid code finds exactly one registry firm, of the row's own name key, is decided
  // by that code (most rows of a list): any other firm of that name has another code, and with
  // these weights such a firm (found by the key or the stripped key) scores below the code's firm
  // however the places fall, so looking its name up can change neither the link nor a tie. Not
  // with reviewers' decisions, which may favour any pair.
  const codeNext = codeIndex.next
  const maxPlace = Math.max(0, w.location, w.province) + Math.max(0, w.province) + Math.max(0, w.sector)
  const minPlace = Math.min(0, w.location, w.province, w["location-conflict"]) + Math.min(0, w.province, w["province-conflict"]) + Math.min(0, w.sector, w["sector-conflict"])
  const codeDecides =
    options.exhaustive !== true &&
    !useDecisions &&
    w["credit-code"] > 0 &&
    w["credit-code"] + w["zh-key"] + minPlace > Math.max(w["zh-key"], w["zh-key-stripped"]) + w["credit-code-mismatch"] + maxPlace + EPS
  const hasValidCode = new Uint8Array(N)
  const codes: Array<string | undefined> = new Array(N)
  // Each row's registry firm by its valid code, and whether its name must be looked up, then the
  // firms of its name in its city: each lookup in a loop of its own, like the indexes above.
  const codeHit = new Int32Array(N).fill(-1)
  const codeHash = new Uint32Array(N)
  for (let i = 0; i < N; i++) {
    const code = list.creditCode[i]!
    codes[i] = code === "" ? undefined : code
    if (code !== "" && list.creditCodeValid[i] === 1) {
      hasValidCode[i] = 1
      codeHash[i] = stringHash(code)
    }
  }
  for (let i = 0; i < N; i++) if (hasValidCode[i] === 1) codeHit[i] = codeIndex.find(list.creditCode[i]!, undefined, codeHash[i]!)
  // Whether the code's firm has the row's own name key (read three times below).
  const codeSameKey = new Uint8Array(N)
  for (let i = 0; i < N; i++) if (codeHit[i]! >= 0 && regKey[codeHit[i]!] === mKey[i]) codeSameKey[i] = 1
  const lookName = new Uint8Array(N)
  const nameHash = new Uint32Array(N)
  const cityHash = new Uint32Array(N)
  for (let i = 0; i < N; i++) {
    const k = mKey[i]!
    if (k === "") continue
    const hit = codeHit[i]!
    if (codeDecides && codeSameKey[i] === 1 && codeNext[hit]! < 0) continue
    lookName[i] = 1
    nameHash[i] = stringHash(k)
    if (mLoc[i] !== "") cityHash[i] = KeyIndex.withSecond(nameHash[i]!, mLoc[i]!)
  }
  const cityHit = new Int32Array(N).fill(-1)
  for (let i = 0; i < N; i++) if (lookName[i] === 1 && mLoc[i] !== "") cityHit[i] = cityIndex.find(mKey[i]!, mLoc[i], cityHash[i]!)
  for (let i = 0; i < N; i++) {
    const k = mKey[i]!
    const loc = mLoc[i]!
    const prov = mProv[i]!
    const sector = mSector(i)
    const code = codes[i]
    if (code !== undefined) {
      if (hasValidCode[i] === 1) {
        const ri = codeHit[i]!
        if (ri >= 0) {
          // A code the registry knows is never dropped silently: against a contradicting name
          // or place it still reaches the review table.
          offer(i, ri, Math.max(th.review, w["credit-code"] + (codeSameKey[i] === 1 ? w["zh-key"] : 0) + placePoints(loc, prov, sector, ri)), VIA_CODE, code)
        }
        else codesNotInRegistry++
      } else {
        invalidCodes++
        findings.push(
          Finding.make("warn", "invalid-credit-code", `Credit code "${code}" fails the GB 32100 check; the row is linked by name instead.`, {
            source: sourceAt(i),
            row: list.row[i]!,
            field: "credit_code",
            value: code,
          }),
        )
        const norm = checkCreditCode(code).normalized
        const check = norm.length === 18 ? creditCodeCheckChar(norm.slice(0, 17)) : undefined
        const ri1 = check === undefined ? -1 : codeIndex.first(norm.slice(0, 17) + check)
        const ri = ri1 < 0 ? undefined : ri1
        if (ri !== undefined)
          offer(i, ri, w["credit-code-body"] + (regKey[ri] === k ? w["zh-key"] : 0) + placePoints(loc, prov, sector, ri), VIA_CODE_BODY, code)
      }
    }
    if (lookName[i] === 0) continue
    const valid = hasValidCode[i] === 1
    const zhPoints = w["zh-key"] + (valid ? w["credit-code-mismatch"] : 0)
    let sameCity = false
    for (let ri = cityHit[i]!; ri >= 0; ri = cityNext[ri]!) {
      sameCity = true
      offer(i, ri, (valid && regCode[ri] === code ? w["zh-key"] : zhPoints) + placePoints(loc, prov, sector, ri), VIA_KEY, code)
    }
    // Without a firm of that name in the named city, every firm of that name is a candidate
    // (the name may give a province, or no place at all).
    if (!sameCity || bestScore[i]! < th.autoLink)
      for (let ri = keyIndex.find(k, undefined, nameHash[i]!); ri >= 0; ri = keyNext[ri]!)
        if (!sameCity || regCity[ri] !== loc) offer(i, ri, (valid && regCode[ri] === code ? w["zh-key"] : zhPoints) + placePoints(loc, prov, sector, ri), VIA_KEY, code)
    if (bestScore[i]! < th.autoLink) {
      const stripped = list.nameKey[i]!
      const mismatch = valid ? w["credit-code-mismatch"] : 0
      if (stripped !== k)
        for (let ri = keyIndex.first(stripped); ri >= 0; ri = keyNext[ri]!)
          offer(i, ri, w["zh-key-stripped"] + mismatch + placePoints(loc, prov, sector, ri), VIA_STRIPPED, code)
      for (let ri = strippedIndex.first(stripped); ri >= 0; ri = strippedNext[ri]!)
        if (regKey[ri] !== k) offer(i, ri, w["zh-key-stripped"] + mismatch + placePoints(loc, prov, sector, ri), VIA_STRIPPED, code)
    }
  }

  // ---- pass 2: homophone typos ----------------------------------------------------------
  // Rows the exact keys did not settle are indexed by a phonetic hash of their key (in two
  // bucket grids), within their block (province × sector × key length); the registry is then
  // read once, and each firm meets only the pending rows whose key sounds like its own.
  // Rows with a valid code are left out: any other registry row would contradict that code.
  const ranks = pinyinRanks()
  const provIds = new Map<string, number>()
  const sectorIds = new Map<string, number>()
  const idOf = (m: Map<string, number>, s: string): number => {
    let id = m.get(s)
    if (id === undefined) {
      id = m.size
      m.set(s, id)
    }
    return id
  }
  const blockOf = (prov: number, sector: number, len: number): number => ((prov * 4096 + sector) * 64 + Math.min(len, 63)) | 0
  // Both grids' hashes of one key (see phoneticHashes).
  const hashes = new Uint32Array(2)
  const pending = new Map<number, Array<number>>()
  const enqueue = (h: number, i: number) => {
    const g = pending.get(h)
    if (g === undefined) pending.set(h, [i])
    else if (g[g.length - 1] !== i) g.push(i)
  }
  for (let i = 0; i < N; i++) {
    if (hasValidCode[i] === 1 || decided[i] === 1 || bestScore[i]! >= th.autoLink || mKey[i]!.length < 3) continue
    const b = blockOf(idOf(provIds, mProv[i]!), idOf(sectorIds, mSector(i)), mKey[i]!.length)
    phoneticHashes(mKey[i]!, b, ranks, hashes)
    enqueue(hashes[0]!, i)
    enqueue(hashes[1]!, i)
  }
  const tryPair = (g: ReadonlyArray<number> | undefined, ri: number, rk: string) => {
    if (g === undefined) return
    for (let gi = 0; gi < g.length; gi++) {
      const i = g[gi]!
      const mk = mKey[i]!
      const d = homophoneDistance(mk, rk, Score.MAX_HOMOPHONES, ranks)
      if (d <= 0) continue
      let rare = true
      for (let j = 0; j < mk.length && rare; j++) if (mk.charCodeAt(j) !== rk.charCodeAt(j) && charCount[mk.charCodeAt(j)]! >= rareBelow) rare = false
      offer(i, ri, Score.homophonePoints(w, d) + (rare ? w["rare-character"] : 0) + placePoints(mLoc[i]!, mProv[i]!, mSector(i), ri), VIA_HOMOPHONE, codes[i])
    }
  }
  if (pending.size > 0) {
    // Block ids by the registry's province and sector codes (-1: no pending row has it).
    const provIdOf = Int32Array.from(provinces, (p) => provIds.get(p) ?? -1)
    const sectorIdOf = Int32Array.from(sectors, (s) => sectorIds.get(s) ?? -1)
    for (let ri = 0; ri < R; ri++) {
      const rk = regKey[ri]!
      if (rk.length < 3) continue
      const p = provIdOf[provCodes[ri]!]!
      const s = sectorIdOf[sectorCodes[ri]!]!
      if (p < 0 || s < 0) continue
      phoneticHashes(rk, blockOf(p, s, rk.length), ranks, hashes)
      const g0 = pending.get(hashes[0]!)
      const g1 = pending.get(hashes[1]!)
      tryPair(g0, ri, rk)
      if (g1 !== g0) tryPair(g1, ri, rk)
    }
  }

  // ---- outcome ----------------------------------------------------------------------------
  const linkCode = new Array<string>(N)
  const linkScore = new Float64Array(N)
  const linkStatus = new Uint8Array(N)
  const review: Array<ListReview> = []
  // A review row's finding, after every other finding of the outcome.
  const reviewFindings: Array<Finding.Finding> = []
  let byCode = 0
  let byName = 0
  let byHomophone = 0
  let nDecided = 0
  let ambiguous = 0
  let unlinked = 0
  for (let i = 0; i < N; i++) {
    const ri = best[i]!
    const seq = list.seq[i]!
    const source = sourceAt(i)
    const row = list.row[i]!
    const score = ri < 0 ? 0 : Math.round(bestScore[i]! * 1000) / 1000
    let status: ListLinkStatus = "none"
    if (ri >= 0 && decided[i] === 1) status = "decided"
    else if (ri >= 0 && bestScore[i]! >= th.review) {
      const tie = secondScore[i]! >= bestScore[i]! - EPS
      if (tie) {
        status = "review"
        ambiguous++
      } else status = bestScore[i]! >= th.autoLink ? "auto" : "review"
      if (status === "review") {
        const code = regCode[ri]!
        const r: ListReview = {
          seq,
          row,
          candidate: code,
          score,
          linkKey: Decision.linkKeyOf(mKey[i]!, codes[i], code),
          reason: tie ? "ambiguous" : "review-band",
          evidence: explainListPair(rowAt(list, i), firmAt(registry, ri), w, (c) => charCount[c]! < rareBelow),
        }
        review.push(r)
        reviewFindings.push(
          Finding.make("info", "review-band", `Row ${r.seq}: best registry candidate ${r.candidate} scored ${r.score} (${r.reason}); a reviewer should accept or reject link ${r.linkKey}.`, {
            source,
            row,
            value: r.linkKey,
          }),
        )
        if (tie)
          findings.push(
            Finding.make("warn", "ambiguous-match", `"${list.nameZh[i]!}" matches two registry firms equally well (score ${score}); sent to review.`, {
              source,
              row,
              field: "company_name_zh",
              value: list.nameZh[i]!,
            }),
          )
      }
    }
    const linked = status === "auto" || status === "decided"
    if (status === "decided") nDecided++
    if (status === "auto") {
      const v = via[i]
      if (v === VIA_CODE || v === VIA_CODE_BODY) byCode++
      else if (v === VIA_HOMOPHONE) byHomophone++
      else byName++
    }
    const ci = codeHit[i]!
    if (ci >= 0 && codeSameKey[i] === 0 && regKey[ci] !== "" && homophoneDistance(mKey[i]!, regKey[ci]!, Score.MAX_HOMOPHONES, ranks) < 0)
      findings.push(
        Finding.make(
          "warn",
          "credit-code-name-conflict",
          `Credit code ${regCode[ci]} belongs to "${registry.nameZh[ci]!}" in the registry, but the list names "${list.nameZh[i]!}"; ` +
            (status === "auto" && ri === ci ? "linked by the code." : status === "review" ? "sent to review." : "not linked."),
          { source, row, field: "credit_code", value: codes[i] ?? "" },
        ),
      )
    if (status === "none") unlinked++
    linkCode[i] = linked ? regCode[ri]! : ""
    linkScore[i] = score
    linkStatus[i] = STATUS_CODE[status]
  }
  for (const f of reviewFindings) findings.push(f)
  if (useDecisions) findings.push(...Decision.unusedFindings(decisions))
  return {
    links: { length: N, seq: list.seq, source: list.source, row: list.row, creditCode: linkCode, score: linkScore, status: linkStatus },
    review,
    findings,
    stats: {
      rows: N,
      linked: byCode + byName + byHomophone + nDecided,
      byCode,
      byName,
      byHomophone,
      decided: nDecided,
      review: review.length,
      ambiguous,
      unlinked,
      invalidCodes,
      codesNotInRegistry,
    },
  }
}

/**
 * The evidence behind a (list row, registry firm) pair, feature by feature: what the review
 * table and the links asset show. Allocates; not for hot loops.
 */
export const explainListPair = (
  m: ListRow,
  r: FirmView,
  w: Score.Weights = Score.defaultWeights,
  isRare?: (charCode: number) => boolean,
): Array<Score.Evidence> => {
  const ev: Array<Score.Evidence> = []
  const code = m.creditCode === "" ? undefined : m.creditCode
  if (code !== undefined && r.creditCode !== "") {
    if (m.creditCodeValid) {
      if (code === r.creditCode) ev.push({ feature: "credit-code", weight: w["credit-code"], detail: code })
      else ev.push({ feature: "credit-code-mismatch", weight: w["credit-code-mismatch"], detail: `${code} ≠ ${r.creditCode}` })
    } else {
      const norm = checkCreditCode(code).normalized
      if (norm.slice(0, 17) === r.creditCode.slice(0, 17))
        ev.push({ feature: "credit-code-body", weight: w["credit-code-body"], detail: `${norm} (check character wrong) ~ ${r.creditCode}` })
    }
  }
  const mk = fullZhKey(m.name)
  const rk = r.fullKey
  if (mk !== "" && mk === rk) ev.push({ feature: "zh-key", weight: w["zh-key"], detail: mk })
  else if (mk !== "" && m.name.key === r.nameKey) ev.push({ feature: "zh-key-stripped", weight: w["zh-key-stripped"], detail: m.name.key })
  else if (mk !== "" && rk !== "") {
    const d = homophoneDistance(mk, rk, Score.MAX_HOMOPHONES, pinyinRanks())
    if (d > 0) {
      ev.push({ feature: "zh-homophone", weight: Score.homophonePoints(w, d), detail: `${mk} ~ ${rk} (${d} character${d > 1 ? "s" : ""} read alike)` })
      const differing = [...mk].filter((ch, j) => ch !== rk[j])
      if (isRare !== undefined && differing.every((ch) => isRare(ch.charCodeAt(0))))
        ev.push({ feature: "rare-character", weight: w["rare-character"], detail: `${differing.join("")} is rare in the reference` })
    }
  }
  const loc = m.name.location ?? ""
  const rc = Score.bareplace(r.city)
  const rp = Score.bareplace(r.province)
  if (loc !== "") {
    if (rc !== "")
      ev.push(
        loc === rc
          ? { feature: "location", weight: w.location, detail: loc }
          : loc === rp
            ? { feature: "province", weight: w.province, detail: `${loc} (name)` }
            : { feature: "location-conflict", weight: w["location-conflict"], detail: `${loc} ≠ ${rc}` },
      )
    else if (loc === rp) ev.push({ feature: "province", weight: w.province, detail: `${loc} (name)` })
  }
  const prov = Score.bareplace(m.province)
  if (prov !== "" && rp !== "")
    ev.push(prov === rp ? { feature: "province", weight: w.province, detail: prov } : { feature: "province-conflict", weight: w["province-conflict"], detail: `${prov} ≠ ${rp}` })
  if (m.sector !== "" && r.sector !== "")
    ev.push(m.sector === r.sector ? { feature: "sector", weight: w.sector, detail: m.sector } : { feature: "sector-conflict", weight: w["sector-conflict"], detail: `${m.sector} ≠ ${r.sector}` })
  return ev
}
