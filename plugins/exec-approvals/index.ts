/**
 * exec-approvals: in bridge mode, Talon answers the upstream gateway's exec approvals. When
 * upstream broadcasts `exec.approval.requested`, this plugin's extractor turns the request into
 * an `exec` action (replacing the generic extractor for that event, so the command is evaluated
 * once, on its session's lane like every action); when the decision arrives it calls
 * `exec.approval.resolve`: deny on block, allow-once on allow, nothing on review so a person
 * decides (each configurable).
 */
import { z } from "zod";
import { LruMap, STAGE, definePlugin, errorMessage } from "@talon/sdk";
import { choiceFor, parseRequestedApproval } from "./approval.ts";

const PLUGIN_NAME = "exec-approvals";
const REQUESTED = "exec.approval.requested";
/** Most approvals remembered while their decision is pending. */
const MAX_PENDING = 1024;

const choice = z.enum(["allow-once", "allow-always", "deny", "none"]);

/** `plugins.entries.exec-approvals.config`. */
export const configSchema = z
  .strictObject({
    /** Answer for an allowed command (`none` leaves it to a person). */
    on_allow: choice.default("allow-once"),
    /** Answer for a command that needs review; `none` (default) leaves it to a person. */
    on_review: choice.default("none"),
    /** Answer for a blocked command. */
    on_block: choice.default("deny"),
    call_timeout_ms: z.number().int().min(100).default(10_000).describe("Time limit of the `exec.approval.resolve` call (ms)."),
  })
  .prefault({});

/** The plugin's validated config. */
export type ExecApprovalsConfig = z.output<typeof configSchema>;

/** The exec-approvals plugin. */
export default definePlugin({
  name: PLUGIN_NAME,
  version: "0.1.0",
  description: "Bridge mode: resolves upstream exec approvals with Talon's verdict.",
  hostRange: "^0.1.0",
  configSchema,
  setup(ctx) {
    const scopes = ctx.host.config.gateway.bridge.scopes;
    if (ctx.host.mode === "bridge" && !scopes.includes("operator.admin")) {
      // Upstream shows an approval requested by another device only to operator.admin (or to
      // the reviewer devices it names); with approvals alone the bridge never sees them.
      ctx.log.warn(
        { scopes },
        "gateway.bridge.scopes lacks operator.admin: upstream will not show Talon approvals requested by other devices",
      );
    }
    // Approval id → expiry; bounded (the oldest goes first), expired ones dropped on each insert.
    const pending = new LruMap<string, number>(MAX_PENDING);
    const remember = (id: string, expiresAtMs: number) => {
      const now = Date.now();
      pending.prune((_id, expires) => expires <= now);
      pending.set(id, expiresAtMs);
    };

    // Before the core's generic extractor (STAGE.HOST_POLICY), so it is replaced for this event.
    ctx.hooks.extract.tap({ stage: STAGE.HOST_POLICY - 10, filter: { frameType: "event", event: REQUESTED } }, (input, sink) => {
      if (input.context.mode !== "bridge" || input.context.event !== REQUESTED) return;
      const approval = parseRequestedApproval(input.frame.payload);
      if (!approval) {
        ctx.log.warn({ event: REQUESTED }, "exec approval request without an id or command; left to a person");
        return;
      }
      remember(approval.id, approval.expiresAtMs ?? Date.now() + 30 * 60_000);
      sink.push(approval.input);
    });

    ctx.hooks.decision.tapPromise({ stage: STAGE.OBSERVER, filter: { tool: "exec" } }, async (record) => {
      const { action, decision } = record;
      if (action.origin !== "bridge" || action.source !== REQUESTED || !pending.delete(action.id)) return;
      const answer = choiceFor(decision.action, ctx.config);
      const fields = { approvalId: action.id, verdict: decision.action, risk: decision.risk_score, answer };
      if (answer === "none") {
        ctx.log.info(fields, "exec approval left for a person to decide");
        return;
      }
      try {
        await ctx.gateway.call("exec.approval.resolve", { id: action.id, decision: answer }, { timeoutMs: ctx.config.call_timeout_ms });
        ctx.log.info(fields, "exec approval resolved upstream");
      } catch (error) {
        ctx.log.warn({ ...fields, err: error }, `exec approval could not be resolved upstream: ${errorMessage(error)}`);
      }
    });
  },
});
