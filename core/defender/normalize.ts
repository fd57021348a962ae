/**
 * Turn an ActionInput (from an extractor, a channel message or `security.evaluate`) into the
 * normalised Action detectors see: canonical session key, tool and channel aliases, every text
 * field listed, and a digest of the content for idempotency.
 */
import { createHash } from "node:crypto";
import { canonicalSessionKey, normalizeChannelId, normalizeToolName, type Action, type ActionField, type ActionInput } from "@talon/sdk";

function primaryFields(input: ActionInput): ActionField[] {
  const fields: ActionField[] = [];
  if (input.prompt !== undefined) fields.push({ kind: "prompt", path: "/prompt", value: input.prompt });
  if (input.command !== undefined) fields.push({ kind: "command", path: "/command", value: input.command });
  if (input.url !== undefined) fields.push({ kind: "url", path: "/url", value: input.url });
  if (input.filePath !== undefined) fields.push({ kind: "file", path: "/filePath", value: input.filePath });
  return fields;
}

/** Every field of `input.fields`, plus the primary fields when no listed field carries their value. */
function mergeFields(input: ActionInput): ActionField[] {
  const listed = input.fields ?? [];
  const merged = [...listed];
  for (const field of primaryFields(input)) {
    if (!listed.some((existing) => existing.kind === field.kind && existing.value === field.value)) merged.push(field);
  }
  return merged;
}

/** Hex SHA-256 over everything that decides the verdict. */
export function digestOf(parts: { sessionKey: string; tool?: string; channel?: string; fields: readonly ActionField[] }): string {
  const hash = createHash("sha256");
  hash.update(parts.sessionKey).update("\0").update(parts.tool ?? "").update("\0").update(parts.channel ?? "");
  for (const field of parts.fields) hash.update("\0").update(field.kind).update("\0").update(field.value);
  return hash.digest("hex");
}

export function normalizeAction(input: ActionInput, defaults: { origin: Action["origin"]; source: string }): Action {
  const rawSessionKey = input.sessionKey?.trim() ? input.sessionKey : undefined;
  const sessionKey = (rawSessionKey && canonicalSessionKey(rawSessionKey)) || "global";
  const tool = input.tool?.trim() ? normalizeToolName(input.tool) : undefined;
  const channel = normalizeChannelId(input.channel);
  const fields = mergeFields(input);
  const id = input.id?.trim() ? input.id : "unknown";
  return {
    id,
    source: input.source ?? defaults.source,
    origin: input.origin ?? defaults.origin,
    sessionKey,
    rawSessionKey,
    prompt: input.prompt,
    command: input.command,
    url: input.url,
    filePath: input.filePath,
    tool,
    rawTool: input.tool,
    channel,
    fields,
    model: input.model,
    routing: input.routing ?? {},
    raw: input.raw ?? null,
    digest: digestOf({ sessionKey, tool, channel, fields }),
    receivedAt: Date.now(),
  };
}
