/**
 * RunStore: the history of every run in SQLite (@effect/sql-sqlite-node): runs, asset
 * materialisations, check results, findings, the last good state of each asset, and the
 * single-writer lock. WAL and a busy timeout keep readers and the one writer out of each other's way.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as Migrator from "@effect/sql/Migrator"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { Clock, Context, Duration, Effect, Layer, Option } from "effect"
import { hostname } from "node:os"
import { mkdirSync } from "node:fs"
import { dirname } from "node:path"
import type { EngineFinding } from "./AssetSpec.js"
import { RunStoreError } from "./errors.js"
import type { StoredState } from "./Plan.js"

export type RunStatus = "running" | "succeeded" | "failed" | "interrupted" | "awaiting-approval" | "rejected"
export type AssetStatus = "ran" | "skipped" | "failed" | "blocked"

export interface RunRow {
  readonly runId: string
  readonly command: string
  readonly status: RunStatus
  readonly startedAt: string
  readonly finishedAt: string | null
  readonly pid: number
  readonly host: string
  readonly runDir: string
  readonly outDir: string
  readonly summary: string | null
}

export interface MaterializationRow {
  readonly runId: string
  readonly key: string
  readonly fingerprint: string
  readonly status: AssetStatus
  readonly why: string
  readonly attempts: number
  readonly rows: number | null
  readonly durationMs: number
  readonly error: string | null
}

export interface CheckRow {
  readonly key: string
  readonly name: string
  readonly severity: "warn" | "error"
  readonly blocking: boolean
  readonly passed: boolean
  readonly message: string
}

/** One asset's outcome in a run, with its check results and the findings it raised. */
export interface MaterializationRecord {
  readonly row: MaterializationRow
  readonly checks: ReadonlyArray<CheckRow>
  readonly findings: ReadonlyArray<EngineFinding>
}

export interface RunStore {
  /** Takes the single-writer lock and records a new run, waiting at most `wait` for a holder. */
  readonly begin: (run: Omit<RunRow, "status" | "finishedAt" | "summary">, wait: Duration.DurationInput) => Effect.Effect<void, RunStoreError>
  readonly finish: (runId: string, status: RunStatus, summary: unknown) => Effect.Effect<void>
  readonly setStatus: (runId: string, status: RunStatus) => Effect.Effect<void>
  /** Records many outcomes in one transaction (a cached refresh of 1,000 assets is one commit, not 1,000). */
  readonly recordMaterializations: (batch: ReadonlyArray<MaterializationRecord>) => Effect.Effect<void>
  readonly saveState: (key: string, state: StoredState, runId: string) => Effect.Effect<void>
  readonly states: Effect.Effect<ReadonlyMap<string, StoredState & { readonly runId: string }>>
  /** Marks runs left `running` by a dead process as `interrupted`; returns their ids. */
  readonly recoverInterrupted: Effect.Effect<ReadonlyArray<string>>
  readonly runs: (limit: number) => Effect.Effect<ReadonlyArray<RunRow>>
  readonly run: (runId: string) => Effect.Effect<Option.Option<RunRow>>
  readonly materializations: (runId: string) => Effect.Effect<ReadonlyArray<MaterializationRow>>
  readonly findings: (runId: string) => Effect.Effect<ReadonlyArray<EngineFinding>>
  readonly lockHolder: Effect.Effect<Option.Option<{ readonly runId: string; readonly pid: number; readonly startedAt: string }>>
  /** Records an approval or rejection of a run awaiting approval and sets its status. */
  readonly decide: (runId: string, decision: "approved" | "rejected", by: string, why: string | undefined) => Effect.Effect<void>
  readonly decision: (runId: string) => Effect.Effect<Option.Option<{ readonly decision: string; readonly decidedBy: string; readonly decidedAt: string; readonly why: string | null }>>
  /** Deletes runs (and their materialisations, checks, findings) from the history. */
  readonly deleteRuns: (runIds: ReadonlyArray<string>) => Effect.Effect<void>
}

export const RunStore = Context.GenericTag<RunStore>("iiot/RunStore")

