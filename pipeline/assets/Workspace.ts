/** Workspace: where this refresh reads its sources and keeps downloaded snapshots; provided by the CLI. */
import { Context, Layer } from "effect"

export interface Workspace {
  /** The sources folder (`--sources`, default `sources/`). */
  readonly sourcesDir: string
  /** Raw downloads of remote sources, named by sha256 (beside the run store). */
  readonly snapshotsDir: string
  /** Briefing templates (`templates/briefing/<name>/`) of the installed package. */
  readonly templatesDir: string
}

export const Workspace = Context.GenericTag<Workspace>("iiot/Workspace")

export const layer = (workspace: Workspace): Layer.Layer<Workspace> => Layer.succeed(Workspace, workspace)
