/**
 * The one place a Talon error becomes upstream's wire error: `{code, message, details?,
 * retryable?, retryAfterMs?}` with upstream's top-level codes. Internal details (stack, cause)
 * never reach a client. An error that came from the upstream gateway keeps upstream's own shape.
 */
import { ERROR_CODES, isTalonError, type WireError } from "@talon/sdk";
import { upstreamErrorOf } from "./upstream-error.ts";

const RETRYABLE = new Set([
  "TALON_RPC_UNAVAILABLE",
  "TALON_DEFENDER_CAPACITY",
  "TALON_DRIVER_RATE_LIMITED",
  "TALON_DRIVER_NETWORK",
  "TALON_GATEWAY_NOT_CONNECTED",
]);

/** Map any thrown value to upstream's error shape. */
export function toWireError(error: unknown): WireError {
  if (!isTalonError(error)) return { code: "UNAVAILABLE", message: "internal error", retryable: true };
  const upstream = upstreamErrorOf(error);
  if (upstream) return upstream;
  const wire: WireError = { code: ERROR_CODES[error.code]?.wire ?? "UNAVAILABLE", message: error.bareMessage };
  if (error.details !== undefined) wire.details = error.details;
  if (RETRYABLE.has(error.code)) wire.retryable = true;
  const retryAfterMs = (error as { retryAfterMs?: unknown }).retryAfterMs;
  if (typeof retryAfterMs === "number" && Number.isFinite(retryAfterMs)) wire.retryAfterMs = Math.max(0, Math.round(retryAfterMs));
  return wire;
}
