/**
 * discord: Talon's Discord channel driver. The Gateway v10 over WebSocket receives (HELLO,
 * jittered heartbeats with ACK tracking, IDENTIFY with guild, DM and message-content intents,
 * RESUME after a drop, op 7 and op 9 as Discord documents, close codes); REST v10 through
 * @discordjs/rest sends, edits, deletes, reacts, shows typing and creates polls, within Discord's
 * per-route and global rate limits. DMs, group DMs, guild channels and their threads; a reply
 * never pings anyone (`allowed_mentions`). Talon's core chunks (2000 characters, 17 lines),
 * paces, retries, dedupes, gates mentions and screens every message before anything acts on it.
 *
 *   [plugins.entries.discord.config]
 *   token = "..."            # or the DISCORD_BOT_TOKEN environment variable
 */
import { DriverValidationError, LruMap, defineChannelDriver, type InboundDraft, type MessageRef } from "@talon/sdk";
import type { APIChannel, APIMessage } from "discord-api-types/v10";
import { TOKEN_ENV, apiRoot, configSchema } from "./config.ts";
import {
  BASE_INTENTS,
  DRIVER_ID,
  GLOBAL_REQUESTS_PER_SECOND,
  LINES_PER_MESSAGE,
  MESSAGE_CONTENT_INTENT,
  POLL_MAX_ANSWERS,
  TEXT_MAX_CHARS,
  THREAD_TYPES,
} from "./constants.ts";
import { DiscordGateway } from "./gateway.ts";
import { InboundQueue } from "./inbound.ts";
import { toDraft, type GatewayMessage } from "./normalize.ts";
import { editBody, emojiSegment, messageBody, parseTarget, pollBody, segment } from "./outbound.ts";
import { Places } from "./places.ts";
import { DiscordRest } from "./rest.ts";

export { configSchema, type DiscordConfig } from "./config.ts";

/** Sent messages remembered with their channel, so edits and reactions reach a thread's message. */
const SENT_CHANNELS_MAX = 20_000;
/** DM channels opened for `user:<id>` targets. */
const DM_CHANNELS_MAX = 10_000;

