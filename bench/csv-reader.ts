/** Reader throughput: `node --import tsx bench/csv-reader.ts FILE.csv` (BATCH=rows per batch) streams all batches and prints rows/s and MB/s (run under /usr/bin/time -v for peak RSS). Not a test. */
import { Effect, Stream } from "effect"
import { readTable } from "../pipeline/ingest/Table.js"
const file = process.argv[2]!
const t0 = performance.now()
const prog = Effect.gen(function* () {
  const t = yield* readTable(file, { batchSize: Number(process.env.BATCH ?? 10000) })
  let rows = 0
  let batches = 0
  yield* Stream.runForEach(t.batches, (b) => Effect.sync(() => { rows += b.length; batches++ }))
  const rf = yield* t.readFindings
  return { head: t.head, findings: t.findings.length, readFindings: rf.length, rows, batches }
})
const r = await Effect.runPromise(prog)
const s = (performance.now() - t0) / 1000
const { size } = await import("node:fs").then((fs) => fs.statSync(file))
console.log(JSON.stringify({ ...r, head: { ...r.head } }).slice(0, 400))
console.log(`${file}: ${r.rows} rows in ${s.toFixed(2)} s = ${(r.rows / s / 1e3).toFixed(0)}k rows/s, ${(size / 1e6 / s).toFixed(1)} MB/s`)
