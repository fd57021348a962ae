/**
 * The Events API Request URL (mode `http`, platforms.md §3.3): Slack POSTs signed JSON to
 * Talon's port. The handler checks the signature over the raw body first, answers the
 * `url_verification` challenge, hands `event_callback`s to the intake, and answers 200 once the
 * message is stored (or is a duplicate, an echo, or not a message), within Slack's 3 s.
 *
 * Slack retries a failed delivery (`X-Slack-Retry-Num` 1..3, immediately, +1 min, +5 min); a
 * retry carries the same event and message ids, so Talon drops what it already stored. A 503
 * asks for such a retry when Talon could not store the message yet; a request that can never
 * succeed (malformed JSON) gets `X-Slack-No-Retry: 1`.
 *
 * Replay window: a signed request is accepted from 60 s ahead of Talon's clock (skew) to
 * `replayWindowSecs` behind it, 5 minutes in all, and Talon remembers every admitted message id
 * for `runtime.dedupeTtlMs` (5 minutes by default; a shorter one is refused at start), so a
 * captured request replayed inside the window is a duplicate and one replayed later is refused.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { DriverContext } from "@talon/sdk";
import type { EventIntake } from "./intake.ts";
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySlackRequest } from "./signature.ts";

/** How far ahead of Talon's clock a request timestamp may be. */
export const MAX_FUTURE_SKEW_SECS = 60;
/** How old a request timestamp may be: with the skew, the 5 minutes Slack documents. */
export const REPLAY_WINDOW_SECS = 300 - MAX_FUTURE_SKEW_SECS;

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function reply(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), ...headers });
  response.end(text);
}

/** The route handler of one account. */
export function createEventsHandler(ctx: DriverContext<unknown>, intake: EventIntake, signingSecret: string) {
  return async (request: IncomingMessage, response: ServerResponse, body: Buffer): Promise<void> => {
    const timestamp = header(request, TIMESTAMP_HEADER);
    // The window is checked symmetrically by the verifier; the future side is narrowed here.
    if (timestamp && /^\d{1,12}$/.test(timestamp) && Number(timestamp) > Math.floor(Date.now() / 1000) + MAX_FUTURE_SKEW_SECS) {
      ctx.log.warn({}, "Slack request refused: its timestamp is in the future; check this machine's clock");
      reply(response, 401, { ok: false, error: "request timestamp is in the future" });
      return;
    }
    const check = verifySlackRequest(signingSecret, header(request, SIGNATURE_HEADER), timestamp, body, REPLAY_WINDOW_SECS);
    if (!check.ok) {
      ctx.log.warn({ reason: check.reason }, "Slack request refused: bad signature; check signingSecret");
      reply(response, 401, { ok: false, error: check.reason });
      return;
    }
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(body.toString("utf8"));
      if (typeof payload !== "object" || payload === null || Array.isArray(payload)) throw new Error("not an object");
    } catch {
      ctx.log.warn({}, "Slack request refused: the body is not a JSON object");
      reply(response, 400, { ok: false, error: "body is not a JSON object" }, { "x-slack-no-retry": "1" });
      return;
    }
    if (payload.type === "url_verification") {
      reply(response, 200, { challenge: typeof payload.challenge === "string" ? payload.challenge : "" });
      return;
    }
    const retry = header(request, "x-slack-retry-num");
    if (retry) ctx.log.debug({ retry, reason: header(request, "x-slack-retry-reason"), event: payload.event_id }, "Slack retried an event");
    const result = await intake.accept(payload);
    if (result.ack) reply(response, 200, { ok: true, status: result.status });
    else reply(response, 503, { ok: false, error: result.reason }, { "retry-after": "1" });
  };
}
