/**
 * Native Excel charts, which exceljs cannot write: chart, drawing and relationship parts added to the
 * package after exceljs wrote it. Series reference the sheet's cells (so the chart is real and
 * editable) and carry cached values (so Excel draws it without recalculating).
 */
import type { ChartDoc, ColumnDoc, Row } from "./WorkbookDoc.js"
import { numFmtOf } from "./WorkbookDoc.js"
import { absRange, addContentTypeOverrides, addRelationships, escapeXml, insertWorksheetElement, quoteSheet, colLetter, REL } from "./xml.js"

/** A table sheet's charts with what is needed to resolve their ranges and caches. */
export interface ChartedSheet {
  readonly sheetName: string
  /** Package path of the sheet part, e.g. `xl/worksheets/sheet3.xml`. */
  readonly sheetPart: string
  readonly headerRow: number
  readonly columns: ReadonlyArray<ColumnDoc>
  readonly rows: ReadonlyArray<Row>
  readonly charts: ReadonlyArray<ChartDoc>
}

const NS_C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
const NS_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
const NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
const NS_XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
const XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
/** Distinct, print-friendly series colours (Office palette order). */
const PALETTE = ["4472C4", "ED7D31", "A5A5A5", "FFC000", "5B9BD5", "70AD47", "264478", "9E480E"]

const cellText = (v: Row[number] | undefined): string =>
  v === null || v === undefined ? "" : typeof v === "object" ? v.text : typeof v === "boolean" ? (v ? "TRUE" : "FALSE") : String(v)

const cellNumber = (v: Row[number] | undefined): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined)

const richText = (text: string, size: number, bold: boolean): string =>
  `<c:tx><c:rich><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="${size}" b="${bold ? 1 : 0}"/></a:pPr><a:r><a:rPr lang="en-GB" sz="${size}" b="${bold ? 1 : 0}"/><a:t>${escapeXml(text)}</a:t></a:r></a:p></c:rich></c:tx>`

const strCache = (values: ReadonlyArray<string>): string =>
  `<c:strCache><c:ptCount val="${values.length}"/>${values.map((v, i) => `<c:pt idx="${i}"><c:v>${escapeXml(v)}</c:v></c:pt>`).join("")}</c:strCache>`

const numCache = (values: ReadonlyArray<number | undefined>, format: string): string =>
  `<c:numCache><c:formatCode>${escapeXml(format)}</c:formatCode><c:ptCount val="${values.length}"/>${values
    .map((v, i) => (v === undefined ? "" : `<c:pt idx="${i}"><c:v>${v}</c:v></c:pt>`))
    .join("")}</c:numCache>`

