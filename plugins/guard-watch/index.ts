/**
 * guard-watch: Talon watches its OpenClaw guard (deploy/openclaw-guard). In bridge mode it reads
 * upstream's `health` every `health_interval_ms` for the guard's id (`plugins.loaded`,
 * `plugins.errors`); in any mode it takes the guard's heartbeats (`security.guard.heartbeat`,
 * sent over the guard's own connection). A missing guard is a critical `guard` section in
 * `status` and `health`, a critical `talon doctor` check, and a `security.guard` event on every
 * change; while it is missing, upstream exec approvals are left to a person (configurable).
 */
import { z } from "zod";
import { STAGE, VERDICT_RANK, definePlugin, errorMessage, type CheckResult } from "@talon/sdk";
import { configSchema } from "./config.ts";
import { GuardState, type GuardVerdict } from "./state.ts";

const PLUGIN_NAME = "guard-watch";
const EVENT = "security.guard";
const HEARTBEAT_METHOD = "security.guard.heartbeat";
/** Upstream's event that carries an exec approval request (plugins/exec-approvals). */
const EXEC_APPROVAL_SOURCE = "exec.approval.requested";

const text = (max: number) => z.string().max(max);
/** What a guard sends with each heartbeat; other keys are accepted and ignored (newer guards). */
const heartbeatSchema = z.looseObject({
  guardId: text(128).min(1),
  version: text(64).min(1),
  instanceId: text(128).min(1),
  openclawVersion: text(64).optional(),
  pid: z.number().int().min(0).optional(),
  hostname: text(256).optional(),
  connectedSinceMs: z.number().int().min(0).optional(),
  stats: z.record(z.string().max(64), z.number()).optional(),
});

export default definePlugin({
  name: PLUGIN_NAME,
  version: "0.1.0",
  description: "Watches the OpenClaw guard: upstream health, the guard's heartbeats, status/doctor/events when it is missing.",
  hostRange: "^0.1.0",
  configSchema,
  setup(ctx) {
    const state = new GuardState(ctx.config.guard_id, ctx.config.max_instances, Date.now());
    const bridge = () => ctx.host.mode === "bridge";
    let last: GuardVerdict = { status: "unknown", reasons: [] };
    let changedAtMs = Date.now();

    const verdict = () => state.verdict(Date.now(), ctx.config.heartbeat_timeout_ms, bridge());
    /** Re-judge; on a change of status, log and emit `security.guard`. */
    const update = () => {
      const next = verdict();
      const changed = next.status !== last.status || next.reasons.map((r) => r.code).join() !== last.reasons.map((r) => r.code).join();
      last = next;
      if (!changed) return;
      changedAtMs = Date.now();
      const payload = {
        guardId: ctx.config.guard_id,
        status: next.status,
        severity: severityOf(next),
        reasons: next.reasons,
        sinceMs: changedAtMs,
      };
      if (next.status === "missing")
        ctx.log.error({ code: "TALON_GUARD_MISSING", reasons: next.reasons }, `the OpenClaw guard ${ctx.config.guard_id} is missing`);
      else ctx.log.info({ status: next.status }, `the OpenClaw guard ${ctx.config.guard_id} is ${next.status}`);
      ctx.events.emit(EVENT, payload);
    };

    ctx.events.declare({ name: EVENT, scope: "operator.read" });

    ctx.registerMethod({
      name: HEARTBEAT_METHOD,
      scope: "operator.write",
      params: heartbeatSchema,
      description: "A guard plugin (deploy/openclaw-guard) says it is alive; answers with Talon's version and the interval to use.",
      handler(params, context) {
        state.recordHeartbeat(
          {
            instanceId: params.instanceId,
            guardId: params.guardId,
            version: params.version,
            openclawVersion: params.openclawVersion,
            pid: params.pid,
            hostname: params.hostname,
            connectedSinceMs: params.connectedSinceMs,
            stats: params.stats,
          },
          Date.now(),
        );
        if (params.guardId !== ctx.config.guard_id)
          ctx.log.warn(
            { guardId: params.guardId, expected: ctx.config.guard_id, client: context.client?.id },
            "heartbeat from a guard with another id",
          );
        update();
        return {
          ok: true,
          talon: { version: ctx.host.version, mode: ctx.host.mode },
          heartbeatIntervalMs: ctx.config.heartbeat_interval_ms,
        };
      },
    });

    const section = () => ({
      status: last.status === "missing" ? "critical" : last.status === "present" ? "ok" : "unknown",
      state: last.status,
      reasons: last.reasons,
      sinceMs: changedAtMs,
      ...state.snapshot(Date.now()),
    });
    ctx.registerStatusSection("guard", () => {
      update();
      return section();
    });

    /** One `health` read over the bridge; false when there is no bridge connection. */
    const readHealth = async (): Promise<boolean> => {
      if (!bridge() || !ctx.gateway.connected) return false;
      try {
        const payload = await ctx.gateway.call("health", {}, { timeoutMs: ctx.config.health_timeout_ms });
        state.recordHealth(payload, Date.now());
      } catch (error) {
        state.recordHealth(undefined, Date.now(), errorMessage(error));
      }
      return true;
    };

    ctx.registerCheck("guard", async (): Promise<CheckResult> => {
      const read = await readHealth();
      update();
      const detail =
        last.reasons.length > 0 ? last.reasons.map((reason) => reason.detail).join("; ") : `${ctx.config.guard_id} is loaded upstream`;
      if (last.status === "missing") return { status: "critical", detail };
      if (!read)
        return {
          status: "warn",
          detail: bridge()
            ? "upstream not connected: the guard could not be checked"
            : "not in bridge mode: the guard reports by heartbeat only",
        };
      return { status: last.status === "present" ? "ok" : "warn", detail };
    });

    let timer: NodeJS.Timeout | undefined;
    let polling = false;
    ctx.hooks.start.tap(() => {
      timer = setInterval(() => {
        if (polling) return;
        polling = true;
        readHealth()
          .then(() => update())
          .catch((error) => ctx.log.warn({ err: error }, `guard health check failed: ${errorMessage(error)}`))
          .finally(() => (polling = false));
      }, ctx.config.health_interval_ms);
      timer.unref();
    });
    ctx.hooks.stop.tap(() => clearInterval(timer));

    // While the guard is missing, Talon does not approve upstream exec requests on its own.
    ctx.hooks.decide.tap({ stage: STAGE.POST, filter: { tool: "exec" } }, (draft, action) => {
      const floor = ctx.config.exec_approvals_while_missing;
      if (floor === "unchanged" || action.origin !== "bridge" || action.source !== EXEC_APPROVAL_SOURCE) return;
      if (last.status !== "missing" || VERDICT_RANK[draft.action] >= VERDICT_RANK[floor]) return;
      const verdictFloor = floor === "block" && ctx.host.config.runtime.audit_only ? "review" : floor;
      return {
        ...draft,
        action: verdictFloor,
        reasons: [
          ...draft.reasons,
          `the OpenClaw guard ${ctx.config.guard_id} is missing upstream; exec approvals are ${verdictFloor === "review" ? "left to a person" : "denied"} until it is back`,
        ],
        tags: [...draft.tags, "guard_missing"],
      };
    });
  },
});

function severityOf(verdict: GuardVerdict): "critical" | "warning" | "info" {
  return verdict.status === "missing" ? "critical" : verdict.status === "unknown" ? "warning" : "info";
}