const migrations = Migrator.fromRecord({
  "0001_initial": Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql`CREATE TABLE runs (
      run_id TEXT PRIMARY KEY, command TEXT NOT NULL, status TEXT NOT NULL,
      started_at TEXT NOT NULL, finished_at TEXT, pid INTEGER NOT NULL, host TEXT NOT NULL,
      run_dir TEXT NOT NULL, out_dir TEXT NOT NULL, summary TEXT)`
    yield* sql`CREATE TABLE materializations (
      run_id TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE, asset_key TEXT NOT NULL,
      fingerprint TEXT NOT NULL, status TEXT NOT NULL, why TEXT NOT NULL, attempts INTEGER NOT NULL,
      rows INTEGER, duration_ms INTEGER NOT NULL, error TEXT, PRIMARY KEY (run_id, asset_key))`
    yield* sql`CREATE TABLE check_results (
      run_id TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE, asset_key TEXT NOT NULL,
      name TEXT NOT NULL, severity TEXT NOT NULL, blocking INTEGER NOT NULL, passed INTEGER NOT NULL, message TEXT NOT NULL)`
    yield* sql`CREATE TABLE findings (
      run_id TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE, asset_key TEXT, severity TEXT NOT NULL,
      code TEXT NOT NULL, source TEXT, sheet TEXT, row INTEGER, field TEXT, value TEXT, message TEXT NOT NULL)`
    yield* sql`CREATE INDEX findings_run ON findings(run_id)`
    yield* sql`CREATE INDEX check_results_run ON check_results(run_id)`
    yield* sql`CREATE TABLE asset_state (
      asset_key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, code_version TEXT NOT NULL,
      observed TEXT, inputs TEXT NOT NULL, run_id TEXT NOT NULL)`
    // At most one row: the run holding the writer lock.
    yield* sql`CREATE TABLE writer_lock (
      id INTEGER PRIMARY KEY CHECK (id = 1), run_id TEXT NOT NULL, pid INTEGER NOT NULL,
      host TEXT NOT NULL, started_at TEXT NOT NULL)`
  }),
  "0002_approvals": Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    // Who approved or rejected a run awaiting approval, when, and why.
    yield* sql`CREATE TABLE decisions (
      run_id TEXT PRIMARY KEY REFERENCES runs(run_id) ON DELETE CASCADE, decision TEXT NOT NULL,
      decided_by TEXT NOT NULL, decided_at TEXT NOT NULL, why TEXT)`
  }),
})

const isAlive = (pid: number, host: string): boolean => {
  // A process on another host cannot be probed; assume it is alive rather than steal its lock.
  if (host !== hostname()) return true
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"
  }
}

const nowIso = Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms).toISOString())

