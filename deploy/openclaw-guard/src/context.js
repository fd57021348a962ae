/**
 * What the guard tells Talon about where a hook call comes from: the session, agent, run and tool
 * call (OpenClaw's hook event and context), who started the run, and the agent's workspace from
 * OpenClaw's config. Every value is bounded to what Talon accepts.
 */
import { homedir } from "node:os";

/**
 * @param {unknown} value
 * @param {number} [max]
 */
const text = (value, max = 256) => (typeof value === "string" && value.trim() !== "" ? value.slice(0, max) : undefined);

/**
 * The session and run fields of a hook call.
 * @param {Record<string, any>} event
 * @param {Record<string, any>} ctx
 * @returns {Record<string, unknown>}
 */
export function whoOf(event, ctx) {
  /** @type {Record<string, unknown>} */
  const out = {};
  const sessionKey = text(ctx?.sessionKey, 512);
  if (sessionKey) out.sessionKey = sessionKey;
  const agentId = text(ctx?.agentId);
  if (agentId) out.agentId = agentId;
  const runId = text(event?.runId ?? ctx?.runId);
  if (runId) out.runId = runId;
  const toolCallId = text(event?.toolCallId ?? ctx?.toolCallId);
  if (toolCallId) out.toolCallId = toolCallId;
  const requester = ctx?.requester;
  if (requester && typeof requester === "object") {
    /** @type {Record<string, unknown>} */
    const who = {};
    for (const key of ["channel", "accountId", "senderId"]) if (text(requester[key])) who[key] = text(requester[key]);
    if (typeof requester.senderIsOwner === "boolean") who.senderIsOwner = requester.senderIsOwner;
    out.requester = who;
  }
  return out;
}

/**
 * The workspace of an agent from OpenClaw's config (`agents.list[].workspace`, else `agents.defaults.workspace`), `~` expanded.
 * @param {unknown} config
 * @returns {(agentId: string | undefined) => string | undefined}
 */
export function workspaceResolver(config) {
  const agents = /** @type {{ agents?: { defaults?: { workspace?: unknown }, list?: unknown } } | null} */ (config)?.agents;
  return (agentId) => {
    const list = Array.isArray(agents?.list) ? agents.list : [];
    const entry = list.find((/** @type {any} */ item) => item && item.id === agentId);
    const value = entry?.workspace ?? agents?.defaults?.workspace;
    if (typeof value !== "string" || value.trim() === "") return undefined;
    return value.startsWith("~") ? `${homedir()}${value.slice(1)}` : value;
  };
}
