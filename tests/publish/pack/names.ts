/** Prints every name a template can bind (not a test): `npx tsx tests/publish/pack/names.ts [focus]`; used to write templates/briefing/README.md. */
import { Effect } from "effect"
import * as B from "../../../pipeline/publish/pack/Bindings.js"
import { bundledData } from "./data.js"

const main = async () => {
  const data = await Effect.runPromise(bundledData())
  const b = B.bindings(data, { focus: process.argv[2] ?? "Haier" })
  for (const [k, v] of b.figures) console.log(`figure  ${k.padEnd(42)} ${v._tag === "Value" ? v.display.slice(0, 60) : `(no data: ${v.why})`}`)
  for (const [k, v] of b.tables) console.log(`table   ${k.padEnd(42)} ${v._tag === "Table" ? `columns: ${v.columns.map((c) => c.key).join(", ")}` : `(no data: ${v.why})`}`)
  for (const [k, v] of b.charts) console.log(`chart   ${k.padEnd(42)} ${v._tag === "Chart" ? v.kind : `(no data: ${v.why})`}`)
}
void main()