export default defineChannelDriver({
  id: DRIVER_ID,
  version: "0.1.0",
  hostRange: "^0.1.0",
  meta: {
    label: "Discord",
    blurb: "Discord bots: Gateway v10 and REST v10, DMs, guild channels and threads.",
    docsPath: "drivers/discord/README.md",
    mode: "socket",
  },
  capabilities: {
    chatTypes: ["direct", "channel", "group"],
    threads: true,
    reactions: true,
    edit: true,
    delete: true,
    typing: true,
    polls: true,
  },
  limits: {
    text: TEXT_MAX_CHARS,
    lines: LINES_PER_MESSAGE,
    sendsPerSecond: GLOBAL_REQUESTS_PER_SECOND,
    burst: GLOBAL_REQUESTS_PER_SECOND,
    pollOptions: POLL_MAX_ANSWERS,
  },
  chatTypeAliases: { guild: "channel", guild_text: "channel", thread: "channel", group_dm: "group" },
  configSchema,
  env: { token: TOKEN_ENV },
  create(ctx) {
    const config = ctx.config;
    const token = config.token;
    const rest = new DiscordRest({
      api: apiRoot(config.apiBase),
      token,
      timeoutMs: config.requestTimeoutMs,
      waitMaxMs: config.rateLimitWaitMaxMs,
    });
    const places = new Places();
    const sentChannels = new LruMap<string, string>(SENT_CHANNELS_MAX);
    const dmChannels = new LruMap<string, string>(DM_CHANNELS_MAX);

    /** A thread's parent: known from the gateway, else asked once over REST; undefined for a plain channel. */
    const parentOf = async (message: GatewayMessage): Promise<string | undefined> => {
      const id = message.channel_id;
      const known = places.threadParent(id);
      if (known || !message.guild_id) return known;
      const type = message.channel_type;
      if (places.knows(id) || (type !== undefined && !THREAD_TYPES.has(type))) return undefined;
      try {
        places.learn(await rest.get<APIChannel>(`/channels/${segment(id)}`, ctx.signal));
      } catch (error) {
        ctx.log.warn({ channel: id, err: error }, "could not look up a Discord channel; treating it as a chat of its own");
        places.learn({ id, type: 0 });
      }
      return places.threadParent(id);
    };

    const queue = new InboundQueue({
      max: config.inboundQueueMax,
      log: ctx.log,
      receive: (draft) => ctx.receive(draft),
      async toDraft(message): Promise<InboundDraft | undefined> {
        const self = gateway.self;
        if (!self) throw new DriverValidationError(DRIVER_ID, "message before READY: the bot's own id is not known");
        const parent = await parentOf(message);
        return toDraft(message, self.id, parent ? { chatId: parent, threadId: message.channel_id } : { chatId: message.channel_id });
      },
    });

    const gateway = new DiscordGateway({
      token,
      intents: BASE_INTENTS | (config.messageContent ? MESSAGE_CONTENT_INTENT : 0),
      gatewayUrl: config.gatewayUrl,
      invalidSessionWaitMs: config.invalidSessionWaitMs,
      rest,
      queue,
      places,
      store: ctx.store,
      log: ctx.log,
      connectionLost: (error) => ctx.connectionLost(error),
    });

    /** The channel a chat id (and thread) names; `user:<id>` opens (once) the DM with that user. */
    const channelOf = async (chatId: string, threadId?: string): Promise<string> => {
      if (threadId) return threadId;
      const target = parseTarget(chatId);
      if (target.kind === "channel") return target.id;
      const known = dmChannels.get(target.id);
      if (known) return known;
      const dm = await rest.post<APIChannel>("/users/@me/channels", { recipient_id: target.id }, ctx.signal);
      dmChannels.set(target.id, dm.id);
      return dm.id;
    };
    /** Where a message lives: where the bot sent it, else what the ref says. */
    const messageChannel = async (ref: MessageRef) => sentChannels.get(ref.messageId) ?? (await channelOf(ref.chatId, ref.threadId));
    const messagePath = async (ref: MessageRef) =>
      `/channels/${segment(await messageChannel(ref))}/messages/${segment(ref.messageId)}` as const;

    return {
      async start() {
        rest.startSweeping();
        queue.start();
        await gateway.connect(ctx.signal);
      },
      async stop() {
        await gateway.disconnect(true);
        await queue.stop();
        rest.stopSweeping();
        await gateway.save();
      },
      async logout() {
        await gateway.disconnect(false);
        return { cleared: true };
      },
      async send(chunk) {
        const channel = await channelOf(chunk.chatId, chunk.threadId);
        const sent = await rest.post<APIMessage>(`/channels/${segment(channel)}/messages`, messageBody(chunk), ctx.signal);
        sentChannels.set(sent.id, channel);
        return { messageId: sent.id };
      },
      async edit(ref, text) {
        await rest.patch(await messagePath(ref), editBody(text), ctx.signal);
      },
      async delete(ref) {
        await rest.delete(await messagePath(ref), ctx.signal);
      },
      async react(ref, emoji) {
        await rest.put(`${await messagePath(ref)}/reactions/${emojiSegment(emoji)}/@me`, ctx.signal);
      },
      async typing(target) {
        await rest.post(`/channels/${segment(await channelOf(target.chatId, target.threadId))}/typing`, undefined, ctx.signal);
      },
      async poll(poll, operation) {
        const channel = await channelOf(poll.chatId, poll.threadId);
        const sent = await rest.post<APIMessage>(
          `/channels/${segment(channel)}/messages`,
          pollBody(poll, operation.idempotencyKey),
          ctx.signal,
        );
        sentChannels.set(sent.id, channel);
        return { messageId: sent.id, pollId: sent.id };
      },
      status() {
        return {
          bot: gateway.self ?? null,
          gateway: gateway.status(),
          inbound: {
            queued: queue.size,
            max: config.inboundQueueMax,
            admitted: queue.admitted,
            invalid: queue.invalid,
            retried: queue.retried,
            overflows: queue.overflows,
          },
          rest: rest.status(),
        };
      },
    };
  },
});
