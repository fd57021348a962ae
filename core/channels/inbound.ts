/**
 * The inbound path, the same for every driver:
 *
 *   ctx.receive(draft) → normalise → echo check → `inbound` hook → dedupe → durable admission
 *   (the driver may now acknowledge) → mention gating → defender → `channel.message` event.
 *
 * `receive` resolves at admission; the rest runs behind it and settles the returned `outcome`.
 * Work in progress is bounded (a full line refuses with a rate-limit error the driver turns
 * into "retry later"); a message whose processing fails stays in the inbox for the next start.
 */
import {
  DriverNetworkError,
  DriverRateLimitError,
  channelSessionKey,
  errorMessage,
  type ActionField,
  type ChatType,
  type ActionInput,
  type DefenderApi,
  type InboundDraft,
  type InboundMessage,
  type InboundOutcome,
  type Logger,
  type ReceiveResult,
} from "@talon/sdk";
import type { HostHooks } from "../hooks.ts";
import { settleWithin } from "../runtime/timeout.ts";
import type { ChannelAccount } from "./account.ts";
import type { Inbox, InboxEntry } from "./inbox.ts";
import { hasControlCommand, resolveMentionGate } from "./mention-gate.ts";
import { normalizeInbound, publicMessage } from "./normalize-inbound.ts";
import { Slots } from "./slots.ts";
import { TtlSet } from "./ttl-set.ts";

/** The event a chat client receives for every inbound message the defender looked at. */
export const CHANNEL_MESSAGE_EVENT = "channel.message";
/** Messages processed at once, and how many more may wait for a slot. */
const MAX_IN_PROCESS = 2_048;
const MAX_WAITING = 8_192;
/** Remembered message ids across all accounts (5-minute window by default). */
const DEDUPE_MAX = 200_000;
/** A message whose processing failed this many times after restarts is set aside. */
const MAX_REPLAYS = 3;

export interface InboundDeps {
  readonly hooks: HostHooks;
  readonly defender: DefenderApi;
  readonly log: Logger;
  emit(name: string, payload: unknown): void;
  /** The inbox (opened at start). */
  inbox(): Inbox;
  /** A chat type from a generic word or the channel's own (its driver's `chatTypeAliases`). */
  chatType(value: string, channel: string): ChatType | undefined;
}

/** The dedupe and inbox key of a message. */
export function messageKey(channel: string, accountId: string, id: string): string {
  return `${channel}:${encodeURIComponent(accountId)}:${encodeURIComponent(id)}`;
}

export class InboundPipeline {
  readonly dedupe = new TtlSet(300_000, DEDUPE_MAX);
  readonly #slots = new Slots(MAX_IN_PROCESS, MAX_WAITING);
  readonly #deps: InboundDeps;
  readonly #running = new Set<Promise<unknown>>();
  #accepting = false;

  constructor(deps: InboundDeps) {
    this.#deps = deps;
  }

  /** Start admitting messages. */
  open(): void {
    this.#accepting = true;
  }

