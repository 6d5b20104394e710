/**
 * Briefing-pack templates as data: `template.yml` (title, sections in order, each with a `type`
 * and its options) and `copy.md` (named blocks of text with `{{ placeholder }}`s). Loading checks
 * the structure and remembers the line of every section, option and placeholder, so a mistake
 * becomes a `TemplateError` naming the file and line, not a broken pack.
 */
import { Effect, Schema } from "effect"
import { existsSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from "yaml"

/** A template problem, with the template file and the line a person must edit. */
export class TemplateError extends Schema.TaggedError<TemplateError>()("TemplateError", {
  reason: Schema.Literal("unknown-placeholder", "unknown-section", "missing-data", "parse", "not-found"),
  /** The template file (path as given: `<dir>/template.yml` or `<dir>/copy.md`). */
  file: Schema.String,
  /** 1-based line in `file`; absent when the problem is the file as a whole. */
  line: Schema.optional(Schema.Number),
  message: Schema.String,
  /** Names close to a focus or placeholder that matched nothing. */
  near: Schema.optional(Schema.Array(Schema.String)),
}) {}

/** The section types a template may use, in the order a reader meets them in the default pack. */
export const sectionTypes = [
  "cover",
  "toc",
  "page-break",
  "copy",
  "paragraph",
  "key-figures",
  "chart",
  "table",
  "platforms-table",
  "collaborations",
  "data-quality",
  "sources",
] as const
/** One of `sectionTypes`. */
export type SectionType = (typeof sectionTypes)[number]

/** Where something was written: file and 1-based line. */
export interface At {
  readonly file: string
  readonly line: number
}

/** A text from template.yml that may hold placeholders, with its line. */
export interface Text {
  readonly text: string
  readonly at: At
}

/** One boxed figure of a `key-figures` section. */
export interface KeyFigureSpec {
  /** Placeholder name whose value is shown in the box. */
  readonly figure: string
  readonly label: Text
  readonly note?: Text | undefined
  /** When true, a figure without data is left out instead of failing the pack. */
  readonly optional: boolean
  readonly at: At
}

/** One section of a template, as written. */
export interface Section {
  readonly type: SectionType
  readonly at: At
  /** Heading text (a level-1 heading starts a top-level section: an outline entry). */
  readonly title?: Text | undefined
  readonly level: 1 | 2
  /** Name of a copy.md block printed under the heading, before the content. */
  readonly copy?: { readonly name: string; readonly at: At } | undefined
  /** cover: subtitle and lines. */
  readonly subtitle?: Text | undefined
  readonly lines: ReadonlyArray<Text>
  /** key-figures. */
  readonly items: ReadonlyArray<KeyFigureSpec>
  /** chart / table: the named chart or table and, for tables, the columns in order. */
  readonly ref?: { readonly name: string; readonly at: At } | undefined
  readonly columns?: ReadonlyArray<{ readonly name: string; readonly at: At }> | undefined
  /** data-quality: which parts, in order. */
  readonly parts: ReadonlyArray<{ readonly name: string; readonly at: At }>
}

/** A paragraph of copy, with the line it starts on. */
export interface CopyParagraph {
  readonly text: string
  readonly line: number
  /** The source lines joined into `text` (a placeholder's line is found here). */
  readonly lines: ReadonlyArray<{ readonly text: string; readonly line: number }>
}

/** A named block of copy.md (`## name` … up to the next `## `). */
export interface CopyBlock {
  readonly name: string
  readonly line: number
  readonly paragraphs: ReadonlyArray<CopyParagraph>
}

/** A loaded, structurally valid template. */
export interface Template {
  readonly dir: string
  readonly name: string
  readonly title: Text
  readonly subtitle?: Text | undefined
  readonly subject: string
  readonly keywords: ReadonlyArray<string>
  /** `section`: notes after each top-level section; `end`: one Notes section at the end. */
  readonly footnotes: "section" | "end"
  /** `focus`: the pack is about one entity and needs `--focus`. */
  readonly requires: ReadonlyArray<"focus">
  /** Where `requires:` is written (for the error when a requirement is not met). */
  readonly requiresAt: At
  readonly sections: ReadonlyArray<Section>
  readonly copyFile: string
  readonly copy: ReadonlyMap<string, CopyBlock>
}

/** The placeholder pattern `{{ name }}`: any name is taken here; `Build` checks it against the names the bindings know. */
const PLACEHOLDER_RE = /\{\{\s*([^{}]*?)\s*\}\}/g

/** Every placeholder name in a text, with its offset. */
export const placeholders = (text: string): ReadonlyArray<{ readonly name: string; readonly index: number; readonly length: number }> =>
  [...text.matchAll(PLACEHOLDER_RE)].map((m) => ({ name: m[1]!, index: m.index, length: m[0].length }))

/** Splits copy.md into named blocks; paragraphs are separated by blank lines, `<!-- … -->` lines are comments. */
const parseCopy = (text: string): ReadonlyMap<string, CopyBlock> => {
  const blocks = new Map<string, { name: string; line: number; paragraphs: Array<CopyParagraph> }>()
  let current: { name: string; line: number; paragraphs: Array<CopyParagraph> } | undefined
  let para: { lines: Array<{ text: string; line: number }>; line: number } | undefined
  const flush = () => {
    if (para !== undefined && current !== undefined) current.paragraphs.push({ text: para.lines.map((l) => l.text).join(" "), line: para.line, lines: para.lines })
    para = undefined
  }
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim()
    const head = /^##\s+(\S.*?)\s*$/.exec(line)
    if (head !== null) {
      flush()
      current = { name: head[1]!, line: i + 1, paragraphs: [] }
      blocks.set(current.name, current)
    } else if (line === "" || /^<!--.*-->$/.test(line) || /^#\s/.test(line)) flush()
    else if (current !== undefined) {
      if (para === undefined) para = { lines: [], line: i + 1 }
      para.lines.push({ text: line, line: i + 1 })
    }
  })
  flush()
  return blocks
}

