import { describe, expect, it } from "vitest"
import type { Decision } from "../../../pipeline/reconcile/entities/Decision.js"
import * as Mention from "../../../pipeline/reconcile/entities/Mention.js"
import { resolve, type ResolveResult } from "../../../pipeline/reconcile/entities/Resolve.js"
import { enCompanyName } from "../../../pipeline/normalize/companyEn.js"
import { shuffle } from "../../support/shuffle.js"
import * as S from "./support.js"

const platforms = S.platforms()
const mentions = [
  ...Mention.mentionsFromPlatforms(platforms),
  ...Mention.mentionsFromCollaborations(S.collaborations()),
  ...Mention.mentionsFromLighthouses(S.lighthouses()),
]
const reference = S.curated()
const base = resolve({ mentions, reference })

const entityOf = (r: ResolveResult, mentionId: string): string => {
  const l = r.links.find((x) => x.mentionId === mentionId && x.status !== "rejected")
  if (l === undefined) throw new Error(`no link for ${mentionId}`)
  return l.entityId
}
const entity = (r: ResolveResult, id: string) => {
  const e = r.entities.find((x) => x.id === id)
  if (e === undefined) throw new Error(`no entity ${id}`)
  return e
}
/** Entities of the mentions whose English name has this key, in a role. */
const entitiesNamed = (r: ResolveResult, enKey: string, role?: Mention.Role): Set<string> =>
  new Set(mentions.filter((m) => m.nameEn?.key === enKey && (role === undefined || m.role === role)).map((m) => entityOf(r, m.id)))
const mapping = (r: ResolveResult): Record<string, string> =>
  Object.fromEntries(r.links.filter((l) => l.status !== "rejected").map((l) => [l.mentionId, l.entityId]))

const platformMention = (enKey: string) => mentions.find((m) => m.role === "platform-operator" && m.nameEn?.key === enKey)!

