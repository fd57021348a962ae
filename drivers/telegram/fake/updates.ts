/**
 * How the fake hands out updates, in one of Telegram's two exclusive modes:
 * - `getUpdates` long polling: answers at once when an update at or past `offset` waits, else
 *   holds until one arrives or `timeout` ends (`[]`); an `offset` confirms everything below it;
 *   a second concurrent poll ends the first with 409, and a set webhook makes polls 409.
 * - webhook: POSTs one update per request to the URL given to `setWebhook` (through the test's
 *   proxy mapping to Talon's port), with `X-Telegram-Bot-Api-Secret-Token`, one at a time in
 *   order, and delivers again after a non-2xx answer or a broken connection.
 */
import type { ServerResponse } from "node:http";
import { ApiFailure, badRequest, fail, ok, type Params } from "./http.ts";
import type { FakeState, TgUpdate } from "./state.ts";

interface PendingPoll {
  offset: number;
  limit: number;
  response: ServerResponse;
  timer: NodeJS.Timeout;
  answer(): void;
}

export interface WebhookSetting {
  url: string;
  secret?: string;
  allowedUpdates?: string[];
}

export interface Delivery {
  updateId: number;
  status: number | "error";
  at: number;
}

const CONFLICT_POLL = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running";
const CONFLICT_WEBHOOK = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";
const MAX_REDELIVERY_DELAY_MS = 1_000;

export class UpdateQueue {
  readonly #state: FakeState;
  #poll: PendingPoll | undefined;
  webhook: WebhookSetting | undefined;
  webhookLastError: { date: number; message: string } | undefined;
  /** Where the public webhook URL's origin is forwarded (Talon's port), set by the test. */
  proxyTo: string | undefined;
  readonly deliveries: Delivery[] = [];
  /** Polls answered with updates or `[]`, and polls ended by a conflict. */
  polls = 0;
  conflicts = 0;
  #pumping = false;
  #stopped = false;
  readonly #inflight = new Set<AbortController>();

  constructor(state: FakeState) {
    this.#state = state;
  }

  get pendingPoll(): boolean {
    return this.#poll !== undefined;
  }

  /** A new update is queued: wake the poller, or push it to the webhook. */
  notify(): void {
    if (this.webhook) void this.#pump();
    else if (this.#poll) {
      const ready = this.#ready(this.#poll.offset, this.#poll.limit);
      if (ready.length > 0) this.#poll.answer();
    }
  }

