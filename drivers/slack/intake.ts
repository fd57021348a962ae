/**
 * The one intake of Slack events, for Socket Mode envelopes and Events API requests alike:
 * validate, hand the message to Talon, and say whether Slack may be acknowledged.
 *
 * `ctx.receive` resolves when the message is stored durably in Talon's inbox, before the
 * defender runs; only then is the envelope acknowledged (or the request answered 200). That is
 * the "enqueue" of acknowledge-then-work: the acknowledgement never waits for the defender or a
 * reply, and an envelope Talon could not store is not acknowledged, so Slack delivers it again
 * instead of Talon losing it. Admission takes well under a millisecond against Slack's 3 s
 * (`npm run bench -- slack`).
 *
 * A redelivery that arrives while the first delivery of the same message is still being admitted
 * waits for that first answer instead of racing it.
 */
import { errorMessage, isTalonError, LruMap, type ChatType, type DriverContext, type ReceiveResult } from "@talon/sdk";
import { normalizeEvent, type SlackIdentity } from "./normalize.ts";

/** What to tell Slack. */
export type IntakeResult =
  | { ack: true; status: ReceiveResult["status"] | "skipped" | "refused"; reason?: string }
  | { ack: false; reason: string };

/** Channels whose chat type is remembered (for `app_mention`, which carries none). */
const CHANNEL_TYPES_MAX = 10_000;

export class EventIntake {
  readonly #ctx: DriverContext<unknown>;
  readonly #allowBots: boolean;
  readonly #identity: () => SlackIdentity | undefined;
  readonly #channelTypes = new LruMap<string, ChatType>(CHANNEL_TYPES_MAX);
  /** Deliveries being admitted, by message id; bounded by Talon's own inbound limits. */
  readonly #inFlight = new Map<string, Promise<IntakeResult>>();

  constructor(ctx: DriverContext<unknown>, options: { allowBots: boolean; identity: () => SlackIdentity | undefined }) {
    this.#ctx = ctx;
    this.#allowBots = options.allowBots;
    this.#identity = options.identity;
  }

  /** An Events API body (`event_callback`, `app_rate_limited`, ...), from either transport. */
  async accept(body: unknown): Promise<IntakeResult> {
    if (typeof body !== "object" || body === null) return this.#skip("payload is not an object", body);
    const payload = body as Record<string, unknown>;
    if (payload.type === "app_rate_limited") {
      this.#ctx.log.warn(
        { minute: payload.minute_rate_limited },
        "Slack is dropping this app's events for a minute (app_rate_limited: more than 30,000 events per hour)",
      );
      return { ack: true, status: "skipped", reason: "app_rate_limited" };
    }
    if (payload.type !== "event_callback") return this.#skip(`payload type ${String(payload.type)}`, body);
    const identity = this.#identity();
    // Events only flow after start() learned who the bot is; without it own messages look foreign.
    if (!identity) return { ack: false, reason: "the account has not finished starting" };
    const normalized = normalizeEvent(payload.event, identity, { allowBots: this.#allowBots, channelTypes: this.#channelTypes });
    if (normalized.kind === "skip") return this.#skip(normalized.reason, payload.event_id);
    const id = normalized.draft.id;
    const pending = this.#inFlight.get(id);
    if (pending) return pending;
    const work = this.#receive(normalized.draft, payload.event_id);
    this.#inFlight.set(id, work);
    try {
      return await work;
    } finally {
      this.#inFlight.delete(id);
    }
  }

  async #receive(draft: Parameters<DriverContext["receive"]>[0], eventId: unknown): Promise<IntakeResult> {
    try {
      const result = await this.#ctx.receive(draft);
      return { ack: true, status: result.status };
    } catch (error) {
      if (isTalonError(error) && error.code === "TALON_DRIVER_VALIDATION") {
        // It will never be accepted (too long, malformed): acknowledge so Slack stops resending.
        this.#ctx.log.warn({ event: eventId, message: draft.id }, `Slack message refused by Talon, acknowledged: ${errorMessage(error)}`);
        return { ack: true, status: "refused", reason: errorMessage(error) };
      }
      this.#ctx.log.warn(
        { event: eventId, message: draft.id },
        `Talon could not take the Slack message yet; Slack will deliver it again: ${errorMessage(error)}`,
      );
      return { ack: false, reason: errorMessage(error) };
    }
  }

  #skip(reason: string, what: unknown): IntakeResult {
    this.#ctx.log.debug({ event: typeof what === "string" ? what : undefined }, `Slack event ignored: ${reason}`);
    return { ack: true, status: "skipped", reason };
  }
}