describe("resolve on the bundled sources", () => {
  it("gives every mention exactly one entity and every entity a source row", () => {
    const linked = base.links.filter((l) => l.status !== "rejected")
    expect(new Set(linked.map((l) => l.mentionId)).size).toBe(mentions.length)
    expect(linked.length).toBe(mentions.length)
    for (const e of base.entities) if (e.origin === "mentions") expect(e.mentions).toBeGreaterThan(0)
    for (const l of linked) expect(base.entities.some((e) => e.id === l.entityId)).toBe(true)
  })

  it("resolves the 28 platforms of the 2022 list to 28 distinct entities", () => {
    const rows = mentions.filter((m) => m.role === "platform-operator" && platforms.find((p) => p.provenance.row === m.provenance.row)?.listYear === 2022)
    expect(rows).toHaveLength(28)
    const ids = rows.map((m) => entityOf(base, m.id))
    expect(new Set(ids).size).toBe(28)
    // Each is a curated entity with its evidence kept: the legal name matched, not a guess.
    for (const m of rows) {
      const link = base.links.find((l) => l.mentionId === m.id)!
      expect(link.status).toBe("auto")
      expect(link.evidence.some((e) => e.feature === "zh-key")).toBe(true)
    }
  })

  it("joins the Table 1 and Table 2 spellings of the same platform", () => {
    const pairs: Array<[string, string]> = [
      ["Alibaba Cloud", "Aliyun Cloud Computing"],
      ["Huawei FusionPlant", "Huawei"],
      ["CMM Humi", "CMM"],
      ["Irootech Rootcloud", "Irootech RootCloud"],
    ]
    for (const [table1, table2] of pairs) {
      const viaCollab = entitiesNamed(base, enCompanyName(table1).key, "collaboration-platform")
      expect(viaCollab.size, table1).toBe(1)
      expect([...viaCollab][0], table1).toBe(entityOf(base, platformMention(enCompanyName(table2).key).id))
    }
    // And every platform of Table 1 is one of the listed platforms.
    const listed = new Set(mentions.filter((m) => m.role === "platform-operator").map((m) => entityOf(base, m.id)))
    for (const m of mentions.filter((x) => x.role === "collaboration-platform")) expect(listed.has(entityOf(base, m.id)), m.nameEn?.display).toBe(true)
  })

  it("links Haier's and Midea's lighthouse sites to the groups that run COSMOPlat and Midea Cloud", () => {
    // Same group, not the same entity: the sites are the groups' factories, while COSMOPlat and
    // Midea Cloud are run by separate subsidiaries (卡奥斯, 美云智数) named in the MIIT list.
    const haierSites = entitiesNamed(base, "haier", "lighthouse-operator")
    expect(haierSites).toEqual(new Set(["haier-group"]))
    const cosmo = entity(base, entityOf(base, platformMention("haier cosmoplat").id))
    expect(cosmo.id).toBe("haier-cosmoplat")
    expect(cosmo.group).toBe("haier-group")
    expect(entity(base, "haier-group").group).toBe("haier-group")
    const mideaSites = new Set([...entitiesNamed(base, "midea", "lighthouse-operator")].map((id) => entity(base, id).group))
    const mideaCloud = entity(base, entityOf(base, platformMention("midea cloud").id))
    expect(mideaCloud.id).toBe("midea-cloud")
    expect(mideaSites).toEqual(new Set([mideaCloud.group]))
    expect(mideaCloud.group).toBe("midea-group")
  })

  it("links Sany to RootCloud through the reference file", () => {
    const sany = entitiesNamed(base, "sany heavy industry", "lighthouse-operator")
    expect(sany).toEqual(new Set(["sany-heavy-industry"]))
    const rootcloud = entity(base, entityOf(base, platformMention("irootech rootcloud").id))
    expect(rootcloud.group).toBe("sany-group")
    expect(entity(base, "sany-heavy-industry").group).toBe("sany-group")
    // Without the reference nothing connects them: no shared key in the sources themselves.
    const bare = resolve({ mentions })
    const a = entity(bare, [...entitiesNamed(bare, "sany heavy industry", "lighthouse-operator")][0]!)
    const b = entity(bare, entityOf(bare, platformMention("irootech rootcloud").id))
    expect(a.id).not.toBe(b.id)
    expect(a.group).toBeUndefined()
  })

  it("lets Baosight and Baosteel meet at their parent", () => {
    const baosight = entity(base, entityOf(base, platformMention("shanghai baosight software").id))
    const baosteel = entity(base, [...entitiesNamed(base, "baosteel", "lighthouse-operator")][0]!)
    expect(baosight.id).not.toBe(baosteel.id)
    expect(baosight.parent).toBe("china-baowu")
    expect(baosteel.parent).toBe(baosight.parent)
    expect(baosight.group).toBe(baosteel.group)
  })

  it("keeps Siemens, Bosch and Schneider Electric one entity each across partners and lighthouses", () => {
    for (const name of ["siemens", "bosch"]) {
      const ids = new Set([...entitiesNamed(base, name, "partner"), ...entitiesNamed(base, name, "lighthouse-operator")])
      expect(ids, name).toEqual(new Set([name]))
      expect(entity(base, name).roles).toEqual(["lighthouse-operator", "partner"])
    }
    // Schneider appears only as a lighthouse operator, with and without its Chinese name.
    expect(entitiesNamed(base, "schneider electric")).toEqual(new Set(["schneider-electric"]))
    expect(entity(base, "schneider-electric").mentions).toBe(9)
    // A subsidiary stays apart, under its parent.
    const snc = entity(base, [...entitiesNamed(base, "siemens numerical control")][0]!)
    expect(snc.id).not.toBe("siemens")
    expect(snc.group).toBe("siemens")
  })

  it("keeps ids when rows are shuffled or new rows arrive", () => {
    for (const seed of [1, 2, 3]) {
      const shuffled = resolve({ mentions: shuffle(mentions, seed), reference: shuffle(reference, seed + 10) })
      expect(mapping(shuffled)).toEqual(mapping(base))
      expect(shuffled.entities).toEqual(base.entities)
    }
    const extra: Array<Mention.Mention> = [
      { id: "wef/2026-07/wef_lighthouses.csv#2#lighthouse-operator", role: "lighthouse-operator", nameEn: { display: "Haier", key: "haier", zh: "海尔" }, provenance: { source: "wef/2026-07/wef_lighthouses.csv", row: 2 } },
      { id: "wef/2026-07/wef_lighthouses.csv#3#lighthouse-operator", role: "lighthouse-operator", nameEn: { display: "Acme Robotics", key: "acme robotics" }, provenance: { source: "wef/2026-07/wef_lighthouses.csv", row: 3 } },
      { id: "wef/2026-07/wef_lighthouses.csv#4#lighthouse-operator", role: "lighthouse-operator", nameEn: { display: "Tata Steel", key: "tata steel" }, provenance: { source: "wef/2026-07/wef_lighthouses.csv", row: 4 } },
    ]
    const grown = resolve({ mentions: [...extra, ...mentions], reference })
    const before = mapping(base)
    const after = mapping(grown)
    for (const [m, e] of Object.entries(before)) expect(after[m], m).toBe(e)
    expect(after[extra[0]!.id]).toBe("haier-group")
    expect(after[extra[2]!.id]).toBe(before[mentions.find((m) => m.nameEn?.key === "tata steel")!.id])
  })
})

