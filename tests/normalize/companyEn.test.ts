import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { enCompanyKey, enCompanyName } from "../../pipeline/normalize/companyEn.js"
import { anyText, readData, runs } from "./support.js"

describe("enCompanyName", () => {
  it("splits a bracketed Chinese name out: Haier (海尔)", () => {
    expect(enCompanyName("Haier (海尔)")).toEqual({ display: "Haier", key: "haier", zh: "海尔" })
    expect(enCompanyName("Foxconn Industrial Internet (工業富聯)")).toEqual({ display: "Foxconn Industrial Internet", key: "foxconn industrial internet", zh: "工业富联" })
  })

  it.each([
    ["Eaton Electrical Equipment Co., Ltd.", "eaton electrical equipment"],
    ["Shenzhen Taida Electronic Technology Group Co., Ltd.", "shenzhen taida electronic technology"],
    ["Siemens AG", "siemens"],
    ["BMW Group", "bmw"],
    ["Henkel AG & Co. KGaA", "henkel"],
    ["Schneider Electric SE", "schneider electric"],
    ["Robert Bosch GmbH", "robert bosch"],
    ["Nestlé S.A.", "nestle"],
    ["Unilever PLC", "unilever"],
    ["Micron Technology, Inc.", "micron technology"],
    ["Johnson & Johnson", "johnson and johnson"],
    ["De'Longhi Group", "delonghi"],
    ["Arçelik (Arctic)", "arcelik"],
    ["Baidu (Search)", "baidu"],
    ["HAIER   smart\u3000HOME", "haier smart home"],
    ["СММ Humi", "cmm humi"],
    ["Group", "group"],
  ])("%s → %s", (raw, key) => {
    expect(enCompanyKey(raw)).toBe(key)
  })

  it("keeps a Latin remark beside the name, out of the key", () => {
    expect(enCompanyName("Baidu (Search)")).toEqual({ display: "Baidu (Search)", key: "baidu", aside: "Search" })
  })

  it("gives the Table 1 / Table 2 naming variants one key where only form, case or script differ", () => {
    expect(enCompanyKey("Rootcloud")).toBe(enCompanyKey("RootCloud"))
    expect(enCompanyKey("CMM")).toBe(enCompanyKey("СММ"))
    expect(enCompanyKey("Haier (海尔)")).toBe(enCompanyKey("Haier"))
    expect(enCompanyKey("Midea Group (美的集团)")).toBe(enCompanyKey("Midea"))
    expect(enCompanyKey("Arçelik (Arctic)")).toBe(enCompanyKey("Arcelik"))
  })

  it("reads every lighthouse company name, splitting out each bracketed Chinese name", () => {
    for (const row of readData("wef_lighthouses.csv")) {
      const raw = row["company"]!
      const name = enCompanyName(raw)
      expect(name.key, raw).not.toBe("")
      expect(name.key).toMatch(/^[a-z0-9]+( [a-z0-9]+)*$/)
      if (/[\u4e00-\u9fff]/.test(raw)) expect(name.zh, raw).toBeDefined()
      expect(name.display).not.toMatch(/[\u4e00-\u9fff]/)
    }
  })

  it("is total; display and key are idempotent", () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const n = enCompanyName(s)
        expect(enCompanyName(n.display).display).toBe(n.display)
        expect(enCompanyKey(n.key)).toBe(n.key)
        expect(n.key).toBe(n.key.trim())
        expect(n.key).not.toMatch(/ {2}/)
      }),
      runs,
    )
  })
})
