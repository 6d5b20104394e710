/**
 * The writers' heavy libraries are loaded on first use (exceljs ~0.2 s, pdf-lib and fontkit ~0.15 s
 * on this machine), so `iiot --help`, `status`, `plan` or a refresh with nothing to publish never
 * pay for them. A refresh with big sources starts loading them early (`preload`), while those
 * sources are hashed on other threads and this one would otherwise wait.
 */

/** Starts loading exceljs, pdf-lib and fontkit; one that cannot load fails later, where it is used, with that use's error. */
export const preload = (): void => {
  for (const load of [() => import("exceljs"), () => import("pdf-lib"), () => import("fontkit")]) load().catch(() => undefined)
}
