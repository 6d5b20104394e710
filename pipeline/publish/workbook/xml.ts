/** Small SpreadsheetML helpers shared by the renderer and the chart injector (pure string work). */

const XML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" }

/**
 * Text as XML character data: entities escaped; characters XML 1.0 forbids (control characters,
 * lone surrogates, U+FFFE/U+FFFF) written as OOXML `_xHHHH_` escapes, and a literal `_xHHHH_`
 * protected with `_x005F_` so Excel shows exactly the source text.
 */
export const escapeXml = (s: string): string => {
  if (!/[&<>"'\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]|_x[0-9A-Fa-f]{4}_/.test(s)) return s
  return s
    .replace(/_(x[0-9A-Fa-f]{4}_)/g, "_x005F_$1")
    .replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!)
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, (c) =>
      `_x${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}_`,
    )
}

/** Column letters for a 1-based column number (1 → A, 27 → AA). */
export const colLetter = (n: number): string => {
  let s = ""
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s
  return s
}

/** A sheet name as it must appear in a formula or a hyperlink location: always quoted, quotes doubled. */
export const quoteSheet = (name: string): string => `'${name.replace(/'/g, "''")}'`

/** An absolute reference to a column range on a sheet, e.g. `'Rounds'!$B$2:$B$9`. */
export const absRange = (sheet: string, col: number, fromRow: number, toRow: number): string =>
  `${quoteSheet(sheet)}!$${colLetter(col)}$${fromRow}:$${colLetter(col)}$${toRow}`

/** CT_Worksheet child elements in schema order (ECMA-376 Part 1, §18.3.1.99); Excel refuses them out of order. */
const WORKSHEET_ORDER = [
  "sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr", "sheetProtection",
  "protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate", "customSheetViews", "mergeCells",
  "phoneticPr", "conditionalFormatting", "dataValidations", "hyperlinks", "printOptions", "pageMargins", "pageSetup",
  "headerFooter", "rowBreaks", "colBreaks", "customProperties", "cellWatches", "ignoredErrors", "smartTags", "drawing",
  "legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems", "tableParts",
  "extLst",
] as const

/** Name of a worksheet child element, in schema order. */
export type WorksheetElement = (typeof WORKSHEET_ORDER)[number]

/**
 * Inserts `fragment` (an element named `element`) into worksheet XML at its schema position: before the
 * first present element that must follow it, else before `</worksheet>`.
 */
export const insertWorksheetElement = (xml: string, element: WorksheetElement, fragment: string): string => {
  const later = WORKSHEET_ORDER.slice(WORKSHEET_ORDER.indexOf(element) + 1)
  let at = -1
  for (const name of later) {
    const m = new RegExp(`<${name}[\\s/>]`).exec(xml)
    if (m !== null && (at === -1 || m.index < at)) at = m.index
  }
  if (at === -1) at = xml.lastIndexOf("</worksheet>")
  return xml.slice(0, at) + fragment + xml.slice(at)
}

/** Adds relationships to a `.rels` part (creating it when absent). */
export const addRelationships = (rels: string | undefined, add: ReadonlyArray<{ id: string; type: string; target: string; external?: boolean }>): string => {
  const base = rels ?? '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>'
  const items = add
    .map((r) => `<Relationship Id="${r.id}" Type="${r.type}" Target="${escapeXml(r.target)}"${r.external === true ? ' TargetMode="External"' : ""}/>`)
    .join("")
  const at = base.lastIndexOf("</Relationships>")
  // A function, not a replacement string: `$&` or `$'` in a target would be read as patterns.
  if (at === -1) return base.replace(/<Relationships([^>]*)\/>/, (_, attrs: string) => `<Relationships${attrs}>${items}</Relationships>`)
  return base.slice(0, at) + items + base.slice(at)
}

/** Adds `<Override>` entries to `[Content_Types].xml`. */
export const addContentTypeOverrides = (types: string, add: ReadonlyArray<{ partName: string; contentType: string }>): string => {
  const items = add.map((o) => `<Override PartName="${o.partName}" ContentType="${o.contentType}"/>`).join("")
  const at = types.lastIndexOf("</Types>")
  return types.slice(0, at) + items + types.slice(at)
}

/** Relationship type URIs used when we add parts ourselves. */
export const REL = {
  hyperlink: "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink",
  drawing: "http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing",
  chart: "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart",
} as const
