/**
 * Assets: inert specs (key, deps, description, code version, retry policy, checks, metadata)
 * plus the function that computes the value. `plan`, `graph` and `status` read only the spec.
 * The engine is domain-blind: it knows nothing about MIIT, Excel or PDF.
 */
import type { Duration, Effect } from "effect"

/** The shape of a finding as the engine stores it; the domain's Finding schema matches it. */
export interface EngineFinding {
  readonly severity: "info" | "warn" | "error"
  readonly code: string
  readonly message: string
  readonly asset?: string | undefined
  readonly source?: string | undefined
  readonly sheet?: string | undefined
  readonly row?: number | undefined
  readonly field?: string | undefined
  readonly value?: string | undefined
}

/** Retries for transient failures only: exponential backoff with jitter, capped attempts. */
export interface RetryPolicy {
  /** Total attempts including the first (1 = never retry). */
  readonly maxAttempts: number
  readonly baseDelay: Duration.DurationInput
}

export const defaultRetry: RetryPolicy = { maxAttempts: 3, baseDelay: "200 millis" }

/** What a check says about a materialised value. */
export interface CheckOutcome {
  readonly passed: boolean
  readonly message: string
}

/** A data check run after the asset computed its value. */
export interface CheckSpec<A> {
  readonly name: string
  readonly description: string
  readonly severity: "warn" | "error"
  /** A failed blocking check at `error` severity stops every downstream asset. */
  readonly blocking: boolean
  readonly run: (value: A) => CheckOutcome
}

/** A file an asset produced for publication (copied into the run folder, then `latest`). */
export interface OutputFile {
  /** File name inside the publication folder, e.g. `iiot-observatory.xlsx`. */
  readonly name: string
}

/** What an asset's function returns. */
export interface AssetResult<A> {
  readonly value: A
  /** Row count shown in run summaries; omitted for non-tabular values. */
  readonly rows?: number | undefined
  readonly findings?: ReadonlyArray<EngineFinding> | undefined
  /** Files written into `ctx.filesDir` that belong in the publication. */
  readonly files?: ReadonlyArray<OutputFile> | undefined
  readonly metadata?: Readonly<Record<string, unknown>> | undefined
}

/** What the engine hands to an asset function besides its inputs. */
export interface AssetContext {
  readonly key: string
  readonly runId: string
  /** The asset's fingerprint in this run: the same inputs and code give the same value. */
  readonly fingerprint: string
  /** 1 on the first try, then 2, 3 … on retries. */
  readonly attempt: number
  /** A fresh, empty folder for this attempt's output files (kept with the stored value). */
  readonly filesDir: string
}

/** An error an asset may fail with; `transient: true` marks it retryable. */
export interface TransientMarker {
  readonly transient?: boolean
}

/** The inert description of an asset. */
export interface AssetSpec {
  /** Path-like key (`wef/lighthouses`); it is also the asset's folder under `pipeline/assets/`. */
  readonly key: string
  readonly deps: ReadonlyArray<string>
  readonly description: string
  /** Bump when the function's logic changes, so stored values are recomputed. */
  readonly codeVersion: string
  readonly retry: RetryPolicy
  readonly checks: ReadonlyArray<Pick<CheckSpec<unknown>, "name" | "description" | "severity" | "blocking">>
  readonly metadata: Readonly<Record<string, unknown>>
  /**
   * False: the value is not written to the asset store, for a value that costs more to store
   * and load than to recompute (e.g. `reference/firms`, see its asset). The run store still records the
   * materialisation, so an unchanged asset is skipped; when an asset that depends on it must run
   * and the value is not in memory, the plan runs it again ("not kept").
   */
  readonly persist: boolean
}

/** An asset: spec + effectful function over its deps' values (and an optional input observer). */
export interface Asset<A = unknown, R = never> {
  readonly spec: AssetSpec
  /**
   * For assets that read the outside world (files, URLs): a cheap effect returning a version of
   * that input (e.g. a sha256), folded into the fingerprint so a changed input re-runs the asset.
   */
  readonly observe?: Effect.Effect<string, unknown, R> | undefined
  readonly run: (inputs: Readonly<Record<string, unknown>>, ctx: AssetContext) => Effect.Effect<AssetResult<A>, unknown, R>
  readonly checks: ReadonlyArray<CheckSpec<A>>
}

