import * as fc from "fast-check"
import * as OpenCC from "opencc-js/t2cn"
import { execFileSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { toSimplified, zhCompanyKey, zhCompanyName } from "../../pipeline/normalize/companyZh.js"
import { anyText, readData, readRows, runs, sharedDir } from "./support.js"

describe("toSimplified", () => {
  it.each([
    ["華聯遠達智能裝備", "华联远达智能装备"],
    ["臺灣積體電路製造", "台湾积体电路制造"],
    ["海尔卡奥斯物联生态科技有限公司", "海尔卡奥斯物联生态科技有限公司"],
    ["乾隆", "乾隆"],
    ["Haier", "Haier"],
  ])("%s → %s", (input, expected) => {
    expect(toSimplified(input)).toBe(expected)
  })

  it("is total and idempotent, following chains such as 麼 → 么 → 幺", () => {
    expect(toSimplified(toSimplified("什麼"))).toBe(toSimplified("什麼"))
    fc.assert(
      fc.property(anyText, (s) => {
        expect(toSimplified(toSimplified(s))).toBe(toSimplified(s))
      }),
      runs,
    )
  })

  it("its identity shortcut agrees with the converter itself, phrases included", () => {
    const convert = OpenCC.Converter({ from: "tw", to: "cn" })
    const settle = (s: string) => {
      let out = s
      for (let i = 0; i < 4; i++) {
        const next = convert(out)
        if (next === out) break
        out = next
      }
      return out
    }
    // Dictionary keys (phrases and characters) in random context: where a shortcut would miss.
    const config = OpenCC.Locale.configs["tw2s"] as unknown as { conversionChain: Array<Array<string>> }
    const keys = config.conversionChain.flat().flatMap((d) => d.split("|").map((line) => line.split(" ")[0]!))
    const piece = fc.oneof(
      fc.constantFrom(...keys),
      fc.integer({ min: 0x4e00, max: 0x9fff }).map((c) => String.fromCharCode(c)),
    )
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 6 }), (parts) => {
        const s = parts.join("")
        expect(toSimplified(s)).toBe(settle(s))
      }),
      { numRuns: 5000 },
    )
  })
})

