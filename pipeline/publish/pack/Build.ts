/**
 * Build: a template plus the bindings of the publication data → a PackDoc for the PDF renderer.
 * Every placeholder is checked against the names the bindings know before anything is built
 * (an unknown name fails with its file and line whatever the data); every figure drawn from a
 * placeholder, table cell or chart gets a numbered note naming its sources and rule.
 */
import { Effect } from "effect"
import type { PublicationData } from "../Data.js"
import * as P from "../pdf/PackDoc.js"
import * as B from "./Bindings.js"
import * as T from "./Template.js"

/** Build options: as in `iiot brief` (`--as-of`, `--focus`). */
export interface BuildOptions {
  readonly asOf?: string | undefined
  readonly focus?: string | undefined
}

/** Fixed author of every pack (written to the PDF Info dictionary). */
const AUTHOR = "iiot-observatory"

/** The data-quality annex parts, in the default order. */
const QUALITY_PARTS = ["coverage", "severity", "codes", "contradictions", "checks", "quarantine"] as const

/** Table names the section types `platforms-table` and `collaborations` stand for. */
const FIXED_TABLE: Partial<Record<T.SectionType, string>> = { "platforms-table": "platforms.latest", collaborations: "collaborations" }

/** Loads the template in `templateDir`, binds the data and builds the pack. */
export const buildPack = (templateDir: string, data: PublicationData, options: BuildOptions = {}): Effect.Effect<P.PackDoc, T.TemplateError> =>
  Effect.flatMap(T.load(templateDir), (template) => build(template, data, options))

/** Builds a pack from a loaded template (bindings computed here). */
export const build = (template: T.Template, data: PublicationData, options: BuildOptions = {}): Effect.Effect<P.PackDoc, T.TemplateError> =>
  Effect.suspend(() => fromBindings(template, B.bindings(data, options), data, options))

const err = (reason: T.TemplateError["reason"], at: T.At, message: string, near?: ReadonlyArray<string>) =>
  new T.TemplateError({ reason, file: at.file, line: at.line, message: `${at.file}:${at.line}: ${message}`, ...(near !== undefined && near.length > 0 ? { near } : {}) })

