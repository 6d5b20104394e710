/**
 * Matching keys shared by both resolvers: the location-preserving Chinese key, the pinyin
 * neighbourhood of characters (for homophone typos), and a small content hash for stable ids.
 * Pure and allocation-light: the list linker calls these in its hot loops.
 */
import type { ZhName } from "../../domain/Clean.js"

/** Administrative suffixes written after a province or city (北京市, 广东省, 广西壮族自治区); longest of a family first, so 自治区 never cuts 壮族自治区 short. */
export const PLACE_SUFFIXES: ReadonlyArray<string> = ["壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区", "自治区", "省", "市"]

/**
 * The comparison key of a Chinese name, keeping trade-name words the normaliser mistook for a
 * second place. Why: `zhCompanyKey` strips location prefixes repeatedly, so 北京金华智能装备 and
 * 北京泰安智能装备 both key to 智能装备 (金华, 泰安 and 嘉兴 are cities and trade names).
 * Here only the one location the normaliser reported is removed; the rest stays in the key.
 */
export const fullZhKey = (name: ZhName): string => {
  const key = name.key
  const loc = name.location
  if (loc === undefined || key === "") return key
  const d = name.display
  // Fast paths (nearly every name): 海智…（青岛）…, 青岛海智…, 青岛市海智….
  if (d.startsWith(key) || (d.startsWith(loc) && (d.startsWith(key, loc.length) || d.startsWith(key, loc.length + 1)))) return key
  let body = d
  // Drop a bracketed location such as （北京） so that the key can be found in the body.
  if (body.indexOf("（") >= 0) body = body.replace(/（[^（）]*）/g, (m) => (m.indexOf(loc) >= 0 ? "" : m))
  const at = body.indexOf(key)
  if (at <= 0) return key
  let prefix = body.slice(0, at)
  if (prefix.startsWith(loc)) {
    prefix = prefix.slice(loc.length)
    for (const s of PLACE_SUFFIXES) {
      if (prefix.startsWith(s)) {
        prefix = prefix.slice(s.length)
        break
      }
    }
  }
  // Only CJK text left over is a trade-name word; punctuation or Latin left-overs are not.
  return prefix !== "" && /^[\u4e00-\u9fff]+$/.test(prefix) ? prefix + key : key
}

// ---- homophones ----------------------------------------------------------------------------

let ranks: Uint16Array | undefined

/**
 * Position of every BMP ideograph in pinyin order (ICU's zh-u-co-pinyin collation, built into
 * Node's Intl), so that characters read alike sit close together: 华/化 are 19 apart, 恒/衡 8,
 * 华/中 14 503. Why collation and not a pinyin table: no pinyin package is installed, and ICU's
 * tailoring already orders ~21 000 ideographs by reading. Built once (~150 ms).
 */
export const pinyinRanks = (): Uint16Array => {
  if (ranks !== undefined) return ranks
  const chars: Array<string> = []
  for (let c = 0x4e00; c <= 0x9fff; c++) chars.push(String.fromCharCode(c))
  chars.sort(new Intl.Collator("zh-u-co-pinyin").compare)
  const out = new Uint16Array(0x10000)
  chars.forEach((ch, i) => (out[ch.charCodeAt(0)] = i + 1))
  ranks = out
  return out
}

/** Largest pinyin-order distance still read as "sounds alike" (same syllable, any tone: ≤ ~60 here). */
export const HOMOPHONE_SPAN = 80

/** True when two ideographs are neighbours in pinyin order, i.e. probably read alike. */
export const soundsAlike = (a: number, b: number, r: Uint16Array = pinyinRanks()): boolean => {
  const x = r[a]!
  const y = r[b]!
  return x !== 0 && y !== 0 && Math.abs(x - y) <= HOMOPHONE_SPAN
}

/**
 * Compares two keys of equal length position by position: returns the number of differing
 * positions when each of them is a homophone pair and there are at most `max`, else -1.
 * No allocation: it runs for every candidate pair in a fuzzy block.
 */
export const homophoneDistance = (a: string, b: string, max: number, r: Uint16Array): number => {
  const n = a.length
  if (n !== b.length) return -1
  let d = 0
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x === y) continue
    if (++d > max) return -1
    const rx = r[x]!
    const ry = r[y]!
    if (rx === 0 || ry === 0 || (rx > ry ? rx - ry : ry - rx) > HOMOPHONE_SPAN) return -1
  }
  return d
}

// ---- hashing -------------------------------------------------------------------------------

/**
 * A 53-bit content hash (cyrb53) as 14 hex digits, for ids and link keys that must not depend
 * on row order. Why not node:crypto: the resolver core stays free of Node APIs and this is
 * ~10× faster on short strings; 53 bits make a collision among millions of keys negligible.
 */
