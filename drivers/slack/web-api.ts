/**
 * The Slack Web API through Slack's own client, `@slack/web-api`, pointed at `apiBase`
 * (`slackApiUrl`), and the one mapping of its failures onto Talon's driver errors.
 *
 * The client is kept from retrying or sleeping: `retryConfig: { retries: 0 }` and
 * `rejectRateLimitedCalls: true` make a 429 throw at once with Slack's `Retry-After`, so Talon's
 * channel runtime alone paces, retries (bounded in attempts and total time) and shows the
 * rate-limit state in `channels.status`. Its default policy (10 retries over about 30 minutes,
 * and a 429 that silently pauses its queue) would hide both from Talon. Every request carries the
 * account's abort signal and a time limit through the client's `fetch` option.
 */
import {
  DriverAuthError,
  DriverNetworkError,
  DriverNotFoundError,
  DriverPermissionError,
  DriverRateLimitError,
  DriverValidationError,
  driverErrorForStatus,
  errorMessage,
  type Logger,
  type TalonError,
} from "@talon/sdk";
import { LogLevel, WebClient, type FetchFunction, type WebAPICallResult } from "@slack/web-api";

const DRIVER_ID = "slack";
/** Slack's `Retry-After` is whole seconds; a 429 without it (a proxy stripped it) waits this long. */
const DEFAULT_RETRY_AFTER_SECS = 1;

/** Slack `error` codes by the driver error they become (https://docs.slack.dev/reference/methods, per method). */
const AUTH = new Set([
  "not_authed",
  "invalid_auth",
  "account_inactive",
  "token_revoked",
  "token_expired",
  "not_allowed_token_type",
  "user_removed_from_team",
  "team_disabled",
  "org_login_required",
]);
const PERMISSION = new Set([
  "missing_scope",
  "not_in_channel",
  "is_archived",
  "restricted_action",
  "restricted_action_read_only_channel",
  "restricted_action_thread_only_channel",
  "restricted_action_non_threadable_channel",
  "cant_update_message",
  "cant_delete_message",
  "edit_window_closed",
  "no_permission",
  "access_denied",
  "team_access_not_granted",
  "ekm_access_denied",
]);
const NOT_FOUND = new Set(["channel_not_found", "message_not_found", "thread_not_found", "user_not_found"]);
const RATE_LIMITED = new Set(["ratelimited", "rate_limited"]);
const TRANSIENT = new Set(["internal_error", "fatal_error", "service_unavailable", "request_timeout"]);

/** Which credential a client uses, for messages that say what to fix. */
export type TokenKind = "botToken" | "appToken";

/** A Slack `{ ok: false, error }` answer as a driver error. */
export function platformError(code: string, method: string, token: TokenKind, retryAfterSecs?: number): TalonError {
  const what = `${method} answered ${code}`;
  if (RATE_LIMITED.has(code)) return new DriverRateLimitError(DRIVER_ID, (retryAfterSecs ?? DEFAULT_RETRY_AFTER_SECS) * 1000);
  if (AUTH.has(code))
    return new DriverAuthError(DRIVER_ID, `Slack refused the ${token} (${what}); check ${token} and that the app is installed`);
  if (PERMISSION.has(code))
    return new DriverPermissionError(DRIVER_ID, `Slack refused (${what}); invite the bot to the channel or add the missing scope`);
  if (NOT_FOUND.has(code)) return new DriverNotFoundError(DRIVER_ID, `Slack does not know the target (${what})`);
  if (TRANSIENT.has(code)) return new DriverNetworkError(DRIVER_ID, `Slack failed (${what})`);
  return new DriverValidationError(DRIVER_ID, `Slack rejected the request (${what})`);
}