/** Builds the pack from the template and the bindings `build` computed. */
const fromBindings = (template: T.Template, b: B.Bindings, data: PublicationData, options: BuildOptions = {}): Effect.Effect<P.PackDoc, T.TemplateError> =>
  Effect.gen(function* () {
    const names = [...b.figures.keys()]
    const unknown = (name: string, at: T.At) => {
      const near = B.nearNames(name, names, 3)
      return err("unknown-placeholder", at, `unknown placeholder {{ ${name} }}${near.length > 0 ? `; did you mean ${near.map((n) => `{{ ${n} }}`).join(", ")}?` : ""}`, near)
    }

    // 1. Every placeholder in the copy and in template.yml must be a known name.
    for (const block of template.copy.values())
      for (const para of block.paragraphs)
        for (const line of para.lines)
          for (const ph of T.placeholders(line.text)) if (!b.figures.has(ph.name)) return yield* unknown(ph.name, { file: template.copyFile, line: line.line })
    const ymlTexts: Array<T.Text> = [template.title, ...(template.subtitle ? [template.subtitle] : [])]
    for (const s of template.sections) {
      ymlTexts.push(...(s.title ? [s.title] : []), ...(s.subtitle ? [s.subtitle] : []), ...s.lines)
      for (const it of s.items) {
        ymlTexts.push(it.label, ...(it.note ? [it.note] : []))
        if (!b.figures.has(it.figure)) return yield* unknown(it.figure, it.at)
      }
    }
    for (const t of ymlTexts) for (const ph of T.placeholders(t.text)) if (!b.figures.has(ph.name)) return yield* unknown(ph.name, t.at)

    // 2. Requirements: an entity profile needs a focus that matches something.
    if (template.requires.includes("focus")) {
      if (options.focus === undefined || options.focus.trim() === "")
        return yield* err("missing-data", template.requiresAt, `template "${template.name}" is an entity profile: give the entity with --focus (e.g. --focus Haier)`)
      if (b.focus !== undefined && !b.focus.matched)
        return yield* err("missing-data", template.requiresAt, `--focus "${b.focus.query}" matches no company or platform name in the data${b.focus.near.length > 0 ? `; near names: ${b.focus.near.join(", ")}` : ""}`, b.focus.near)
    }

    // 3. Notes: numbered through the pack, deduplicated within a section, printed per section or at the end.
    const blocks: Array<P.Block> = []
    let counter = 0
    let pending: Array<P.Note> = []
    let inSection = new Map<string, number>()
    const noteFor = (fn: B.Footnote | undefined): number | undefined => {
      if (fn === undefined) return undefined
      const hit = inSection.get(fn.text)
      if (hit !== undefined) return hit
      counter++
      const link = fn.link
      pending.push(link === undefined ? { n: counter, text: fn.text } : { n: counter, text: fn.text, link })
      inSection.set(fn.text, counter)
      return counter
    }
    const flush = (force = false) => {
      if (template.footnotes === "end" && !force) return
      if (pending.length > 0) blocks.push(P.footnotes(pending, "Notes"))
      pending = []
      inSection = new Map()
    }

    const bind = (name: string, at: T.At): Effect.Effect<B.Value, T.TemplateError> => {
      const v = b.figures.get(name)
      if (v === undefined) return Effect.fail(unknown(name, at))
      return v._tag === "Missing" ? Effect.fail(err("missing-data", at, `{{ ${name} }} has no data: ${v.why}`)) : Effect.succeed(v)
    }
    /** Text with placeholders replaced; a figure's note number follows it in brackets (headings, labels, captions have no markers). */
    const plain = (t: T.Text, skip?: number): Effect.Effect<string, T.TemplateError> =>
      Effect.gen(function* () {
        let out = ""
        let last = 0
        for (const ph of T.placeholders(t.text)) {
          const v = yield* bind(ph.name, t.at)
          const n = noteFor(v.footnote)
          out += t.text.slice(last, ph.index) + v.display + (n === undefined || n === skip ? "" : ` [${n}]`)
          last = ph.index + ph.length
        }
        return out + t.text.slice(last)
      })
    /** A copy paragraph as runs: **bold**, [links](url) and placeholders, each placeholder a run with its note marker. */
    const runs = (para: T.CopyParagraph): Effect.Effect<Array<P.Run>, T.TemplateError> =>
      Effect.gen(function* () {
        const out: Array<P.Run> = []
        // A note is marked once per paragraph, at its first figure: markers after every number would drown the text.
        const marked = new Set<number>()
        const lineOf = (name: string) => para.lines.find((l) => T.placeholders(l.text).some((p) => p.name === name))?.line ?? para.line
        const emit = (text: string, style: { bold?: boolean; link?: string }) =>
          Effect.gen(function* () {
            let last = 0
            for (const ph of T.placeholders(text)) {
              if (ph.index > last) out.push({ text: text.slice(last, ph.index), ...style })
              const v = yield* bind(ph.name, { file: template.copyFile, line: lineOf(ph.name) })
              const n = noteFor(v.footnote)
              const mark = n !== undefined && !marked.has(n)
              if (n !== undefined) marked.add(n)
              out.push({ text: v.display, ...style, ...(mark ? { footnote: n } : {}) })
              last = ph.index + ph.length
            }
            if (last < text.length) out.push({ text: text.slice(last), ...style })
          })
        const INLINE = /\*\*(.+?)\*\*|\[([^\]]+)\]\((https?:[^)\s]+)\)/g
        let last = 0
        for (const m of para.text.matchAll(INLINE)) {
          if (m.index > last) yield* emit(para.text.slice(last, m.index), {})
          if (m[1] !== undefined) yield* emit(m[1], { bold: true })
          else yield* emit(m[2]!, { link: m[3]! })
          last = m.index + m[0].length
        }
        if (last < para.text.length) yield* emit(para.text.slice(last), {})
        return out
      })
    const copyBlocks = (s: T.Section) =>
      Effect.gen(function* () {
        if (s.copy === undefined) return
        for (const para of template.copy.get(s.copy.name)!.paragraphs) blocks.push(P.paragraph(yield* runs(para)))
      })
    const cell = (c: B.Cell): P.TableCell => {
      if (typeof c === "string") return c
      const n = noteFor(c.footnote)
      return { text: c.text, ...(n === undefined ? {} : { footnote: n }), ...(c.bold ? { bold: true } : {}) }
    }
    const tableBlock = (t: B.TableData, columns: ReadonlyArray<{ readonly name: string; readonly at: T.At }> | undefined) =>
      Effect.gen(function* () {
        const cols: Array<B.ColumnData> = []
        for (const c of columns ?? t.columns.map((x) => ({ name: x.key, at: { file: "", line: 0 } }))) {
          const col = t.columns.find((x) => x.key === c.name)
          if (col === undefined) return yield* err("unknown-placeholder", c.at, `table "${t.caption}" has no column "${c.name}"; columns: ${t.columns.map((x) => x.key).join(", ")}`)
          cols.push(col)
        }
        const n = noteFor(t.footnote)
        blocks.push(
          P.table({
            caption: t.caption,
            ...(n === undefined ? {} : { footnote: n }),
            columns: cols.map((c) => ({ header: c.header, ...(c.align ? { align: c.align } : {}), ...(c.width ? { width: c.width } : {}) })),
            rows: t.rows.map((r) => cols.map((c) => cell(r[c.key] ?? ""))),
            ...(t.notes !== undefined && t.notes.length > 0 ? { notes: t.notes } : {}),
          }),
        )
      })
    const lookupTable = (name: string, at: T.At): Effect.Effect<B.TableData, T.TemplateError> => {
      const t = b.tables.get(name)
      if (t === undefined) return Effect.fail(err("unknown-placeholder", at, `unknown table "${name}"; tables: ${[...b.tables.keys()].join(", ")}`, B.nearNames(name, [...b.tables.keys()], 3)))
      return t._tag === "Missing" ? Effect.fail(err("missing-data", at, `table "${name}" has no data: ${t.why}`)) : Effect.succeed(t)
    }

    const title = yield* plain(template.title)
    // 4. Sections in order.
    for (const s of template.sections) {
      if (s.type === "cover") {
        flush()
        const subtitle = s.subtitle ?? template.subtitle
        const lines: Array<string> = []
        for (const l of s.lines) lines.push(yield* plain(l))
        blocks.push(P.cover({ title: yield* plain(s.title ?? template.title), ...(subtitle ? { subtitle: yield* plain(subtitle) } : {}), lines }))
        continue
      }
      if (s.type === "toc") {
        blocks.push(P.toc(s.title === undefined ? undefined : yield* plain(s.title)))
        continue
      }
      if (s.type === "page-break") {
        flush()
        blocks.push(P.pageBreak)
        continue
      }
      if (s.title !== undefined) {
        if (s.level === 1) flush()
        blocks.push(P.heading(s.level, yield* plain(s.title)))
      }
      yield* copyBlocks(s)
      switch (s.type) {
        case "copy":
        case "paragraph":
          break
        case "key-figures": {
          const items: Array<P.KeyFigure> = []
          for (const it of s.items) {
            const v = b.figures.get(it.figure)!
            if (v._tag === "Missing") {
              if (it.optional) continue
              return yield* err("missing-data", it.at, `key figure {{ ${it.figure} }} has no data: ${v.why} (mark it \`optional: true\` to leave it out)`)
            }
            const n = noteFor(v.footnote)
            const note = it.note === undefined ? undefined : yield* plain(it.note, n)
            items.push({ label: yield* plain(it.label, n), value: v.display, ...(note !== undefined ? { note } : {}), ...(n === undefined ? {} : { footnote: n }) })
          }
          if (items.length > 0) blocks.push(P.keyFigures(items))
          break
        }
        case "chart": {
          const ref = s.ref!
          const c = b.charts.get(ref.name)
          if (c === undefined) return yield* err("unknown-placeholder", ref.at, `unknown chart "${ref.name}"; charts: ${[...b.charts.keys()].join(", ")}`, B.nearNames(ref.name, [...b.charts.keys()], 3))
          if (c._tag === "Missing") return yield* err("missing-data", ref.at, `chart "${ref.name}" has no data: ${c.why}`)
          const n = noteFor(c.footnote)
          blocks.push(P.chart({ kind: c.kind, title: c.title, categories: c.categories, series: c.series, ...(c.yLabel ? { yLabel: c.yLabel } : {}), ...(n === undefined ? {} : { footnote: n }) }))
          break
        }
        case "table":
        case "platforms-table":
        case "collaborations": {
          const ref = s.ref ?? { name: FIXED_TABLE[s.type]!, at: s.at }
          yield* tableBlock(yield* lookupTable(ref.name, ref.at), s.columns)
          break
        }
        case "data-quality": {
          const parts = s.parts.length > 0 ? s.parts : QUALITY_PARTS.map((name) => ({ name, at: s.at }))
          for (const part of parts) {
            const t = b.tables.get(`quality.${part.name}`)
            if (t === undefined) return yield* err("unknown-section", part.at, `unknown data-quality part "${part.name}"; parts: ${QUALITY_PARTS.join(", ")}`)
            if (t._tag === "Table") yield* tableBlock(t, undefined)
          }
          break
        }
        case "sources":
          blocks.push(P.sourceList(b.sources))
          break
      }
    }
    if (template.footnotes === "end" && pending.length > 0) blocks.push(P.heading(1, "Notes"))
    flush(true)

    return {
      meta: {
        title,
        author: AUTHOR,
        subject: template.subject === "" ? title : yield* plain({ text: template.subject, at: template.title.at }),
        keywords: template.keywords,
        language: "en-GB",
        createdAt: options.asOf !== undefined && options.asOf.trim() !== "" ? options.asOf.trim() : data.asOf,
      },
      blocks,
    }
  })
