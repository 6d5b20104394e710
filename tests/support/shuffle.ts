/** Test support shared across folders: order-independence checks need a replayable shuffle. */

/** Deterministic shuffle (mulberry32), so a failing order can be replayed from its seed. */
export const shuffle = <A>(xs: ReadonlyArray<A>, seed: number): Array<A> => {
  let s = seed >>> 0
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const out = [...xs]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}
