/** A small workbook exercising every renderer feature; shared by the workbook tests. */
import type { RowSource, TableSheet, WorkbookDoc } from "../../../pipeline/publish/workbook/WorkbookDoc.js"

/** Text that Excel would evaluate if it were written as a formula (CSV/DDE injection). */
export const INJECTION = "=cmd|' /C calc'!A0"

/** The links table: Chinese names, URLs, percents, dates, a Decision dropdown and a severity column. */
export const links: TableSheet = {
  kind: "table",
  name: "Links",
  tableName: "Links",
  freezeHeader: true,
  landscape: true,
  columns: [
    { header: "Link key", key: "key", kind: "text", description: "Stable key of the link" },
    { header: "Company (zh)", key: "nameZh", kind: "text", description: "Company name as published (Chinese)" },
    { header: "Source URL", key: "url", kind: "url" },
    { header: "Score", key: "score", kind: "percent" },
    { header: "Retrieved", key: "retrieved", kind: "date" },
    { header: "Sites", key: "sites", kind: "integer" },
    { header: "Severity", key: "severity", kind: "text", severityColouring: true },
    { header: "Decision", key: "decision", kind: "text", validation: { list: ["accept", "reject", "merge", "split"] } },
  ],
  rows: [
    ["L-001", "海尔卡奥斯物联生态科技有限公司", "https://www.miit.gov.cn/a.html", 0.97, "2022-10-31", 3, "info", null],
    ["L-002", "树根互联股份有限公司", "https://www.miit.gov.cn/b.html", 0.81, "2021-03-01", 1, "warn", "accept"],
    ["L-003", INJECTION, { text: "see About", hyperlink: "#'About'!A1" }, 0.5, "2020-01-15", 0, "error", null],
    ["L-004", "+86 10 1234", null, null, "not a date", null, "info", "reject"],
    ["L-005", "@SUM(A1)", "-2+3", 0.123, null, 12345, null, null],
  ],
}

/** Lighthouses per round (stacked) and spending by vintage (line) drawn from one small table. */
export const rounds: TableSheet = {
  kind: "table",
  name: "Rounds",
  tableName: "Rounds",
  freezeHeader: true,
  landscape: true,
  columns: [
    { header: "Round", key: "round", kind: "text" },
    { header: "China", key: "china", kind: "integer" },
    { header: "Rest of world", key: "rest", kind: "integer" },
    { header: "Spending (USD bn)", key: "spend", kind: "number", format: "#,##0.0" },
  ],
  rows: [
    ["2018-09", 2, 7, 100.5],
    ["2019-01", 2, 5, 120.25],
    ["2019-07", 3, 8, 131],
    ["2020-01", 4, 14, 150.75],
  ],
  charts: [
    {
      kind: "stacked-column",
      title: "Lighthouses per round: China vs rest",
      categoriesFrom: { column: "round" },
      series: [{ column: "china" }, { column: "rest", name: "Rest of the world" }],
      anchor: { col: 5, row: 1, width: 8, height: 16 },
    },
    {
      kind: "line",
      title: "IoT spending by vintage",
      categoriesFrom: { column: "round" },
      series: [{ column: "spend" }],
      anchor: { col: 5, row: 18, width: 8, height: 16 },
    },
  ],
}

/** The sample document: About (with links to the other sheets), Links, Rounds. */
export const sampleDoc: WorkbookDoc = {
  properties: {
    title: "China IIoT observatory",
    subject: "Industrial Internet of Things in China",
    company: "Policy Unit",
    creator: "iiot-observatory",
    created: "2022-10-31",
    keywords: "IIoT; China",
  },
  sheets: [
    {
      kind: "text",
      name: "About",
      lines: [
        { kind: "title", text: "China IIoT observatory" },
        { kind: "keyValue", key: "As of", value: "2022-10-31" },
        { kind: "blank" },
        { kind: "heading", text: "Sheets" },
        { kind: "link", text: "Links", target: "#'Links'!A1", description: "Entity links with a Decision column" },
        { kind: "link", text: "Rounds", target: "#'Rounds'!A1", description: "Lighthouse rounds and charts" },
        { kind: "paragraph", text: "Mark a decision in the Links sheet and send the workbook back. 审核后请返回。" },
        { kind: "keyValue", key: "Source", value: { text: "MIIT", hyperlink: "https://www.miit.gov.cn/" } },
      ],
    },
    links,
    rounds,
  ],
}

/** A streamed list of `n` rows (`K<i>`, `企业<i>`, i): big enough to split, each row checkable from its key. */
export const numberedList = (n: number): TableSheet => {
  const rows: RowSource = {
    count: n,
    rows: function* () {
      for (let i = 0; i < n; i++) yield [`K${i}`, `企业${i}`, i]
    },
  }
  return {
    kind: "table",
    name: "List",
    tableName: "List",
    freezeHeader: true,
    landscape: true,
    columns: [
      { header: "Key", key: "key", kind: "text" },
      { header: "Company (zh)", key: "zh", kind: "text" },
      { header: "N", key: "n", kind: "integer" },
    ],
    rows,
  }
}
