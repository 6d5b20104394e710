/** The engine's typed failures: few classes, a closed `reason`, and the coordinates to act on. */
import { Schema } from "effect"

/** The asset graph is malformed; found at start-up, before anything runs. */
export class GraphError extends Schema.TaggedError<GraphError>()("GraphError", {
  reason: Schema.Literal("duplicate-key", "unknown-dep", "cycle", "bad-selection"),
  key: Schema.String,
  message: Schema.String,
}) {}

/** The run store could not be opened, migrated or locked. */
export class RunStoreError extends Schema.TaggedError<RunStoreError>()("RunStoreError", {
  reason: Schema.Literal("locked", "unavailable", "not-found"),
  message: Schema.String,
}) {}

/** A materialised value could not be read or written. */
export class AssetStoreError extends Schema.TaggedError<AssetStoreError>()("AssetStoreError", {
  reason: Schema.Literal("read", "write", "missing"),
  key: Schema.String,
  message: Schema.String,
}) {}

/** The publication could not be switched to the new run. */
export class PublishError extends Schema.TaggedError<PublishError>()("PublishError", {
  reason: Schema.Literal("copy", "switch"),
  path: Schema.String,
  message: Schema.String,
}) {}
