/**
 * Entry point of `iiot`. Exit codes: 0 success, 1 blocked by a failed check or a source error
 * (with a readable summary), 2 bad usage. Ctrl-C interrupts cleanly: the run is marked as such.
 */
import * as Command from "@effect/cli/Command"
import * as ValidationError from "@effect/cli/ValidationError"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Cause, Effect, Exit as EffectExit } from "effect"
import { Exit, root } from "./commands.js"

const VERSION = "0.1.0"

const describe = (error: unknown): string => {
  if (typeof error === "object" && error !== null && "message" in error) {
    const tag = (error as { _tag?: string })._tag
    return `${tag ? `${tag}: ` : ""}${(error as { message: string }).message}`
  }
  return String(error)
}

const program = (Command.run(root, { name: "iiot", version: VERSION })(process.argv) as Effect.Effect<void, unknown>).pipe(
  Effect.provide(NodeContext.layer),
  Effect.exit,
  Effect.map((exit): number => {
    if (EffectExit.isSuccess(exit)) return 0
    if (Cause.isInterruptedOnly(exit.cause)) return 130
    const failure = Cause.failureOption(exit.cause)
    if (failure._tag === "Some") {
      const e = failure.value as unknown
      if (e instanceof Exit) return e.code
      // @effect/cli already printed usage errors and help.
      if (ValidationError.isValidationError(e)) return ValidationError.isHelpRequested(e) ? 0 : 2
      process.stderr.write(`iiot: ${describe(e)}\n`)
      return 1
    }
    process.stderr.write(`iiot: unexpected error\n${Cause.pretty(exit.cause)}\n`)
    return 1
  }),
)

NodeRuntime.runMain(program, {
  disableErrorReporting: true,
  teardown: (exit, onExit) => onExit(EffectExit.isSuccess(exit) ? (exit.value as number) : 130),
})
