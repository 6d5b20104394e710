/**
 * `iiot.config.yml`: the team's unattended setup in one file (schedules, the sources watcher,
 * freshness limits, the approval gate, retention, paths). Decoded with a Schema through
 * ingest/Yaml so every problem is reported as `file:line: path: problem`. No file means the
 * CLI defaults and no schedules.
 */
import { Duration, Effect, Either, Option, ParseResult, Schema } from "effect"
import { readFileSync } from "node:fs"
import { LineCounter, parseDocument } from "yaml"
import { SourceKind } from "../domain/Source.js"
import * as Scheduler from "../engine/Scheduler.js"
import * as Yaml from "../ingest/Yaml.js"

/** Where `iiot schedule` and friends look for the configuration by default. */
export const defaultFile = "iiot.config.yml"

/** A duration written as a person would: "30 seconds", "400 days" (Effect's Duration units). */
export const DurationText = Schema.transformOrFail(
  Schema.String.annotations({ message: () => 'expected a duration such as "30 seconds" or "400 days"' }),
  Schema.DurationFromSelf,
  {
    strict: true,
    decode: (text, _, ast) =>
      Option.match(Duration.decodeUnknown(text.trim()), {
        onNone: () =>
          ParseResult.fail(
            new ParseResult.Type(ast, text, `invalid duration "${text}": write a number and a unit, e.g. "30 seconds" or "400 days" (units: millis, seconds, minutes, hours, days, weeks)`),
          ),
        onSome: (d) =>
          Duration.isFinite(d) && Duration.toMillis(d) >= 0 ? ParseResult.succeed(d) : ParseResult.fail(new ParseResult.Type(ast, text, `duration "${text}" must be finite and not negative`)),
      }),
    // Millis round-trip through Duration.decode; Duration.format's "30s" would not.
    encode: (d) => ParseResult.succeed(`${Duration.toMillis(d)} millis`),
  },
)

/** A cron expression of 5 fields (or 6 with seconds first), checked by croner. */
export const CronText = Schema.String.pipe(
  Schema.filter((text) => Either.match(Scheduler.parseCron(text, "UTC"), { onLeft: (message) => message, onRight: () => true })),
)

/** An IANA time zone name this Node knows (checked with Intl.DateTimeFormat). */
export const TimeZone = Schema.String.pipe(
  Schema.filter((tz) => {
    try {
      new Intl.DateTimeFormat("en", { timeZone: tz })
      return true
    } catch {
      return `unknown time zone "${tz}" (use an IANA name such as Europe/Brussels)`
    }
  }),
)

/** Run the asset graph, as `iiot refresh [--select SEL] [--force]`. */
export const RefreshRun = Schema.TaggedStruct("refresh", {
  select: Schema.optionalWith(Schema.String, { exact: true }),
  force: Schema.Boolean,
})
/** A decoded `refresh` run. */
export type RefreshRun = typeof RefreshRun.Type

/** Render a briefing pack, as `iiot brief --template NAME [--focus E] [--as-of D] [--out FILE]`. */
export const BriefRun = Schema.TaggedStruct("brief", {
  template: Schema.NonEmptyString,
  focus: Schema.optionalWith(Schema.String, { exact: true }),
  asOf: Schema.optionalWith(Schema.String, { exact: true }),
  out: Schema.optionalWith(Schema.String, { exact: true }),
})
/** A decoded `brief` run. */
export type BriefRun = typeof BriefRun.Type

/** What a schedule runs. */
export type RunSpec = RefreshRun | BriefRun

const RefreshFields = Schema.Struct({ select: Schema.optionalWith(Schema.String, { exact: true }), force: Schema.optionalWith(Schema.Boolean, { exact: true, default: () => false }) })
const BriefFields = Schema.Struct({ template: Schema.NonEmptyString, focus: Schema.optionalWith(Schema.String, { exact: true }), asOf: Schema.optionalWith(Schema.String, { exact: true }), out: Schema.optionalWith(Schema.String, { exact: true }) })

/** In YAML `run:` holds exactly one of `refresh: {…}` (an empty `refresh:` is fine) or `brief: {…}`. */
const RunInput = Schema.Struct({
  refresh: Schema.optionalWith(Schema.NullOr(RefreshFields), { exact: true }),
  brief: Schema.optionalWith(BriefFields, { exact: true }),
}).pipe(Schema.filter((r) => ("refresh" in r) !== ("brief" in r) || "give exactly one of `refresh` or `brief`"))

/** `run:` decoded to a tagged value, so callers switch on `_tag`. */
export const Run = Schema.transform(RunInput, Schema.Union(RefreshRun, BriefRun), {
  strict: false,
  decode: (r) => (r.brief !== undefined ? { _tag: "brief" as const, ...r.brief } : { _tag: "refresh" as const, ...(r.refresh ?? { force: false }) }),
  encode: (run) => {
    const { _tag, ...fields } = run
    return _tag === "brief" ? { brief: fields } : { refresh: fields }
  },
})

/** One schedule: a name (used in logs and to find its last run), when, and what to run. */
export const Schedule = Schema.Struct({
  name: Schema.NonEmptyString,
  cron: CronText,
  timezone: TimeZone,
  run: Run,
})
/** A decoded schedule. */
export type Schedule = typeof Schedule.Type

const Watch = Schema.Struct({
  enabled: Schema.optionalWith(Schema.Boolean, { exact: true, default: () => false }),
  quietPeriod: Schema.optionalWith(DurationText, { exact: true, default: () => Duration.seconds(30) }),
})