/** The `c:chartSpace` XML of one chart, its series pointing at the sheet's ranges with cached values. */
export const chartXml = (sheet: Pick<ChartedSheet, "sheetName" | "headerRow" | "columns" | "rows">, chart: ChartDoc): string => {
  const index = (key: string): number => sheet.columns.findIndex((c) => c.key === key)
  const first = sheet.headerRow + 1
  // An empty table still has one (blank) data row, so ranges never collapse to nothing.
  const last = sheet.headerRow + Math.max(1, sheet.rows.length)
  const catCol = index(chart.categoriesFrom.column)
  const categories = sheet.rows.map((r) => cellText(r[catCol]))
  const stacked = chart.kind === "stacked-column"
  const series = chart.series
    .map((s, i) => {
      const col = index(s.column)
      const column = sheet.columns[col]!
      const name = s.name ?? column.header
      const colour = PALETTE[i % PALETTE.length]!
      const format = numFmtOf(column) ?? "General"
      const spPr =
        chart.kind === "line"
          ? `<c:spPr><a:ln w="28575" cap="rnd"><a:solidFill><a:srgbClr val="${colour}"/></a:solidFill><a:round/></a:ln></c:spPr><c:marker><c:symbol val="circle"/><c:size val="5"/></c:marker>`
          : `<c:spPr><a:solidFill><a:srgbClr val="${colour}"/></a:solidFill></c:spPr><c:invertIfNegative val="0"/>`
      // The series name is the header cell when it is used as is, so renaming the column renames the series.
      const tx =
        s.name === undefined
          ? `<c:tx><c:strRef><c:f>${escapeXml(`${quoteSheet(sheet.sheetName)}!$${colLetter(col + 1)}$${sheet.headerRow}`)}</c:f>${strCache([name])}</c:strRef></c:tx>`
          : `<c:tx><c:v>${escapeXml(name)}</c:v></c:tx>`
      return (
        `<c:ser><c:idx val="${i}"/><c:order val="${i}"/>${tx}${spPr}` +
        `<c:cat><c:strRef><c:f>${escapeXml(absRange(sheet.sheetName, catCol + 1, first, last))}</c:f>${strCache(categories)}</c:strRef></c:cat>` +
        `<c:val><c:numRef><c:f>${escapeXml(absRange(sheet.sheetName, col + 1, first, last))}</c:f>${numCache(
          sheet.rows.map((r) => cellNumber(r[col])),
          format,
        )}</c:numRef></c:val>` +
        (chart.kind === "line" ? `<c:smooth val="0"/>` : "") +
        `</c:ser>`
      )
    })
    .join("")
  const axIds = `<c:axId val="500000001"/><c:axId val="500000002"/>`
  const plot =
    chart.kind === "line"
      ? `<c:lineChart><c:grouping val="standard"/><c:varyColors val="0"/>${series}<c:marker val="1"/>${axIds}</c:lineChart>`
      : `<c:barChart><c:barDir val="col"/><c:grouping val="${stacked ? "stacked" : "clustered"}"/><c:varyColors val="0"/>${series}<c:gapWidth val="80"/>${
          stacked ? `<c:overlap val="100"/>` : ""
        }${axIds}</c:barChart>`
  const firstSeries = sheet.columns[index(chart.series[0]!.column)]!
  const valFormat = numFmtOf(firstSeries) ?? "General"
  const axisText = `<c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="900"/></a:pPr><a:endParaRPr lang="en-GB"/></a:p></c:txPr>`
  return (
    XML_DECL +
    `<c:chartSpace xmlns:c="${NS_C}" xmlns:a="${NS_A}" xmlns:r="${NS_R}">` +
    `<c:roundedCorners val="0"/>` +
    `<c:chart><c:title>${richText(chart.title, 1400, true)}<c:overlay val="0"/></c:title><c:autoTitleDeleted val="0"/>` +
    `<c:plotArea><c:layout/>${plot}` +
    `<c:catAx><c:axId val="500000001"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/><c:axPos val="b"/><c:numFmt formatCode="General" sourceLinked="1"/><c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>${axisText}<c:crossAx val="500000002"/><c:crosses val="autoZero"/><c:auto val="1"/><c:lblAlgn val="ctr"/><c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>` +
    `<c:valAx><c:axId val="500000002"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/><c:axPos val="l"/><c:majorGridlines><c:spPr><a:ln w="6350"><a:solidFill><a:srgbClr val="D9D9D9"/></a:solidFill></a:ln></c:spPr></c:majorGridlines><c:numFmt formatCode="${escapeXml(valFormat)}" sourceLinked="1"/><c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>${axisText}<c:crossAx val="500000001"/><c:crosses val="autoZero"/><c:crossBetween val="between"/></c:valAx>` +
    `</c:plotArea><c:legend><c:legendPos val="b"/><c:overlay val="0"/></c:legend><c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart>` +
    `</c:chartSpace>`
  )
}

