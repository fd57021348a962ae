/**
 * telegram: a Telegram bot through the Bot API, by long polling (`getUpdates`) or webhook
 * (`setWebhook` with a secret token). grammY's `Api` makes the calls (its `apiRoot` points at
 * Telegram, a local Bot API server, a proxy or the test fake); the driver owns its polling loop so
 * offsets are confirmed only after Talon admitted a message. The core does the chunking (4096
 * characters), pacing, 429 retry_after, retries, dedupe, mention gating and the defender.
 */
import { randomBytes } from "node:crypto";
import {
  DriverAuthError,
  DriverNetworkError,
  DriverValidationError,
  defineChannelDriver,
  fetchBounded,
  type SentMessage,
} from "@talon/sdk";
import type { ReactionTypeEmoji } from "grammy/types";
import {
  apiSignal,
  chatIdOf,
  createClients,
  isNotModified,
  messageIdOf,
  parseMessageRef,
  threadIdOf,
  toDriverError,
  type TelegramClients,
} from "./api.ts";
import { apiRootOf, configSchema, isTokenShaped, resolveToken, resolveWebhookSecret, webhookPathOf } from "./config.ts";
import { ALLOWED_UPDATES, CAPTION_MAX_CHARS, CLOUD_FILE_MAX_BYTES, DRIVER_ID, REACTION_EMOJI, TEXT_MAX_CHARS } from "./constants.ts";
import { formatText } from "./format.ts";
import type { BotIdentity } from "./normalize.ts";
import { PollingLoop } from "./polling.ts";
import { createWebhookHandler } from "./webhook.ts";

export { configSchema, type TelegramConfig } from "./config.ts";

/** Largest webhook request accepted: one update, with room for long texts and their entities. */
const WEBHOOK_MAX_BODY = 256 * 1024;

