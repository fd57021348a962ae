/**
 * The outbound path, the same for every driver:
 *
 *   send(message) → capability checks → idempotency → `outbound` hook → chunker → per chat, in
 *   order: token bucket → driver.send with bounded retries → receipt → `channel.sent` event.
 *
 * Idempotency keys are remembered (bounded): a repeat with the same content returns the first
 * receipt (or joins the send in flight); after a failure part-way, a repeat resumes after the
 * chunks the platform already accepted, so nothing is sent twice. The same key with different
 * content is refused instead of returning a receipt for another message.
 */
import { createHash, randomUUID } from "node:crypto";
import {
  DriverNetworkError,
  DriverValidationError,
  LruMap,
  NotSupportedError,
  RpcError,
  type DriverCapabilities,
  type Logger,
  type MessageRef,
  type OutboundChunk,
  type OutboundMessage,
  type PollDraft,
  type SendReceipt,
  type SentMessage,
  type TypingTarget,
} from "@talon/sdk";
import type { HostHooks } from "../hooks.ts";
import type { ChannelAccount } from "./account.ts";
import { chunkText } from "./chunk.ts";
import { callPlatform } from "./retry.ts";

/** The event a chat client receives for every message sent through a driver. */
export const CHANNEL_SENT_EVENT = "channel.sent";
/** Remembered idempotency keys (the seed keeps 4,096). */
const IDEMPOTENCY_MAX = 4_096;
/** Chats with a send in progress (their chunks must not interleave). */
const CHAT_CHAINS_MAX = 50_000;

interface IdempotencyEntry {
  digest: string;
  receipt?: SendReceipt;
  inflight?: Promise<SendReceipt>;
  /** Ids of the chunks already accepted, for a resumed retry. */
  sentIds: string[];
}

export interface OutboundDeps {
  readonly hooks: HostHooks;
  readonly log: Logger;
  emit(name: string, payload: unknown): void;
}

function digestOf(message: OutboundMessage): string {
  const hash = createHash("sha256");
  hash.update(
    JSON.stringify([
      message.chatId,
      message.threadId ?? "",
      message.replyTo ?? "",
      message.text ?? "",
      (message.attachments ?? []).map((a) => [a.kind, a.url ?? "", a.name ?? ""]),
    ]),
  );
  return hash.digest("hex");
}

function requireCapability(capabilities: DriverCapabilities, capability: keyof DriverCapabilities, driver: string, what: string): void {
  if (capabilities[capability] !== true) {
    throw new NotSupportedError(`${driver} does not support ${what}`, { driver, feature: String(capability), details: { capability } });
  }
}

export class OutboundPipeline {
  readonly #deps: OutboundDeps;
  readonly #idempotency = new LruMap<string, IdempotencyEntry>(IDEMPOTENCY_MAX);
  readonly #chains = new LruMap<string, Promise<unknown>>(CHAT_CHAINS_MAX);

  constructor(deps: OutboundDeps) {
    this.#deps = deps;
  }

  /** Send a message through `account`. */
  async send(account: ChannelAccount, message: OutboundMessage): Promise<SendReceipt> {
    this.#check(account, message);
    const key = message.idempotencyKey;
    if (key === undefined || key === "") return this.#serialised(account, message, []);
    const scoped = `${account.driverId}\u0000${account.accountId}\u0000${key}`;
    const digest = digestOf(message);
    const existing = this.#idempotency.get(scoped);
    if (existing && existing.digest !== digest) {
      throw new RpcError(
        "TALON_RPC_INVALID_REQUEST",
        `idempotencyKey ${JSON.stringify(key)} was already used for a different message; use a new key`,
        {
          details: { idempotencyKey: key },
        },
      );
    }
    if (existing?.receipt) return existing.receipt;
    if (existing?.inflight) return existing.inflight;
    const entry: IdempotencyEntry = existing ?? { digest, sentIds: [] };
    const work = this.#serialised(account, message, entry.sentIds);
    entry.inflight = work;
    this.#idempotency.set(scoped, entry);
    try {
      entry.receipt = await work;
      return entry.receipt;
    } finally {
      entry.inflight = undefined;
    }
  }

