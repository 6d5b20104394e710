/** Sources: the `.source.yml` sidecar beside every extract, and the typed error for bad sources. */
import { Schema } from "effect"

/** The kinds of extract the pipeline knows how to read. */
export const SourceKind = Schema.Literal(
  "miit-platforms",
  "miit-list",
  "wef-lighthouses",
  "wef-rounds",
  "idc-spending",
  "collaborations",
  "reference",
  "review-decisions",
)
export type SourceKind = typeof SourceKind.Type

/** A YAML date (`2026-01-15`) may arrive as a Date; keep it as the ISO date text a person wrote. */
const DateText = Schema.Union(
  Schema.String,
  Schema.transform(Schema.DateFromSelf, Schema.String, { strict: true, decode: (d) => d.toISOString().slice(0, 10), encode: (s) => new Date(s) }),
)

/** The human-edited provenance sidecar `<file>.source.yml`. */
export const Sidecar = Schema.Struct({
  kind: SourceKind,
  title: Schema.String,
  producer: Schema.String,
  /** Where a person can check the data. */
  url: Schema.String,
  retrieved: DateText,
  published: Schema.optional(DateText),
  license: Schema.optional(Schema.String),
  citation: Schema.optional(Schema.String),
  notes: Schema.optional(Schema.String),
  /** URL to fetch the extract from (instead of, or to refresh, the local file). */
  download: Schema.optional(Schema.String),
  /** The extract's file, relative to the sidecar's folder, when it is not the sidecar's own name. */
  path: Schema.optional(Schema.String),
  encoding: Schema.optional(Schema.String),
  sheet: Schema.optional(Schema.String),
  header_row: Schema.optional(Schema.Int.pipe(Schema.positive())),
  /** Explicit header → field map; wins over synonyms. */
  columns: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String })),
  /** Pinned checksum: the file must match it. */
  sha256: Schema.optional(Schema.String.pipe(Schema.pattern(/^[0-9a-f]{64}$/))),
  /** Share of rejected rows above which the source fails (default 0.5). */
  max_reject_share: Schema.optional(Schema.Number.pipe(Schema.between(0, 1))),
})
export type Sidecar = typeof Sidecar.Type

/** A source that cannot be used at all (as opposed to row problems, which are findings). */
export class SourceError extends Schema.TaggedError<SourceError>()("SourceError", {
  reason: Schema.Literal(
    "missing-sidecar",
    "bad-sidecar",
    "unknown-kind",
    "checksum-mismatch",
    "path-escape",
    "missing-file",
    "unreadable",
    "too-many-rejects",
    "fetch-failed",
  ),
  /** The file (relative to the sources folder) the problem is about. */
  file: Schema.String,
  message: Schema.String,
}) {}

/** Provenance of a source as it travels with its rows into every sheet and page. */
export interface SourceInfo {
  readonly id: string
  readonly kind: SourceKind
  readonly title: string
  readonly producer: string
  readonly url: string
  readonly retrieved: string
  readonly published?: string | undefined
  readonly license?: string | undefined
  readonly citation?: string | undefined
  readonly notes?: string | undefined
  readonly sha256: string
  readonly encoding: string
  readonly sheet?: string | undefined
  readonly headerRow: number
  /** Headers as published. */
  readonly headers: ReadonlyArray<string>
  /** Published header → canonical field. */
  readonly mapping: Readonly<Record<string, string>>
  /** Published headers kept as extra columns. */
  readonly extras: ReadonlyArray<string>
}

/** One source row as published, with its row number as a person sees it in the file. */
export interface RawRecord {
  readonly row: number
  readonly values: Readonly<Record<string, string>>
}

/** A rejected row and why. */
export interface QuarantinedRow extends RawRecord {
  readonly reasons: ReadonlyArray<string>
}

