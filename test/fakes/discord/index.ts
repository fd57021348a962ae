/**
 * A faithful fake of Discord on 127.0.0.1 for driver tests and benches: REST v10 under `/api/v10`
 * and the Gateway on `/gateway` (its `resume_gateway_url` is `/resume`), on one port. The driver
 * under test cannot tell it from Discord: same routes, objects, headers, error bodies, opcodes and
 * close codes. Test controls (the FakePlatform contract of @talon/sdk/testing, plus Discord's own):
 * inject user messages, redeliver, arm 429s (per route or global) and 500s, drop or close
 * connections, op 7 / op 9 / op 1 on demand, stop ACKing heartbeats, revoke the token, go down,
 * and read every send, edit, deletion, reaction, typing indicator, poll and gateway connection.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { APIMessage } from "discord-api-types/v10";
import type { FakeInbound, FakePlatform, FakeSent } from "@talon/sdk/testing";
import { FakeRateLimits, tooManyRequests } from "./buckets.ts";
import { FakeGateway, INTENT, type ConnectionRecord } from "./gateway.ts";
import { FakeRest, type Answer } from "./rest.ts";
import { BOT_USER, CHANNEL, FAKE_BOT_ID, FAKE_DISCORD_TOKEN, FAKE_GUILD_ID, FakeWorld, userOf, type FakeChannel } from "./state.ts";

export { FAKE_BOT_ID, FAKE_DISCORD_TOKEN, FAKE_GUILD_ID, INTENT, type ConnectionRecord };

export interface FakeDiscordOptions {
  /** HELLO's heartbeat interval (Discord: about 41,250 ms). */
  heartbeatIntervalMs?: number;
  /** Close a client whose heartbeat is later than this many intervals (0: never). */
  heartbeatTolerance?: number;
  /** Privileged intents enabled for the application (default: MESSAGE_CONTENT). */
  privilegedIntents?: number;
  /** Per-route bucket (default 50 per second, so tests are not slowed; Discord's message route is 5 per 5 s). */
  bucketLimit?: number;
  bucketWindowMs?: number;
  globalPerSecond?: number;
}

export interface FakeMessageOptions {
  /** Attachments on the message (Discord attachment objects, partial). */
  attachments?: { filename: string; url: string; size?: number; content_type?: string }[];
  /** Extra users mentioned (ids); they appear in `mentions` and as `<@id>` in the content. */
  mentionUsers?: string[];
  /** Put the bot's mention in the legacy nickname form `<@!id>`. */
  legacyMention?: boolean;
  /** Skip the `channel_type` extra (older payloads lack it). */
  omitChannelType?: boolean;
  /** Create the thread without a THREAD_CREATE dispatch (a thread the bot never heard of). */
  silentThread?: boolean;
  /** Embeds on the message (a webhook or another bot writes these). */
  embeds?: { title?: string; description?: string; fields?: { name: string; value: string }[] }[];
}

export interface FakeDiscord extends FakePlatform {
  readonly port: number;
  readonly apiBase: string;
  readonly gatewayUrl: string;
  /** Every gateway connection so far, oldest first. */
  connections(): ConnectionRecord[];
  sessions(): { id: string; seq: number; connected: boolean }[];
  /** Messages the bot created, as Discord stored them (mentions, allowed pings, nonce). */
  created(): (APIMessage & { guild_id?: string })[];
  /** A user sends a message; resolves with its message id. */
  inject(message: FakeInbound): Promise<string>;
  // The optional controls of FakePlatform, all present here.
  openChat(hint: string): Promise<string>;
  sendAttempts(): number[];
  rateLimitNext(count: number, retryAfterMs: number): void;
  failNext(count: number): void;
  echoLastSent(): Promise<void>;
  dropConnections(): Promise<void>;
  openConnections(): number;
  edits(): { messageId: string; text: string }[];
  deletions(): string[];
  reactions(): { messageId: string; emoji: string }[];
  typings(): { chatId: string; threadId?: string }[];
  polls(): { chatId: string; question: string; options: string[] }[];
  /** A user message with Discord-only options. */
  injectWith(message: FakeInbound, options: FakeMessageOptions): Promise<string>;
  /** Send a raw text frame on every gateway connection (bad input). */
  sendRawFrame(text: string): void;
  /** Dispatch any event to every session whose intents include `intent`. */
  dispatchRaw(t: string, d: unknown, intent?: number): void;
  /** Op 7 to every client (and close after `graceMs`). */
  requestReconnect(graceMs?: number): void;
  /** Op 9 with `d = resumable`. */
  invalidateSessions(resumable: boolean): void;
  /** Op 1: ask for a heartbeat now. */
  requestHeartbeat(): void;
  /** Close every gateway connection with this code. */
  closeConnections(code: number, reason?: string): void;
  /** Stop (or resume) answering heartbeats with op 11. */
  setAckHeartbeats(ack: boolean): void;
  /** End every session (Discord forgot them): a RESUME is answered with op 9, d = false. */
  endSessions(): void;
  /** The token is reset: REST answers 401 and identify/resume close with 4004. */
  revokeToken(): void;
  /** Discord is down: REST answers 502, the gateway refuses connections. */
  setDown(down: boolean): void;
  /** Which privileged intents the application has enabled. */
  setPrivilegedIntents(bits: number): void;
  /** Identifies left today (session_start_limit.remaining). */
  setIdentifyBudget(remaining: number): void;
  /** Arm 429s for the next `count` sends, optionally global. */
  rateLimitNextWith(count: number, retryAfterMs: number, options: { global?: boolean }): void;
  /** Channels the test deleted answer 404 Unknown Channel. */
  deleteChannel(id: string): void;
  /** Delete every message of the world (a long bench keeps memory flat). */
  forgetMessages(): void;
}

