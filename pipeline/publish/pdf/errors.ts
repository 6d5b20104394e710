/** The PDF renderer's typed failure: one class, a closed `reason`, a message a person can act on. */
import { Schema } from "effect"

/** The pack could not be rendered: fonts not loadable, the document malformed, or pdf-lib failed. */
export class PdfError extends Schema.TaggedError<PdfError>()("PdfError", {
  reason: Schema.Literal("font", "layout", "write"),
  message: Schema.String,
}) {}