/** Any failure of the client as a driver error (the only place Slack errors are interpreted). */
export function toDriverError(error: unknown, method: string, token: TokenKind): TalonError {
  const failure = error as {
    code?: string;
    retryAfter?: number;
    data?: WebAPICallResult & { error?: string };
    statusCode?: number;
    original?: unknown;
  };
  switch (failure?.code) {
    case "slack_webapi_rate_limited_error":
      return new DriverRateLimitError(DRIVER_ID, (failure.retryAfter ?? DEFAULT_RETRY_AFTER_SECS) * 1000);
    case "slack_webapi_platform_error":
      return platformError(String(failure.data?.error ?? "unknown_error"), method, token, failure.data?.response_metadata?.retryAfter);
    case "slack_webapi_http_error": {
      const status = failure.statusCode ?? 500;
      return driverErrorForStatus(DRIVER_ID, status, {
        unauthorized: `Slack refused the ${token} (${method}: HTTP 401); check ${token}`,
        forbidden: `Slack refused ${method} (HTTP 403)`,
        notFound: `Slack does not know ${method} (HTTP 404); check apiBase`,
        rejected: `Slack rejected ${method} (HTTP ${status})`,
        failed: `Slack failed (${method}: HTTP ${status})`,
      });
    }
    case "slack_webapi_request_error":
      return new DriverNetworkError(DRIVER_ID, `cannot reach Slack (${method}): ${errorMessage(failure.original ?? error)}`, {
        cause: error,
      });
    default:
      return new DriverNetworkError(DRIVER_ID, `Slack call ${method} failed: ${errorMessage(error)}`, { cause: error });
  }
}

/** The client's own log lines (already token-redacted by it) go to the account's log at debug level. */
function clientLogger(log: Logger) {
  let level = LogLevel.WARN;
  const line =
    (at: LogLevel) =>
    (...parts: unknown[]) => {
      if (at === LogLevel.WARN || at === LogLevel.ERROR) log.debug({ client: "@slack/web-api" }, parts.map(String).join(" "));
    };
  return {
    debug: line(LogLevel.DEBUG),
    info: line(LogLevel.INFO),
    warn: line(LogLevel.WARN),
    error: line(LogLevel.ERROR),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

export interface SlackApiOptions {
  token: string;
  tokenKind: TokenKind;
  apiBase: string;
  timeoutMs: number;
  /** The account's current abort signal (a new one per start). */
  signal(): AbortSignal;
  log: Logger;
}

/** A Web API caller for one token. */
export interface SlackApi {
  /** POST `method`; resolves with Slack's `ok: true` answer or throws a driver error. */
  call<T extends object = Record<string, unknown>>(
    method: string,
    args?: Record<string, unknown>,
    options?: { tolerate?: readonly string[] },
  ): Promise<T & WebAPICallResult>;
}

export function createSlackApi(options: SlackApiOptions): SlackApi {
  const timedFetch: FetchFunction = async (url, init) => {
    const signal = AbortSignal.any([options.signal(), AbortSignal.timeout(options.timeoutMs)]);
    const response = await fetch(url, { ...init, signal });
    if (response.status !== 429 || Number.isFinite(Number.parseInt(response.headers.get("retry-after") ?? "", 10))) return response;
    // Slack always sends Retry-After with a 429; without it the client would give up as if the
    // request were bad. Wait the default instead, as for Slack's `ratelimited` body.
    const headers = new Headers(response.headers);
    headers.set("retry-after", String(DEFAULT_RETRY_AFTER_SECS));
    return new Response(response.body, { status: 429, statusText: response.statusText, headers });
  };
  const client = new WebClient(options.token, {
    slackApiUrl: options.apiBase,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    fetch: timedFetch,
    logger: clientLogger(options.log),
    logLevel: LogLevel.WARN,
  });
  return {
    async call<T extends object>(method: string, args: Record<string, unknown> = {}, call: { tolerate?: readonly string[] } = {}) {
      try {
        return (await client.apiCall(method, args)) as T & WebAPICallResult;
      } catch (error) {
        // An answer that means "already done" (`already_reacted`) is success for the caller.
        const data = (error as { code?: string; data?: T & WebAPICallResult & { error?: string } }).data;
        if ((error as { code?: string }).code === "slack_webapi_platform_error" && data && call.tolerate?.includes(String(data.error)))
          return data;
        throw toDriverError(error, method, options.tokenKind);
      }
    },
  };
}
