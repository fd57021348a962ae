/** Shared set-up for defender tests: a real host with the decision policy and test detectors. */
import { fileURLToPath } from "node:url";
import { mergeConfig } from "@talon/sdk";
import { startTestHost, type TestHost } from "../helpers/host.ts";
import { SCORE_GATE, type ScoreGate } from "../fixtures/plugins/score-gate/index.ts";

export const FIXTURES = {
  gate: fileURLToPath(new URL("../fixtures/plugins/score-gate", import.meta.url)),
  delay: fileURLToPath(new URL("../fixtures/plugins/score-delay", import.meta.url)),
  keyword: fileURLToPath(new URL("../fixtures/plugins/score-keyword", import.meta.url)),
  observers: fileURLToPath(new URL("../fixtures/plugins/observer-gate", import.meta.url)),
};

/** A host with decision-policy (+ the given bundled plugins) and the given fixture plugins. */
export function startDefenderHost(
  options: {
    builtin?: string[];
    fixtures?: (keyof typeof FIXTURES)[];
    config?: Record<string, unknown>;
    gateway?: boolean;
    cwd?: string;
  } = {},
): Promise<TestHost> {
  const config = mergeConfig(
    {
      plugins: {
        builtin: ["decision-policy", "frame-extract", ...(options.builtin ?? [])],
        load: (options.fixtures ?? []).map((name) => FIXTURES[name]),
      },
      security: { protect_paths: [] },
    },
    options.config ?? {},
  );
  return startTestHost(config, { gateway: options.gateway ?? false, cwd: options.cwd });
}

/** The score-gate fixture's controller (load it with fixtures: ["gate"]). */
export function scoreGate(): ScoreGate {
  const gate = (globalThis as Record<symbol, unknown>)[SCORE_GATE] as ScoreGate | undefined;
  if (!gate) throw new Error("score-gate fixture not loaded");
  return gate;
}

/** Resolve when `predicate` holds, checking on every macrotask (no fixed sleeps). */
export async function until(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
