/**
 * The quarantine file body (seed-defender §3.8: `{decision, request}` with the seed's request
 * fields), with secrets redacted and the whole record fitted under a byte budget. Pure.
 */
import type { DecisionRecord } from "@talon/sdk";
import { redactText, redactValue } from "./redact.ts";

/** Build the redacted record of a blocked action. */
export function toQuarantineRecord(record: DecisionRecord, known: readonly string[], now: number): Record<string, unknown> {
  const { action, decision } = record;
  const text = (value: string | undefined) => (value === undefined ? null : redactText(value, known));
  return {
    quarantinedAt: new Date(now).toISOString(),
    decision: redactValue(decision, known),
    request: {
      id: redactText(action.id, known),
      source: action.source,
      origin: action.origin,
      session_id: action.rawSessionKey === undefined ? null : redactText(action.rawSessionKey, known),
      session_key: redactText(action.sessionKey, known),
      prompt: text(action.prompt),
      command: text(action.command),
      tool_name: action.rawTool ?? null,
      agent_id: action.context?.agentId ?? null,
      run_id: action.context?.runId ?? null,
      tool_call_id: action.context?.toolCallId ?? null,
      channel: action.channel ?? null,
      url: text(action.url),
      file_path: text(action.filePath),
      fields: action.fields.map((field) => ({ kind: field.kind, path: field.path, value: redactText(field.value, known) })),
      raw: redactValue(action.raw, known),
    },
    findings: record.findings.map((finding) => ({
      detector: finding.detector,
      score: finding.score,
      tags: finding.tags,
      field: finding.field,
      pattern: finding.pattern,
    })),
    timedOut: record.timedOut,
  };
}

function cutStrings(value: unknown, max: number): unknown {
  if (typeof value === "string") return value.length > max ? `${value.slice(0, max)}…[cut ${value.length - max} chars]` : value;
  if (Array.isArray(value)) return value.map((item) => cutStrings(item, max));
  if (typeof value === "object" && value !== null)
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, cutStrings(item, max)]));
  return value;
}

/**
 * Serialise `body` (pretty, 2 spaces) within `maxBytes`: first whole; then without `raw`; then
 * with every string cut shorter until it fits. A cut record says so (`truncated: true`).
 */
export function fitRecord(body: Record<string, unknown>, maxBytes: number): string {
  let text = JSON.stringify(body, null, 2);
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const request = { ...(body.request as Record<string, unknown>), raw: "[omitted: larger than the quarantine size limit]" };
  let slim: Record<string, unknown> = { ...body, request, truncated: true };
  text = JSON.stringify(slim, null, 2);
  for (let max = 8192; Buffer.byteLength(text) > maxBytes && max >= 16; max = Math.floor(max / 2)) {
    slim = cutStrings({ ...body, request, truncated: true }, max) as Record<string, unknown>;
    if (Array.isArray((slim.request as Record<string, unknown>).fields)) {
      const fields = (slim.request as { fields: unknown[] }).fields;
      (slim.request as Record<string, unknown>).fields = fields.slice(0, Math.max(1, Math.floor(maxBytes / (max * 4))));
    }
    text = JSON.stringify(slim, null, 2);
  }
  if (Buffer.byteLength(text) > maxBytes) {
    text = JSON.stringify(
      { quarantinedAt: body.quarantinedAt, decision: { action: (body.decision as { action: string }).action }, truncated: true },
      null,
      2,
    );
  }
  return text;
}
