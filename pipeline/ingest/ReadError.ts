/** The readers' one typed failure: the file cannot be read as a table at all (data problems are findings). */
import { Schema } from "effect"

/** A source file could not be opened as a table; `message` names the file (sheet, row) and says what to do. */
export class ReadError extends Schema.TaggedError<ReadError>()("ReadError", {
  reason: Schema.Literal(
    "empty-file",
    "binary",
    "encoding",
    "too-large",
    "bad-xlsx",
    "no-header",
    "unterminated-quote",
    "sheet-not-found",
    "io",
  ),
  file: Schema.String,
  sheet: Schema.optional(Schema.String),
  row: Schema.optional(Schema.Number),
  message: Schema.String,
}) {}

/** The closed set of reasons, for callers that count or switch on them. */
export type ReadErrorReason = ReadError["reason"]
