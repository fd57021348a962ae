/**
 * The one place a Talon error becomes upstream's wire error: `{code, message, details?,
 * retryable?, retryAfterMs?}` with upstream's top-level codes. Internal details (stack, cause)
 * never reach a client.
 */
import { ERROR_CODES, isTalonError, type WireError } from "@talon/sdk";

const RETRYABLE = new Set(["TALON_RPC_UNAVAILABLE", "TALON_DEFENDER_CAPACITY", "TALON_DRIVER_RATE_LIMITED", "TALON_DRIVER_NETWORK", "TALON_GATEWAY_NOT_CONNECTED"]);

export function toWireError(error: unknown): WireError {
  if (!isTalonError(error)) return { code: "UNAVAILABLE", message: "internal error", retryable: true };
  const wire: WireError = { code: ERROR_CODES[error.code]?.wire ?? "UNAVAILABLE", message: error.bareMessage };
  if (error.details !== undefined) wire.details = error.details;
  if (RETRYABLE.has(error.code)) wire.retryable = true;
  const retryAfterMs = (error as { retryAfterMs?: unknown }).retryAfterMs;
  if (typeof retryAfterMs === "number") wire.retryAfterMs = Math.max(0, Math.round(retryAfterMs));
  return wire;
}