const Approval = Schema.Struct({
  required: Schema.optionalWith(Schema.Boolean, { exact: true, default: () => false }),
})

/** Retention defaults, shared by a configuration file's `retention:` section and `iiot prune`'s options. */
export const retentionDefaults = { keepRuns: 20, olderThan: "30 days" } as const

const Retention = Schema.Struct({
  keepRuns: Schema.optionalWith(Schema.Int.pipe(Schema.nonNegative()), { exact: true, default: () => retentionDefaults.keepRuns }),
  olderThan: Schema.optionalWith(DurationText, { exact: true, default: () => Schema.decodeSync(DurationText)(retentionDefaults.olderThan) }),
  /** Prune after each scheduled run. */
  onSchedule: Schema.optionalWith(Schema.Boolean, { exact: true, default: () => false }),
})

/** Freshness limit per source kind; a kind not listed has no limit. */
const Freshness = Schema.partial(Schema.Record({ key: SourceKind, value: DurationText }))

/** The whole file; every section optional, with the CLI's defaults. */
export const Config = Schema.Struct({
  schedules: Schema.optionalWith(
    Schema.Array(Schedule).pipe(
      Schema.filter((schedules) => {
        // Names identify a schedule's history in the run store: two with one name would share it.
        const issues = schedules.flatMap((s, i) =>
          schedules.findIndex((o) => o.name === s.name) < i ? [{ path: [i, "name"], message: `duplicate schedule name "${s.name}"` }] : [],
        )
        return issues.length === 0 ? true : issues
      }),
    ),
    { exact: true, default: () => [] },
  ),
  // An absent section is an empty one: its fields' own defaults, written once above.
  watch: Schema.optionalWith(Watch, { exact: true, default: () => Schema.decodeUnknownSync(Watch)({}) }),
  freshness: Schema.optionalWith(Freshness, { exact: true, default: () => ({}) }),
  approval: Schema.optionalWith(Approval, { exact: true, default: () => Schema.decodeUnknownSync(Approval)({}) }),
  retention: Schema.optionalWith(Retention, { exact: true, default: () => Schema.decodeUnknownSync(Retention)({}) }),
  /** Paths as the CLI options take them (relative to the working directory), with the same defaults. */
  sources: Schema.optionalWith(Schema.NonEmptyString, { exact: true, default: () => "sources" }),
  out: Schema.optionalWith(Schema.NonEmptyString, { exact: true, default: () => "outputs/latest" }),
  store: Schema.optionalWith(Schema.NonEmptyString, { exact: true, default: () => "outputs/.iiot/runs.sqlite" }),
})
/** The decoded configuration (durations as Duration values). */
export type Config = typeof Config.Type

/** The configuration used when there is no file: no schedules, watcher off, no approval gate. */
export const defaults: Config = Schema.decodeUnknownSync(Config)({})

/** The configuration file cannot be used; `message` lists one `file:line: path: problem` per line. */
export class ConfigError extends Schema.TaggedError<ConfigError>()("ConfigError", {
  reason: Schema.Literal("read", "parse", "invalid"),
  file: Schema.String,
  message: Schema.String,
}) {}

/**
 * `refresh: {…}` may also be empty (null): when the map is wrong, the union also reports
 * "Expected null", which only hides the real problem at the same place.
 */
const withoutUnionNoise = (issues: ReadonlyArray<Yaml.YamlIssue>): ReadonlyArray<Yaml.YamlIssue> =>
  issues.filter((i) => !(i.message.startsWith("Expected null, actual") && issues.some((o) => o !== i && (o.path === i.path || o.path.startsWith(`${i.path}.`)))))

/** Decodes configuration text; `file` only names it in messages. */
export const decodeConfig = (file: string, text: string): Either.Either<Config, ConfigError> => {
  // Syntax first, with lines from the error offsets: Yaml.decode reads `linePos`, which the yaml
  // library only fills with prettyErrors on, so its syntax errors come without a line.
  const lineCounter = new LineCounter()
  const syntax = parseDocument(text, { lineCounter, prettyErrors: false }).errors
  if (syntax.length > 0) {
    const issues = syntax.map((e) => ({ line: lineCounter.linePos(e.pos[0]).line, path: "", message: e.message.split("\n")[0]! }))
    return Either.left(new ConfigError({ reason: "parse", file, message: Yaml.format(file, issues) }))
  }
  return Either.mapLeft(Yaml.decode(Config, text), (issues) => new ConfigError({ reason: "invalid", file, message: Yaml.format(file, withoutUnionNoise(issues)) }))
}

/** Reads and decodes `file`; a missing file gives `defaults`. */
export const loadConfig = (file: string): Effect.Effect<Config, ConfigError> =>
  Effect.gen(function* () {
    const text = yield* Effect.try({
      try: () => Option.some(readFileSync(file, "utf8")),
      catch: (e) => e as NodeJS.ErrnoException,
    }).pipe(
      Effect.catchIf(
        (e) => e.code === "ENOENT",
        () => Effect.succeed(Option.none<string>()),
      ),
      Effect.mapError((e) => new ConfigError({ reason: "read", file, message: `${file}: cannot read: ${e.message}` })),
    )
    if (Option.isNone(text)) return defaults
    return yield* decodeConfig(file, text.value)
  })

/** The schedules as Scheduler jobs whose action is what to run. */
export const scheduleJobs = (config: Config): ReadonlyArray<Scheduler.Job<RunSpec>> =>
  config.schedules.map((s) => ({ name: s.name, cron: { expression: s.cron.trim(), timezone: s.timezone }, action: s.run }))
