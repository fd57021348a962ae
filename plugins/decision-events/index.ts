/**
 * decision-events: the `security.decision` event (name from `runtime.decision_event`) sent to
 * authorised clients for every decision, and the `security.evaluate` RPC that lets an external
 * caller (an OpenClaw plugin, a CI job) ask Talon about one action.
 */
import { z } from "zod";
import { STAGE, definePlugin, type OperatorScope } from "@talon/sdk";
import { evaluateParamsSchema, toActionInput, toEvaluateResult } from "./evaluate-rpc.ts";
import { toDecisionPayload } from "./payload.ts";

const PLUGIN_NAME = "decision-events";

const SCOPES = ["operator.read", "operator.write", "operator.admin", "operator.approvals"] as const satisfies readonly OperatorScope[];

/** `plugins.entries.decision-events.config`. */
export const configSchema = z
  .strictObject({
    scope: z.enum(SCOPES).default("operator.read").describe("Scope a client needs to receive decision events."),
    droppable: z
      .boolean()
      .default(true)
      .describe(
        'A slow client may miss decision events (default true, as the seed\'s drop-if-slow): the gap in its event `seq` tells it so, and the sessions history keeps every decision. With false, a client that cannot keep up is disconnected with "slow consumer" instead.',
      ),
  })
  .prefault({});

/** The plugin's validated config. */
export type DecisionEventsConfig = z.output<typeof configSchema>;

/** The decision-events plugin. */
export default definePlugin({
  name: PLUGIN_NAME,
  version: "0.1.0",
  description: "security.decision events to authorised clients, and the security.evaluate RPC.",
  hostRange: "^0.1.0",
  configSchema,
  setup(ctx) {
    type Declared = { readonly name: string; readonly scope: OperatorScope; readonly droppable: boolean };
    const wanted = (name: string): Declared => ({ name, scope: ctx.config.scope, droppable: ctx.config.droppable });
    // Only what was declared successfully is used: a refused declaration keeps the previous one.
    const declare = (definition: Declared): Declared => {
      ctx.events.declare(definition);
      return definition;
    };
    let declared = declare(wanted(ctx.host.config.runtime.decision_event));
    ctx.hooks.configReload.tap((change) => {
      const next = wanted(change.next.runtime.decision_event);
      if (next.name === declared.name && next.scope === declared.scope && next.droppable === declared.droppable) return;
      declared = declare(next);
    });
    ctx.hooks.decision.tap({ stage: STAGE.OBSERVER }, (record) => {
      ctx.events.emit(declared.name, toDecisionPayload(record));
    });
    ctx.registerMethod({
      name: "security.evaluate",
      scope: "operator.write",
      params: evaluateParamsSchema,
      description: "Evaluate one action (prompt, command, url, file, or a tool call with any params) and return Talon's decision.",
      async handler(params) {
        return toEvaluateResult(await ctx.defender.evaluate(toActionInput(params)));
      },
    });
  },
});
