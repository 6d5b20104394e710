/** Imports point one way (DESIGN.md "Layout"); only some layers may touch parsers, writers and SQL. */
import { describe, expect, it } from "vitest"
import { readFileSync, readdirSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"

const root = resolve(import.meta.dirname, "..")
const pipeline = join(root, "pipeline")

/** Which layers each layer may import from (itself included). */
const allowed: Record<string, ReadonlyArray<string>> = {
  engine: ["engine"],
  domain: ["domain"],
  normalize: ["normalize", "domain", "engine"],
  reconcile: ["reconcile", "normalize", "domain", "engine"],
  ingest: ["ingest", "normalize", "reconcile", "domain", "engine"],
  publish: ["publish", "normalize", "reconcile", "domain", "engine"],
  assets: ["assets", "ingest", "publish", "normalize", "reconcile", "domain", "engine"],
  cli: ["cli", "assets", "ingest", "publish", "normalize", "reconcile", "domain", "engine"],
}

/** Packages that only some layers may import. */
const packageOwners: ReadonlyArray<readonly [RegExp, ReadonlyArray<string>]> = [
  [/^(papaparse|iconv-lite)$/, ["ingest", "publish"]],
  [/^exceljs$/, ["ingest", "publish"]],
  [/^(pdf-lib|fontkit|@expo-google-fonts\/)/, ["publish"]],
  [/^(better-sqlite3|@effect\/sql)/, ["engine"]],
  [/^@effect\/cli/, ["cli"]],
  [/^opencc-js$/, ["normalize"]],
]

const files = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  )

const imports = (file: string): Array<string> =>
  [...readFileSync(file, "utf8").matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)].map(
    (m) => (m[1] ?? m[2])!,
  )

describe("architecture", () => {
  const all = files(pipeline)

  it("has every layer of DESIGN.md, and sees their imports", () => {
    for (const layer of Object.keys(allowed)) expect(readdirSync(pipeline)).toContain(layer)
    // Guards the scanner itself: a regex that matched nothing would pass every rule below.
    expect(all.flatMap(imports).filter((s) => s.startsWith(".")).length).toBeGreaterThan(50)
  })

  it("imports point one way: engine, domain ← normalize, reconcile ← ingest, publish ← assets ← cli", () => {
    const violations: Array<string> = []
    for (const file of all) {
      const layer = relative(pipeline, file).split("/")[0]!
      for (const spec of imports(file)) {
        if (!spec.startsWith(".")) continue
        const target = relative(pipeline, resolve(dirname(file), spec)).split("/")[0]!
        if (!allowed[layer]?.includes(target)) violations.push(`${relative(root, file)} imports ${spec} (${layer} → ${target})`)
      }
    }
    expect(violations).toEqual([])
  })

  it("parsers, writers, SQL and the CLI library stay in their layers", () => {
    const violations: Array<string> = []
    for (const file of all) {
      const layer = relative(pipeline, file).split("/")[0]!
      for (const spec of imports(file)) {
        for (const [pattern, owners] of packageOwners) {
          if (pattern.test(spec) && !owners.includes(layer)) violations.push(`${relative(root, file)} imports ${spec}`)
        }
      }
    }
    expect(violations).toEqual([])
  })

  it("exceljs, pdf-lib and fontkit are loaded where they are used, not when a command starts", () => {
    // A value import at the top of a module loads the library with the bundle (~0.35 s of `iiot --help`).
    const topImports = all.flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(/(?:^|\n)\s*import\s+(type\s)?[^'"]*?from\s+["'](exceljs|pdf-lib|fontkit)["']/g)].map((m) => ({
        what: `${relative(root, file)} imports ${m[2]}`,
        typeOnly: m[1] !== undefined,
      })),
    )
    expect(topImports.filter((i) => !i.typeOnly).map((i) => i.what)).toEqual([])
    // The same scan sees the type-only imports of all three, so it would see value imports.
    expect(new Set(topImports.map((i) => i.what.split(" ").at(-1))).size).toBe(3)
  })

  it("the engine is domain-blind: no source kinds, no MIIT, WEF, Excel or PDF in its code", () => {
    const words = /miit|lighthouse|exceljs|pdf-lib|idc-spending/i
    const hits = all
      .filter((f) => relative(pipeline, f).startsWith("engine/"))
      .filter((f) => words.test(readFileSync(f, "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "")))
    expect(hits.map((f) => relative(root, f))).toEqual([])
  })
})

describe("README", () => {
  it("documents every header synonym of every kind (kept true by this test)", async () => {
    const readme = readFileSync(join(root, "README.md"), "utf8")
    const { headerTable } = await import("../pipeline/ingest/HeaderMap.js")
    const missing: Array<string> = []
    for (const [kind, specs] of Object.entries(headerTable)) {
      const row = readme.split("\n").find((l) => l.startsWith(`| \`${kind}\` |`)) ?? ""
      for (const s of specs) for (const word of [s.field, ...s.synonyms]) if (!row.includes(word)) missing.push(`${kind}: ${word}`)
    }
    expect(missing).toEqual([])
  })

  it("opens with a Quick start of exactly two commands", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8")
    const block = readme.split("## Quick start")[1]!.split("```")[1]!
    expect(block.trim().split("\n").slice(1).map((l) => l.split("#")[0]!.trim())).toEqual(["npm ci && npm start", "npm test"])
  })
})