describe("zhCompanyName", () => {
  it("gives the location variants of one firm one key", () => {
    const variants = ["青岛海智科技有限公司", "海智科技（青岛）有限公司", "海智科技(青岛)有限公司", "海 智科技", "青岛市海智科技股份有限公司", " 海智科技（青島）有限公司 "]
    for (const v of variants) expect(zhCompanyKey(v), v).toBe("海智科技")
    expect(zhCompanyName("海智科技(青岛)有限公司")).toEqual({ display: "海智科技（青岛）有限公司", key: "海智科技", location: "青岛", forms: ["有限公司"] })
    expect(zhCompanyName("青岛海智科技有限公司").location).toBe("青岛")
  })

  it.each([
    ["航天云网科技发展有限责任公", "航天云网科技发展有限责任公司", ["有限责任公司"]],
    ["浙江蓝卓工业互联网信息技术有限", "浙江蓝卓工业互联网信息技术有限公司", ["有限公司"]],
  ])("repairs the form cut short in %s", (raw, display, forms) => {
    const name = zhCompanyName(raw)
    expect(name.display).toBe(display)
    expect(name.repaired).toBe("truncated-form")
    expect(name.forms).toEqual(forms)
    expect(name.key).toBe(zhCompanyKey(display))
  })

  it.each([
    ["北京东方国信科技股份有限公司", "东方国信科技", "北京", ["股份有限公司"]],
    ["深圳市腾讯计算机系统有限公司", "腾讯计算机系统", "深圳", ["有限公司"]],
    ["摩尔元数(福建)科技有限公司", "摩尔元数科技", "福建", ["有限公司"]],
    ["京东科技控股股份有限公司", "京东科技", undefined, ["控股", "股份有限公司"]],
    ["天瑞集团信息科技有限公司", "天瑞集团信息科技", undefined, ["有限公司"]],
    ["广东省深圳市某某电子集团有限公司", "某某电子", "广东", ["集团有限公司"]],
    ["西门子（中国）有限公司", "西门子", "中国", ["有限公司"]],
    ["中国联通格物Unilink工业互联网平台", "中国联通格物unilink工业互联网平台", undefined, []],
    ["海尔", "海尔", undefined, []],
  ])("%s → key %s", (raw, key, location, forms) => {
    const name = zhCompanyName(raw)
    expect(name.key).toBe(key)
    expect(name.location).toBe(location)
    expect(name.forms).toEqual(forms)
  })

  it("keeps a space only between Latin words and writes brackets full-width", () => {
    expect(zhCompanyName("ABB Robotics (上海) 有限 公司").display).toBe("ABB Robotics（上海）有限公司")
  })

  it("cleans every company name in miit_platforms.csv, repairing exactly the two truncated ones", () => {
    const rows = readData("miit_platforms.csv").filter((r) => r["company_name_zh"] !== "")
    expect(rows.length).toBeGreaterThan(28)
    const repaired = rows.map((r) => zhCompanyName(r["company_name_zh"]!)).filter((n) => n.repaired !== undefined).map((n) => n.display)
    expect(repaired.sort()).toEqual(["浙江蓝卓工业互联网信息技术有限公司", "航天云网科技发展有限责任公司"])
    for (const r of rows) {
      const n = zhCompanyName(r["company_name_zh"]!)
      expect(n.key.length, r["company_name_zh"]).toBeGreaterThanOrEqual(2)
      expect(n.display).not.toMatch(/[ ()]/)
    }
    // The 2019/2020 short names meet the 2022 legal names.
    expect(zhCompanyKey("海尔")).toBe(zhCompanyKey("海尔集团公司"))
    expect(zhCompanyKey("树根互联")).toBe(zhCompanyKey("树根互联股份有限公司"))
    expect(zhCompanyKey("东方国信")).toBe(zhCompanyKey("北京东方国信股份有限公司"))
  })

  it("is total; display and key are idempotent", () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const n = zhCompanyName(s)
        expect(zhCompanyName(n.display).display).toBe(n.display)
        expect(zhCompanyKey(n.key)).toBe(n.key)
        expect(zhCompanyKey(s)).toBe(n.key)
      }),
      runs,
    )
    const huge = zhCompanyName("海智（青岛）".repeat(100_000) + "有限公")
    expect(huge.repaired).toBe("truncated-form")
  })

  it("gives the clerk's variants of a generated firm its key", () => {
    const place = fc.constantFrom("北京", "上海", "青岛", "深圳", "苏州", "武汉", "厦门", "佛山")
    const trade = fc.array(fc.constantFrom("海", "华", "恒", "联", "瑞", "智", "天", "创", "远", "达", "鑫", "云"), { minLength: 2, maxLength: 3 }).map((a) => a.join(""))
    const industry = fc.constantFrom("智能装备", "精密机械", "电子科技", "新材料", "工业软件", "动力电池")
    const form = fc.constantFrom("股份有限公司", "有限公司", "有限责任公司", "集团有限公司")
    fc.assert(
      fc.property(place, trade, industry, form, (p, t, i, f) => {
        const key = zhCompanyKey(`${p}${t}${i}${f}`)
        expect(key).toBe(`${t}${i}`)
        expect(zhCompanyKey(`${t}${i}（${p}）${f}`)).toBe(key)
        expect(zhCompanyKey(`${t}${i}(${p})${f}`)).toBe(key)
        expect(zhCompanyKey(` ${t}${i}${f.replace("有限", "有 限")} `)).toBe(key)
        expect(zhCompanyKey(`${p}${t}${i}${f.replace("股份有限公司", "有限公司")}`)).toBe(key)
      }),
      runs,
    )
  })
})

describe("zhCompanyKey on the synthetic bench extracts", () => {
  let dir = ""
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "nx-"))
    execFileSync(process.execPath, [join(sharedDir, "bench/gen-extracts.mjs"), "--rows", "2000", "--out", dir], { stdio: "pipe" })
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it("matches listed names to their registry firm by key except for homophone typos", () => {
    const registry = new Map(readRows(join(dir, "company-registry.csv")).map((r) => [r[0]!, r[1]!]))
    const list = readRows(join(dir, "miit-little-giants.csv"))
    const truth = readRows(join(dir, "truth.csv"))
    let linked = 0
    let same = 0
    list.forEach((row, i) => {
      const legal = registry.get(truth[i]![1]!)
      if (legal === undefined) return
      linked++
      if (zhCompanyKey(row[1]!) === zhCompanyKey(legal)) same++
    })
    expect(linked).toBeGreaterThan(1800)
    // The generator types homophones into ~1% of names (志能 for 智能): only those may differ.
    expect(same / linked).toBeGreaterThan(0.98)
  })
})
