/**
 * The inbound webhook: verify the signature, parse one message or a batch, hand each to the core,
 * and answer only after the core has admitted them, so a 2xx always means "stored, will be
 * processed". A failure answers with the status that tells the sender what to do: 401 (fix the
 * signature), 400 (fix the payload), 429 / 503 with Retry-After (send again later; messages
 * already admitted are recognised as duplicates).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { errorMessage, isTalonError, type DriverContext, type InboundDraft, type ReceiveResult } from "@talon/sdk";
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verify } from "./signature.ts";

/** Most messages in one batch request. */
export const MAX_BATCH_MESSAGES = 100;

interface WebhookOptions {
  secret: string;
  replayWindowSecs: number;
}

function reply(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), ...headers });
  response.end(text);
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** HTTP status for an error from `ctx.receive`. */
function statusOf(error: unknown): { status: number; headers: Record<string, string> } {
  if (isTalonError(error)) {
    if (error.code === "TALON_DRIVER_VALIDATION") return { status: 400, headers: {} };
    if (error.code === "TALON_DRIVER_RATE_LIMITED")
      return {
        status: 429,
        headers: { "retry-after": String(Math.ceil(((error as { retryAfterMs?: number }).retryAfterMs ?? 1000) / 1000)) },
      };
  }
  return { status: 503, headers: { "retry-after": "1" } };
}

/** Map a webhook payload message to the core's draft (the sender's JSON is the normalised shape). */
function toDraft(value: unknown): InboundDraft {
  const message = (value ?? {}) as Record<string, unknown>;
  const draft = { ...message, raw: value } as unknown as InboundDraft;
  // `from` is accepted as an alias of `sender` for senders that think in email terms.
  if (draft.sender === undefined && message.from !== undefined) (draft as { sender: unknown }).sender = message.from;
  return draft;
}

/** Build the route handler for one account. */
export function createWebhookHandler(ctx: DriverContext<unknown>, options: WebhookOptions) {
  return async (request: IncomingMessage, response: ServerResponse, body: Buffer): Promise<void> => {
    const check = verify(
      options.secret,
      header(request, SIGNATURE_HEADER),
      header(request, TIMESTAMP_HEADER),
      body,
      options.replayWindowSecs,
    );
    if (!check.ok) {
      ctx.log.warn({ reason: check.reason }, "generic webhook refused: bad signature");
      reply(response, 401, { ok: false, error: { code: "TALON_DRIVER_AUTH", message: check.reason } });
      return;
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString("utf8"));
    } catch {
      reply(response, 400, { ok: false, error: { code: "TALON_DRIVER_VALIDATION", message: "body is not JSON" } });
      return;
    }
    const batch = payload !== null && typeof payload === "object" && Array.isArray((payload as { messages?: unknown }).messages);
    const items: unknown[] = batch ? (payload as { messages: unknown[] }).messages : [payload];
    if (items.length === 0 || items.length > MAX_BATCH_MESSAGES) {
      reply(response, 400, {
        ok: false,
        error: { code: "TALON_DRIVER_VALIDATION", message: `a batch holds 1 to ${MAX_BATCH_MESSAGES} messages` },
      });
      return;
    }
    const results: Record<string, unknown>[] = [];
    for (const item of items) {
      let result: ReceiveResult;
      try {
        result = await ctx.receive(toDraft(item));
      } catch (error) {
        const { status, headers } = statusOf(error);
        const failure = {
          ok: false,
          error: { code: isTalonError(error) ? error.code : "TALON_DRIVER_NETWORK", message: errorMessage(error) },
        };
        // Earlier messages of a batch are admitted; a resend is safe (they come back as duplicates).
        reply(response, status, batch ? { ...failure, results } : failure, headers);
        return;
      }
      const id = String((item as { id?: unknown })?.id ?? "");
      results.push(
        result.status === "admitted" ? { id, status: result.status, sessionKey: result.sessionKey } : { id, status: result.status },
      );
    }
    reply(response, 200, batch ? { ok: true, results } : { ok: true, ...results[0] });
  };
}
