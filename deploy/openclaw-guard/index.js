/**
 * talon-guard: an OpenClaw plugin that asks Talon before every tool call an agent makes, screens
 * text entering the agent, and tells Talon it is there. No build step and no OpenClaw import:
 * OpenClaw loads this module and calls `register(api)`.
 *
 * OpenClaw calls `register()` several times per process (full and discovery registrations, and
 * again on a config reload), so the guard lives on `globalThis` and is reused while its config is
 * the same; a changed config replaces it (the old one closes). Nothing connects in `register()`:
 * the connection opens when OpenClaw starts the guard's service or at the first hook.
 */
import { createHash } from "node:crypto";
import { parseConfig } from "./src/config.js";
import { workspaceResolver } from "./src/context.js";
import { GUARD_ID, GUARD_VERSION, Guard } from "./src/guard.js";

export { parseConfig } from "./src/config.js";
export { boundParams } from "./src/bound.js";
export { GuardError, TalonClient } from "./src/client.js";
export { GUARD_ID, GUARD_VERSION, Guard } from "./src/guard.js";

const SHARED = Symbol.for("talon.openclaw-guard");

/**
 * @typedef {{ guard: Guard | undefined, fingerprint: string }} Shared
 * @returns {Shared}
 */
function shared() {
  const holder = /** @type {Record<symbol, Shared>} */ (/** @type {unknown} */ (globalThis));
  holder[SHARED] ??= { guard: undefined, fingerprint: "" };
  return holder[SHARED];
}

/** @param {import("./src/config.js").GuardConfig} config */
function fingerprintOf(config) {
  return createHash("sha256").update(JSON.stringify(config)).digest("hex");
}

/**
 * The process's guard for this config (reused, or a new one replacing the old).
 * @param {import("./src/config.js").GuardConfig} config
 * @param {ConstructorParameters<typeof Guard>[1]} options
 */
export function guardFor(config, options) {
  const state = shared();
  const fingerprint = fingerprintOf(config);
  if (state.guard && state.fingerprint === fingerprint) return state.guard;
  state.guard?.stop();
  state.guard = new Guard(config, options);
  state.fingerprint = fingerprint;
  return state.guard;
}

/** Stop and forget the process's guard (tests, gateway stop). */
export function stopGuard() {
  const state = shared();
  state.guard?.stop();
  state.guard = undefined;
  state.fingerprint = "";
}

/**
 * @param {any} api OpenClaw's plugin API (`on`, `registerService`, `pluginConfig`, `config`, `logger`, `runtime`).
 */
function register(api) {
  const config = parseConfig(api.pluginConfig);
  const logger = api.logger ?? console;
  const log = {
    info: (/** @type {string} */ msg) => logger.info?.(msg),
    warn: (/** @type {string} */ msg) => logger.warn?.(msg),
    error: (/** @type {string} */ msg) => logger.error?.(msg),
  };
  const openclawVersion = typeof api.runtime?.version === "string" ? api.runtime.version : undefined;
  const guard = guardFor(config, { log, openclawVersion, workspaceFor: workspaceResolver(api.config) });
  api.on("before_tool_call", (/** @type {any} */ event, /** @type {any} */ ctx) => guard.beforeToolCall(event, ctx));
  api.on("before_agent_run", (/** @type {any} */ event, /** @type {any} */ ctx) => guard.beforeAgentRun(event, ctx));
  api.on("message_received", (/** @type {any} */ event, /** @type {any} */ ctx) => guard.messageReceived(event, ctx));
  api.on("after_tool_call", (/** @type {any} */ event, /** @type {any} */ ctx) => guard.afterToolCall(event, ctx));
  api.on("tool_result_persist", (/** @type {any} */ event, /** @type {any} */ ctx) => guard.toolResultPersist(event, ctx));
  api.on("gateway_stop", () => guard.stop());
  if (typeof api.registerService === "function") {
    // The guard outlives a service restart (a reload with the same config reuses it); only its heartbeats pause.
    api.registerService({ id: GUARD_ID, start: () => guard.start(), stop: () => guard.suspend() });
  }
}

export default {
  id: GUARD_ID,
  name: "Talon guard",
  description: `Asks Talon before every tool call (talon-guard ${GUARD_VERSION}).`,
  register,
};
