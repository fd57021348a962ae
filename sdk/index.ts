/**
 * @talon/sdk — everything a Talon plugin or channel driver imports. It depends on nothing of
 * the host: a third-party package needs only this and zod.
 * @module
 */
export * from "./action.ts";
export * from "./channel.ts";
export * from "./config.ts";
export * from "./errors.ts";
export * from "./frames.ts";
export * from "./hooks.ts";
export * from "./plugin.ts";
export * from "./session-key.ts";
export * from "./sessions.ts";
