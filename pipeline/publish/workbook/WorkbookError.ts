/** The workbook publisher's one typed failure: a closed `reason` plus the file and sheet to look at. */
import { Schema } from "effect"

/** Writing, reading or charting a workbook failed; `message` names the file (and sheet) to act on. */
export class WorkbookError extends Schema.TaggedError<WorkbookError>()("WorkbookError", {
  reason: Schema.Literal("write", "read", "sheet-not-found", "column-not-found", "chart"),
  file: Schema.String,
  sheet: Schema.optional(Schema.String),
  message: Schema.String,
}) {}