describe("review decisions", () => {
  const newcomer: Mention.Mention = {
    id: "press/2026-01/news.csv#7#lighthouse-operator",
    role: "lighthouse-operator",
    nameEn: { display: "Siemens Healthineers", key: "siemens healthineers" },
    provenance: { source: "press/2026-01/news.csv", row: 7 },
  }
  const withNewcomer = [...mentions, newcomer]
  const run = (decisions: ReadonlyArray<Decision>, seed?: number) =>
    resolve({ mentions: seed === undefined ? withNewcomer : shuffle(withNewcomer, seed), reference, decisions })
  const plain = run([])
  const pending = plain.review.find((r) => r.mentionId === newcomer.id)!

  it("sends a first-word-only match to review, with its evidence", () => {
    expect(pending.entityId).toBe("siemens")
    expect(pending.evidence.map((e) => e.feature)).toEqual(["en-leading-token"])
    expect(entityOf(plain, newcomer.id)).not.toBe("siemens")
    expect(plain.findings.some((f) => f.code === "review-band" && f.value === pending.linkKey)).toBe(true)
  })

  it("accept forces the link, and survives a shuffle", () => {
    const accepted = [{ linkKey: pending.linkKey, decision: "accept" as const, decidedBy: "analyst", decidedAt: "2026-11-29" }]
    for (const r of [run(accepted), run(accepted, 5)]) {
      expect(entityOf(r, newcomer.id)).toBe("siemens")
      expect(r.links.find((l) => l.mentionId === newcomer.id)!.status).toBe("decided")
      expect(r.review.some((x) => x.mentionId === newcomer.id)).toBe(false)
    }
  })

  it("merge folds the mention's entity into the candidate", () => {
    const r = run([{ linkKey: pending.linkKey, decision: "merge" }], 9)
    expect(entityOf(r, newcomer.id)).toBe("siemens")
    expect(entity(r, "siemens").mergedFrom).toEqual([entityOf(plain, newcomer.id)])
    const explicit = run([{ linkKey: "-", decision: "merge", entityA: "abb", entityB: "advantech" }])
    expect(entitiesNamed(explicit, "advantech")).toEqual(new Set(["abb"]))
  })

  it("reject forbids a pair, and survives a shuffle", () => {
    const depuy = mentions.find((m) => m.nameEn?.key === "depuy")!
    const link = plain.links.find((l) => l.mentionId === depuy.id)!
    expect(link.entityId).toBe("depuy-synthes")
    for (const r of [run([{ linkKey: link.linkKey, decision: "reject" }]), run([{ linkKey: link.linkKey, decision: "reject" }], 4)]) {
      expect(entityOf(r, depuy.id)).not.toBe("depuy-synthes")
      expect(r.links.some((l) => l.mentionId === depuy.id && l.status === "rejected" && l.entityId === "depuy-synthes")).toBe(true)
    }
  })

  it("split takes a mention out of its entity", () => {
    const base2 = mentions.find((m) => m.nameEn?.key === enCompanyName("Aachen University Industry 4.0 training base").key)!
    const link = plain.links.find((l) => l.mentionId === base2.id)!
    expect(link.entityId).toBe("rwth-aachen")
    const r = run([{ linkKey: link.linkKey, decision: "split" }], 3)
    const own = entity(r, entityOf(r, base2.id))
    expect(own.id).not.toBe("rwth-aachen")
    expect(own.mentions).toBe(1)
    expect(entity(r, "rwth-aachen").mentions).toBe(entity(plain, "rwth-aachen").mentions - 1)
  })

  it("reports conflicting decisions instead of picking one silently", () => {
    const r = run([
      { linkKey: pending.linkKey, decision: "accept" },
      { linkKey: pending.linkKey, decision: "reject" },
    ])
    expect(r.findings.some((f) => f.code === "conflicting-decisions")).toBe(true)
    expect(entityOf(r, newcomer.id)).toBe(entityOf(plain, newcomer.id))
    const dated = run([
      { linkKey: pending.linkKey, decision: "reject", decidedAt: "2026-01-01" },
      { linkKey: pending.linkKey, decision: "accept", decidedAt: "2026-02-01" },
    ])
    expect(entityOf(dated, newcomer.id)).toBe("siemens")
  })
})