export function createFakeDiscord(options: FakeDiscordOptions = {}): FakeDiscord {
  const world = new FakeWorld();
  let server: Server | undefined;
  let port = 0;
  let token = FAKE_DISCORD_TOKEN;
  let down = false;
  let identifyBudget = 999;
  let privilegedIntents = options.privilegedIntents ?? INTENT.MESSAGE_CONTENT;
  const armed: { kind: "429"; count: number; retryAfterMs: number; global: boolean } = {
    kind: "429",
    count: 0,
    retryAfterMs: 0,
    global: false,
  };
  let failing = 0;
  const sent: FakeSent[] = [];
  const created: (APIMessage & { guild_id?: string })[] = [];
  const attempts: number[] = [];
  const edits: { messageId: string; text: string }[] = [];
  const deletions: string[] = [];
  const reactions: { messageId: string; emoji: string }[] = [];
  const typings: { chatId: string; threadId?: string }[] = [];
  const polls: { chatId: string; question: string; options: string[] }[] = [];
  const userMessages = new Map<string, { event: Record<string, unknown>; intent: number }>();
  const limits = new FakeRateLimits({
    bucketLimit: options.bucketLimit ?? 50,
    bucketWindowMs: options.bucketWindowMs ?? 1_000,
    globalPerSecond: options.globalPerSecond ?? 50,
  });

  const wsUrl = (kind: "gateway" | "resume") => `ws://127.0.0.1:${port}/${kind}`;
  const gateway = new FakeGateway(world, {
    token: () => token,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
    heartbeatTolerance: options.heartbeatTolerance ?? 2,
    get privilegedIntents() {
      return privilegedIntents;
    },
    identifyBudget: () => identifyBudget,
    spendIdentify: () => void identifyBudget--,
    url: wsUrl,
  });

  /** Where a message landed for tests: a thread's parent is the chat, the thread its thread. */
  const placeOf = (channel: FakeChannel) =>
    channel.type === CHANNEL.PUBLIC_THREAD ? { chatId: channel.parent_id!, threadId: channel.id } : { chatId: channel.id };
  const messageIntent = (event: { guild_id?: unknown }) => (event.guild_id ? INTENT.GUILD_MESSAGES : INTENT.DIRECT_MESSAGES);
  /** Without MESSAGE_CONTENT, guild messages that do not mention the bot arrive empty (Discord's rule). */
  const withoutContent = (intents: number, d: any) => {
    if ((intents & INTENT.MESSAGE_CONTENT) !== 0 || !d.guild_id || d.author?.id === FAKE_BOT_ID) return d;
    if (Array.isArray(d.mentions) && d.mentions.some((user: { id: string }) => user.id === FAKE_BOT_ID)) return d;
    return { ...d, content: "", embeds: [], attachments: [], components: [] };
  };
  const dispatchMessage = (t: string, event: Record<string, unknown>) => gateway.dispatch(t, event, messageIntent(event), withoutContent);

  const rest = new FakeRest(
    world,
    {
      token: () => token,
      gatewayUrl: () => wsUrl("gateway"),
      identifyBudget: () => identifyBudget,
      down: () => down,
      attempt: () => void attempts.push(performance.now()),
      armedFailure(): Answer | undefined {
        if (armed.count > 0) {
          armed.count--;
          const headers = {
            "x-ratelimit-limit": "5",
            "x-ratelimit-remaining": "0",
            "x-ratelimit-reset": ((Date.now() + armed.retryAfterMs) / 1000).toFixed(3),
            "x-ratelimit-reset-after": (armed.retryAfterMs / 1000).toFixed(3),
            "x-ratelimit-bucket": FakeRateLimits.hashOf("POST /channels/{id}/messages"),
          };
          return tooManyRequests(
            { retryAfterMs: armed.retryAfterMs, global: armed.global, scope: armed.global ? "global" : "user" },
            headers,
          );
        }
        if (failing > 0) {
          failing--;
          return { status: 500, body: { message: "500: Internal Server Error", code: 0 } };
        }
        return undefined;
      },
      created(message, channel, poll) {
        created.push(message);
        const record: FakeSent = { messageId: message.id, text: message.content, ...placeOf(channel) };
        if (message.message_reference?.message_id) record.replyTo = message.message_reference.message_id;
        if (poll) polls.push({ chatId: channel.id, ...poll });
        else sent.push(record);
        // The bot's own message comes back on the gateway, as on Discord.
        dispatchMessage("MESSAGE_CREATE", { ...message, ...channelExtras(channel) });
      },
      edited(message) {
        edits.push({ messageId: message.id, text: message.content });
        dispatchMessage("MESSAGE_UPDATE", { ...message });
      },
      deleted(message) {
        deletions.push(message.id);
        dispatchMessage("MESSAGE_DELETE", {
          id: message.id,
          channel_id: message.channel_id,
          ...(message.guild_id ? { guild_id: message.guild_id } : {}),
        });
      },
      reacted(messageId, emoji) {
        reactions.push({ messageId, emoji });
      },
      typed(channel) {
        typings.push(
          channel.type === CHANNEL.PUBLIC_THREAD ? { chatId: channel.parent_id!, threadId: channel.id } : { chatId: channel.id },
        );
      },
    },
    limits,
  );

  const channelExtras = (channel: FakeChannel) =>
    channel.guild_id ? { guild_id: channel.guild_id, channel_type: channel.type } : { channel_type: channel.type };

  /** The channel a user message goes to, created as the chat type says. */
  const channelFor = (message: FakeInbound, silentThread = false): FakeChannel => {
    if (message.chatType === "direct")
      return world.ensure(message.chatId, { type: CHANNEL.DM, recipients: [userOf(message.senderId, message.senderName)] });
    if (message.chatType === "group")
      return world.ensure(message.chatId, { type: CHANNEL.GROUP_DM, recipients: [userOf(message.senderId, message.senderName)] });
    const parent = world.ensure(message.chatId, { type: CHANNEL.GUILD_TEXT, guild_id: FAKE_GUILD_ID, name: message.chatId });
    if (!message.threadId) return parent;
    const known = world.channels.get(message.threadId);
    if (known?.type === CHANNEL.PUBLIC_THREAD && known.parent_id === parent.id) return known;
    const thread = world.ensure(message.threadId, {
      type: CHANNEL.PUBLIC_THREAD,
      guild_id: FAKE_GUILD_ID,
      parent_id: parent.id,
      name: message.threadId,
    });
    if (!silentThread) gateway.dispatch("THREAD_CREATE", { ...world.apiChannel(thread), newly_created: true }, INTENT.GUILDS);
    return thread;
  };

  const injectWith = async (message: FakeInbound, extra: FakeMessageOptions = {}): Promise<string> => {
    const channel = channelFor(message, extra.silentThread);
    const author = userOf(message.senderId, message.senderName);
    const mentioned = [...(message.mentionBot ? [BOT_USER] : []), ...(extra.mentionUsers ?? []).map((id) => userOf(id))];
    const prefix = mentioned.map((user) => (user.id === FAKE_BOT_ID && extra.legacyMention ? `<@!${user.id}>` : `<@${user.id}>`)).join(" ");
    const referenced = message.replyTo ? world.messages.get(message.replyTo) : undefined;
    const id = world.snowflake();
    const member = channel.guild_id
      ? { roles: [], joined_at: new Date().toISOString(), nick: null, deaf: false, mute: false, flags: 0 }
      : undefined;
    const event: Record<string, unknown> = {
      id,
      channel_id: channel.id,
      author,
      content: prefix ? `${prefix} ${message.text}` : message.text,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: mentioned.map((user) => (member ? { ...user, member } : user)),
      mention_roles: [],
      attachments: (extra.attachments ?? []).map((file) => ({ id: world.snowflake(), size: 0, proxy_url: file.url, ...file })),
      embeds: extra.embeds ?? [],
      pinned: false,
      type: message.replyTo ? 19 : 0,
      ...(channel.guild_id ? { guild_id: channel.guild_id, member } : {}),
      ...(extra.omitChannelType ? {} : { channel_type: channel.type }),
      ...(message.replyTo
        ? { message_reference: { type: 0, message_id: message.replyTo, channel_id: channel.id }, referenced_message: referenced ?? null }
        : {}),
    };
    world.messages.set(id, event as unknown as APIMessage);
    userMessages.set(id, { event, intent: messageIntent(event) });
    dispatchMessage("MESSAGE_CREATE", event);
    return id;
  };

  const fake: FakeDiscord = {
    get port() {
      return port;
    },
    get apiBase() {
      return `http://127.0.0.1:${port}/api`;
    },
    get gatewayUrl() {
      return wsUrl("gateway");
    },
    async start() {
      server = createServer((request, response) => rest.handle(request, response));
      server.on("upgrade", (request, socket, head) => gateway.handleUpgrade(request, socket, head));
      await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
      port = (server.address() as AddressInfo).port;
    },
    async stop() {
      await gateway.close();
      server?.closeAllConnections();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    },
    driverConfig: () => ({ token: FAKE_DISCORD_TOKEN, apiBase: `http://127.0.0.1:${port}/api` }),
    inject: (message) => injectWith(message),
    injectWith,
    async openChat(hint) {
      const channel = world.ensure(world.snowflake(), { type: CHANNEL.GUILD_TEXT, guild_id: FAKE_GUILD_ID, name: hint });
      gateway.dispatch("CHANNEL_CREATE", world.apiChannel(channel), INTENT.GUILDS);
      return channel.id;
    },
    async redeliver(id) {
      const known = userMessages.get(id);
      if (!known) throw new Error(`no user message ${id}`);
      dispatchMessage("MESSAGE_CREATE", known.event);
    },
    async injectOversized(chat, length) {
      return injectWith({ ...chat, text: "x".repeat(length) });
    },
    async echoLastSent() {
      const last = created.at(-1);
      if (!last) throw new Error("nothing sent yet");
      const channel = world.channel(last.channel_id);
      dispatchMessage("MESSAGE_CREATE", { ...last, ...(channel ? channelExtras(channel) : {}) });
    },
    async dropConnections() {
      gateway.drop();
    },
    openConnections: () => gateway.openConnections,
    sent: () => sent,
    sendAttempts: () => attempts,
    rateLimitNext(count, retryAfterMs) {
      Object.assign(armed, { count, retryAfterMs, global: false });
    },
    rateLimitNextWith(count, retryAfterMs, { global = false }) {
      Object.assign(armed, { count, retryAfterMs, global });
    },
    failNext(count) {
      failing = count;
    },
    edits: () => edits,
    deletions: () => deletions,
    reactions: () => reactions,
    typings: () => typings,
    polls: () => polls,
    connections: () => gateway.records,
    sessions: () => gateway.sessions(),
    created: () => created,
    dispatchRaw: (t, d, intent = INTENT.GUILDS) => gateway.dispatch(t, d, intent),
    sendRawFrame: (text) => gateway.sendRaw(text),
    requestReconnect: (graceMs) => gateway.requestReconnect(graceMs),
    invalidateSessions: (resumable) => gateway.invalidateSessions(resumable),
    requestHeartbeat: () => gateway.requestHeartbeat(),
    closeConnections: (code, reason) => gateway.closeAll(code, reason),
    setAckHeartbeats(ack) {
      gateway.ackHeartbeats = ack;
    },
    endSessions: () => gateway.forgetSessions(),
    revokeToken() {
      token = `${FAKE_DISCORD_TOKEN}.revoked`;
      gateway.forgetSessions();
      gateway.closeAll(4004, "Authentication failed.");
    },
    setDown(value) {
      down = value;
      gateway.refuseConnections = value;
      if (value) gateway.drop();
    },
    setPrivilegedIntents(bits) {
      privilegedIntents = bits;
    },
    setIdentifyBudget(remaining) {
      identifyBudget = remaining;
    },
    deleteChannel(id) {
      world.deleted.add(id);
    },
    forgetMessages() {
      world.messages.clear();
      userMessages.clear();
      created.length = 0;
      sent.length = 0;
    },
  };
  return fake;
}
