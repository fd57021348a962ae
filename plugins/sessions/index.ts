/**
 * sessions: the sessions.* and chat.* RPCs over a durable session registry, and the per-session
 * decision state every decision is recorded into (the `decision` hook, observer stage).
 * `setup` only validates and taps; loading happens in `start`, the final write in `stop`.
 */
import { RpcError, STAGE, canonicalSessionKey, definePlugin, type SessionsApi } from "@talon/sdk";
import { runSettledEvent, chatMethods } from "./chat/methods.ts";
import { ChatRuns } from "./chat/runs.ts";
import { configSchema } from "./config.ts";
import { recentSessions } from "./filters.ts";
import { toDecisionState } from "./entry.ts";
import type { MethodDeps } from "./methods/deps.ts";
import { readMethods } from "./methods/read.ts";
import { usageMethods } from "./methods/usage.ts";
import { writeMethods } from "./methods/write.ts";
import { canonicalKeyParam } from "./params.ts";
import { SessionRegistry } from "./registry.ts";
import { registryPath } from "./store-path.ts";
import { sendInput } from "./send-input.ts";

export const PLUGIN_NAME = "sessions";

export { configSchema };

export default definePlugin({
  name: PLUGIN_NAME,
  version: "0.1.0",
  description: "Durable sessions: sessions.* and chat.* RPCs, transcripts, per-session decision state.",
  hostRange: "^0.1.0",
  configSchema,
  setup(ctx) {
    const config = () => ctx.config;
    const registry = new SessionRegistry({
      store: ctx.store,
      log: ctx.log,
      config,
      path: registryPath(ctx.host.config.state.url, ctx.host.dataDir),
    });
    const runs = new ChatRuns(
      () => ctx.config.maxChatRuns,
      (run) => ctx.events.emit("chat", runSettledEvent(run)),
    );
    const deps: MethodDeps = {
      registry,
      runs,
      store: ctx.store,
      config,
      emit: (name, payload) => ctx.events.emit(name, payload),
      chunkCount: (text, channel) => Math.max(1, ctx.channels.chunk(text, { channel: channel ?? "default" }).length),
    };

    ctx.events.declare({ name: "chat", scope: "operator.read" });
    for (const definition of [...readMethods(deps), ...writeMethods(deps), ...usageMethods(deps), ...chatMethods(deps)])
      ctx.registerMethod(definition);

    ctx.hooks.decision.tap({ stage: STAGE.OBSERVER }, (record) => registry.recordDecision(record));
    ctx.hooks.start.tapPromise(async () => {
      const { sessions, skipped } = await registry.load();
      ctx.log.info({ sessions, skipped, path: registry.path }, "sessions loaded");
    });
    ctx.hooks.stop.tapPromise(async () => {
      runs.close();
      await registry.close();
    });

    // Upstream's health shows `sessions: {path, count, recent}`; Talon adds its write backlog.
    ctx.registerStatusSection("sessions", () => ({
      path: registry.path,
      count: registry.byKey.size,
      recent: recentSessions(registry.byKey.values(), 5),
      pendingWrites: registry.pendingEvents,
      droppedEvents: registry.droppedEvents,
    }));

    const api: SessionsApi = {
      canonicalKey: canonicalSessionKey,
      decisionState: (key) => {
        const state = registry.find(canonicalSessionKey(key));
        return state ? toDecisionState(state.rec) : undefined;
      },
      settings: (key) => {
        const rec = registry.find(canonicalSessionKey(key))?.rec;
        if (!rec) return undefined;
        return { sendPolicy: rec.sendPolicy, groupActivation: rec.groupActivation, queueMode: rec.queueMode } as ReturnType<
          SessionsApi["settings"]
        >;
      },
      recordSend: async (input) => {
        const key = canonicalKeyParam(input.sessionKey, "sessionKey");
        if (!key) throw new RpcError("TALON_RPC_INVALID_PARAMS", "recordSend needs a sessionKey", { plugin: PLUGIN_NAME });
        const send = sendInput(input, { defaultSource: "plugin", names: "cut" });
        await registry.commit(key, "recordSend", (current, now) => {
          const { next, event } = registry.buildSend(key, current, now, send);
          return { next, rows: [event], result: () => undefined };
        });
      },
      flush: () => registry.flush(),
    };
    ctx.expose(api);
  },
});
