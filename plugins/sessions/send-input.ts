/**
 * The one builder of a message to record, shared by sessions.send (RPC) and the public API's
 * `recordSend`: texts cut like stored texts, names bounded, `requestId` at most 256 bytes.
 */
import { RpcError, normalizeChannelId } from "@talon/sdk";
import type { SendInput } from "./change.ts";
import { byteLength, nameParam, optionalText } from "./text.ts";

/** Longest `requestId` recorded with a message (UTF-8 bytes). */
export const MAX_REQUEST_ID_BYTES = 256;

/** Raw fields of a message (absent and `null` are the same). */
export interface SendFields {
  text?: string | null;
  command?: string | null;
  requestId?: string | null;
  source?: string | null;
  channel?: string | null;
  to?: string | null;
  accountId?: string | null;
}

/**
 * `names: "refuse"` (RPC parameters) refuses an over-long channel, `to` or `accountId`; `"cut"`
 * (the plugin API) cuts them like stored texts. An over-long `requestId` is refused either way
 * (a cut id matches nothing).
 */
export function sendInput(fields: SendFields, options: { defaultSource: string; names: "refuse" | "cut" }): SendInput {
  const name = (value: string | null | undefined, field: string, maxBytes: number) =>
    options.names === "refuse" ? nameParam(value, field, maxBytes) : optionalText(value, maxBytes);
  const requestId = fields.requestId ?? undefined;
  if (requestId !== undefined && byteLength(requestId) > MAX_REQUEST_ID_BYTES) {
    throw new RpcError("TALON_RPC_INVALID_PARAMS", `requestId too long (max ${MAX_REQUEST_ID_BYTES} bytes)`, {
      details: { field: "requestId", maxBytes: MAX_REQUEST_ID_BYTES },
    });
  }
  return {
    text: optionalText(fields.text, 2048),
    command: optionalText(fields.command, 1024),
    requestId,
    source: optionalText(fields.source, 128) ?? options.defaultSource,
    channel: normalizeChannelId(name(fields.channel, "channel", 128)),
    replaceChannel: true,
    to: name(fields.to, "to", 256),
    accountId: name(fields.accountId, "accountId", 128),
  };
}
