/**
 * loop-guard: `security.tool_runtime_policy.loop_detection` (enabled, history_size,
 * warning_threshold, critical_threshold), read live. A warning forces review, a critical loop
 * forces block, with the seed's tags and reasons.
 */
import { z } from "zod";
import { STAGE, definePlugin, type TalonConfig } from "@talon/sdk";
import { fingerprintOf } from "./fingerprint.ts";
import { LoopGuard, type LoopSettings } from "./guard.ts";

const PLUGIN_NAME = "loop-guard";

export const configSchema = z.strictObject({
  /** Most sessions tracked; the least recently active is forgotten first. */
  maxSessions: z.number().int().min(1).default(10000),
  /** Sessions idle this long are forgotten (ms). */
  idleMs: z.number().int().min(1000).default(3_600_000),
});

/** loop-guard's validated config. */
export type LoopGuardConfig = z.output<typeof configSchema>;

function settingsFrom(config: Readonly<TalonConfig>, plugin: LoopGuardConfig): LoopSettings & { enabled: boolean } {
  const loop = config.security.tool_runtime_policy.loop_detection;
  return {
    enabled: loop.enabled,
    historySize: loop.history_size,
    warningThreshold: loop.warning_threshold,
    criticalThreshold: loop.critical_threshold,
    maxSessions: plugin.maxSessions,
    idleMs: plugin.idleMs,
  };
}

export default definePlugin({
  name: PLUGIN_NAME,
  version: "0.1.0",
  description: "Detects agents stuck repeating a tool call; warns (review) and then stops (block).",
  hostRange: "^0.1.0",
  configSchema,
  setup(ctx) {
    let settings = settingsFrom(ctx.host.config, ctx.config);
    const guard = new LoopGuard(settings);
    ctx.registerStatusSection("loopGuard", () => ({ enabled: settings.enabled, sessions: guard.sessions }));
    ctx.hooks.configReload.tap((change) => {
      settings = settingsFrom(change.next, ctx.config);
      guard.configure(settings);
    });
    ctx.hooks.score.tap({ stage: STAGE.DETECTOR }, (action, report) => {
      if (!settings.enabled || !action.tool) return;
      const verdict = guard.observe(action.sessionKey, fingerprintOf(action), Date.now());
      if (!verdict) return;
      const what =
        verdict.kind === "repeat"
          ? `repeated ${verdict.count} times with identical arguments`
          : verdict.kind === "ping-pong"
            ? `alternating with another call for ${verdict.count} calls`
            : `called ${verdict.count} times with identical arguments in the last ${settings.historySize} calls`;
      report.add({
        detector: PLUGIN_NAME,
        score: 0,
        floor: verdict.level === "critical" ? "block" : "review",
        tags: [verdict.level === "critical" ? "tool_loop_critical" : "tool_loop_warning"],
        reasons: [`tool loop ${verdict.level}: \`${action.tool}\` ${what}`],
        pattern: verdict.kind,
      });
    });
  },
});