  /** Stop admitting, then wait (bounded) for messages in process. */
  async close(timeoutMs: number): Promise<void> {
    this.#accepting = false;
    await settleWithin(Promise.allSettled([...this.#running]), timeoutMs);
  }

  /** `ctx.receive` of every driver. */
  async receive(account: ChannelAccount, draft: InboundDraft): Promise<ReceiveResult> {
    const counters = account.snapshot.counters;
    if (!this.#accepting || account.stopped) {
      throw new DriverNetworkError(account.driverId, "the channel runtime is not accepting messages right now; retry later");
    }
    let message: InboundMessage;
    try {
      message = normalizeInbound(draft, account.driverId, account.accountId, account.settings.maxInboundChars, (value) =>
        this.#deps.chatType(value, account.driverId),
      );
    } catch (error) {
      counters.rejected++;
      account.recordError(error);
      throw error;
    }
    if (message.sender.isSelf || account.sentIds.has(message.id)) {
      counters.echoes++;
      return { status: "echo" };
    }
    const hooks = this.#deps.hooks;
    if (hooks.inbound.isUsed()) {
      const rewritten = await hooks.inbound.promise(message, { channel: account.driverId, accountId: account.accountId });
      if (rewritten === null) return { status: "cancelled" };
      if (rewritten) message = rewritten;
    }
    const key = messageKey(account.driverId, account.accountId, message.id);
    const now = Date.now();
    if (this.dedupe.has(key, now)) {
      counters.duplicates++;
      return { status: "duplicate" };
    }
    // Marked before the first await: a concurrent redelivery is a duplicate too.
    this.dedupe.add(key, now, account.settings.dedupeTtlMs);
    // The message without its platform payload: stored in the inbox, sent to clients, judged.
    const view = publicMessage(message);
    let slot = this.#slots.acquire();
    if (slot === false) {
      this.dedupe.delete(key);
      counters.rejected++;
      throw new DriverRateLimitError(account.driverId, 1000, { details: { reason: "inbound queue full" } });
    }
    try {
      if (slot !== true) await slot;
      slot = true;
      await this.#deps
        .inbox()
        .admit(key, { channel: account.driverId, accountId: account.accountId, message: view, admittedAt: now, replays: 0 });
    } catch (error) {
      if (slot === true) this.#slots.release();
      this.dedupe.delete(key);
      counters.rejected++;
      account.recordError(error);
      throw error;
    }
    counters.inbound++;
    account.snapshot.lastInboundAt = now;
    const sessionKey = sessionKeyOf(message);
    const outcome = this.#track(this.#process(account, message, view, sessionKey, key, undefined));
    return { status: "admitted", sessionKey, outcome };
  }

  /** Process messages left in the inbox by an earlier run. */
  async replay(
    entries: [string, InboxEntry][],
    accountOf: (channel: string, accountId: string) => ChannelAccount | undefined,
  ): Promise<number> {
    let replayed = 0;
    for (const [key, entry] of entries) {
      const account = accountOf(entry.channel, entry.accountId);
      if (!account) {
        this.#deps.log.warn(
          { channel: entry.channel, account: entry.accountId },
          "inbox holds a message for a channel account that is not loaded; kept for later",
        );
        continue;
      }
      if (entry.replays >= MAX_REPLAYS) {
        await this.#deps
          .inbox()
          .deadLetter(key, entry)
          .catch((error) => this.#deps.log.error({ err: error }, "could not set aside a failing inbox entry"));
        this.#deps.log.error(
          { channel: entry.channel, account: entry.accountId, id: (entry.message as { id?: string }).id },
          `inbound message failed ${MAX_REPLAYS} times; moved to the dead-letter store`,
        );
        continue;
      }
      const message = { ...(entry.message as unknown as InboundMessage), raw: null };
      const view = entry.message;
      this.dedupe.add(key, Date.now(), account.settings.dedupeTtlMs);
      // Count the attempt before it runs, so a crash during it still counts.
      await this.#deps.inbox().admit(key, { ...entry, replays: entry.replays + 1 });
      const slot = this.#slots.acquire();
      if (slot === false) continue;
      if (slot !== true) await slot;
      this.#track(this.#process(account, message, view, sessionKeyOf(message), key, entry));
      replayed++;
    }
    return replayed;
  }

  #track<T>(work: Promise<T>): Promise<T> {
    this.#running.add(work);
    void work.finally(() => this.#running.delete(work));
    return work;
  }

  /** Gate, evaluate and announce one admitted message. Never rejects. */
  async #process(
    account: ChannelAccount,
    message: InboundMessage,
    view: Record<string, unknown>,
    sessionKey: string,
    key: string,
    replayOf: InboxEntry | undefined,
  ): Promise<InboundOutcome> {
    try {
      const isGroup = message.chatType !== "direct";
      const settings = account.settings;
      const authorized = settings.authorizedSenders.includes("*") || settings.authorizedSenders.includes(message.sender.id);
      const gate = resolveMentionGate({
        isGroup,
        requireMention: settings.requireMention,
        canDetectMention: message.wasMentioned !== undefined,
        wasMentioned: message.wasMentioned === true,
        implicitMention: message.replyTo !== undefined && account.sentIds.has(message.replyTo),
        hasAnyMention: message.mentions.length > 0,
        commandAuthorized: authorized,
        hasControlCommand: hasControlCommand(message.text),
      });
      if (gate.shouldSkip) {
        account.snapshot.counters.gated++;
        this.#deps.inbox().done(key);
        return { status: "gated", sessionKey, message, reason: "group message without a mention of the bot" };
      }
      const evaluation = await this.#deps.defender.evaluate(
        actionFor(message, view, sessionKey, gate.effectiveWasMentioned, authorized, settings.requireMention),
      );
      const decision = this.#deps.defender.decisionOf(evaluation);
      const status = evaluation.status;
      const outcome: InboundOutcome = { status, sessionKey, message };
      if (decision) outcome.decision = decision;
      if (evaluation.status === "ignored") outcome.reason = evaluation.reason;
      if (evaluation.status === "superseded") outcome.reason = `superseded by ${evaluation.by}`;
      this.#deps.emit(CHANNEL_MESSAGE_EVENT, {
        channel: message.channel,
        accountId: message.accountId,
        sessionKey,
        status,
        message: view,
        ...(decision ? { decision } : {}),
        ...(replayOf ? { replayed: true } : {}),
        ts: Date.now(),
      });
      this.#deps.inbox().done(key);
      return outcome;
    } catch (error) {
      // Left in the inbox: the next start processes it again (bounded by MAX_REPLAYS).
      account.recordError(error);
      this.#deps.log.error(
        { err: error, channel: message.channel, account: message.accountId },
        `inbound message processing failed: ${errorMessage(error)}`,
      );
      return { status: "failed", sessionKey, message, reason: errorMessage(error) };
    } finally {
      this.#slots.release();
    }
  }
}

