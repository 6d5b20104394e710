/**
 * Plan (pure): which assets run and why. Inputs are the validated graph, the selection, the
 * observed input versions and what the asset store already holds; nothing here touches disk.
 */
import type { Definitions } from "./Definitions.js"
import * as Fingerprint from "./Fingerprint.js"

/** What the store remembers about an asset's last good materialisation. */
export interface StoredState {
  readonly fingerprint: string
  readonly codeVersion: string
  /** Observed input version at that time (for "which input changed"). */
  readonly observed?: string | undefined
  /** Deps' fingerprints at that time. */
  readonly inputs: Readonly<Record<string, string>>
}

export type ReasonCode = "missing" | "forced" | "code-changed" | "input-changed" | "dep-changed" | "needed-upstream" | "not-kept" | "current" | "not-selected"

export interface Reason {
  readonly code: ReasonCode
  readonly text: string
}

export interface PlanEntry {
  readonly key: string
  readonly action: "run" | "skip"
  /** Not part of the selection; kept out of the run but its stored value may be read. */
  readonly selected: boolean
  readonly reasons: ReadonlyArray<Reason>
  readonly fingerprint: string
  readonly observed: string | undefined
  readonly inputs: Readonly<Record<string, string>>
}

export interface PlanInput {
  readonly selected: ReadonlySet<string>
  readonly force: boolean
  readonly observed: ReadonlyMap<string, string>
  readonly stored: ReadonlyMap<string, StoredState>
}

export interface Plan {
  readonly entries: ReadonlyArray<PlanEntry>
  readonly byKey: ReadonlyMap<string, PlanEntry>
}

/**
 * Decides, for every asset of the graph in topological order, whether it runs and why.
 *
 * An asset whose value is not kept (`persist: false`) must run again whenever an asset that needs
 * it runs. Which assets run depends on the fingerprints, and an unselected asset's fingerprint
 * depends on whether it runs, so the plan is decided again with those re-runs until nothing
 * changes (each round only adds re-runs, so this ends within one round per asset).
 */
export const make = (defs: Definitions, input: PlanInput): Plan => {
  // Key of an unkept asset that must run → the asset that needs it.
  const rerun = new Map<string, string>()
  for (;;) {
    const plan = decide(defs, input, rerun)
    let grew = false
    // Backwards, so that an unkept asset switched to run is itself looked at for its unkept deps.
    for (const e of [...plan.entries].reverse()) {
      if (e.action !== "run" && !rerun.has(e.key)) continue
      for (const dep of defs.assets.get(e.key)!.spec.deps) {
        if (defs.assets.get(dep)!.spec.persist || rerun.has(dep) || plan.byKey.get(dep)!.action === "run") continue
        rerun.set(dep, e.key)
        grew = true
      }
    }
    if (!grew) return plan
  }
}

const decide = (defs: Definitions, input: PlanInput, rerun: ReadonlyMap<string, string>): Plan => {
  // Unselected upstream assets with nothing stored must run, or the selection (or a re-run) cannot.
  const needed = new Map<string, string>()
  for (const key of [...defs.order].reverse()) {
    if (!input.selected.has(key) && !needed.has(key) && !rerun.has(key)) continue
    for (const dep of defs.assets.get(key)!.spec.deps) {
      if (!input.selected.has(dep) && !input.stored.has(dep) && !needed.has(dep)) needed.set(dep, key)
    }
  }

  const effective = new Map<string, string>()
  const entries: Array<PlanEntry> = []
  for (const key of defs.order) {
    const spec = defs.assets.get(key)!.spec
    const observed = input.observed.get(key)
    const inputs: Record<string, string> = {}
    for (const dep of spec.deps) inputs[dep] = effective.get(dep)!
    const fingerprint = Fingerprint.of(spec.codeVersion, observed, Object.entries(inputs))
    const stored = input.stored.get(key)
    const selected = input.selected.has(key)
    const reasons: Array<Reason> = []
    let action: "run" | "skip" = "run"

    if (!selected && !needed.has(key)) {
      action = "skip"
      reasons.push({ code: "not-selected", text: stored ? "not selected; its stored value is used" : "not selected" })
    } else if (!selected) {
      reasons.push({ code: "needed-upstream", text: `never materialised, and \`${needed.get(key)}\` needs it` })
    } else if (input.force) {
      reasons.push({ code: "forced", text: "forced (--force)" })
    } else if (!stored) {
      reasons.push({ code: "missing", text: "never materialised" })
    } else if (stored.codeVersion !== spec.codeVersion) {
      reasons.push({ code: "code-changed", text: `code changed (version ${stored.codeVersion} → ${spec.codeVersion})` })
    } else if (stored.fingerprint !== fingerprint) {
      if (stored.observed !== observed) {
        reasons.push({ code: "input-changed", text: "its input changed since the last materialisation" })
      }
      const changedDeps = spec.deps.filter((d) => stored.inputs[d] !== inputs[d])
      if (changedDeps.length > 0) {
        reasons.push({ code: "dep-changed", text: `upstream changed: ${changedDeps.map((d) => `\`${d}\``).join(", ")}` })
      }
      if (reasons.length === 0) reasons.push({ code: "input-changed", text: "fingerprint changed" })
    } else {
      action = "skip"
      reasons.push({ code: "current", text: "unchanged since the last materialisation; stored value reused" })
    }
    const needer = rerun.get(key)
    if (action === "skip" && needer !== undefined) {
      action = "run"
      reasons.splice(0, reasons.length, { code: "not-kept", text: `its value is not kept (persist: false) and \`${needer}\` needs it` })
    }
    // Downstream fingerprints follow the value actually used: the stored one for unselected assets.
    effective.set(key, !selected && action === "skip" && stored ? stored.fingerprint : fingerprint)
    entries.push({ key, action, selected, reasons, fingerprint, observed, inputs })
  }
  return { entries, byKey: new Map(entries.map((e) => [e.key, e])) }
}

/** One line per asset, for `iiot plan`. */
export const describe = (plan: Plan): ReadonlyArray<string> =>
  plan.entries.map((e) => `${e.action === "run" ? "run " : "skip"}  ${e.key.padEnd(36)} ${e.reasons.map((r) => r.text).join("; ")}`)
