/**
 * Briefing packs from templates: the default pack built from the bundled sources, rendered to a
 * real PDF and read back with poppler and qpdf; templates edited on disk change the pack without
 * code changes; template mistakes name their file and line; --as-of and --focus change the figures.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import Papa from "papaparse"
import { execFileSync, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { parseDocument } from "yaml"
import type { PublicationData } from "../../../pipeline/publish/Data.js"
import * as B from "../../../pipeline/publish/pack/Bindings.js"
import { buildPack } from "../../../pipeline/publish/pack/Build.js"
import { TemplateError } from "../../../pipeline/publish/pack/Template.js"
import type * as P from "../../../pipeline/publish/pdf/PackDoc.js"
import { render, type RenderResult } from "../../../pipeline/publish/pdf/Render.js"
import { bundledData, SOURCES } from "./data.js"

const TEMPLATES = path.resolve(import.meta.dirname, "../../../templates/briefing")
const OVERVIEW = path.join(TEMPLATES, "china-iiot-overview")
const PROFILE = path.join(TEMPLATES, "entity-profile")
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "iiot-pack-"))
const file = path.join(tmp, "overview.pdf")
let data: PublicationData
let doc: P.PackDoc
let result: RenderResult
let text: string

const run = (cmd: string, args: ReadonlyArray<string>) => execFileSync(cmd, [...args], { encoding: "utf8", maxBuffer: 64 << 20 })
/** pdftotext output with every run of whitespace as one space (table cells and notes wrap). */
const flat = (s: string) => s.replace(/\s+/g, " ")
const pdfText = (f: string) => run("pdftotext", ["-enc", "UTF-8", f, "-"])
const copyTemplate = (from: string): string => {
  const dir = fs.mkdtempSync(path.join(tmp, "tpl-"))
  fs.cpSync(from, dir, { recursive: true })
  return dir
}
const failure = (e: Either.Either<unknown, unknown>): TemplateError => {
  expect(Either.isLeft(e)).toBe(true)
  const err = (e as Either.Left<unknown, unknown>).left
  expect(err).toBeInstanceOf(TemplateError)
  return err as TemplateError
}
/** Level-1 headings of a pack, in order. */
const topHeadings = (d: P.PackDoc) => d.blocks.filter((b): b is P.Heading => b._tag === "Heading" && b.level === 1).map((h) => h.text)

/** The raw CSV of the bundled MIIT platform list, read independently of the pipeline. */
const rawPlatforms = (): Array<Record<string, string>> =>
  Papa.parse<Record<string, string>>(fs.readFileSync(path.join(SOURCES, "miit/2023-06/miit_platforms.csv"), "utf8"), { header: true, skipEmptyLines: true }).data

beforeAll(async () => {
  data = await Effect.runPromise(bundledData())
  doc = await Effect.runPromise(buildPack(OVERVIEW, data))
  result = await Effect.runPromise(render(doc))
  fs.writeFileSync(file, result.bytes)
  text = pdfText(file)
}, 60_000)
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

