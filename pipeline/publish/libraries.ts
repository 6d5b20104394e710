/**
 * The writers' heavy libraries, loaded on first use (exceljs ~0.2 s, pdf-lib and fontkit ~0.15 s
 * on this machine), so `iiot --help`, `status`, `plan` or a refresh with nothing to publish never
 * pay for them. Each is loaded once per process, here, whoever asks first; a refresh with big
 * sources asks early (`preload`), while those sources are hashed on other threads and this one
 * would otherwise wait. (The XLSX reader in ingest/ loads exceljs itself: it may not import publish/.)
 */
import type ExcelJS from "exceljs"
import type * as Fontkit from "fontkit"
import type * as PdfLib from "pdf-lib"

const once = <A>(load: () => Promise<A>): (() => Promise<A>) => {
  let loading: Promise<A> | undefined
  return () => (loading ??= load())
}

/** exceljs (a CommonJS module: its exports are the default export). */
export const exceljs: () => Promise<typeof ExcelJS> = once(() => import("exceljs").then((m) => m.default))
export const pdfLib: () => Promise<typeof PdfLib> = once(() => import("pdf-lib"))
export const fontkit: () => Promise<typeof Fontkit> = once(() => import("fontkit"))

/** Starts loading all three; one that cannot load fails later, where it is used, with that use's error. */
export const preload = (): void => {
  for (const load of [exceljs, pdfLib, fontkit]) load().catch(() => undefined)
}
