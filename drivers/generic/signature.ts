/**
 * Webhook signatures: `x-talon-signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>` with
 * `x-talon-timestamp: <unix seconds>`. Signing the timestamp with the body makes an old request
 * useless outside the replay window; comparison is constant-time.
 */
import { createHmac } from "node:crypto";
import { secretsEqual } from "@talon/sdk";

/** Header carrying the signature. */
export const SIGNATURE_HEADER = "x-talon-signature";
/** Header carrying the unix time (seconds) the request was signed at. */
export const TIMESTAMP_HEADER = "x-talon-timestamp";
/** Signature scheme prefix; a future scheme gets a new version. */
const VERSION = "v1=";
/** How far in the future a timestamp may be (clock skew between sender and Talon). */
export const MAX_FUTURE_SKEW_SECS = 60;

/** `v1=<hex>` for `body` signed at `timestamp` (seconds). */
export function sign(secret: string, timestamp: number, body: string | Buffer): string {
  return VERSION + createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex");
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

/** Check a request's signature and timestamp against `secret` and the replay window. */
export function verify(
  secret: string,
  signature: string | undefined,
  timestamp: string | undefined,
  body: Buffer,
  windowSecs: number,
  nowMs = Date.now(),
): VerifyResult {
  if (!signature || !timestamp) return { ok: false, reason: `missing ${!signature ? SIGNATURE_HEADER : TIMESTAMP_HEADER} header` };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: `${TIMESTAMP_HEADER} must be unix seconds` };
  const seconds = Number(timestamp);
  const now = Math.floor(nowMs / 1000);
  if (seconds < now - windowSecs) return { ok: false, reason: `request is older than the ${windowSecs} s replay window` };
  if (seconds > now + MAX_FUTURE_SKEW_SECS) return { ok: false, reason: "request timestamp is in the future; check the sender's clock" };
  return secretsEqual(signature.trim(), sign(secret, seconds, body)) ? { ok: true } : { ok: false, reason: "signature does not match" };
}
