/** Terminal output: a live progress line on a TTY, plain lines when piped; small text tables. */
import { Effect } from "effect"
import type * as Materializer from "../engine/Materializer.js"

const tty = () => process.stderr.isTTY === true

/** Prints a table with padded columns. */
export const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)))
  const line = (cells: ReadonlyArray<string>) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ")
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n")
}

const ms = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`)

/** One line describing a finished asset. */
export const outcomeLine = (o: Materializer.AssetOutcome): string =>
  `${o.status.padEnd(7)} ${o.key}${o.rows !== null ? `  ${o.rows} rows` : ""}${o.status === "ran" ? `  ${ms(o.durationMs)}` : ""}${o.attempts > 1 ? `  (${o.attempts} attempts)` : ""}${o.status === "ran" ? "" : `  — ${o.why}`}${o.error ? `\n        ${o.error.split("\n").join("\n        ")}` : ""}`

/** A progress reporter: rewrites one status line on a TTY, prints a line per asset otherwise. */
export const progress = (total: number) => {
  let finished = 0
  const running = new Set<string>()
  return (event: Materializer.Event): Effect.Effect<void> =>
    Effect.sync(() => {
      if (event._tag === "Started") running.add(event.key)
      if (event._tag === "Retrying" && !tty()) process.stdout.write(`retry   ${event.key} (attempt ${event.attempt}): ${event.error}\n`)
      if (event._tag === "Finished") {
        finished++
        running.delete(event.outcome.key)
        if (tty()) process.stderr.write("\r\x1b[2K")
        process.stdout.write(outcomeLine(event.outcome) + "\n")
      }
      if (tty() && finished < total) {
        const now = [...running].slice(0, 2).join(", ")
        process.stderr.write(`\r\x1b[2K[${finished}/${total}] ${now}`)
      }
    })
}
