/**
 * The outbound webhook: a signed JSON POST to the configured URL per message, with the one
 * mapping from HTTP failures to the driver error family (429 with retry-after, 401, 403, 404,
 * other 4xx, 5xx and network failures).
 */
import { randomUUID } from "node:crypto";
import { DriverNetworkError, driverErrorForStatus, errorMessage, parseRetryAfter, type TalonError } from "@talon/sdk";
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, sign } from "./signature.ts";

/** What the receiving endpoint gets. */
export interface OutboundEvent {
  type: "message";
  accountId: string;
  chatId: string;
  chatType?: string;
  threadId?: string;
  text: string;
  replyTo?: string;
  attachments?: unknown[];
  /** Position of this chunk in its message, and the chunk count. */
  index: number;
  total: number;
  /** The same for every retry of this chunk: the receiver drops repeats with it. */
  idempotencyKey: string;
}

/** Retry-After (header), or a JSON `retryAfterMs` / `retry_after` (seconds); 1 s when none. */
export function retryAfterMs(header: string | null, body: unknown, nowMs = Date.now()): number {
  const fromHeader = parseRetryAfter(header, nowMs);
  if (fromHeader !== undefined) return fromHeader;
  const fields = (body ?? {}) as { retry_after?: unknown; retryAfterMs?: unknown };
  if (typeof fields.retryAfterMs === "number") return Math.max(0, fields.retryAfterMs);
  if (typeof fields.retry_after === "number") return Math.max(0, fields.retry_after * 1000);
  return 1000;
}

/** An HTTP failure of the endpoint as a driver error (the SDK decides the class per status). */
export function toDriverError(driver: string, status: number, header: string | null, body: unknown): TalonError {
  const detail = typeof (body as { error?: unknown })?.error === "string" ? `: ${(body as { error: string }).error}` : "";
  return driverErrorForStatus(
    driver,
    status,
    {
      unauthorized: `the outbound endpoint refused the signature (401)${detail}; check outboundSecret`,
      forbidden: `the outbound endpoint refused the message (403)${detail}`,
      notFound: `the outbound endpoint does not know this target (404)${detail}`,
      rejected: `the outbound endpoint rejected the message (${status})${detail}`,
      failed: `the outbound endpoint failed (${status})${detail}`,
    },
    status === 429 ? retryAfterMs(header, body) : undefined,
  );
}

/** POST one signed event; returns the endpoint's message id (or a generated one if it gave none). */
export async function postEvent(
  options: { driver: string; url: string; secret: string; timeoutMs: number; signal: AbortSignal },
  event: OutboundEvent,
): Promise<string> {
  const body = JSON.stringify(event);
  const timestamp = Math.floor(Date.now() / 1000);
  let response: Response;
  try {
    response = await fetch(options.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        [TIMESTAMP_HEADER]: String(timestamp),
        [SIGNATURE_HEADER]: sign(options.secret, timestamp, body),
      },
      body,
      signal: AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]),
    });
  } catch (error) {
    throw new DriverNetworkError(options.driver, `cannot reach the outbound endpoint: ${errorMessage(error)}`, { cause: error });
  }
  const text = await response.text().catch(() => "");
  let parsed: unknown;
  try {
    parsed = text === "" ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!response.ok) throw toDriverError(options.driver, response.status, response.headers.get("retry-after"), parsed);
  const reply = (parsed ?? {}) as { messageId?: unknown; id?: unknown };
  const id = reply.messageId ?? reply.id;
  return typeof id === "string" || typeof id === "number" ? String(id) : `generic-${randomUUID()}`;
}