  #check(account: ChannelAccount, message: OutboundMessage): void {
    const driver = account.driverId;
    const capabilities = account.definition.capabilities;
    if (typeof message.chatId !== "string" || message.chatId.trim() === "")
      throw new DriverValidationError(driver, "a target chat (to / chatId) is required");
    const attachments = message.attachments ?? [];
    if ((message.text ?? "").trim() === "" && attachments.length === 0)
      throw new DriverValidationError(driver, "text or media is required");
    if (attachments.length > 0) requireCapability(capabilities, "media", driver, "media attachments");
    if (message.threadId) requireCapability(capabilities, "threads", driver, "threads");
    const maxBytes = account.limits.mediaBytes;
    for (const attachment of attachments) {
      if (maxBytes !== undefined && attachment.bytes !== undefined && attachment.bytes > maxBytes) {
        throw new DriverValidationError(
          driver,
          `attachment ${attachment.name ?? attachment.url ?? ""} has ${attachment.bytes} bytes; ${driver} accepts at most ${maxBytes}`,
        );
      }
    }
    if (account.stopped) throw new DriverNetworkError(driver, `account ${account.accountId} is stopped; start it with channels.start`);
  }

  /** Chunks of one message go out in order and never interleave with another message to the same chat. */
  #serialised(account: ChannelAccount, message: OutboundMessage, sentIds: string[]): Promise<SendReceipt> {
    const chain = `${account.driverId}\u0000${account.accountId}\u0000${message.chatId}`;
    const previous = this.#chains.get(chain);
    const run = previous
      ? previous.then(
          () => this.#deliver(account, message, sentIds),
          () => this.#deliver(account, message, sentIds),
        )
      : this.#deliver(account, message, sentIds);
    const tail = run.catch(() => undefined);
    this.#chains.set(chain, tail);
    void tail.then(() => {
      if (this.#chains.peek(chain) === tail) this.#chains.delete(chain);
    });
    return run;
  }

  async #deliver(account: ChannelAccount, original: OutboundMessage, sentIds: string[]): Promise<SendReceipt> {
    const context = { channel: account.driverId, accountId: account.accountId };
    let message = original;
    const hooks = this.#deps.hooks;
    if (hooks.outbound.isUsed()) {
      const rewritten = await hooks.outbound.promise(message, context);
      if (rewritten === null) {
        return {
          channel: account.driverId,
          accountId: account.accountId,
          chatId: message.chatId,
          messageIds: [],
          chunks: 0,
          cancelled: true,
        };
      }
      if (rewritten) message = rewritten;
    }
    const chunks = this.#chunksOf(account, message, message.idempotencyKey ?? randomUUID());
    const total = chunks.length;
    try {
      for (let index = sentIds.length; index < total; index++) {
        const chunk = chunks[index]!;
        const sent = await callPlatform(account, message.chatId, () => account.driver.send(chunk));
        if (!sent || typeof sent.messageId !== "string" || sent.messageId === "") {
          throw new DriverValidationError(account.driverId, "driver.send() must return { messageId } with the platform's message id");
        }
        sentIds.push(sent.messageId);
        account.sentIds.add(sent.messageId);
        account.snapshot.counters.outbound++;
        account.snapshot.lastOutboundAt = Date.now();
      }
    } catch (error) {
      account.snapshot.counters.failedSends++;
      account.recordError(error);
      throw error;
    }
    const receipt: SendReceipt = {
      channel: account.driverId,
      accountId: account.accountId,
      chatId: message.chatId,
      messageIds: [...sentIds],
      chunks: total,
    };
    if (message.threadId) receipt.threadId = message.threadId;
    this.#deps.emit(CHANNEL_SENT_EVENT, { ...receipt, text: message.text ?? "", ts: Date.now() });
    return receipt;
  }

  /** The chunks to send: attachments ride on the first chunk when the text fits the caption. */
  #chunksOf(account: ChannelAccount, message: OutboundMessage, key: string): OutboundChunk[] {
    const limits = account.limits;
    const texts = chunkText((message.text ?? "").trim() === "" ? "" : message.text, {
      limit: limits.text,
      mode: limits.mode,
      maxLines: limits.lines,
    });
    const attachments = message.attachments ?? [];
    if (attachments.length > 0) {
      const caption = limits.caption ?? limits.text;
      // A first chunk too long for a caption goes as its own message after the media.
      if (texts.length === 0 || texts[0]!.length > caption) texts.unshift("");
    }
    const base = { chatId: message.chatId, chatType: message.chatType, threadId: message.threadId, replyTo: message.replyTo };
    return texts.map((text, index) => {
      const chunk: OutboundChunk = { chatId: base.chatId, text, index, total: texts.length, idempotencyKey: `${key}:${index}` };
      if (base.chatType) chunk.chatType = base.chatType;
      if (base.threadId) chunk.threadId = base.threadId;
      // Only the first chunk replies to the original message.
      if (base.replyTo && index === 0) chunk.replyTo = base.replyTo;
      if (index === 0 && attachments.length > 0) chunk.attachments = attachments;
      return chunk;
    });
  }

  /** Edit a sent message. */
  async edit(account: ChannelAccount, ref: MessageRef, text: string): Promise<void> {
    requireCapability(account.definition.capabilities, "edit", account.driverId, "editing messages");
    if (text.length > account.limits.text)
      throw new DriverValidationError(account.driverId, `edited text has ${text.length} characters; the limit is ${account.limits.text}`);
    const operation = { idempotencyKey: randomUUID() };
    return callPlatform(account, ref.chatId, () => account.driver.edit!(ref, text, operation));
  }

  /** Delete a sent message. */
  async delete(account: ChannelAccount, ref: MessageRef): Promise<void> {
    requireCapability(account.definition.capabilities, "delete", account.driverId, "deleting messages");
    const operation = { idempotencyKey: randomUUID() };
    return callPlatform(account, ref.chatId, () => account.driver.delete!(ref, operation));
  }

  /** React to a message. */
  async react(account: ChannelAccount, ref: MessageRef, emoji: string): Promise<void> {
    requireCapability(account.definition.capabilities, "reactions", account.driverId, "reactions");
    if (emoji.trim() === "") throw new DriverValidationError(account.driverId, "a reaction needs an emoji");
    const operation = { idempotencyKey: randomUUID() };
    return callPlatform(account, ref.chatId, () => account.driver.react!(ref, emoji, operation));
  }

  /** Show a typing indicator. */
  async typing(account: ChannelAccount, target: TypingTarget): Promise<void> {
    requireCapability(account.definition.capabilities, "typing", account.driverId, "typing indicators");
    return callPlatform(account, target.chatId, () => account.driver.typing!(target));
  }

  /** Send a poll (already validated by the caller). */
  async poll(account: ChannelAccount, poll: PollDraft): Promise<SentMessage & { pollId?: string }> {
    requireCapability(account.definition.capabilities, "polls", account.driverId, "polls");
    if (poll.options.length > account.limits.pollOptions) {
      throw new DriverValidationError(account.driverId, `${account.driverId} polls take at most ${account.limits.pollOptions} options`);
    }
    if (poll.threadId) requireCapability(account.definition.capabilities, "threads", account.driverId, "threads");
    const operation = { idempotencyKey: randomUUID() };
    const sent = await callPlatform(account, poll.chatId, () => account.driver.poll!(poll, operation));
    account.sentIds.add(sent.messageId);
    account.snapshot.counters.outbound++;
    account.snapshot.lastOutboundAt = Date.now();
    return sent;
  }
}
