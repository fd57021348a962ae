/**
 * An error `res` from the upstream gateway, as a Talon error a plugin can catch: an `RpcError`
 * whose code follows upstream's (`INVALID_REQUEST` → `TALON_RPC_INVALID_REQUEST`, ...) and that
 * keeps upstream's error verbatim in `details.upstream`. Relayed to a client, it is sent as
 * upstream sent it.
 */
import { RpcError, type TalonErrorCode, type WireError } from "@talon/sdk";

const CODE_FOR: Readonly<Record<string, Extract<TalonErrorCode, `TALON_RPC_${string}`>>> = {
  INVALID_REQUEST: "TALON_RPC_INVALID_REQUEST",
  FORBIDDEN: "TALON_RPC_FORBIDDEN",
  NOT_PAIRED: "TALON_RPC_FORBIDDEN",
  NOT_LINKED: "TALON_RPC_FORBIDDEN",
  APPROVAL_NOT_FOUND: "TALON_RPC_NOT_FOUND",
  UNAVAILABLE: "TALON_RPC_UNAVAILABLE",
  AGENT_TIMEOUT: "TALON_RPC_UNAVAILABLE",
};

const UPSTREAM = Symbol.for("talon.upstream-error");

/** Read a wire error out of an untrusted `res.error` value. */
export function readWireError(value: unknown): WireError {
  const record = typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  const code = typeof record.code === "string" && record.code !== "" ? record.code : "UNAVAILABLE";
  const message = typeof record.message === "string" && record.message !== "" ? record.message : "upstream request failed";
  const wire: WireError = { code, message };
  if (record.details !== undefined) wire.details = record.details;
  if (typeof record.retryable === "boolean") wire.retryable = record.retryable;
  if (typeof record.retryAfterMs === "number" && Number.isInteger(record.retryAfterMs) && record.retryAfterMs >= 0)
    wire.retryAfterMs = record.retryAfterMs;
  return wire;
}

/** An upstream refusal of `method`. */
export function upstreamError(method: string, wire: WireError): RpcError {
  const error = new RpcError(CODE_FOR[wire.code] ?? "TALON_RPC_UNAVAILABLE", `upstream ${method} failed: ${wire.code}: ${wire.message}`, {
    details: { upstream: wire },
  });
  Object.defineProperty(error, UPSTREAM, { value: wire });
  return error;
}

/** The upstream wire error carried by an error from {@link upstreamError}, if any. */
export function upstreamErrorOf(error: unknown): WireError | undefined {
  return typeof error === "object" && error !== null
    ? ((error as Record<symbol, WireError | undefined>)[UPSTREAM] ?? undefined)
    : undefined;
}
