/**
 * The channel RPCs: `channels.status`, `channels.logout`, `channels.start`, `channels.stop`,
 * `send` and `poll` (seed-gateway §2.8 and §2.16, upstream scopes). Validation messages follow
 * the seed (`invalid send params: to is required`); unlike the seed, `send` and `poll` really
 * deliver through a driver, and an idempotency key reused for a different message is refused
 * instead of answering with the first message's receipt.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import {
  LruMap,
  RpcError,
  TalonError,
  type ChannelDirectory,
  type MethodDefinition,
  type OutboundMessage,
  type PollDraft,
} from "@talon/sdk";
import type { ChannelAccount } from "./account.ts";
import { buildChannelsStatus } from "./status.ts";

/** Remembered `send` / `poll` keys and their payloads (seed: 4,096, oldest evicted). */
const RPC_CACHE_MAX = 4_096;
/** Longest `send` text accepted (the chunker splits it into platform-sized messages). */
const MAX_SEND_CHARS = 100_000;

/** What the RPCs need from the channel runtime. */
export interface ChannelRpcTarget {
  drivers(): ReadonlyMap<string, readonly ChannelAccount[]>;
  /** Known channels and loaded drivers: ids and aliases. */
  readonly directory: ChannelDirectory;
  /** The account, or a TALON_CHANNEL_UNKNOWN / TALON_RPC_NOT_FOUND error. */
  account(channel: string, accountId?: string): ChannelAccount;
  send(message: OutboundMessage): Promise<import("@talon/sdk").SendReceipt>;
  poll(account: ChannelAccount, poll: PollDraft): Promise<{ messageId: string; pollId?: string }>;
  logout(account: ChannelAccount): Promise<{ cleared: boolean; supported: boolean }>;
  startAccount(account: ChannelAccount): Promise<void>;
  stopAccount(account: ChannelAccount): Promise<void>;
}

/** Trimmed string or undefined; non-strings are undefined (lenient, as the seed). */
function text(value: unknown, max: number): string | undefined {
  if (typeof value !== "string") return undefined;
  const trimmed = value.trim();
  return trimmed === "" ? undefined : trimmed.slice(0, max);
}

function invalid(method: string, message: string): RpcError {
  return new RpcError("TALON_RPC_INVALID_PARAMS", `invalid ${method} params: ${message}`);
}

/** The two params every delivery (`send`, `poll`) needs: its idempotency key and its target chat. */
function addressOf(method: string, params: Record<string, unknown>): { idempotencyKey: string; to: string } {
  const idempotencyKey = text(params.idempotencyKey, 256);
  if (!idempotencyKey) throw invalid(method, "idempotencyKey is required");
  const to = text(params.to, 512);
  if (!to) throw invalid(method, "to is required");
  return { idempotencyKey, to };
}

function digest(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex");
}

/** The channel id a send targets: as given, or the only loaded driver. */
function channelFor(target: ChannelRpcTarget, method: string, given: string | undefined): string {
  if (given !== undefined) return given;
  const ids = [...target.drivers().keys()];
  if (ids.length === 1) return ids[0]!;
  throw invalid(
    method,
    ids.length === 0 ? "channel is required, and no channel driver is loaded" : `channel is required (loaded: ${ids.join(", ")})`,
  );
}

function unknownChannel(prefix: string, channel: string): TalonError {
  return new TalonError("TALON_CHANNEL_UNKNOWN", `${prefix}: ${channel}`, {
    hint: "load a driver for it (plugins.builtin or plugins.load) or pick a loaded channel",
  });
}

const looseObject = z.object({}).loose();