/** Run store over an already provided SqlClient (migrates on construction). */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`PRAGMA busy_timeout = 10000`
  yield* sql`PRAGMA foreign_keys = ON`
  yield* Migrator.make({})({ loader: migrations }).pipe(
    // Two processes opening a new store at once: the loser sees "locked"; the winner migrated.
    Effect.retry({ times: 20, while: (e) => e._tag === "MigrationError" && e.reason === "locked" }),
  )

  // Infrastructure failures of the store are defects: the caller cannot act on them.
  const orDie = <A, E>(eff: Effect.Effect<A, E>) => Effect.orDie(eff)

  const toRun = (r: any): RunRow => ({
    runId: r.run_id,
    command: r.command,
    status: r.status,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    pid: r.pid,
    host: r.host,
    runDir: r.run_dir,
    outDir: r.out_dir,
    summary: r.summary,
  })

  const lockHolder = orDie(
    Effect.map(sql`SELECT run_id, pid, host, started_at FROM writer_lock WHERE id = 1`, (rows) =>
      rows.length === 0 ? Option.none() : Option.some({ runId: rows[0]!.run_id as string, pid: rows[0]!.pid as number, host: rows[0]!.host as string, startedAt: rows[0]!.started_at as string }),
    ),
  )

  const recoverInterrupted = orDie(
    Effect.gen(function* () {
      const now = yield* nowIso
      const running = yield* sql`SELECT run_id, pid, host FROM runs WHERE status = 'running'`
      const dead = running.filter((r) => !isAlive(r.pid as number, r.host as string)).map((r) => r.run_id as string)
      for (const id of dead) {
        yield* sql`UPDATE runs SET status = 'interrupted', finished_at = ${now} WHERE run_id = ${id} AND status = 'running'`
        yield* sql`DELETE FROM writer_lock WHERE run_id = ${id}`
      }
      // A lock left by a dead process whose run row never got written.
      const holder = yield* lockHolder
      if (Option.isSome(holder) && !isAlive(holder.value.pid, (holder.value as any).host)) {
        yield* sql`DELETE FROM writer_lock WHERE run_id = ${holder.value.runId}`
      }
      return dead
    }),
  )

  const tryLock = (runId: string, pid: number, host: string, startedAt: string) =>
    Effect.map(
      sql`INSERT INTO writer_lock (id, run_id, pid, host, started_at) VALUES (1, ${runId}, ${pid}, ${host}, ${startedAt}) ON CONFLICT(id) DO NOTHING RETURNING run_id`,
      (rows) => rows.length === 1,
    )

  const begin: RunStore["begin"] = (run, wait) =>
    Effect.gen(function* () {
      const deadline = (yield* Clock.currentTimeMillis) + Duration.toMillis(Duration.decode(wait))
      while (true) {
        yield* recoverInterrupted
        if (yield* orDie(tryLock(run.runId, run.pid, run.host, run.startedAt))) break
        const holder = yield* lockHolder
        if ((yield* Clock.currentTimeMillis) >= deadline && Option.isSome(holder)) {
          return yield* new RunStoreError({
            reason: "locked",
            message: `another refresh (run ${holder.value.runId}, started ${holder.value.startedAt}, pid ${holder.value.pid}) holds the lock; wait for it to finish or try again later`,
          })
        }
        yield* Effect.sleep("250 millis")
      }
      yield* orDie(sql`INSERT INTO runs (run_id, command, status, started_at, pid, host, run_dir, out_dir)
        VALUES (${run.runId}, ${run.command}, 'running', ${run.startedAt}, ${run.pid}, ${run.host}, ${run.runDir}, ${run.outDir})`)
    })

  const finish: RunStore["finish"] = (runId, status, summary) =>
    orDie(
      Effect.gen(function* () {
        const now = yield* nowIso
        yield* sql`UPDATE runs SET status = ${status}, finished_at = ${now}, summary = ${JSON.stringify(summary)} WHERE run_id = ${runId}`
        yield* sql`DELETE FROM writer_lock WHERE run_id = ${runId}`
      }),
    )

  // Multi-row inserts in chunks that stay under SQLite's 999 bound parameters per statement.
  const insertChunked = (table: string, rows: ReadonlyArray<Record<string, unknown>>, perRow: number) => {
    const size = Math.floor(900 / perRow)
    return Effect.forEach(
      Array.from({ length: Math.ceil(rows.length / size) }, (_, i) => rows.slice(i * size, (i + 1) * size)),
      (chunk) => sql`INSERT OR REPLACE INTO ${sql(table)} ${sql.insert(chunk as Array<Record<string, any>>)}`,
      { discard: true },
    )
  }

  const recordMany = (batch: ReadonlyArray<MaterializationRecord>) =>
    batch.length === 0
      ? Effect.void
      : orDie(
          sql.withTransaction(
            Effect.gen(function* () {
              yield* insertChunked(
                "materializations",
                batch.map(({ row: m }) => ({
                  run_id: m.runId,
                  asset_key: m.key,
                  fingerprint: m.fingerprint,
                  status: m.status,
                  why: m.why,
                  attempts: m.attempts,
                  rows: m.rows,
                  duration_ms: Math.round(m.durationMs),
                  error: m.error,
                })),
                9,
              )
              yield* insertChunked(
                "check_results",
                batch.flatMap(({ row: m, checks }) =>
                  checks.map((c) => ({ run_id: m.runId, asset_key: m.key, name: c.name, severity: c.severity, blocking: c.blocking ? 1 : 0, passed: c.passed ? 1 : 0, message: c.message })),
                ),
                7,
              )
              yield* insertChunked(
                "findings",
                batch.flatMap(({ row: m, findings }) =>
                  findings.map((f) => ({
                    run_id: m.runId,
                    asset_key: f.asset ?? m.key,
                    severity: f.severity,
                    code: f.code,
                    source: f.source ?? null,
                    sheet: f.sheet ?? null,
                    row: f.row ?? null,
                    field: f.field ?? null,
                    value: f.value ?? null,
                    message: f.message,
                  })),
                ),
                10,
              )
            }),
          ),
        )

  const store: RunStore = {
    begin,
    finish,
    setStatus: (runId, status) => orDie(sql`UPDATE runs SET status = ${status} WHERE run_id = ${runId}`.pipe(Effect.asVoid)),
    recordMaterializations: recordMany,
    saveState: (key, state, runId) =>
      orDie(
        sql`INSERT OR REPLACE INTO asset_state (asset_key, fingerprint, code_version, observed, inputs, run_id)
          VALUES (${key}, ${state.fingerprint}, ${state.codeVersion}, ${state.observed ?? null}, ${JSON.stringify(state.inputs)}, ${runId})`.pipe(Effect.asVoid),
      ),
    states: orDie(
      Effect.map(sql`SELECT * FROM asset_state`, (rows) => {
        const out = new Map<string, StoredState & { runId: string }>()
        for (const r of rows) {
          out.set(r.asset_key as string, {
            fingerprint: r.fingerprint as string,
            codeVersion: r.code_version as string,
            observed: (r.observed as string | null) ?? undefined,
            inputs: JSON.parse(r.inputs as string),
            runId: r.run_id as string,
          })
        }
        return out
      }),
    ),
    recoverInterrupted,
    runs: (limit) => orDie(Effect.map(sql`SELECT * FROM runs ORDER BY started_at DESC, run_id DESC LIMIT ${limit}`, (rows) => rows.map(toRun))),
    run: (runId) => orDie(Effect.map(sql`SELECT * FROM runs WHERE run_id = ${runId}`, (rows) => (rows.length ? Option.some(toRun(rows[0])) : Option.none()))),
    materializations: (runId) =>
      orDie(
        Effect.map(sql`SELECT * FROM materializations WHERE run_id = ${runId} ORDER BY rowid`, (rows) =>
          rows.map((r: any) => ({
            runId: r.run_id,
            key: r.asset_key,
            fingerprint: r.fingerprint,
            status: r.status,
            why: r.why,
            attempts: r.attempts,
            rows: r.rows,
            durationMs: r.duration_ms,
            error: r.error,
          })),
        ),
      ),
    findings: (runId) =>
      orDie(
        Effect.map(sql`SELECT * FROM findings WHERE run_id = ${runId} ORDER BY rowid`, (rows) =>
          rows.map((r: any) => {
            const f: Record<string, unknown> = { severity: r.severity, code: r.code, message: r.message }
            for (const k of ["asset_key", "source", "sheet", "row", "field", "value"]) if (r[k] !== null) f[k === "asset_key" ? "asset" : k] = r[k]
            return f as unknown as EngineFinding
          }),
        ),
      ),
    decide: (runId, decision, by, why) =>
      orDie(
        sql.withTransaction(
          Effect.gen(function* () {
            const now = yield* nowIso
            yield* sql`INSERT OR REPLACE INTO decisions (run_id, decision, decided_by, decided_at, why) VALUES (${runId}, ${decision}, ${by}, ${now}, ${why ?? null})`
            yield* sql`UPDATE runs SET status = ${decision === "approved" ? "succeeded" : "rejected"} WHERE run_id = ${runId}`
          }),
        ),
      ),
    decision: (runId) =>
      orDie(
        Effect.map(sql`SELECT * FROM decisions WHERE run_id = ${runId}`, (rows) =>
          rows.length === 0
            ? Option.none()
            : Option.some({ decision: rows[0]!.decision as string, decidedBy: rows[0]!.decided_by as string, decidedAt: rows[0]!.decided_at as string, why: rows[0]!.why as string | null }),
        ),
      ),
    deleteRuns: (runIds) =>
      orDie(
        Effect.forEach(runIds, (id) => sql`DELETE FROM runs WHERE run_id = ${id} AND status <> 'running'`, { discard: true }),
      ),
    lockHolder: Effect.map(lockHolder, Option.map(({ runId, pid, startedAt }) => ({ runId, pid, startedAt }))),
  }
  return store
})

/** The run store in a SQLite file (created with its folder when missing). */
export const layer = (file: string): Layer.Layer<RunStore> => {
  const client = Layer.suspend(() => {
    mkdirSync(dirname(file), { recursive: true })
    return SqliteClient.layer({ filename: file })
  }).pipe(Layer.orDie)
  return Layer.effect(RunStore, Effect.orDie(make)).pipe(Layer.provide(client))
}
