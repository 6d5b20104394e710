#!/usr/bin/env node
// The `iiot` command: runs the bundled CLI built by `npm run build` (done by `npm ci`).
import { existsSync } from "node:fs"

const bundle = new URL("../dist/iiot.js", import.meta.url)
if (!existsSync(bundle)) {
  process.stderr.write("iiot: dist/iiot.js is missing; run `npm run build` (npm ci does it for you).\n")
  process.exit(2)
}
await import(bundle.href)