function sessionKeyOf(message: InboundMessage): string {
  return channelSessionKey({
    channel: message.channel,
    accountId: message.accountId,
    chatType: message.chatType,
    chatId: message.chatId,
    senderId: message.sender.id,
    threadId: message.threadId,
  });
}

/** The action the defender evaluates for a channel message: every text field, routing hints. */
function actionFor(
  message: InboundMessage,
  view: Record<string, unknown>,
  sessionKey: string,
  wasMentioned: boolean,
  authorized: boolean,
  requireMention: boolean,
): ActionInput {
  const fields: ActionField[] = [{ kind: "prompt", path: "/text", value: message.text }];
  if (message.sender.name) fields.push({ kind: "text", path: "/sender/name", value: message.sender.name });
  for (let i = 0; i < message.attachments.length; i++) {
    const attachment = message.attachments[i]!;
    if (attachment.url) fields.push({ kind: "url", path: `/attachments/${i}/url`, value: attachment.url });
    if (attachment.name) fields.push({ kind: "text", path: `/attachments/${i}/name`, value: attachment.name });
  }
  const deliveryContext: NonNullable<ActionInput["routing"]>["deliveryContext"] = {
    channel: message.channel,
    to: message.chatId,
    accountId: message.accountId,
  };
  if (message.threadId) deliveryContext.threadId = message.threadId;
  return {
    id: `${message.channel}:${message.accountId}:${message.id}`,
    source: `${message.channel}.message`,
    origin: "channel",
    sessionKey,
    prompt: message.text,
    channel: message.channel,
    fields,
    routing: {
      chatType: message.chatType,
      // Gating already happened here (the channel's requireMention decides); the scheduler must
      // not gate the same message again: with requireMention off, mention detection is not
      // claimed, so its group activation (runtime.group_activation_mode) lets the message pass.
      wasMentioned: message.chatType === "direct" ? message.wasMentioned : wasMentioned,
      canDetectMention: requireMention && message.wasMentioned !== undefined,
      hasAnyMention: message.mentions.length > 0,
      replyBack: true,
      deliveryContext,
      senderId: message.sender.id,
      senderAuthorized: authorized,
    },
    raw: message.chatType === "direct" ? view : { ...view, wasMentioned },
  };
}