/** The drawing part holding one anchored graphic frame per chart (`rId1`… point at the charts). */
export const drawingXml = (charts: ReadonlyArray<ChartDoc>): string =>
  XML_DECL +
  `<xdr:wsDr xmlns:xdr="${NS_XDR}" xmlns:a="${NS_A}">` +
  charts
    .map(
      (c, i) =>
        `<xdr:twoCellAnchor editAs="oneCell">` +
        `<xdr:from><xdr:col>${c.anchor.col}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>${c.anchor.row}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>` +
        `<xdr:to><xdr:col>${c.anchor.col + c.anchor.width}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>${c.anchor.row + c.anchor.height}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>` +
        `<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="${i + 2}" name="${escapeXml(`Chart ${i + 1}: ${c.title}`)}"/><xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr>` +
        `<xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm>` +
        `<a:graphic><a:graphicData uri="${NS_C}"><c:chart xmlns:c="${NS_C}" xmlns:r="${NS_R}" r:id="rId${i + 1}"/></a:graphicData></a:graphic>` +
        `</xdr:graphicFrame><xdr:clientData/></xdr:twoCellAnchor>`,
    )
    .join("") +
  `</xdr:wsDr>`

const relsPathOf = (part: string): string => {
  const slash = part.lastIndexOf("/")
  return `${part.slice(0, slash)}/_rels/${part.slice(slash + 1)}.rels`
}

const nextFree = (parts: ReadonlyMap<string, unknown>, pattern: (n: number) => string, from: number): number => {
  let n = from
  while (parts.has(pattern(n))) n++
  return n
}

/**
 * Adds every sheet's charts to the package held in `parts` (path → XML): chart and drawing parts,
 * their relationships, the `<drawing>` element in the sheet and the content-type overrides.
 * Mutates `parts`; returns the chart part paths added.
 */
export const injectCharts = (parts: Map<string, string>, sheets: ReadonlyArray<ChartedSheet>): ReadonlyArray<string> => {
  const added: Array<string> = []
  let chartN = 1
  let drawingN = 1
  const overrides: Array<{ partName: string; contentType: string }> = []
  for (const sheet of sheets) {
    if (sheet.charts.length === 0) continue
    drawingN = nextFree(parts, (n) => `xl/drawings/drawing${n}.xml`, drawingN)
    const drawingPart = `xl/drawings/drawing${drawingN}.xml`
    const drawingRels: Array<{ id: string; type: string; target: string }> = []
    sheet.charts.forEach((chart, i) => {
      chartN = nextFree(parts, (n) => `xl/charts/chart${n}.xml`, chartN)
      const chartPart = `xl/charts/chart${chartN}.xml`
      parts.set(chartPart, chartXml(sheet, chart))
      added.push(chartPart)
      overrides.push({ partName: `/${chartPart}`, contentType: "application/vnd.openxmlformats-officedocument.drawingml.chart+xml" })
      drawingRels.push({ id: `rId${i + 1}`, type: REL.chart, target: `../charts/chart${chartN}.xml` })
    })
    parts.set(drawingPart, drawingXml(sheet.charts))
    parts.set(relsPathOf(drawingPart), addRelationships(undefined, drawingRels))
    overrides.push({ partName: `/${drawingPart}`, contentType: "application/vnd.openxmlformats-officedocument.drawing+xml" })
    // A relationship id exceljs never emits (it numbers rId1, rId2, …), so no clash with its table or link rels.
    const rid = "rIdDrawing1"
    const sheetRels = relsPathOf(sheet.sheetPart)
    parts.set(sheetRels, addRelationships(parts.get(sheetRels), [{ id: rid, type: REL.drawing, target: `../drawings/drawing${drawingN}.xml` }]))
    const xml = parts.get(sheet.sheetPart) ?? ""
    parts.set(sheet.sheetPart, insertWorksheetElement(xml, "drawing", `<drawing xmlns:r="${NS_R}" r:id="${rid}"/>`))
  }
  if (overrides.length > 0) parts.set("[Content_Types].xml", addContentTypeOverrides(parts.get("[Content_Types].xml") ?? "", overrides))
  return added
}