export default defineChannelDriver({
  id: DRIVER_ID,
  version: "0.1.0",
  hostRange: "^0.1.0",
  meta: {
    label: "Telegram",
    detailLabel: "Telegram Bot API",
    blurb: "Telegram bots through the Bot API: long polling or webhook, groups, channels and forum topics.",
    docsPath: "drivers/telegram/README.md",
    mode: "polling",
  },
  capabilities: {
    chatTypes: ["direct", "group", "channel"],
    threads: true,
    reactions: true,
    edit: true,
    delete: true,
    typing: true,
  },
  // Bot FAQ: about 30 messages/s in bulk; a 429's retry_after pauses the account beyond that.
  limits: { text: TEXT_MAX_CHARS, caption: CAPTION_MAX_CHARS, sendsPerSecond: 30, burst: 30, mediaBytes: CLOUD_FILE_MAX_BYTES },
  aliases: ["tg", "grammy"],
  chatTypeAliases: { private: "direct", supergroup: "group" },
  configSchema,
  create(ctx) {
    const config = ctx.config;
    const token = resolveToken(config);
    const apiRoot = apiRootOf(config);
    const clients: TelegramClients = createClients(token, apiRoot, config.requestTimeoutMs, config.pollTimeoutSecs);
    const { api } = clients;
    const log = ctx.log;
    // ctx.signal belongs to the current run (a restart makes a new one): read it at each call.
    const signal = () => apiSignal(ctx.signal);
    let bot: BotIdentity | undefined;
    let loop: PollingLoop | undefined;
    let webhookSecret: string | undefined;

    const fail = (error: unknown, during: string) => toDriverError(error, token, during);
    const call = async <T>(during: string, run: () => Promise<T>): Promise<T> => {
      try {
        return await run();
      } catch (error) {
        throw fail(error, during);
      }
    };

    if (config.mode === "webhook") {
      ctx.registerHttpRoute({
        method: "POST",
        path: webhookPathOf(config, ctx.accountId),
        maxBodyBytes: WEBHOOK_MAX_BODY,
        handler: createWebhookHandler({
          log,
          current: () => (bot && webhookSecret ? { bot, secret: webhookSecret } : undefined),
          receive: (draft) => ctx.receive(draft),
        }),
      });
    }

    return {
      async start() {
        if (!isTokenShaped(token)) {
          throw new DriverAuthError(
            DRIVER_ID,
            `the bot token in ${config.botToken ? "botToken" : config.botTokenEnv} is not shaped like 123456789:AA...`,
          );
        }
        let me: { id: number; username?: string };
        try {
          me = await api.getMe(signal());
        } catch (error) {
          throw toDriverError(error, token, "getMe", true);
        }
        if (!me.username) throw new DriverAuthError(DRIVER_ID, "getMe returned no username: this token is not a bot's");
        bot = { id: me.id, username: me.username };
        if (config.mode === "webhook") {
          webhookSecret = resolveWebhookSecret(config) ?? randomBytes(32).toString("base64url");
          await call("setWebhook", () =>
            api.setWebhook(config.webhookUrl!, { secret_token: webhookSecret, allowed_updates: [...ALLOWED_UPDATES] }, signal()),
          );
          log.info({ bot: bot.username, path: webhookPathOf(config, ctx.accountId) }, "telegram webhook set");
          return;
        }
        // Polling and a webhook exclude each other: getUpdates answers 409 while one is set.
        await call("deleteWebhook", () => api.deleteWebhook({ drop_pending_updates: false }, signal()));
        loop = new PollingLoop({
          poller: clients.poller,
          token,
          store: ctx.store,
          bot,
          timeoutSecs: config.pollTimeoutSecs,
          limit: config.pollLimit,
          log,
          receive: (draft) => ctx.receive(draft),
          connectionLost: (error) => ctx.connectionLost(error),
        });
        await loop.start();
        log.info({ bot: bot.username }, "telegram polling started");
      },

      async stop() {
        // The webhook stays set: Telegram keeps updates and redelivers them after a restart.
        await loop?.stop();
        loop = undefined;
      },

      async send(chunk): Promise<SentMessage> {
        const chatId = chatIdOf(chunk.chatId);
        const { text, parse_mode } = formatText(chunk.text, config.parseMode);
        const thread = threadIdOf(chunk.threadId);
        const other: Record<string, unknown> = {};
        if (parse_mode) other.parse_mode = parse_mode;
        if (thread !== undefined) other.message_thread_id = thread;
        if (chunk.replyTo) {
          const ref = parseMessageRef(chunk.replyTo);
          other.reply_parameters = {
            message_id: ref.messageId,
            ...(ref.chatId !== undefined && ref.chatId !== String(chatId) ? { chat_id: chatIdOf(ref.chatId) } : {}),
            // A deleted original must not lose the answer.
            allow_sending_without_reply: true,
          };
        }
        const sent = await call("sendMessage", () => api.sendMessage(chatId, text, other, signal()));
        return { messageId: messageIdOf(sent.chat.id, sent.message_id) };
      },

      async edit(ref, text) {
        const target = messageOf(ref.chatId, ref.messageId);
        const formatted = formatText(text, config.parseMode);
        try {
          await api.editMessageText(
            target.chatId,
            target.messageId,
            formatted.text,
            formatted.parse_mode ? { parse_mode: formatted.parse_mode } : {},
            signal(),
          );
        } catch (error) {
          // Editing to the same text is what the caller wanted: done.
          if (!isNotModified(error)) throw fail(error, "editMessageText");
        }
      },

      async delete(ref) {
        const target = messageOf(ref.chatId, ref.messageId);
        await call("deleteMessage", () => api.deleteMessage(target.chatId, target.messageId, signal()));
      },

      async react(ref, emoji) {
        if (!REACTION_EMOJI.has(emoji)) {
          throw new DriverValidationError(
            DRIVER_ID,
            `Telegram bots can only react with its fixed emoji list (e.g. 👍 ❤ 🔥 👌); got ${emoji}`,
          );
        }
        const target = messageOf(ref.chatId, ref.messageId);
        const reaction = [{ type: "emoji", emoji } as ReactionTypeEmoji];
        await call("setMessageReaction", () => api.setMessageReaction(target.chatId, target.messageId, reaction, {}, signal()));
      },

      async typing(target) {
        const thread = threadIdOf(target.threadId);
        await call("sendChatAction", () =>
          api.sendChatAction(chatIdOf(target.chatId), "typing", thread === undefined ? {} : { message_thread_id: thread }, signal()),
        );
      },

      async fetchAttachment(ref, options) {
        const maxBytes = Math.min(options.maxBytes, config.maxFileBytes);
        const file = await call("getFile", () => api.getFile(ref.id, signal()));
        if (typeof file.file_size === "number" && file.file_size > maxBytes) {
          throw new DriverValidationError(DRIVER_ID, `the file has ${file.file_size} bytes; the limit is ${maxBytes}`);
        }
        if (!file.file_path) throw new DriverNetworkError(DRIVER_ID, "getFile returned no file_path; the file cannot be downloaded now");
        const path = file.file_path.split("/").map(encodeURIComponent).join("/");
        const content = await fetchBounded(DRIVER_ID, `${apiRoot}/file/bot${token}/${path}`, {
          maxBytes,
          timeoutMs: Math.max(config.requestTimeoutMs, 60_000),
          signal: ctx.signal,
          redact: [token],
        });
        const name = file.file_path.split("/").pop();
        return { ...content, ...(name ? { name } : {}) };
      },

      async logout() {
        // Stop Telegram pushing to this Talon; pending updates stay with Telegram for 24 h.
        if (config.mode !== "webhook") return { cleared: false };
        await call("deleteWebhook", () => api.deleteWebhook({ drop_pending_updates: false }, signal()));
        webhookSecret = undefined;
        return { cleared: true };
      },
    };

    /** The chat and Telegram message id of a reference (`<chat>:<message>` or a bare id with `chatId`). */
    function messageOf(chatId: string, messageId: string): { chatId: number | string; messageId: number } {
      const ref = parseMessageRef(messageId);
      return { chatId: chatIdOf(ref.chatId ?? chatId), messageId: ref.messageId };
    }
  },
});
