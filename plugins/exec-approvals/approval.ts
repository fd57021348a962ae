/**
 * Upstream's `exec.approval.requested` event payload (openclaw 2026.9.6,
 * `buildRequestedApprovalEvent`: `{approvalKind?, id, request, createdAtMs, expiresAtMs}`) turned
 * into an action, and Talon's verdict turned into an `exec.approval.resolve` decision. Pure.
 */
import type { ActionField, ActionInput, Verdict } from "@talon/sdk";

/** Decisions upstream accepts in `exec.approval.resolve`, plus `none` (leave it to a person). */
export type ResolveChoice = "allow-once" | "allow-always" | "deny" | "none";

/** What Talon needs from a requested approval. */
export interface RequestedApproval {
  id: string;
  command: string;
  expiresAtMs?: number;
  input: ActionInput;
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}

/** Parse the event payload; `undefined` when it is not an exec approval with a command. */
export function parseRequestedApproval(payload: unknown): RequestedApproval | undefined {
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) return undefined;
  const event = payload as Record<string, unknown>;
  if (event.approvalKind !== undefined && event.approvalKind !== "exec") return undefined;
  const id = str(event.id);
  const request = event.request;
  if (!id || typeof request !== "object" || request === null || Array.isArray(request)) return undefined;
  const req = request as Record<string, unknown>;
  const argv =
    Array.isArray(req.commandArgv) && req.commandArgv.every((item) => typeof item === "string") ? (req.commandArgv as string[]) : undefined;
  const plan =
    typeof req.systemRunPlan === "object" && req.systemRunPlan !== null ? (req.systemRunPlan as Record<string, unknown>) : undefined;
  const command = str(req.command) ?? str(plan?.commandText) ?? (argv && argv.length > 0 ? argv.join(" ") : undefined);
  if (!command) return undefined;
  // The display text and the argv can differ (upstream sanitises the display); scan both.
  const fields: ActionField[] = [{ kind: "command", path: "/request/command", value: command }];
  if (argv && argv.length > 0 && argv.join(" ") !== command)
    fields.push({ kind: "command", path: "/request/commandArgv", value: argv.join(" ") });
  const warning = str(req.warningText);
  if (warning) fields.push({ kind: "text", path: "/request/warningText", value: warning });
  const expiresAtMs = typeof event.expiresAtMs === "number" ? event.expiresAtMs : undefined;
  const input: ActionInput = {
    id,
    source: "exec.approval.requested",
    origin: "bridge",
    command,
    tool: "exec",
    fields,
    raw: payload,
  };
  const sessionKey = str(req.sessionKey);
  if (sessionKey) input.sessionKey = sessionKey;
  const channel = str(req.turnSourceChannel);
  if (channel) input.channel = channel;
  const to = str(req.turnSourceTo);
  const accountId = str(req.turnSourceAccountId);
  const threadId = typeof req.turnSourceThreadId === "number" ? String(req.turnSourceThreadId) : str(req.turnSourceThreadId);
  if (channel || to || accountId || threadId) {
    input.routing = {
      deliveryContext: { channel: channel ?? null, to: to ?? null, ...(accountId ? { accountId } : {}), ...(threadId ? { threadId } : {}) },
    };
  }
  return { id, command, expiresAtMs, input };
}

/** The resolve decision for a verdict under the plugin's settings. */
export function choiceFor(
  verdict: Verdict,
  settings: { on_allow: ResolveChoice; on_review: ResolveChoice; on_block: ResolveChoice },
): ResolveChoice {
  return verdict === "allow" ? settings.on_allow : verdict === "review" ? settings.on_review : settings.on_block;
}
