/**
 * @talon/sdk — everything a Talon plugin or channel driver imports. It depends on nothing of
 * the host: a third-party package needs only this and zod.
 * @module
 */
export * from "./action.ts";
export * from "./bounded-fetch.ts";
export * from "./channel.ts";
export * from "./channel-platforms.ts";
export * from "./cli-table.ts";
export * from "./command.ts";
export * from "./config.ts";
export * from "./driver.ts";
export * from "./driver-config.ts";
export * from "./driver-env.ts";
export * from "./driver-messages.ts";
export * from "./errors.ts";
export * from "./frames.ts";
export * from "./hooks.ts";
export * from "./http-failure.ts";
export * from "./json.ts";
export * from "./limits.ts";
export * from "./fields/index.ts";
export * from "./lru.ts";
export * from "./secrets.ts";
export * from "./patterns.ts";
export * from "./policy-bundle/index.ts";
export * from "./secret-fields.ts";
export * from "./plugin.ts";
export * from "./session-key.ts";
/** The SDK's zod, so a plugin or driver that depends only on @talon/sdk shares the host's copy. */
export { z } from "zod";
export * from "./sessions.ts";
