/**
 * loop-guard: detects an agent calling the same tool over and over, read live from config (the
 * seed's `security.tool_runtime_policy.loop_detection` lands here). A warning forces review, a
 * critical loop forces block, with the seed's tags and reasons.
 */
import { STAGE, definePlugin, z } from "@talon/sdk";
import { fingerprintOf } from "./fingerprint.ts";
import { LoopGuard, type LoopSettings } from "./guard.ts";

const PLUGIN_NAME = "loop-guard";

export const configSchema = z
  .strictObject({
    enabled: z.boolean().default(false).describe("Detect an agent calling the same tool with the same arguments over and over."),
    historySize: z.number().int().min(1).default(30).describe("Calls remembered per session (seed: `history_size`)."),
    warningThreshold: z
      .number()
      .int()
      .min(1)
      .default(10)
      .describe("Identical calls in a row that force review (seed: `warning_threshold`)."),
    criticalThreshold: z
      .number()
      .int()
      .min(1)
      .default(20)
      .describe("Identical calls in a row that force block; must exceed warningThreshold (seed: `critical_threshold`)."),
    maxSessions: z.number().int().min(1).default(10000).describe("Most sessions tracked; the least recently active is forgotten first."),
    idleMs: z.number().int().min(1000).default(3_600_000).describe("Sessions idle this long are forgotten (ms)."),
  })
  .superRefine((config, ctx) => {
    if (config.criticalThreshold <= config.warningThreshold)
      ctx.addIssue({ code: "custom", path: ["criticalThreshold"], message: "criticalThreshold must be greater than warningThreshold" });
  });

/** loop-guard's validated config. */
export type LoopGuardConfig = z.output<typeof configSchema>;

function settingsFrom(plugin: LoopGuardConfig): LoopSettings & { enabled: boolean } {
  return {
    enabled: plugin.enabled,
    historySize: plugin.historySize,
    warningThreshold: plugin.warningThreshold,
    criticalThreshold: plugin.criticalThreshold,
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
    let settings = settingsFrom(ctx.config);
    const guard = new LoopGuard(settings);
    ctx.registerStatusSection("loopGuard", () => ({ enabled: settings.enabled, sessions: guard.sessions }));
    ctx.hooks.configReload.tap((change) => {
      settings = settingsFrom(ctx.config);
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
