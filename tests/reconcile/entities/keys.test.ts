import { describe, expect, it } from "vitest"
import { zhCompanyName } from "../../../pipeline/normalize/companyZh.js"
import { contentHash, fullZhKey, homophoneDistance, PHONETIC_BUCKET, phoneticHashes, pinyinRanks, soundsAlike } from "../../../pipeline/reconcile/entities/keys.js"

const zh = (raw: string) => {
  const n = zhCompanyName(raw)
  return { display: n.display, key: n.key, location: n.location }
}

describe("matching keys", () => {
  it("keeps trade words the normaliser mistakes for a second place (金华, 泰安, 嘉兴)", () => {
    // The normaliser keys both to 智能装备; the resolver must not see one firm.
    expect(zh("北京金华智能装备有限公司").key).toBe(zh("北京泰安智能装备有限公司").key)
    expect(fullZhKey(zh("北京金华智能装备有限公司"))).toBe("金华智能装备")
    expect(fullZhKey(zh("金华智能装备（北京）有限公司"))).toBe("金华智能装备")
    expect(fullZhKey(zh("北京泰安智能装备有限公司"))).toBe("泰安智能装备")
    // Ordinary names keep the normaliser's key.
    expect(fullZhKey(zh("青岛海华电机有限公司"))).toBe("海华电机")
    expect(fullZhKey(zh("海华电机（青岛）股份有限公司"))).toBe("海华电机")
  })

  it("reads homophones from pinyin order: typos of the input method, not look-alikes", () => {
    const r = pinyinRanks()
    const c = (s: string) => s.charCodeAt(0)
    for (const [a, b] of [["华", "化"], ["恒", "衡"], ["智", "志"], ["鑫", "欣"], ["盛", "胜"]]) expect(soundsAlike(c(a!), c(b!), r), a! + b!).toBe(true)
    for (const [a, b] of [["华", "中"], ["海", "华"], ["恒", "联"]]) expect(soundsAlike(c(a!), c(b!), r), a! + b!).toBe(false)
    expect(homophoneDistance("海华电机", "海化电机", 2, r)).toBe(1)
    expect(homophoneDistance("海华电机", "海中电机", 2, r)).toBe(-1)
    expect(homophoneDistance("恒华智能装备", "衡化志能装备", 2, r)).toBe(-1)
    // Homophone keys share a phonetic hash in at least one of the two grids.
    const hashes = (k: string) => {
      const out = new Uint32Array(2)
      phoneticHashes(k, 7, r, out)
      return out
    }
    const shared = (a: string, b: string) => [0, 1].some((g) => hashes(a)[g] === hashes(b)[g])
    expect(shared("海华电机", "海化电机")).toBe(true)
    expect(shared("海华电机", "海中电机")).toBe(false)
  })

  it("hashes a key in both grids by the documented rule (FNV-1a over buckets, the second grid shifted by half a bucket)", () => {
    const r = pinyinRanks()
    // The rule, one grid at a time: what the one-pass hashing must give in each.
    const phoneticHash = (k: string, seed: number, offset: number): number => {
      let h = Math.imul(0x811c9dc5 ^ seed, 0x01000193)
      for (let i = 0; i < k.length; i++) {
        const c = k.charCodeAt(i)
        const rank = r[c]!
        h = Math.imul(h ^ (rank === 0 ? c + 0x10000 : ((rank + offset) / PHONETIC_BUCKET) | 0), 0x01000193)
      }
      return h >>> 0
    }
    const out = new Uint32Array(2)
    for (const k of ["海华电机", "衡化志能装备", "ABC科技", "", "㐀𠀀智能", "中"])
      for (const seed of [0, 7, 123_456_789]) {
        phoneticHashes(k, seed, r, out)
        expect([...out], `${k} ${seed}`).toEqual([phoneticHash(k, seed, 0), phoneticHash(k, seed, PHONETIC_BUCKET / 2)])
      }
  })

  it("hashes content stably", () => {
    expect(contentHash("zh:海尔")).toBe(contentHash("zh:海尔"))
    expect(contentHash("zh:海尔")).not.toBe(contentHash("zh:海信"))
    expect(contentHash("x")).toMatch(/^[0-9a-f]{14}$/)
  })
})
