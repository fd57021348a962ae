/**
 * Webhook mode: Telegram POSTs one `Update` per request to Talon's port (through the public URL
 * given to `setWebhook`). The handler only checks the secret header (constant time), parses,
 * hands the message to Talon and answers once Talon admitted it; it never waits for the defender.
 * Answers tell Telegram what to do: 2xx = delivered (also for updates the driver ignores and for
 * messages Talon refuses as invalid, which would never succeed), 403 = wrong secret, 400 = not an
 * update, 503/429 with Retry-After = deliver it again later.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { errorMessage, isTalonError, secretsEqual, type InboundDraft, type Logger, type ReceiveResult } from "@talon/sdk";
import { normalizeUpdate, type BotIdentity } from "./normalize.ts";

export const SECRET_HEADER = "x-telegram-bot-api-secret-token";

export interface WebhookOptions {
  log: Logger;
  /** The current secret and bot (set by start; until then every request is refused). */
  current(): { secret: string; bot: BotIdentity } | undefined;
  receive(draft: InboundDraft): Promise<ReceiveResult>;
}

function reply(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), ...headers });
  response.end(text);
}

/** The route handler for one account. */
export function createWebhookHandler(options: WebhookOptions) {
  const { log } = options;
  return async (request: IncomingMessage, response: ServerResponse, body: Buffer): Promise<void> => {
    const state = options.current();
    if (!state) {
      reply(response, 503, { ok: false, error: "the account is not started" }, { "retry-after": "1" });
      return;
    }
    const given = request.headers[SECRET_HEADER];
    if (typeof given !== "string" || !secretsEqual(given, state.secret)) {
      log.warn({ hasHeader: typeof given === "string" }, "telegram webhook refused: wrong or missing secret token header");
      reply(response, 403, { ok: false, error: "wrong secret token" });
      return;
    }
    let update: unknown;
    try {
      update = JSON.parse(body.toString("utf8"));
    } catch {
      log.warn({ bytes: body.length }, "telegram webhook refused: the body is not JSON");
      reply(response, 400, { ok: false, error: "the body is not a JSON update" });
      return;
    }
    const normalized = normalizeUpdate(update, state.bot);
    if (normalized.kind === "malformed") {
      log.warn({}, `telegram webhook refused a malformed update: ${normalized.reason}`);
      reply(response, 400, { ok: false, error: normalized.reason });
      return;
    }
    if (normalized.kind === "ignored") {
      log.debug({}, `telegram update skipped: ${normalized.reason}`);
      reply(response, 200, { ok: true });
      return;
    }
    try {
      await options.receive(normalized.draft);
    } catch (error) {
      if (isTalonError(error) && error.code === "TALON_DRIVER_VALIDATION") {
        // Redelivering would fail the same way; the refusal is logged and counted by the core.
        log.warn({ id: normalized.draft.id }, `Talon refused the message, acknowledged and skipped: ${errorMessage(error)}`);
        reply(response, 200, { ok: true, skipped: true });
        return;
      }
      const retryAfterMs = (error as { retryAfterMs?: number }).retryAfterMs ?? 1000;
      log.warn({ id: normalized.draft.id }, `Talon could not take the message yet; Telegram will deliver it again: ${errorMessage(error)}`);
      reply(
        response,
        503,
        { ok: false, error: "not accepted yet" },
        { "retry-after": String(Math.max(1, Math.ceil(retryAfterMs / 1000))) },
      );
      return;
    }
    reply(response, 200, { ok: true });
  };
}