  #ready(offset: number, limit: number): TgUpdate[] {
    const out: TgUpdate[] = [];
    for (const update of this.#state.updates) {
      if (update.update_id < offset) continue;
      out.push(update);
      if (out.length >= limit) break;
    }
    return out;
  }

  getUpdates(params: Params, response: ServerResponse): void {
    if (this.webhook) throw new ApiFailure(409, CONFLICT_WEBHOOK);
    let offset = params.int("offset") ?? 0;
    const limit = Math.min(100, Math.max(1, params.int("limit") ?? 100));
    const timeout = Math.min(50, Math.max(0, params.int("timeout") ?? 0));
    if (offset < 0) {
      // Negative: the last -offset updates; the rest are forgotten.
      const keep = this.#state.updates.slice(offset);
      this.#state.updates = keep;
      offset = keep[0]?.update_id ?? this.#state.nextUpdateId;
    } else if (offset > 0) this.#state.confirmBelow(offset);
    if (this.#poll) {
      // One consumer per token: the newer request wins, the older one is told why.
      const older = this.#poll;
      this.#poll = undefined;
      clearTimeout(older.timer);
      this.conflicts++;
      fail(older.response, new ApiFailure(409, CONFLICT_POLL));
    }
    const ready = this.#ready(offset, limit);
    if (ready.length > 0 || timeout === 0) {
      this.polls++;
      ok(response, ready);
      return;
    }
    const poll: PendingPoll = {
      offset,
      limit,
      response,
      timer: setTimeout(() => poll.answer(), timeout * 1000),
      answer: () => {
        if (this.#poll !== poll) return;
        this.#poll = undefined;
        clearTimeout(poll.timer);
        this.polls++;
        ok(response, this.#ready(offset, limit));
      },
    };
    this.#poll = poll;
    response.on("close", () => {
      if (this.#poll !== poll) return;
      this.#poll = undefined;
      clearTimeout(poll.timer);
    });
  }

  /** Drop the connection of the poll in flight (as a proxy restart would). False when none waits. */
  dropPoll(): boolean {
    const poll = this.#poll;
    if (!poll) return false;
    this.#poll = undefined;
    clearTimeout(poll.timer);
    poll.response.socket?.destroy();
    return true;
  }

  setWebhook(params: Params): unknown {
    const url = params.string("url") ?? "";
    if (url === "") return this.deleteWebhook(params);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw badRequest("invalid webhook URL specified");
    }
    if (parsed.protocol !== "https:") throw badRequest("bad webhook: An HTTPS URL must be provided for webhook");
    if (parsed.port !== "" && !["443", "80", "88", "8443"].includes(parsed.port))
      throw badRequest("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443");
    const secret = params.string("secret_token");
    if (secret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) throw badRequest("secret token contains unallowed characters");
    if (params.bool("drop_pending_updates")) this.#state.updates = [];
    this.webhook = { url, ...(secret ? { secret } : {}), allowedUpdates: params.json<string[]>("allowed_updates") };
    this.webhookLastError = undefined;
    // A poll waiting now would have to end: Telegram answers it with the webhook conflict.
    if (this.#poll) {
      const poll = this.#poll;
      this.#poll = undefined;
      clearTimeout(poll.timer);
      fail(poll.response, new ApiFailure(409, CONFLICT_WEBHOOK));
    }
    void this.#pump();
    return true;
  }

  deleteWebhook(params: Params): unknown {
    this.webhook = undefined;
    if (params.bool("drop_pending_updates")) this.#state.updates = [];
    for (const controller of this.#inflight) controller.abort();
    return true;
  }

  webhookInfo(): unknown {
    return {
      url: this.webhook?.url ?? "",
      has_custom_certificate: false,
      pending_update_count: this.#state.updates.length,
      max_connections: 40,
      ...(this.webhook?.allowedUpdates ? { allowed_updates: this.webhook.allowedUpdates } : {}),
      ...(this.webhookLastError ? { last_error_date: this.webhookLastError.date, last_error_message: this.webhookLastError.message } : {}),
    };
  }

  /** Deliver queued updates to the webhook, in order, again after a failure (with a growing pause). */
  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    let delay = 20;
    try {
      while (!this.#stopped && this.webhook && this.#state.updates.length > 0) {
        const update = this.#state.updates[0]!;
        const target = this.#target(this.webhook.url);
        const status = target ? await this.#post(target, this.webhook.secret, update) : "error";
        this.deliveries.push({ updateId: update.update_id, status, at: performance.now() });
        if (typeof status === "number" && status >= 200 && status < 300) {
          if (this.#state.updates[0] === update) this.#state.updates.shift();
          delay = 20;
          continue;
        }
        this.webhookLastError = {
          date: Math.floor(Date.now() / 1000),
          message: status === "error" ? "Connection refused" : `Wrong response from the webhook: ${status}`,
        };
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(MAX_REDELIVERY_DELAY_MS, delay * 2);
      }
    } finally {
      this.#pumping = false;
    }
  }

  #target(url: string): string | undefined {
    if (!this.proxyTo) return undefined;
    const parsed = new URL(url);
    return `${this.proxyTo}${parsed.pathname}${parsed.search}`;
  }

  async #post(target: string, secret: string | undefined, update: TgUpdate): Promise<number | "error"> {
    const controller = new AbortController();
    this.#inflight.add(controller);
    const timer = setTimeout(() => controller.abort(), 10_000);
    try {
      const response = await fetch(target, {
        method: "POST",
        headers: { "content-type": "application/json", ...(secret ? { "x-telegram-bot-api-secret-token": secret } : {}) },
        body: JSON.stringify(update),
        signal: controller.signal,
      });
      await response.arrayBuffer().catch(() => undefined);
      return response.status;
    } catch {
      return "error";
    } finally {
      clearTimeout(timer);
      this.#inflight.delete(controller);
    }
  }

  /** POST one update now, outside the queue (a redelivery of something already delivered). */
  async deliverAgain(update: TgUpdate): Promise<number | "error"> {
    const target = this.webhook ? this.#target(this.webhook.url) : undefined;
    if (!target || !this.webhook) return "error";
    const status = await this.#post(target, this.webhook.secret, update);
    this.deliveries.push({ updateId: update.update_id, status, at: performance.now() });
    return status;
  }

  stop(): void {
    this.#stopped = true;
    for (const controller of this.#inflight) controller.abort();
    if (this.#poll) {
      this.#poll.response.destroy();
      clearTimeout(this.#poll.timer);
      this.#poll = undefined;
    }
  }
}
