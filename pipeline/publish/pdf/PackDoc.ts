/**
 * PackDoc: the pure document model of a briefing pack (DESIGN.md "publish: pure document models
 * first, thin renderers second"). Templates build it; `Layout` places it; `Render` draws it.
 * Plain readonly data, JSON-serialisable, no PDF library in sight, so a template engine can emit
 * it from YAML and a test can snapshot it.
 */

/** BCP 47 language tag written to the PDF catalog (/Lang), e.g. "en" or "en-GB". */
export type Language = string

/** Document-level metadata written to the PDF Info dictionary and the running header. */
export interface Meta {
  readonly title: string
  readonly author: string
  readonly subject: string
  readonly keywords: ReadonlyArray<string>
  readonly language: Language
  /** ISO date or date-time (e.g. the run's as-of date); never "now", so output is reproducible. */
  readonly createdAt: string
}

/** A stretch of paragraph text sharing one style. */
export interface Run {
  readonly text: string
  readonly bold?: boolean
  /** Drawn as a synthetic oblique: Noto Sans SC has no italic face. */
  readonly italic?: boolean
  /** URL; the run becomes a clickable link. */
  readonly link?: string
  /** Footnote number; drawn as a superscript marker after the run's text, linked to the note. */
  readonly footnote?: number
}

/** Section heading; levels 1 and 2 feed the table of contents and the PDF outline. */
export interface Heading {
  readonly _tag: "Heading"
  readonly level: 1 | 2 | 3
  readonly text: string
  /** Stable anchor; generated from the position when absent. */
  readonly id?: string
}

/** A paragraph of mixed Latin/CJK runs; justified by default. */
export interface Paragraph {
  readonly _tag: "Paragraph"
  readonly runs: ReadonlyArray<Run>
  readonly align?: "justify" | "left"
}

/** One boxed key figure. */
export interface KeyFigure {
  readonly label: string
  readonly value: string
  readonly note?: string
  readonly footnote?: number
}

/** Boxed key figures, laid out 2 to 4 per row. */
export interface KeyFigures {
  readonly _tag: "KeyFigures"
  readonly items: ReadonlyArray<KeyFigure>
}

/** A table cell: plain text, or text with a footnote marker / bold. */
export type TableCell = string | { readonly text: string; readonly footnote?: number; readonly bold?: boolean }

/** A table column. `width` is relative (weights); omitted widths are sized from the content. */
export interface TableColumn {
  readonly header: string
  readonly width?: number
  readonly align?: "left" | "right"
  readonly footnote?: number
}

/** A table that may break across pages; its header row is repeated on every continuation page. */
export interface Table {
  readonly _tag: "Table"
  readonly columns: ReadonlyArray<TableColumn>
  readonly rows: ReadonlyArray<ReadonlyArray<TableCell>>
  /** Printed above the table ("… (continued)" on continuation pages). */
  readonly caption?: string
  /** Footnote marker after the caption (e.g. the table's source). */
  readonly footnote?: number
  /** Short notes printed in small type under the table (e.g. "— = not reported"). */
  readonly notes?: ReadonlyArray<string>
}

/** One data series of a chart; `null` is a missing value (a gap in a line, no bar). */
export interface ChartSeries {
  readonly name: string
  readonly values: ReadonlyArray<number | null>
}

/** A vector chart drawn from the data. */
export interface Chart {
  readonly _tag: "Chart"
  readonly kind: "bar" | "stacked-bar" | "line"
  readonly title: string
  readonly categories: ReadonlyArray<string>
  readonly series: ReadonlyArray<ChartSeries>
  readonly yLabel?: string
  readonly footnote?: number
}

/** One numbered note. */
export interface Note {
  readonly n: number
  readonly text: string
  readonly link?: string
}

/**
 * Numbered notes printed where the block stands (endnotes; a template puts one at the end of
 * each section or of the pack). Every marker `n` in the text links to the note numbered `n`.
 */
export interface Footnotes {
  readonly _tag: "Footnotes"
  readonly title?: string
  readonly items: ReadonlyArray<Note>
}

/** One cited source. */
export interface Source {
  readonly title: string
  readonly producer?: string
  readonly url?: string
  /** ISO date the extract was retrieved. */
  readonly retrieved?: string
  readonly citation?: string
}

/** The list of sources, numbered [1], [2], … with clickable URLs. */
export interface SourceList {
  readonly _tag: "SourceList"
  readonly items: ReadonlyArray<Source>
}

/** Forces the next block onto a new page. */
export interface PageBreak {
  readonly _tag: "PageBreak"
}

/** Table of contents of level-1/2 headings, placed where it stands, with page numbers. */
export interface Toc {
  readonly _tag: "Toc"
  /** Defaults to "Contents". */
  readonly title?: string
}

/** A cover page (no running header or footer); the next block starts a new page. */
export interface Cover {
  readonly _tag: "Cover"
  readonly title: string
  readonly subtitle?: string
  readonly lines: ReadonlyArray<string>
}

/** Every kind of block a pack is made of. */
export type Block = Heading | Paragraph | KeyFigures | Table | Chart | Footnotes | SourceList | PageBreak | Toc | Cover

/** A whole briefing pack. */
export interface PackDoc {
  readonly meta: Meta
  readonly blocks: ReadonlyArray<Block>
}

// Constructors: small, so template code reads as a list of blocks.

/** Builds a heading block. */
export const heading = (level: 1 | 2 | 3, text: string, id?: string): Heading =>
  id === undefined ? { _tag: "Heading", level, text } : { _tag: "Heading", level, text, id }

/** Builds a paragraph from runs or a plain string. */
export const paragraph = (runs: string | ReadonlyArray<Run>, align?: "justify" | "left"): Paragraph => {
  const rs = typeof runs === "string" ? [{ text: runs }] : runs
  return align === undefined ? { _tag: "Paragraph", runs: rs } : { _tag: "Paragraph", runs: rs, align }
}

/** Builds a key-figures block. */
export const keyFigures = (items: ReadonlyArray<KeyFigure>): KeyFigures => ({ _tag: "KeyFigures", items })

/** Builds a table block. */
export const table = (t: Omit<Table, "_tag">): Table => ({ _tag: "Table", ...t })

/** Builds a chart block. */
export const chart = (c: Omit<Chart, "_tag">): Chart => ({ _tag: "Chart", ...c })

/** Builds a notes block. */
export const footnotes = (items: ReadonlyArray<Note>, title?: string): Footnotes =>
  title === undefined ? { _tag: "Footnotes", items } : { _tag: "Footnotes", items, title }

/** Builds a source list. */
export const sourceList = (items: ReadonlyArray<Source>): SourceList => ({ _tag: "SourceList", items })

/** A page break. */
export const pageBreak: PageBreak = { _tag: "PageBreak" }

/** Builds a table-of-contents block. */
export const toc = (title?: string): Toc => (title === undefined ? { _tag: "Toc" } : { _tag: "Toc", title })

/** Builds a cover block. */
export const cover = (c: Omit<Cover, "_tag">): Cover => ({ _tag: "Cover", ...c })

/** The text of a table cell, whatever its form. */
export const cellText = (c: TableCell): string => (typeof c === "string" ? c : c.text)

/** The anchor id of the heading at block index `i` (its own id, else a positional one). */
export const headingId = (h: Heading, i: number): string => h.id ?? `h${i}`
