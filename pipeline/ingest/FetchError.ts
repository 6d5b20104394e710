/** The typed failure of a remote source fetch; kept apart from Fetch.ts so callers can name it without loading the HTTP client. */
import * as Schema from "effect/Schema"

/** Why a fetch failed, closed: each maps to one retry decision in Fetch.ts. */
export const FetchReason = Schema.Literal("http-status", "timeout", "connection", "truncated", "checksum", "too-large", "io")
export type FetchReason = typeof FetchReason.Type

/** A remote source could not be fetched and no earlier snapshot could stand in for it. */
export class FetchError extends Schema.TaggedError<FetchError>()("FetchError", {
  reason: FetchReason,
  /** The URL that was requested. */
  url: Schema.String,
  /** What asked for it (e.g. the sidecar path), so the message points at a file a person can edit. */
  source: Schema.String,
  /** How many HTTP attempts were made (0 when the URL was refused before any request). */
  attempts: Schema.Number,
  /** Last HTTP status seen, when the failure was a status. */
  status: Schema.optional(Schema.Number),
  message: Schema.String,
}) {}