describe("default pack (china-iiot-overview) from the bundled data", () => {
  it("pdftotext finds the 2022 list's platform count and ownership split, counted from the raw CSV", () => {
    const rows2022 = rawPlatforms().filter((r) => r["list_year"] === "2022")
    // Hand-checked against the CSV: 28 rows, 15 Private, 7 SOE, 4 Mixed, 1 Foreign (Taiwan), 1 Unclear.
    expect(rows2022.length).toBe(28)
    const count = (re: RegExp) => rows2022.filter((r) => re.test(r["ownership_character"]!)).length
    const split = { private: count(/^Private$/), soe: count(/^SOE/), mixed: count(/^Mixed/), foreign: count(/^Foreign/), unclear: count(/^Unclear$/) }
    expect(split).toEqual({ private: 15, soe: 7, mixed: 4, foreign: 1, unclear: 1 })
    const t = flat(text)
    expect(t).toContain(`2022 list (${rows2022.length})`)
    expect(t).toContain(`${split.private} private, ${split.soe} state-owned, ${split.mixed} mixed ownership, ${split.foreign} foreign-invested and ${split.unclear} unclear`)
    expect(t).toContain(`2022 list: ${rows2022.length} platforms`)
  })

  it("pdftotext finds China's lighthouse total and share in October 2022, with and without Taiwan", () => {
    // Every claim about the Oct 2022 round agrees: 114 sites, China 42 (so 36.8%); the extract has one Taiwanese site by then (43, 37.7%).
    const claims = data.rounds.filter((r) => r.date._tag !== "Bound" && r.date.year === 2022 && "month" in r.date && r.date.month === 10)
    const totals = [...new Set(claims.map((c) => c.totalSites).filter((x) => x !== undefined))]
    const china = [...new Set(claims.map((c) => c.chinaTotal).filter((x) => x !== undefined))]
    expect(totals).toEqual([114])
    expect(china).toEqual([42])
    const share = `${((42 / 114) * 100).toFixed(1)}%`
    expect(share).toBe("36.8%")
    const t = flat(text)
    expect(t).toMatch(new RegExp(`round of October 2022 \\(2022-10-11\\): network total 114\\. .*?China: 42 excluding Taiwan \\(${share.replace(".", "\\.")} of the network; .*?\\); 43 including Taiwan \\(37\\.7%`))
    expect(t).toContain("China excluding Taiwan (mainland China, Hong Kong and Macao; Taiwanese sites counted separately)")
  })

  it("prints the Chinese company names exactly as in the source, and marks the repaired ones", () => {
    const rows2022 = rawPlatforms().filter((r) => r["list_year"] === "2022")
    const intact = rows2022.map((r) => r["company_name_zh"]!).filter((n) => n.endsWith("公司"))
    expect(intact).toContain("海尔卡奥斯物联生态科技有限公司")
    expect(intact.length).toBe(26)
    // Printed as the source writes them, brackets aside: the display form uses full-width brackets (摩尔元数(福建) → 摩尔元数（福建）).
    const width = (s: string) => s.replace(/\(/g, "（").replace(/\)/g, "）")
    for (const name of intact) expect(text).toContain(width(name))
    expect(intact.filter((n) => width(n) !== n)).toEqual(["摩尔元数(福建)科技有限公司"])
    // The two names the report cuts short: printed repaired, marked †, the published text beside it.
    expect(text).toContain("航天云网科技发展有限责任公司 †")
    expect(flat(text)).toContain("† 航天云网科技发展有限责任公 → 航天云网科技发展有限责任公司 (row 3)")
    expect(result.missingGlyphs).toEqual([])
  })

  it("has the sources section with every source's title and URL", () => {
    const t = flat(text)
    // URLs wrap at any character: compare without whitespace
    const sourcesPage = t.slice(t.lastIndexOf("Sources")).replace(/\s/g, "")
    expect(sourcesPage).toContain("Everyfigureinthispackistraceable")
    for (const s of data.sources) {
      expect(t).toContain(s.info.title.slice(0, 40))
      expect(sourcesPage).toContain(s.info.url)
    }
  })

  it("gives every figure a numbered note, and every marker a note", () => {
    const markers = new Set<number>()
    const notes = new Set<number>()
    for (const b of doc.blocks) {
      if (b._tag === "Paragraph") for (const r of b.runs) if (r.footnote !== undefined) markers.add(r.footnote)
      if (b._tag === "KeyFigures") for (const k of b.items) {
        expect(k.footnote, k.label).toBeDefined()
        markers.add(k.footnote!)
      }
      if (b._tag === "Table" || b._tag === "Chart") {
        expect(b.footnote, b._tag === "Table" ? b.caption : b.title).toBeDefined()
        markers.add(b.footnote!)
      }
      if (b._tag === "Table") for (const row of b.rows) for (const c of row) if (typeof c !== "string" && c.footnote !== undefined) markers.add(c.footnote)
      if (b._tag === "Footnotes") for (const n of b.items) notes.add(n.n)
    }
    expect([...markers].sort((a, b) => a - b)).toEqual([...notes].sort((a, b) => a - b))
    expect(notes.size).toBeGreaterThan(20)
    // a note names its source (numbered as in the source list) and its rule
    const note = doc.blocks.flatMap((b) => (b._tag === "Footnotes" ? b.items : [])).find((n) => n.text.startsWith("MIIT cross-industry"))!
    expect(note.text).toMatch(/Source: \[\d\] miit\/2023-06\/miit_platforms\.csv, rows 2–29 \(miit\.gov\.cn\)\. Rule: the latest list whose rows/)
  })

  it("pdfinfo shows title, author and 8 to 20 pages; the file stays under 3 MB; qpdf finds no structural error", () => {
    const info = run("pdfinfo", [file])
    expect(info).toMatch(/^Title:\s+China's Industrial Internet of Things$/m)
    expect(info).toMatch(/^Author:\s+iiot-observatory$/m)
    const pages = Number(/^Pages:\s+(\d+)$/m.exec(info)![1])
    expect(pages).toBe(result.pages)
    expect(pages).toBeGreaterThanOrEqual(8)
    expect(pages).toBeLessThanOrEqual(20)
    expect(result.bytes.length).toBeLessThan(3_000_000)
    const check = spawnSync("qpdf", ["--check", file], { encoding: "utf8" })
    expect(check.status, check.stdout + check.stderr).toBe(0)
  })

  it("has one outline entry per top-level section of the template, each on its page", () => {
    const yml = parseDocument(fs.readFileSync(path.join(OVERVIEW, "template.yml"), "utf8")).toJS() as { sections: Array<{ type: string; title?: string; level?: number }> }
    const expected = yml.sections.filter((s) => s.title !== undefined && (s.level ?? 1) === 1).map((s) => s.title)
    expect(expected.length).toBeGreaterThanOrEqual(6)
    const json = JSON.parse(run("qpdf", ["--json", "--json-key=outlines", file])) as { outlines: Array<{ title: string; destpageposfrom1: number }> }
    expect(json.outlines.map((o) => o.title)).toEqual(expected)
    const pages = text.split("\f")
    for (const o of json.outlines) expect(pages[o.destpageposfrom1 - 1]).toContain(o.title)
  })
})

describe("templates are data", () => {
  it.effect("an edited copy and structure change the pack without code changes", () =>
    Effect.gen(function* () {
      const dir = copyTemplate(OVERVIEW)
      const copyFile = path.join(dir, "copy.md")
      fs.writeFileSync(copyFile, fs.readFileSync(copyFile, "utf8").replace("is the state's selection of national champions in the industrial internet.", "is the sentence this test wrote into the copy."))
      const ymlFile = path.join(dir, "template.yml")
      const yml = parseDocument(fs.readFileSync(ymlFile, "utf8"))
      const sections = yml.get("sections") as { items: Array<unknown> }
      const titleOf = (n: unknown) => (n as { get(k: string): unknown }).get("title")
      // remove the collaborations section; move the spending section (chart + table) before the lighthouses
      sections.items = sections.items.filter((n) => titleOf(n) !== "Foreign collaborations")
      const iL = sections.items.findIndex((n) => titleOf(n) === "Lighthouse factories")
      const iS = sections.items.findIndex((n) => titleOf(n) === "IoT spending and revised forecasts")
      const spending = sections.items.splice(iS, 2)
      sections.items.splice(iL, 0, ...spending)
      fs.writeFileSync(ymlFile, yml.toString())

      const before = topHeadings(doc)
      const edited = yield* buildPack(dir, data)
      expect(before).toContain("Foreign collaborations")
      expect(topHeadings(edited)).toEqual(before.filter((h) => h !== "Foreign collaborations").map((h) => (h === "Lighthouse factories" ? "IoT spending and revised forecasts" : h === "IoT spending and revised forecasts" ? "Lighthouse factories" : h)))
      const out = path.join(dir, "edited.pdf")
      fs.writeFileSync(out, (yield* render(edited)).bytes)
      const t = flat(pdfText(out))
      expect(t).toContain("is the sentence this test wrote into the copy.")
      expect(t).not.toContain("national champions")
      expect(t).not.toContain("Foreign collaborations of Chinese industrial internet platforms")
      expect(t.indexOf("IoT spending and revised forecasts", t.indexOf("Contents") + 200)).toBeLessThan(t.indexOf("Lighthouse factories", t.indexOf("Contents") + 200))
    }),
  )

  it.effect("an unknown placeholder in copy.md names copy.md and its line", () =>
    Effect.gen(function* () {
      const dir = copyTemplate(OVERVIEW)
      const copyFile = path.join(dir, "copy.md")
      const lines = fs.readFileSync(copyFile, "utf8").split("\n")
      const at = lines.findIndex((l) => l.startsWith("## collaborations")) + 1
      lines.splice(at, 0, "Partners grew to {{ collaborations.cuont }} last year.")
      fs.writeFileSync(copyFile, lines.join("\n"))
      const e = failure(yield* Effect.either(buildPack(dir, data)))
      expect(e.reason).toBe("unknown-placeholder")
      expect(e.file).toBe(copyFile)
      expect(e.line).toBe(at + 1)
      expect(e.message).toContain(`${copyFile}:${at + 1}: unknown placeholder {{ collaborations.cuont }}; did you mean {{ collaborations.count }}`)
    }),
  )

  it.effect("an unknown section type names template.yml and its line", () =>
    Effect.gen(function* () {
      const dir = copyTemplate(OVERVIEW)
      const ymlFile = path.join(dir, "template.yml")
      const lines = fs.readFileSync(ymlFile, "utf8").split("\n")
      const at = lines.findIndex((l) => l.trim() === "- type: collaborations")
      lines[at] = lines[at]!.replace("collaborations", "pie-chart")
      fs.writeFileSync(ymlFile, lines.join("\n"))
      const e = failure(yield* Effect.either(buildPack(dir, data)))
      expect(e.reason).toBe("unknown-section")
      expect(e.file).toBe(ymlFile)
      expect(e.line).toBe(at + 1)
      expect(e.message).toMatch(/unknown section type "pie-chart"; known types: cover, toc/)
    }),
  )

  it.effect("a required figure without data is missing-data at its line; an unknown table column is named", () =>
    Effect.gen(function* () {
      const dir = copyTemplate(OVERVIEW)
      const ymlFile = path.join(dir, "template.yml")
      const src = fs.readFileSync(ymlFile, "utf8")
      // entity.* figures have no data without --focus
      fs.writeFileSync(ymlFile, src.replace("      - figure: collaborations.count", "      - figure: entity.lighthouses.count\n        label: Sites\n      - figure: collaborations.count"))
      const line = fs.readFileSync(ymlFile, "utf8").split("\n").findIndex((l) => l.includes("entity.lighthouses.count")) + 1
      const e = failure(yield* Effect.either(buildPack(dir, data)))
      expect(e.reason).toBe("missing-data")
      expect([e.file, e.line]).toEqual([ymlFile, line])
      expect(e.message).toContain("no --focus given")
      fs.writeFileSync(ymlFile, src.replace("columns: [platform, partner, country, relation, basis]", "columns: [platform, partner, continent]"))
      const e2 = failure(yield* Effect.either(buildPack(dir, data)))
      expect(e2.reason).toBe("unknown-placeholder")
      expect(e2.message).toContain('has no column "continent"')
    }),
  )

  it.effect("a missing template folder or bad YAML is a typed error", () =>
    Effect.gen(function* () {
      expect(failure(yield* Effect.either(buildPack(path.join(tmp, "nope"), data))).reason).toBe("not-found")
      const dir = copyTemplate(OVERVIEW)
      fs.writeFileSync(path.join(dir, "template.yml"), "title: x\nsections:\n  - type: cover\n   bad: [\n")
      const e = failure(yield* Effect.either(buildPack(dir, data)))
      expect(e.reason).toBe("parse")
      expect(e.line).toBeGreaterThanOrEqual(3)
    }),
  )
})

describe("source ages in the coverage annex", () => {
  it("says how old each extract was when the data was published", () => {
    expect(B.ageAt("2026-11-20", "2026-11-29")).toBe("9 days")
    expect(B.ageAt("2026-11-28", "2026-11-29")).toBe("1 day")
    expect(B.ageAt("2026-10-01", "2026-11-29")).toBe("8 weeks")
    expect(B.ageAt("2026-01-15", "2026-11-29")).toBe("10 months")
    expect(B.ageAt("2023-06-30", "2026-11-29")).toBe("3 years")
    // Around two years: months up to 23, then whole years, never "1 years".
    expect(B.ageAt("2024-12-29", "2026-11-29")).toBe("23 months")
    expect(B.ageAt("2024-11-29", "2026-11-29")).toBe("2 years")
    expect(B.ageAt("2024-11-30", "2026-11-29")).toBe("2 years")
    expect(B.ageAt("not a date", "2026-11-29")).toBe("")
    expect(B.ageAt("2026-12-01", "2026-11-29")).toBe("")
    const coverage = B.bindings(data).tables.get("quality.coverage") as B.TableData
    expect(coverage.columns.map((c) => c.header)).toContain("Age")
    for (const [i, s] of data.sources.entries()) expect((coverage.rows[i] as Record<string, unknown>)["age"]).toBe(B.ageAt(s.info.retrieved, data.asOf))
    expect(coverage.rows.every((r) => (r as Record<string, unknown>)["age"] !== "")).toBe(true)
  })
})

describe("--as-of and --focus", () => {
  it.effect("--as-of 2022-10 restricts every figure to what was known then", () =>
    Effect.gen(function* () {
      const now = B.bindings(data)
      const then = B.bindings(data, { asOf: "2022-10" })
      const fig = (b: B.Bindings, k: string) => (b.figures.get(k) as B.Value).display
      expect(fig(now, "lighthouses.latest.round")).toBe("January 2026")
      expect(fig(then, "lighthouses.latest.round")).toBe("October 2022")
      expect(fig(then, "lighthouses.latest.china_excl_taiwan")).toBe("42")
      expect(fig(then, "lighthouses.latest.share_excl_taiwan")).toBe("36.8%")
      // the 2022 forecast as known in Oct 2022 is the 2019 release's floor, not the 2023 release's ~730 bn
      expect(fig(now, "spending.headline.current")).toBe("~US$730\u00a0bn")
      expect(fig(then, "spending.headline.current")).toBe(">US$1.0\u00a0tn")
      expect(fig(then, "spending.latest.release") <= "2022-10").toBe(true)
      const packThen = yield* buildPack(OVERVIEW, data, { asOf: "2022-10" })
      expect(packThen.meta.createdAt).toBe("2022-10")
      const rounds = packThen.blocks.find((b): b is P.Table => b._tag === "Table" && b.caption!.startsWith("Global Lighthouse Network"))!
      const first = (c: P.TableCell) => (typeof c === "string" ? c : c.text)
      expect(rounds.rows.map((r) => first(r[0]!)).at(-1)).toBe("Oct 2022")
      expect(rounds.rows.length).toBe(9)
      const json = JSON.stringify(packThen)
      expect(json).not.toMatch(/round of (January|December) 2023|2023-07-18/)
      expect(json).toContain("only rounds, releases and lists known by 2022-10")
    }),
  )

  it.effect("entity-profile --focus Haier: names, lighthouse sites, COSMOPlat; rendered", () =>
    Effect.gen(function* () {
      const pack = yield* buildPack(PROFILE, data, { focus: "Haier" })
      expect(pack.meta.title).toBe("Entity profile: Haier")
      const out = path.join(tmp, "haier.pdf")
      const r = yield* render(pack)
      fs.writeFileSync(out, r.bytes)
      expect(r.missingGlyphs).toEqual([])
      const t = flat(pdfText(out))
      expect(t).toContain("海尔卡奥斯物联生态科技有限公司")
      expect(t).toContain("Haier COSMOPlat")
      expect(t).toContain("海尔")
      expect(t).toContain("Zhengzhou (water heater interconnected factory)")
      expect(t).toContain("Qingdao (refrigerator interconnected factory)")
      expect(t).toContain("Mixed (majority private owned)")
      expect(t).toContain("Fraunhofer")
      // the 2019 list names only "海尔": found through the Chinese name the lighthouse rows give
      const platforms = pack.blocks.find((b): b is P.Table => b._tag === "Table" && b.caption === "Haier on MIIT cross-industry platform lists")!
      expect(platforms.rows.map((row) => row[0])).toEqual(["2019", "2022"])
      const sites = data.lighthouses.filter((l) => /haier/i.test(l.company.display)).length
      expect(t).toContain(`Haier: lighthouse sites`)
      expect(pack.blocks.find((b): b is P.Table => b._tag === "Table" && b.caption === "Haier: lighthouse sites")!.rows.length).toBe(sites)
    }),
  )

  it.effect("a focus that matches nothing is a typed error listing near names; no focus is one too", () =>
    Effect.gen(function* () {
      const e = failure(yield* Effect.either(buildPack(PROFILE, data, { focus: "Haeir" })))
      expect(e.reason).toBe("missing-data")
      expect(e.file).toBe(path.join(PROFILE, "template.yml"))
      expect(e.near).toBeDefined()
      expect(e.near!.some((n) => n.startsWith("Haier"))).toBe(true)
      expect(e.message).toContain('--focus "Haeir" matches no company or platform name')
      const e2 = failure(yield* Effect.either(buildPack(PROFILE, data)))
      expect(e2.message).toContain("--focus Haier")
    }),
  )
})