/** The method definitions, registered by the host under its own name. */
export function channelMethods(target: ChannelRpcTarget): MethodDefinition[] {
  const sendCache = new LruMap<string, { digest: string; payload: Promise<Record<string, unknown>> }>(RPC_CACHE_MAX);

  /** Run once per key: a repeat with the same content gets the same payload (even while in flight). */
  const once = async (key: string, contentDigest: string, method: string, work: () => Promise<Record<string, unknown>>) => {
    const hit = sendCache.get(key);
    if (hit) {
      if (hit.digest !== contentDigest) {
        throw new RpcError(
          "TALON_RPC_INVALID_REQUEST",
          `invalid ${method} params: idempotencyKey was already used for a different message; use a new key`,
        );
      }
      return hit.payload;
    }
    const payload = work();
    sendCache.set(key, { digest: contentDigest, payload });
    // A failed send is not cached: the caller may retry with the same key (sent chunks are not resent).
    payload.catch(() => {
      if (sendCache.peek(key)?.payload === payload) sendCache.delete(key);
    });
    return payload;
  };

  const status: MethodDefinition = {
    name: "channels.status",
    scope: "operator.read",
    description: "Loaded channel drivers and the runtime state of each account.",
    params: z
      .object({
        probe: z.boolean().optional(),
        timeoutMs: z.number().int().min(0).optional(),
        timeout_ms: z.number().int().min(0).optional(),
      })
      .loose(),
    handler(params: { probe?: boolean; timeoutMs?: number; timeout_ms?: number }) {
      const timeoutMs = Math.max(params.timeoutMs ?? params.timeout_ms ?? 10_000, 1_000);
      return buildChannelsStatus(target.drivers(), { probe: params.probe === true, timeoutMs });
    },
  };

  const accountParams = (method: string, params: Record<string, unknown>) => {
    const raw = text(params.channel, 64);
    const channel = target.directory.normalizeId(raw);
    if (!channel || !target.drivers().has(channel))
      throw new RpcError("TALON_RPC_INVALID_PARAMS", `invalid ${method} channel`, {
        details: { channel: raw ?? null, loaded: [...target.drivers().keys()] },
      });
    return target.account(channel, text(params.accountId ?? params.account_id, 64));
  };

  const logout: MethodDefinition = {
    name: "channels.logout",
    scope: "operator.admin",
    description: "Stop an account and forget its stored credentials.",
    params: looseObject,
    async handler(params: Record<string, unknown>) {
      const account = accountParams("channels.logout", params);
      const { cleared, supported } = await target.logout(account);
      return { channel: account.driverId, accountId: account.accountId, cleared, loggedOut: supported, supported };
    },
  };

  const lifecycle = (name: "channels.start" | "channels.stop"): MethodDefinition => ({
    name,
    scope: "operator.admin",
    description: name === "channels.start" ? "Start (or restart) an account." : "Stop an account.",
    params: looseObject,
    async handler(params: Record<string, unknown>) {
      const account = accountParams(name, params);
      if (name === "channels.start") {
        await target.stopAccount(account);
        await target.startAccount(account);
      } else {
        await target.stopAccount(account);
      }
      return {
        channel: account.driverId,
        accountId: account.accountId,
        running: account.snapshot.running,
        connected: account.snapshot.connected,
        lifecycle: account.snapshot.lifecycle,
      };
    },
  });

  const send: MethodDefinition = {
    name: "send",
    scope: "operator.write",
    description: "Deliver a message through a channel driver (chunked, paced, retried).",
    params: looseObject,
    async handler(params: Record<string, unknown>) {
      const { idempotencyKey, to } = addressOf("send", params);
      const message = typeof params.message === "string" ? params.message : undefined;
      if (message !== undefined && message.length > MAX_SEND_CHARS)
        throw invalid("send", `message has ${message.length} characters; the limit is ${MAX_SEND_CHARS}`);
      const media = [
        ...(Array.isArray(params.mediaUrls)
          ? params.mediaUrls.map((url) => text(url, 2048)).filter((url): url is string => url !== undefined)
          : []),
        ...(text(params.mediaUrl, 2048) ? [text(params.mediaUrl, 2048)!] : []),
      ];
      if ((message === undefined || message.trim() === "") && media.length === 0) throw invalid("send", "text or media is required");
      const given = text(params.channel, 64);
      const channel = target.directory.normalizeId(channelFor(target, "send", given))!;
      if (!target.drivers().has(channel)) throw unknownChannel("unsupported channel", given ?? channel);
      const accountId = text(params.accountId, 128);
      const threadId = text(params.threadId, 128);
      const replyTo = text(params.replyTo ?? params.replyToId, 256);
      const content = digest([channel, accountId ?? "", to, message ?? "", media, threadId ?? "", replyTo ?? ""]);
      return once(idempotencyKey, content, "send", async () => {
        const account = target.account(channel, accountId);
        const outbound: OutboundMessage = { channel, accountId: account.accountId, chatId: to, text: message ?? "", idempotencyKey };
        if (threadId) outbound.threadId = threadId;
        if (replyTo) outbound.replyTo = replyTo;
        if (media.length > 0) outbound.attachments = media.map((url) => ({ kind: "file" as const, url }));
        const receipt = await target.send(outbound);
        return {
          runId: idempotencyKey,
          messageId: receipt.messageIds[0] ?? null,
          messageIds: receipt.messageIds,
          channel,
          to,
          chunkCount: Math.max(1, receipt.chunks),
          accountId: account.accountId,
          ...(threadId ? { threadId } : {}),
          ...(receipt.cancelled ? { cancelled: true } : {}),
          ...(typeof params.sessionKey === "string" && params.sessionKey.trim() ? { sessionKey: params.sessionKey.trim() } : {}),
        };
      });
    },
  };

  const poll: MethodDefinition = {
    name: "poll",
    scope: "operator.write",
    description: "Send a poll through a channel driver that supports polls.",
    params: looseObject,
    async handler(params: Record<string, unknown>) {
      const { idempotencyKey, to } = addressOf("poll", params);
      const question = text(params.question, 2048);
      if (!question) throw invalid("poll", "question is required");
      const options = Array.isArray(params.options)
        ? params.options.map((option) => text(option, 1024)).filter((option): option is string => option !== undefined)
        : [];
      const given = text(params.channel, 64);
      const channel = target.directory.normalizeId(channelFor(target, "poll", given))!;
      if (!target.drivers().has(channel)) throw unknownChannel("unsupported poll channel", given ?? channel);
      const account = target.account(channel, text(params.accountId, 128));
      if (account.definition.capabilities.polls !== true) throw unknownChannel("unsupported poll channel", channel);
      const maxOptions = account.limits.pollOptions;
      if (options.length < 2 || options.length > maxOptions)
        throw invalid("poll", `options must contain between 2 and ${maxOptions} entries`);
      const maxSelections = typeof params.maxSelections === "number" ? params.maxSelections : undefined;
      if (maxSelections !== undefined && (!Number.isInteger(maxSelections) || maxSelections < 1 || maxSelections > maxOptions)) {
        throw invalid("poll", `maxSelections must be between 1 and ${maxOptions}`);
      }
      if (maxSelections !== undefined && maxSelections > options.length)
        throw invalid("poll", "maxSelections cannot exceed options length");
      const hours = typeof params.durationHours === "number" ? params.durationHours : undefined;
      if (hours !== undefined && !(hours >= 1)) throw invalid("poll", "durationHours must be >= 1");
      const seconds =
        typeof params.durationSeconds === "number" ? params.durationSeconds : hours !== undefined ? Math.round(hours * 3600) : undefined;
      if (seconds !== undefined && (!Number.isInteger(seconds) || seconds < 1 || seconds > 604_800))
        throw invalid("poll", "durationSeconds must be between 1 and 604800");
      const threadId = text(params.threadId, 128);
      const draft: PollDraft = { chatId: to, question, options };
      if (threadId) draft.threadId = threadId;
      if (maxSelections !== undefined) draft.maxSelections = maxSelections;
      if (seconds !== undefined) draft.durationSeconds = seconds;
      if (typeof params.isAnonymous === "boolean") draft.anonymous = params.isAnonymous;
      return once(`poll:${idempotencyKey}`, digest([channel, account.accountId, draft]), "poll", async () => {
        const sent = await target.poll(account, draft);
        return {
          runId: idempotencyKey,
          messageId: sent.messageId,
          channel,
          pollId: sent.pollId ?? sent.messageId,
          accountId: account.accountId,
          ...(threadId ? { threadId } : {}),
        };
      });
    },
  };

  return [status, logout, lifecycle("channels.start"), lifecycle("channels.stop"), send, poll];
}
