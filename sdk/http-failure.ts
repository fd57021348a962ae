/**
 * The one mapping from a failed HTTP call of a platform to Talon's driver error family, and the
 * one reading of `Retry-After`. Drivers word the messages for their platform; the class each
 * status maps to (and with it whether the host retries, pauses or gives up) is decided here, so
 * every driver backs off the same way.
 */
import {
  DriverAuthError,
  DriverNetworkError,
  DriverNotFoundError,
  DriverPermissionError,
  DriverRateLimitError,
  DriverValidationError,
  type TalonError,
} from "./errors.ts";

/** Longest wait a platform may ask for; a longer `Retry-After` is cut to this. */
export const MAX_RETRY_AFTER_MS = 86_400_000;

/**
 * `Retry-After` in milliseconds: delay-seconds or an HTTP date, clamped to 0..MAX_RETRY_AFTER_MS.
 * Undefined when the header is missing or unreadable, so the caller picks its own default.
 */
export function parseRetryAfter(header: string | null | undefined, nowMs = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (trimmed === "") return undefined;
  const seconds = Number(trimmed);
  if (Number.isFinite(seconds)) return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, seconds * 1000));
  const date = Date.parse(trimmed);
  return Number.isFinite(date) ? Math.min(MAX_RETRY_AFTER_MS, Math.max(0, date - nowMs)) : undefined;
}

/** What the user reads for each kind of failure; say what to check where it helps. */
export interface HttpFailureMessages {
  /** 401: the credentials were refused. */
  unauthorized: string;
  /** 403: allowed in, not allowed this. */
  forbidden: string;
  /** 404: the chat, room or message does not exist. */
  notFound: string;
  /** Any other 4xx: the request itself is wrong; retrying will not help. */
  rejected: string;
  /** 5xx and anything else: the platform failed; worth retrying. */
  failed: string;
}

/** A retry-after in milliseconds from anywhere (header, response body): clamped to 0..MAX_RETRY_AFTER_MS; NaN gives `fallback`. */
export function clampRetryAfter(ms: number, fallback = 1000): number {
  if (Number.isNaN(ms)) return fallback;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}

/**
 * The driver error for HTTP `status`: 429 → rate limited (waits `retryAfterMs`, clamped), 401 → auth,
 * 403 → permission, 404 → not found, other 4xx → validation (not retried), the rest → network
 * (retried with backoff).
 */
export function driverErrorForStatus(driver: string, status: number, messages: HttpFailureMessages, retryAfterMs = 1000): TalonError {
  if (status === 429) return new DriverRateLimitError(driver, clampRetryAfter(retryAfterMs));
  if (status === 401) return new DriverAuthError(driver, messages.unauthorized);
  if (status === 403) return new DriverPermissionError(driver, messages.forbidden);
  if (status === 404) return new DriverNotFoundError(driver, messages.notFound);
  if (status >= 400 && status < 500) return new DriverValidationError(driver, messages.rejected);
  return new DriverNetworkError(driver, messages.failed);
}
