/** YAML files decoded with a Schema, with problems reported at their line (sidecars, config). */
import { Effect, Either, ParseResult, Schema } from "effect"
import { LineCounter, parseDocument } from "yaml"

export interface YamlIssue {
  readonly line: number | undefined
  readonly path: string
  readonly message: string
}

/** Parses YAML text and decodes it with `schema`; every issue carries its line number. */
export const decode = <A, I>(schema: Schema.Schema<A, I>, text: string): Either.Either<A, ReadonlyArray<YamlIssue>> => {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: false })
  if (doc.errors.length > 0) {
    return Either.left(
      doc.errors.map((e) => ({ line: lineCounter.linePos(e.pos[0]).line, path: "", message: e.message.split("\n")[0]! })),
    )
  }
  const value = doc.toJS()
  const result = Schema.decodeUnknownEither(schema, { errors: "all", onExcessProperty: "error" })(value ?? {})
  if (Either.isRight(result)) return Either.right(result.right)
  const issues = ParseResult.ArrayFormatter.formatErrorSync(result.left)
  return Either.left(
    issues.map((issue) => {
      const node = issue.path.length > 0 ? (doc.getIn(issue.path as Array<PropertyKey>, true) as { range?: [number, number, number] } | undefined) : undefined
      // A missing key has no node: point at its parent map instead.
      const parent = issue.path.length > 1 ? (doc.getIn(issue.path.slice(0, -1) as Array<PropertyKey>, true) as { range?: [number, number, number] } | undefined) : undefined
      const at = node?.range?.[0] ?? parent?.range?.[0]
      return { line: at === undefined ? undefined : lineCounter.linePos(at).line, path: issue.path.join("."), message: issue.message }
    }),
  )
}

/** One readable line per issue: `file:line: path: message`. */
export const format = (file: string, issues: ReadonlyArray<YamlIssue>): string =>
  issues.map((i) => `${file}${i.line ? `:${i.line}` : ""}: ${i.path ? `${i.path}: ` : ""}${i.message}`).join("\n")

/** Effect form of `decode`. */
export const decodeEffect = <A, I>(schema: Schema.Schema<A, I>, text: string) =>
  Effect.suspend(() => decode(schema, text))
