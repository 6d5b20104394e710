/** Where a row came from: travels with the data into every sheet and every page. */
import { Schema } from "effect"

/** A row's origin in a frozen source extract. */
export const Provenance = Schema.Struct({
  /** `sources/<family>/<vintage>/<file>` relative to the sources folder. */
  source: Schema.String,
  sheet: Schema.optional(Schema.String),
  /** Row number as a person sees it in the file (1-based, header included). */
  row: Schema.Number,
})
export type Provenance = typeof Provenance.Type
