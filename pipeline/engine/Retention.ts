/**
 * Retention: which run folders to remove so history stays bounded, decided by a pure planner
 * (`planPrune`, every decision with its reason) and carried out by a thin applier (`applyPrune`).
 * Never removed: the run `latest` points at, a run awaiting approval, a run still running.
 */
import { Duration, Effect, Schema } from "effect"
import { randomUUID } from "node:crypto"
import { existsSync, readdirSync, renameSync, rmSync } from "node:fs"
import { basename, dirname, join, parse, resolve } from "node:path"

/** A run as the planner sees it (a row of the run store). */
export interface RunInfo {
  readonly runId: string
  readonly status: string
  /** ISO 8601. */
  readonly startedAt: string
  readonly runDir: string
}

/** What to prune and by which rule. */
export interface PrunePolicy {
  readonly runs: ReadonlyArray<RunInfo>
  /** The run folder `latest` points at (the current publication), if any. */
  readonly current: string | undefined
  /** The newest `keepRuns` runs are always kept. */
  readonly keepRuns: number
  /** Beyond those, runs that started longer ago than this are removed. */
  readonly olderThan: Duration.DurationInput
  readonly now: Date
}

/** The decisions: runs to remove and runs kept, each with the reason. */
export interface PrunePlan {
  readonly removeRuns: ReadonlyArray<{ readonly runId: string; readonly runDir: string; readonly why: string }>
  readonly keep: ReadonlyArray<{ readonly runId: string; readonly why: string }>
}

/** "30 days" rather than Duration.format's "30d": the reasons are read by people. */
const spoken = (d: Duration.Duration): string => {
  const ms = Duration.toMillis(d)
  for (const [unit, size] of [["week", 604_800_000], ["day", 86_400_000], ["hour", 3_600_000], ["minute", 60_000], ["second", 1000]] as const) {
    if (ms > 0 && ms % size === 0) return `${ms / size} ${unit}${ms === size ? "" : "s"}`
  }
  return Duration.format(d)
}

/** Decides, without touching anything, which runs to remove; newest first in both lists. */
export const planPrune = (policy: PrunePolicy): PrunePlan => {
  const olderThan = Duration.decode(policy.olderThan)
  const limit = policy.now.getTime() - Duration.toMillis(olderThan)
  const age = spoken(olderThan)
  const current = policy.current === undefined ? undefined : resolve(policy.current)
  // Newest first; run ids are time-ordered, so they break ties between equal start times.
  const ordered = [...policy.runs].sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt) || (a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0))
  const removeRuns: Array<PrunePlan["removeRuns"][number]> = []
  const keep: Array<PrunePlan["keep"][number]> = []
  ordered.forEach((run, rank) => {
    const started = Date.parse(run.startedAt)
    const why =
      current !== undefined && resolve(run.runDir) === current
        ? "the current publication (`latest` points at it)"
        : run.status === "awaiting-approval"
          ? "awaiting approval"
          : run.status === "running"
            ? "still running"
            : rank < policy.keepRuns
              ? `one of the newest ${policy.keepRuns} runs (#${rank + 1})`
              : Number.isNaN(started)
                ? `start time "${run.startedAt}" unreadable; kept to be safe`
                : started >= limit
                  ? `younger than ${age}`
                  : undefined
    if (why !== undefined) keep.push({ runId: run.runId, why })
    else removeRuns.push({ runId: run.runId, runDir: run.runDir, why: `${run.status}, started ${run.startedAt}: older than ${age} and beyond the newest ${policy.keepRuns}` })
  })
  return { removeRuns, keep }
}

/** A run folder could not be removed. */
export class PruneError extends Schema.TaggedError<PruneError>()("PruneError", {
  reason: Schema.Literal("unsafe-path", "rename", "remove"),
  runId: Schema.String,
  path: Schema.String,
  message: Schema.String,
}) {}

/** What `applyPrune` did: the lead deletes run-store rows for `removed` (and `missing`) only. */
export interface PruneResult {
  readonly removed: ReadonlyArray<{ readonly runId: string; readonly runDir: string }>
  /** Planned, but the folder was already gone. */
  readonly missing: ReadonlyArray<{ readonly runId: string; readonly runDir: string }>
  readonly failed: ReadonlyArray<PruneError>
}

const trashPrefix = ".trash-"

/**
 * Removes the planned run folders. Each folder is first renamed to a `.trash-*` sibling (atomic),
 * so a reader never sees half a run, then deleted; trash left by an earlier crash is swept too.
 * One folder failing does not stop the others: failures come back as values.
 */
export const applyPrune = (plan: PrunePlan): Effect.Effect<PruneResult> =>
  Effect.sync(() => {
    const removed: Array<PruneResult["removed"][number]> = []
    const missing: Array<PruneResult["missing"][number]> = []
    const failed: Array<PruneError> = []
    const parents = new Set<string>()
    for (const { runId, runDir } of plan.removeRuns) {
      const dir = resolve(runDir)
      if (dir === parse(dir).root) {
        failed.push(new PruneError({ reason: "unsafe-path", runId, path: dir, message: `refusing to remove ${dir} for run ${runId}: it is a filesystem root` }))
        continue
      }
      if (!existsSync(dir)) {
        missing.push({ runId, runDir })
        continue
      }
      const trash = join(dirname(dir), `${trashPrefix}${basename(dir)}-${randomUUID().slice(0, 8)}`)
      try {
        renameSync(dir, trash)
      } catch (e) {
        failed.push(new PruneError({ reason: "rename", runId, path: dir, message: `cannot move ${dir} aside: ${String(e)}` }))
        continue
      }
      parents.add(dirname(dir))
      // From here the run is gone for every reader; a failed delete only leaves trash to sweep.
      removed.push({ runId, runDir })
      try {
        rmSync(trash, { recursive: true, force: true })
      } catch (e) {
        failed.push(new PruneError({ reason: "remove", runId, path: trash, message: `moved aside but not deleted, remove it by hand: ${trash}: ${String(e)}` }))
      }
    }
    for (const parent of parents) {
      try {
        for (const name of readdirSync(parent)) if (name.startsWith(trashPrefix)) rmSync(join(parent, name), { recursive: true, force: true })
      } catch {
        // Best effort: the next prune sweeps it again.
      }
    }
    return { removed, missing, failed }
  })
