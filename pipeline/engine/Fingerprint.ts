/** Fingerprints: an asset is current when the hash of its code version, observed inputs and deps' fingerprints is unchanged. */
import { createHash } from "node:crypto"

/** Hash of code version + observed input version + deps' fingerprints (in key order). */
export const of = (codeVersion: string, observed: string | undefined, deps: ReadonlyArray<readonly [key: string, fingerprint: string]>): string => {
  const h = createHash("sha256")
  h.update(`code:${codeVersion}\n`)
  if (observed !== undefined) h.update(`input:${observed}\n`)
  for (const [k, fp] of [...deps].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) h.update(`dep:${k}=${fp}\n`)
  return h.digest("hex").slice(0, 32)
}
