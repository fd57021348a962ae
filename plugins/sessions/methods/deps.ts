/** What every sessions and chat method needs, built once in `setup`. */
import type { z } from "zod";
import type { MethodDefinition, Store } from "@talon/sdk";
import type { ChatRuns } from "../chat/runs.ts";
import type { SessionsConfig } from "../config.ts";
import { toView, type SessionState, type ViewOptions } from "../entry.ts";
import type { SessionRegistry } from "../registry.ts";

export interface MethodDeps {
  readonly registry: SessionRegistry;
  /** The plugin's store (chat run ids); sessions themselves go through the registry. */
  readonly store: Store;
  readonly runs: ChatRuns;
  config(): SessionsConfig;
  /** Emit an event to connected clients. */
  emit(name: string, payload: unknown): void;
  /** Messages `text` becomes on `channel` (the core channel runtime's chunker; at least 1). */
  chunkCount(text: string, channel: string | undefined): number;
}

/** The session view with the session's in-flight chat runs. */
export function viewOf(deps: MethodDeps, state: SessionState, options: Omit<ViewOptions, "activeRunIds"> = {}): Record<string, unknown> {
  return toView(state, { ...options, activeRunIds: deps.runs.activeRunIds(state.rec.key) });
}

/** Erase a definition's params type so definitions of different methods share one array. */
export function method<S extends z.ZodType>(definition: MethodDefinition<S>): MethodDefinition {
  return definition as unknown as MethodDefinition;
}