export const contentHash = (s: string): string => {
  let h1 = 0xdeadbeef
  let h2 = 0x41c6ce57
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    h1 = Math.imul(h1 ^ c, 2654435761)
    h2 = Math.imul(h2 ^ c, 1597334677)
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909)
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909)
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, "0")
}

/** FNV-1a over UTF-16 code units: the hash of the list linker's open-addressing tables. */
export const stringHash = (s: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return h >>> 0
}

/**
 * A string → row-number index with chains, on typed arrays sized once: no Map growth and no
 * per-entry objects, which at 2M registry rows is what keeps garbage collection out of the
 * link time. `keys[row]` holds each row's key; rows with equal keys are chained (newest first).
 * Each row's hash is kept, so a probe only reads a key string when the hashes agree.
 * Pass a second key array for a two-part key (name key, city) without building "key|city"
 * strings: two million concatenations would cost more than the lookups they serve.
 */
export class KeyIndex {
  private readonly slots: Int32Array
  private readonly mask: number
  private readonly hashes: Uint32Array
  /** Next row with the same key, -1 at the end of a chain. */
  readonly next: Int32Array

  constructor(
    private readonly keys: ReadonlyArray<string>,
    private readonly second?: ReadonlyArray<string>,
  ) {
    let size = 16
    while (size < keys.length * 2) size *= 2
    this.slots = new Int32Array(size).fill(-1)
    this.mask = size - 1
    this.hashes = new Uint32Array(keys.length)
    this.next = new Int32Array(keys.length).fill(-1)
  }

  /** The hash of a key (and second part) as this index computes it. */
  static hashOf(a: string, b?: string): number {
    return b === undefined ? stringHash(a) : KeyIndex.withSecond(stringHash(a), b)
  }

  /** `hashOf(a, b)` from `stringHash(a)`, for a caller that has it already. */
  static withSecond(hashOfA: number, b: string): number {
    return (hashOfA ^ Math.imul(stringHash(b), 0x9e3779b1)) >>> 0
  }

  /** Adds row `row` under its key; `hash` must be `KeyIndex.hashOf` of that key (passed to hash once per row). */
  add(row: number, hash: number): void {
    const a = this.keys[row]!
    const b = this.second?.[row]
    this.hashes[row] = hash
    let h = hash & this.mask
    for (;;) {
      const at = this.slots[h]!
      if (at === -1) {
        this.slots[h] = row
        return
      }
      if (this.hashes[at] === hash && this.keys[at] === a && (b === undefined || this.second![at] === b)) {
        this.next[row] = at
        this.slots[h] = row
        return
      }
      h = (h + 1) & this.mask
    }
  }

  /** First row holding the key (a, b), or -1; `hash` is `KeyIndex.hashOf(a, b)`. */
  find(a: string, b: string | undefined, hash: number): number {
    let h = hash & this.mask
    for (;;) {
      const at = this.slots[h]!
      if (at === -1 || (this.hashes[at] === hash && this.keys[at] === a && (b === undefined || this.second![at] === b))) return at
      h = (h + 1) & this.mask
    }
  }

  /** First row holding key `k` (one-part indexes), or -1. */
  first(k: string): number {
    return this.find(k, undefined, stringHash(k))
  }
}

/** Width, in pinyin-order positions, of the buckets `phoneticHashes` puts characters in. */
export const PHONETIC_BUCKET = 2 * HOMOPHONE_SPAN

/**
 * A hash of a key read by sound: each ideograph becomes its pinyin-order bucket, so keys that
 * differ only by homophones usually hash alike. Two grids (bucket boundaries shifted by half a
 * bucket) guarantee that two characters read alike share a bucket in at least one of them; both
 * are hashed in one pass, into `out[0]` and `out[1]`. `seed` folds in a block (province, sector,
 * length) so only comparable firms meet.
 */
export const phoneticHashes = (k: string, seed: number, r: Uint16Array, out: Uint32Array): void => {
  let h0 = Math.imul(0x811c9dc5 ^ seed, 0x01000193)
  let h1 = h0
  for (let i = 0; i < k.length; i++) {
    const c = k.charCodeAt(i)
    const rank = r[c]!
    if (rank === 0) {
      h0 = Math.imul(h0 ^ (c + 0x10000), 0x01000193)
      h1 = Math.imul(h1 ^ (c + 0x10000), 0x01000193)
    } else {
      h0 = Math.imul(h0 ^ ((rank / PHONETIC_BUCKET) | 0), 0x01000193)
      h1 = Math.imul(h1 ^ (((rank + PHONETIC_BUCKET / 2) / PHONETIC_BUCKET) | 0), 0x01000193)
    }
  }
  out[0] = h0 >>> 0
  out[1] = h1 >>> 0
}
