// Bundles the `iiot` CLI into dist/ with esbuild. Why a bundle: importing Effect's barrels
// module by module costs ~3 s of cold start on 2-core machines; one bundled file loads in a
// fraction of that. Native and data-heavy packages stay external and load only when used.
import { build } from "esbuild"
import { rmSync } from "node:fs"

rmSync(new URL("../dist", import.meta.url), { recursive: true, force: true })
await build({
  // Each worker is its own entry, loaded by a worker thread: the ingest worker reads one range of a
  // big CSV, the sheet worker writes one big table sheet of the workbook, the clean worker
  // normalises one share of a company registry or of a large MIIT list.
  entryPoints: {
    iiot: "pipeline/cli/main.ts",
    "ingest-worker": "pipeline/ingest/IngestWorker.ts",
    "sheet-worker": "pipeline/publish/workbook/SheetWorker.ts",
    "clean-worker": "pipeline/assets/clean/CleanWorker.ts",
  },
  outdir: "dist",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: "linked",
  logLevel: "warning",
  external: [
    "better-sqlite3",
    "exceljs",
    "pdf-lib",
    "fontkit",
    "opencc-js",
    "jszip",
    "iconv-lite",
    "papaparse",
    "@expo-google-fonts/*",
  ],
  // Bundled CommonJS dependencies call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
})
