/**
 * Timing of the briefing pack (not a test): `npx tsx tests/publish/pack/bench-pack.ts [template] [out.pdf] [focus] [asOf]`.
 * Prints wall and CPU time of bindings + build and of render (first render loads the fonts; the later ones show the cost after).
 */
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { buildPack } from "../../../pipeline/publish/pack/Build.js"
import { render } from "../../../pipeline/publish/pdf/Render.js"
import { bundledData } from "./data.js"

const [template = "china-iiot-overview", out = "pack.pdf", focus, asOf] = process.argv.slice(2)
const dir = path.resolve(import.meta.dirname, "../../../templates/briefing", template)

const timed = async <A>(label: string, f: () => Promise<A>): Promise<A> => {
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  const a = await f()
  const c = process.cpuUsage(c0)
  console.log(`${label.padEnd(22)} wall ${(performance.now() - t0).toFixed(0).padStart(6)} ms   cpu ${((c.user + c.system) / 1000).toFixed(0).padStart(6)} ms`)
  return a
}

const main = async () => {
  const data = await timed("ingest + normalise", () => Effect.runPromise(bundledData()))
  const options = { ...(focus ? { focus } : {}), ...(asOf ? { asOf } : {}) }
  const doc = await timed("bindings + build", () => Effect.runPromise(buildPack(dir, data, options)))
  await timed("bindings + build (2)", () => Effect.runPromise(buildPack(dir, data, options)))
  const first = await timed("render (fonts load)", () => Effect.runPromise(render(doc)))
  let last = first
  for (let i = 2; i <= 4; i++) last = await timed(`render (${i})`, () => Effect.runPromise(render(doc)))
  fs.writeFileSync(out, last.bytes)
  console.log(`${out}: ${last.pages} pages, ${last.bytes.length} bytes, missing glyphs ${last.missingGlyphs.length}, identical bytes across renders: ${Buffer.compare(Buffer.from(first.bytes), Buffer.from(last.bytes)) === 0}`)
}
void main()