type Node = { range?: [number, number, number] | undefined } | null | undefined

/** Reads a template folder: `template.yml` and the copy file it names. */
export const load = (dir: string): Effect.Effect<Template, TemplateError> =>
  Effect.suspend(() => {
    const ymlFile = join(dir, "template.yml")
    if (!existsSync(dir) || !statSync(dir).isDirectory())
      return Effect.fail(new TemplateError({ reason: "not-found", file: dir, message: `template folder ${dir} does not exist` }))
    if (!existsSync(ymlFile)) return Effect.fail(new TemplateError({ reason: "not-found", file: ymlFile, message: `${ymlFile} is missing: a template folder needs a template.yml` }))
    const lc = new LineCounter()
    const doc = parseDocument(readFileSync(ymlFile, "utf8"), { lineCounter: lc, prettyErrors: false })
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!
      const line = e.linePos?.[0]?.line ?? lc.linePos(e.pos[0]).line
      return Effect.fail(new TemplateError({ reason: "parse", file: ymlFile, ...(line !== undefined ? { line } : {}), message: `${ymlFile}${line !== undefined ? `:${line}` : ""}: ${e.message.split("\n")[0]}` }))
    }
    return fromDocument(dir, ymlFile, doc, lc)
  })

/** Decodes the parsed YAML, failing with the first problem at its line. */
const fromDocument = (dir: string, file: string, doc: Document, lc: LineCounter): Effect.Effect<Template, TemplateError> =>
  Effect.gen(function* () {
    const lineOf = (path: ReadonlyArray<string | number>): number => {
      for (let k = path.length; k >= 0; k--) {
        const node = (k === 0 ? doc.contents : doc.getIn([...path.slice(0, k)], true)) as Node
        if (node?.range) return lc.linePos(node.range[0]).line
      }
      return 1
    }
    const at = (path: ReadonlyArray<string | number>): At => ({ file, line: lineOf(path) })
    const fail = (path: ReadonlyArray<string | number>, message: string, reason: TemplateError["reason"] = "parse"): Effect.Effect<never, TemplateError> => {
      const line = lineOf(path)
      return Effect.fail(new TemplateError({ reason, file, line, message: `${file}:${line}: ${message}` }))
    }
    if (!isMap(doc.contents)) return yield* fail([], "a template is a YAML map with title and sections")
    const get = (path: ReadonlyArray<string | number>): unknown => {
      const n = doc.getIn([...path], true)
      return isScalar(n) ? n.value : n
    }
    const str = (path: ReadonlyArray<string | number>, required = false): Effect.Effect<string | undefined, TemplateError> => {
      const v = get(path)
      if (v === undefined || v === null) return required ? fail(path, `\`${path.join(".")}\` is required`) : Effect.succeed(undefined)
      if (typeof v !== "string" && typeof v !== "number") return fail(path, `\`${path.join(".")}\` must be text`)
      return Effect.succeed(String(v))
    }
    const req = (path: ReadonlyArray<string | number>): Effect.Effect<string, TemplateError> => Effect.map(str(path, true), (s) => s!)
    const text = (path: ReadonlyArray<string | number>, required = false): Effect.Effect<Text | undefined, TemplateError> =>
      Effect.map(str(path, required), (s) => (s === undefined ? undefined : { text: s, at: at(path) }))
    const seq = (path: ReadonlyArray<string | number>): Effect.Effect<number, TemplateError> => {
      const n = doc.getIn([...path], true)
      if (n === undefined) return Effect.succeed(0)
      return isSeq(n) ? Effect.succeed(n.items.length) : fail(path, `\`${path.join(".")}\` must be a list`)
    }
    const known = (path: ReadonlyArray<string | number>, keys: ReadonlyArray<string>): Effect.Effect<void, TemplateError> => {
      const n = doc.getIn([...path], true)
      if (!isMap(n)) return Effect.void
      for (const pair of n.items) {
        const k = isScalar(pair.key) ? String(pair.key.value) : String(pair.key)
        if (!keys.includes(k)) return fail([...path, k], `unknown key \`${k}\`; expected one of: ${keys.join(", ")}`)
      }
      return Effect.void
    }
    const list = <A>(path: ReadonlyArray<string | number>, f: (k: number) => Effect.Effect<A, TemplateError>): Effect.Effect<Array<A>, TemplateError> =>
      Effect.flatMap(seq(path), (n) => Effect.forEach(Array.from({ length: n }, (_, k) => k), f))

    yield* known([], ["name", "title", "subtitle", "subject", "keywords", "copy", "footnotes", "requires", "sections"])
    const copyName = (yield* str(["copy"])) ?? "copy.md"
    const copyFile = join(dir, copyName)
    if (!existsSync(copyFile)) return yield* fail(["copy"], `copy file ${copyFile} does not exist`, "not-found")
    const copy = parseCopy(readFileSync(copyFile, "utf8"))
    const footnotes = (yield* str(["footnotes"])) ?? "section"
    if (footnotes !== "section" && footnotes !== "end") return yield* fail(["footnotes"], `footnotes: "${footnotes}" is not "section" or "end"`)
    const requires = yield* list(["requires"], (i) =>
      Effect.flatMap(req(["requires", i]), (r) => (r === "focus" ? Effect.succeed("focus" as const) : fail(["requires", i], `requires: "${r}" is unknown; the only requirement is "focus"`))),
    )
    const keywords = yield* list(["keywords"], (i) => req(["keywords", i]))
    const nSections = yield* seq(["sections"])
    if (nSections === 0) return yield* fail(["sections"], "a template needs a non-empty `sections:` list")
    const common = ["type", "title", "level", "copy"]
    const optionsOf: Record<SectionType, ReadonlyArray<string>> = {
      cover: ["type", "title", "subtitle", "lines"],
      toc: ["type", "title"],
      "page-break": ["type"],
      copy: common,
      paragraph: common,
      "key-figures": [...common, "items"],
      chart: [...common, "chart"],
      table: [...common, "table", "columns"],
      "platforms-table": [...common, "columns"],
      collaborations: [...common, "columns"],
      "data-quality": [...common, "parts"],
      sources: common,
    }
    const sections: Array<Section> = []
    for (let i = 0; i < nSections; i++) {
      const p = ["sections", i]
      if (!isMap(doc.getIn(p, true))) return yield* fail(p, `section ${i + 1} must be a map with a \`type\``)
      const type = yield* req([...p, "type"])
      if (!(sectionTypes as ReadonlyArray<string>).includes(type))
        return yield* fail([...p, "type"], `unknown section type "${type}"; known types: ${sectionTypes.join(", ")}`, "unknown-section")
      const t = type as SectionType
      yield* known(p, optionsOf[t])
      const level = get([...p, "level"]) ?? 1
      if (level !== 1 && level !== 2) return yield* fail([...p, "level"], `level must be 1 or 2, not ${String(level)}`)
      const copyRef = yield* str([...p, "copy"])
      if (copyRef !== undefined && !copy.has(copyRef))
        return yield* fail([...p, "copy"], `copy block "${copyRef}" is not in ${copyName} (blocks: ${[...copy.keys()].join(", ")})`, "not-found")
      const refKey = t === "chart" ? "chart" : t === "table" ? "table" : undefined
      const refName = refKey === undefined ? undefined : yield* str([...p, refKey])
      if (refKey !== undefined && refName === undefined) return yield* fail(p, `a ${t} section needs \`${refKey}:\` naming the ${refKey}`)
      const names = (key: string) => list([...p, key], (k) => Effect.map(req([...p, key, k]), (name) => ({ name, at: at([...p, key, k]) })))
      const items = yield* list([...p, "items"], (k) =>
        Effect.gen(function* () {
          const ip = [...p, "items", k]
          yield* known(ip, ["figure", "label", "note", "optional"])
          return {
            figure: yield* req([...ip, "figure"]),
            label: (yield* text([...ip, "label"], true))!,
            note: yield* text([...ip, "note"]),
            optional: get([...ip, "optional"]) === true,
            at: at([...ip, "figure"]),
          } satisfies KeyFigureSpec
        }),
      )
      if (t === "key-figures" && items.length === 0) return yield* fail(p, "a key-figures section needs `items:` (figure + label each)")
      sections.push({
        type: t,
        at: at([...p, "type"]),
        title: yield* text([...p, "title"]),
        level: level as 1 | 2,
        copy: copyRef === undefined ? undefined : { name: copyRef, at: at([...p, "copy"]) },
        subtitle: yield* text([...p, "subtitle"]),
        lines: yield* list([...p, "lines"], (k) => Effect.map(text([...p, "lines", k], true), (x) => x!)),
        items,
        ref: refName === undefined || refKey === undefined ? undefined : { name: refName, at: at([...p, refKey]) },
        columns: doc.getIn([...p, "columns"], true) === undefined ? undefined : yield* names("columns"),
        parts: yield* names("parts"),
      })
    }
    return {
      dir,
      name: (yield* str(["name"])) ?? dir.split(/[\\/]/).filter((s) => s !== "").pop() ?? "template",
      title: (yield* text(["title"], true))!,
      subtitle: yield* text(["subtitle"]),
      subject: (yield* str(["subject"])) ?? "",
      keywords,
      footnotes,
      requires,
      requiresAt: at(["requires"]),
      sections,
      copyFile,
      copy,
    }
  })
