/** Scale check for the renderer (not a test): `npx tsx tests/publish/workbook/bench-workbook.ts [rows] [array|source]`. */
import { Effect } from "effect"
import * as os from "node:os"
import * as path from "node:path"
import * as fs from "node:fs"
import * as Render from "../../../pipeline/publish/workbook/Render.js"
import type { Row, TableSheet } from "../../../pipeline/publish/workbook/WorkbookDoc.js"

const n = Number(process.argv[2] ?? 1_000_000)
const mode = process.argv[3] ?? "source"
const provinces = ["山东省", "广东省", "江苏省", "浙江省", "北京市", "上海市"]
const make = (i: number): Row => [
  i + 1,
  `海尔卡奥斯物联生态科技有限公司第${i}分公司`,
  `卡奥斯COSMOPlat工业互联网平台${i % 1000}`,
  provinces[i % provinces.length]!,
  2018 + (i % 5),
  (i % 1000) / 1000,
  i % 7 === 0 ? "国有" : "民营",
  `91370200MA${String(i).padStart(8, "0")}`,
]
const rows =
  mode === "array"
    ? Array.from({ length: n }, (_, i) => make(i))
    : { count: n, rows: function* () { for (let i = 0; i < n; i++) yield make(i) } }
const sheet: TableSheet = {
  kind: "table", name: "List", tableName: "List", freezeHeader: true, landscape: true,
  columns: [
    { header: "No.", key: "no", kind: "integer" },
    { header: "Company (zh)", key: "company", kind: "text" },
    { header: "Platform", key: "platform", kind: "text" },
    { header: "Province", key: "province", kind: "text" },
    { header: "Year", key: "year", kind: "integer", format: "0" },
    { header: "Score", key: "score", kind: "percent" },
    { header: "Ownership", key: "ownership", kind: "text" },
    { header: "Credit code", key: "code", kind: "text" },
  ],
  rows,
}
const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "wb-bench-")), "list.xlsx")
const t0 = performance.now()
const result = await Effect.runPromise(
  Render.render({ properties: { title: "bench", subject: "bench", company: "bench", creator: "bench", created: "2022-10-31" }, sheets: [{ kind: "text", name: "About", lines: [{ kind: "title", text: "bench" }] }, sheet] }, file),
)
console.log(JSON.stringify({ rows: n, mode, ms: Math.round(performance.now() - t0), bytes: result.bytes, sheets: result.sheets.map((s) => s.name) }))
if (process.env.KEEP === undefined) fs.rmSync(path.dirname(file), { recursive: true, force: true }); else console.log(file)
