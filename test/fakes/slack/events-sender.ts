/**
 * The fake Events API sender: signs each request like Slack (`v0:` + timestamp + `:` + body,
 * HMAC-SHA256 with the signing secret) and POSTs it to the driver's Request URL. A failed
 * delivery (non-2xx, or no answer within 3 s) is retried up to 3 times with
 * `X-Slack-Retry-Num` and `X-Slack-Retry-Reason`, unless the answer carried `X-Slack-No-Retry: 1`.
 * Slack waits about 0 s, 1 min and 5 min between attempts; the delays are shortened in tests.
 */
import { signSlackRequest } from "../../../drivers/slack/signature.ts";

export interface PostResult {
  status: number;
  json: any;
  headers: Headers;
}

export interface SignOptions {
  timestamp?: number;
  secret?: string;
  headers?: Record<string, string>;
  /** Send this text as the body instead of the JSON of the payload. */
  raw?: string;
}

export class FakeEventsSender {
  url = "";
  /** Every request sent, with its answer status. */
  readonly log: { retryNum?: string; status: number }[] = [];

  constructor(
    readonly signingSecret: string,
    public retryDelaysMs: readonly number[] = [0, 1_000, 5_000],
    readonly timeoutMs = 3_000,
  ) {}

  /** POST one signed request (no retries). */
  async post(payload: unknown, options: SignOptions = {}): Promise<PostResult> {
    if (!this.url) throw new Error("attach() the fake to Talon first");
    const body = options.raw ?? JSON.stringify(payload);
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
    const response = await fetch(this.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-slack-request-timestamp": String(timestamp),
        "x-slack-signature": signSlackRequest(options.secret ?? this.signingSecret, timestamp, body),
        ...options.headers,
      },
      body,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    this.log.push({ retryNum: options.headers?.["x-slack-retry-num"], status: response.status });
    return { status: response.status, json, headers: response.headers };
  }

  /** Deliver like Slack: retried on failure; resolves with the answer that ended it. */
  async deliver(payload: unknown, firstRetry = 0): Promise<PostResult> {
    let last: PostResult | undefined;
    let reason = "";
    for (let attempt = firstRetry; attempt <= 3; attempt++) {
      if (attempt > firstRetry) await new Promise((resolve) => setTimeout(resolve, this.retryDelaysMs[attempt - 1] ?? 0));
      const headers: Record<string, string> =
        attempt > 0 ? { "x-slack-retry-num": String(attempt), "x-slack-retry-reason": reason || "http_error" } : {};
      try {
        last = await this.post(payload, { headers });
      } catch {
        reason = "http_timeout";
        continue;
      }
      if (last.status >= 200 && last.status < 300) return last;
      if (last.headers.get("x-slack-no-retry") === "1") return last;
      reason = "http_error";
    }
    if (last) return last;
    throw new Error("the Request URL never answered");
  }
}
