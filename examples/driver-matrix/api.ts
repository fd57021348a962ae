/**
 * A tiny Matrix client-server API (v3) client: authenticated JSON requests, and the one function
 * that maps a failed request onto Talon's driver errors, so the core knows what to retry.
 */
import { DriverNetworkError, driverErrorForStatus, errorMessage, parseRetryAfter, type TalonError } from "@talon/sdk";
import { DRIVER_ID } from "./constants.ts";

/** A Matrix error body: `{ errcode, error, retry_after_ms? }`. */
interface MatrixError {
  errcode?: string;
  error?: string;
  retry_after_ms?: number;
}

/** An HTTP failure of the homeserver as a driver error (the SDK decides the class per status). */
export function toDriverError(status: number, body: MatrixError | undefined, retryAfterHeader: string | null): TalonError {
  const what = `${body?.errcode ?? `HTTP ${status}`}: ${body?.error ?? "no details"}`;
  // Matrix may say "slow down" in the body of another status.
  const limited = status === 429 || body?.errcode === "M_LIMIT_EXCEEDED";
  return driverErrorForStatus(
    DRIVER_ID,
    limited ? 429 : status,
    {
      unauthorized: `the homeserver refused the access token (${what}); check accessToken`,
      forbidden: `the homeserver refused (${what}); is the bot a member of the room?`,
      notFound: `the homeserver does not know this room or event (${what})`,
      rejected: `the homeserver rejected the request (${what})`,
      failed: `the homeserver failed (${what})`,
    },
    body?.retry_after_ms ?? parseRetryAfter(retryAfterHeader) ?? 1000,
  );
}

export interface MatrixClient {
  /** `GET|PUT /_matrix/client/v3/<path>`; resolves with the JSON body or throws a driver error. */
  request<T>(
    method: "GET" | "PUT" | "POST",
    path: string,
    options?: { body?: unknown; query?: Record<string, string>; signal?: AbortSignal; timeoutMs?: number },
  ): Promise<T>;
}

/** A client for `homeserver` with `accessToken`. */
export function createClient(homeserver: string, accessToken: string, defaultTimeoutMs: number): MatrixClient {
  const base = homeserver.replace(/\/+$/, "");
  return {
    async request<T>(
      method: "GET" | "PUT" | "POST",
      path: string,
      options: { body?: unknown; query?: Record<string, string>; signal?: AbortSignal; timeoutMs?: number } = {},
    ) {
      const url = new URL(`${base}/_matrix/client/v3/${path}`);
      for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
      const timeout = AbortSignal.timeout(options.timeoutMs ?? defaultTimeoutMs);
      let response: Response;
      try {
        response = await fetch(url, {
          method,
          headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json" },
          ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
          signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
        });
      } catch (error) {
        throw new DriverNetworkError(DRIVER_ID, `cannot reach the homeserver: ${errorMessage(error)}`, { cause: error });
      }
      let body: unknown;
      try {
        body = await response.json();
      } catch (error) {
        throw new DriverNetworkError(DRIVER_ID, `the homeserver sent an unreadable answer (HTTP ${response.status})`, { cause: error });
      }
      if (!response.ok) throw toDriverError(response.status, body as MatrixError, response.headers.get("retry-after"));
      return body as T;
    },
  };
}

/** Encode one path segment (room ids contain `!` and `:`, event ids `$`). */
export const segment = (value: string) => encodeURIComponent(value);