/** Any asset, whatever its value and requirements. */
export type AnyAsset<R = any> = Asset<any, R>

/** Inputs typed from a record of dependency assets. */
export type InputsOf<D extends Record<string, AnyAsset>> = { readonly [K in keyof D]: D[K] extends Asset<infer A, any> ? A : never }

/** Requirements of a record of dependency assets. */
type RequirementsOf<D extends Record<string, AnyAsset>> = D[keyof D] extends Asset<any, infer R> ? R : never

export interface MakeOptions<D extends Record<string, AnyAsset>, A, R> {
  readonly key: string
  readonly description: string
  /** Dependencies by the name the function receives them under. */
  readonly deps?: D
  /** Extra dependencies by key only (their values are not passed in). */
  readonly after?: ReadonlyArray<string>
  readonly codeVersion?: string
  readonly retry?: Partial<RetryPolicy>
  readonly checks?: ReadonlyArray<CheckSpec<A>>
  readonly metadata?: Readonly<Record<string, unknown>>
  /** Keep the value in the asset store (default true); see AssetSpec.persist. */
  readonly persist?: boolean
  readonly observe?: Effect.Effect<string, unknown, R>
  readonly run: (inputs: InputsOf<D>, ctx: AssetContext) => Effect.Effect<AssetResult<A>, unknown, R>
}

/** Declares an asset; deps are other assets, so their value types flow into `run`. */
export const make = <A, R = never, D extends Record<string, AnyAsset> = {}>(
  options: MakeOptions<D, A, R>,
): Asset<A, R | RequirementsOf<D>> => {
  const deps = options.deps ?? ({} as D)
  const named = Object.entries(deps)
  const depKeys = [...named.map(([, d]) => d.spec.key), ...(options.after ?? [])]
  const checks = options.checks ?? []
  return {
    spec: {
      key: options.key,
      deps: depKeys,
      description: options.description,
      codeVersion: options.codeVersion ?? "1",
      retry: { ...defaultRetry, ...options.retry },
      checks: checks.map(({ name, description, severity, blocking }) => ({ name, description, severity, blocking })),
      metadata: options.metadata ?? {},
      persist: options.persist ?? true,
    },
    observe: options.observe,
    checks,
    run: (inputs, ctx) => {
      // Hand the function its deps under the names it declared, not under their keys.
      const byName: Record<string, unknown> = {}
      for (const [name, dep] of named) byName[name] = inputs[dep.spec.key]
      return options.run(byName as InputsOf<D>, ctx)
    },
  }
}

/** Declares an asset from raw key strings (used by tests and synthetic graphs). */
export const fromKeys = <A, R = never>(options: {
  readonly key: string
  readonly deps?: ReadonlyArray<string>
  readonly description?: string
  readonly codeVersion?: string
  readonly retry?: Partial<RetryPolicy>
  readonly checks?: ReadonlyArray<CheckSpec<A>>
  readonly persist?: boolean
  readonly observe?: Effect.Effect<string, unknown, R>
  readonly run: (inputs: Readonly<Record<string, unknown>>, ctx: AssetContext) => Effect.Effect<AssetResult<A>, unknown, R>
}): Asset<A, R> => {
  const checks = options.checks ?? []
  return {
    spec: {
      key: options.key,
      deps: options.deps ?? [],
      description: options.description ?? options.key,
      codeVersion: options.codeVersion ?? "1",
      retry: { ...defaultRetry, ...options.retry },
      checks: checks.map(({ name, description, severity, blocking }) => ({ name, description, severity, blocking })),
      metadata: {},
      persist: options.persist ?? true,
    },
    observe: options.observe,
    checks,
    run: options.run,
  }
}

/** True when an asset's failure may go away on retry (network blips, 429/5xx, timeouts). */
export const isTransient = (error: unknown): boolean =>
  typeof error === "object" && error !== null && (error as TransientMarker).transient === true
