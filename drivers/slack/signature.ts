/**
 * Slack's request signing (https://api.slack.com/authentication/verifying-requests-from-slack):
 * `X-Slack-Signature: v0=<hex HMAC-SHA256(signing secret, "v0:" + timestamp + ":" + raw body)>`
 * with `X-Slack-Request-Timestamp` in unix seconds. The check runs over the raw bytes before any
 * JSON parsing, compares in constant time, and refuses a timestamp more than the replay window
 * away from now, in either direction, as Slack's own verifiers do.
 */
import { createHmac } from "node:crypto";
import { secretsEqual } from "@talon/sdk";

export const SIGNATURE_HEADER = "x-slack-signature";
export const TIMESTAMP_HEADER = "x-slack-request-timestamp";
const VERSION = "v0";

/** `v0=<hex>` for `body` sent at `timestamp` (seconds). */
export function signSlackRequest(signingSecret: string, timestamp: number | string, body: string | Buffer): string {
  return `${VERSION}=${createHmac("sha256", signingSecret).update(`${VERSION}:${timestamp}:`).update(body).digest("hex")}`;
}

export type SlackSignatureCheck = { ok: true; timestamp: number } | { ok: false; reason: string };

/** Check one request's signature headers against the signing secret and the replay window. */
export function verifySlackRequest(
  signingSecret: string,
  signature: string | undefined,
  timestamp: string | undefined,
  body: Buffer,
  windowSecs: number,
  nowMs = Date.now(),
): SlackSignatureCheck {
  if (!signature) return { ok: false, reason: `missing ${SIGNATURE_HEADER} header` };
  if (!timestamp) return { ok: false, reason: `missing ${TIMESTAMP_HEADER} header` };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: `${TIMESTAMP_HEADER} must be unix seconds` };
  const seconds = Number(timestamp);
  if (Math.abs(Math.floor(nowMs / 1000) - seconds) > windowSecs)
    return { ok: false, reason: `request timestamp is more than ${windowSecs} s from now (a replay, or a wrong clock)` };
  if (!secretsEqual(signature.trim(), signSlackRequest(signingSecret, timestamp, body)))
    return { ok: false, reason: "signature does not match" };
  return { ok: true, timestamp: seconds };
}
