/**
 * A fake Slack on 127.0.0.1 for the Slack driver's tests and bench: the Web API (web-api.ts),
 * Socket Mode (socket.ts) and the Events API sender (events-sender.ts), sharing one workspace.
 * It speaks Slack's wire formats, checks tokens and signatures, and answers with Slack's error
 * shapes; the methods below are its test controls (the SDK's `FakePlatform` and more).
 *
 * Message ids are `<channel>:<ts>` as the driver names them (Slack's `ts` is unique per channel).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ChatType } from "@talon/sdk";
import type { FakeInbound, FakePlatform, FakeSent } from "@talon/sdk/testing";
import { FakeEventsSender, type PostResult, type SignOptions } from "./events-sender.ts";
import { FakeSocketMode, type Connection } from "./socket.ts";
import { handleWebApi, type ArmedAnswer, type WebApiState } from "./web-api.ts";

export const SLACK_BOT_TOKEN = "xoxb-1111-2222-faketoken";
export const SLACK_APP_TOKEN = "xapp-1-A0FAKE-3333-faketoken";
export const SLACK_SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
export const SLACK_BOT_USER = "UBOT0001";
export const SLACK_BOT_ID = "BBOT0001";
const TEAM_ID = "T0FAKE01";
const APP_ID = "A0FAKE01";

export interface FakeSlackOptions {
  mode?: "socket" | "http";
  /** Socket Mode: how long an envelope may wait for its acknowledgement (Slack: 3 s). */
  ackDeadlineMs?: number;
  /** Events API: delays before retries 1..3 (Slack: about 0 s, 1 min, 5 min). */
  httpRetryDelaysMs?: readonly number[];
  /** Channel messages that mention the bot also come as `app_mention`, as Slack sends them. */
  appMentions?: boolean;
}

export interface FakeSlack extends FakePlatform {
  readonly mode: "socket" | "http";
  readonly socket: FakeSocketMode;
  readonly events: FakeEventsSender;
  readonly state: WebApiState;
  /** A person posts; resolves with the message id (`<channel>:<ts>`) once the driver acknowledged it. */
  inject(message: FakeInbound & { ts?: string }): Promise<string>;
  /** Deliver an Events API body (an envelope or a signed POST); resolves when Slack may forget it. */
  deliver(payload: unknown): Promise<void>;
  /** An `event_callback` body around `event`. */
  callback(event: Record<string, unknown>, eventId?: string): Record<string, unknown>;
  /** POST one signed request to the driver (HTTP mode), with no retries. */
  post(payload: unknown, options?: SignOptions): Promise<PostResult>;
  /** Arm scripted answers: the next `count` calls of `method` (`*` = every write method) answer this. */
  answerNext(answer: ArmedAnswer): void;
  /** Refuse the bot token from now on (`token_revoked`), or accept it again. */
  revoke(revoked: boolean): void;
  sendAttempts(): number[];
  rateLimitNext(count: number, retryAfterMs: number): void;
  failNext(count: number): void;
  echoLastSent(): Promise<void>;
  /** Socket Mode only (HTTP mode has no connection to drop). */
  dropConnections?(): Promise<void>;
  openConnections?(): number;
  edits(): { messageId: string; text: string }[];
  deletions(): string[];
  reactions(): { messageId: string; emoji: string }[];
  /** Send a `disconnect` with `reason` to the oldest open socket. */
  disconnect(reason: string): Connection | undefined;
}

const SLACK_CHANNEL_TYPES: Record<ChatType, string> = { direct: "im", group: "mpim", channel: "channel" };

export function createFakeSlack(options: FakeSlackOptions = {}): FakeSlack {
  const mode = options.mode ?? "socket";
  let server: Server | undefined;
  let port = 0;
  let seconds = Math.floor(Date.now() / 1000);
  let counter = 0;
  let eventCounter = 0;
  const delivered = new Map<string, Record<string, unknown>>();
  const socket = new FakeSocketMode(APP_ID, options.ackDeadlineMs ?? 3_000);
  const events = new FakeEventsSender(SLACK_SIGNING_SECRET, options.httpRetryDelaysMs ?? [0, 1_000, 5_000]);

  const callback = (event: Record<string, unknown>, eventId = `Ev${(++eventCounter).toString().padStart(8, "0")}`) => ({
    token: "verification-token-unused",
    team_id: TEAM_ID,
    api_app_id: APP_ID,
    event,
    type: "event_callback",
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ enterprise_id: null, team_id: TEAM_ID, user_id: SLACK_BOT_USER, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
    event_context: `4-fake-${eventId}`,
  });

  const deliver = async (payload: unknown): Promise<void> => {
    if (mode === "socket") return socket.deliver(payload);
    const result = await events.deliver(payload);
    if (result.status !== 200) throw new Error(`the Request URL answered ${result.status}: ${JSON.stringify(result.json)}`);
  };

  const state: WebApiState = {
    botToken: SLACK_BOT_TOKEN,
    appToken: SLACK_APP_TOKEN,
    identity: { userId: SLACK_BOT_USER, botId: SLACK_BOT_ID, teamId: TEAM_ID, team: "Fake Workspace", appId: APP_ID },
    revoked: false,
    unknownChannels: new Set(),
    armed: [],
    attempts: [],
    calls: [],
    sent: [],
    edits: [],
    deletions: [],
    reactions: [],
    messages: new Map(),
    nextTs() {
      const now = Math.floor(Date.now() / 1000);
      if (now > seconds) seconds = now;
      return `${seconds}.${String(++counter % 1_000_000).padStart(6, "0")}`;
    },
    issueSocketUrl: () => socket.issueUrl(port),
    echo(message) {
      const event = {
        type: "message",
        channel: message.channel,
        channel_type: "channel",
        user: SLACK_BOT_USER,
        bot_id: SLACK_BOT_ID,
        app_id: APP_ID,
        text: message.text,
        ts: message.ts,
        event_ts: message.ts,
        ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
      };
      deliver(callback(event)).catch(() => {});
    },
  };

  /** A person's message as Slack's `message` event (and `app_mention` when it mentions the bot). */
  const post = async (message: FakeInbound & { ts?: string }): Promise<string> => {
    const ts = message.ts ?? state.nextTs();
    const channel = message.chatId;
    const text = message.mentionBot && message.chatType !== "direct" ? `<@${SLACK_BOT_USER}> ${message.text}` : message.text;
    const thread = message.threadId ?? (message.replyTo ? message.replyTo.slice(message.replyTo.lastIndexOf(":") + 1) : undefined);
    const event: Record<string, unknown> = {
      type: "message",
      channel,
      channel_type: SLACK_CHANNEL_TYPES[message.chatType],
      user: message.senderId,
      text,
      ts,
      event_ts: ts,
      client_msg_id: `cm-${ts}`,
      team: TEAM_ID,
      ...(thread ? { thread_ts: thread, parent_user_id: "UPARENT" } : {}),
      ...(message.senderName ? { user_profile: { display_name: message.senderName, real_name: message.senderName } } : {}),
    };
    state.messages.set(`${channel}:${ts}`, { channel, ts, text, byBot: false, ...(thread ? { threadTs: thread } : {}) });
    const id = `${channel}:${ts}`;
    const body = callback(event);
    delivered.set(id, body);
    const deliveries = [deliver(body)];
    if (options.appMentions !== false && message.mentionBot && message.chatType !== "direct") {
      const { channel_type: _type, client_msg_id: _client, ...mention } = event;
      deliveries.push(deliver(callback({ ...mention, type: "app_mention" })));
    }
    await Promise.all(deliveries);
    return id;
  };

  const fake: FakeSlack = {
    mode,
    socket,
    events,
    state,
    callback,
    deliver,
    async start() {
      server = createServer((request, response) => {
        const url = new URL(request.url ?? "/", "http://fake");
        const method = /^\/api\/([A-Za-z.]+)$/.exec(url.pathname)?.[1];
        if (request.method !== "POST" || !method) {
          response.writeHead(404, { "content-type": "application/json" });
          response.end(JSON.stringify({ ok: false, error: "unknown_method" }));
          return;
        }
        handleWebApi(state, method, request, response).catch((error) => {
          response.writeHead(500);
          response.end(String(error));
        });
      });
      server.on("upgrade", (request, duplex, head) => socket.upgrade(request, duplex, head));
      await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
      port = (server.address() as AddressInfo).port;
    },
    async stop() {
      socket.close();
      server?.closeAllConnections();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    },
    driverConfig: () => ({
      mode,
      botToken: SLACK_BOT_TOKEN,
      ...(mode === "socket" ? { appToken: SLACK_APP_TOKEN } : { signingSecret: SLACK_SIGNING_SECRET }),
      apiBase: `http://127.0.0.1:${port}/api/`,
      socket: { pingIntervalMs: 1_000, helloTimeoutMs: 2_000, refreshGraceMs: 200 },
    }),
    attach(talon) {
      events.url = `${talon.httpUrl}/channels/slack/${talon.accountId}`;
    },
    inject: (message) => post(message),
    async redeliver(id) {
      const body = delivered.get(id);
      if (!body) throw new Error(`nothing delivered with id ${id}`);
      if (mode === "socket") await socket.deliver(body, 1, "timeout");
      else {
        const result = await events.post(body, { headers: { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" } });
        if (result.status !== 200) throw new Error(`the redelivery answered ${result.status}`);
      }
    },
    async injectOversized(chat, length) {
      return post({ ...chat, text: "x".repeat(length) });
    },
    post: (payload, signing) => events.post(payload, signing),
    answerNext(answer) {
      state.armed.push({ ...answer });
    },
    revoke(revoked) {
      state.revoked = revoked;
    },
    sent: (): FakeSent[] => state.sent,
    sendAttempts: () => state.attempts,
    rateLimitNext(count, retryAfterMs) {
      // Slack's Retry-After is whole seconds.
      const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
      fake.answerNext({
        method: "*",
        count,
        status: 429,
        body: { ok: false, error: "ratelimited" },
        headers: { "retry-after": String(seconds) },
      });
    },
    failNext(count) {
      state.armed = state.armed.filter((entry) => entry.status !== 500);
      if (count > 0) fake.answerNext({ method: "*", count, status: 500, body: { ok: false, error: "internal_error" } });
    },
    async echoLastSent() {
      const last = state.sent.at(-1);
      if (!last) throw new Error("nothing sent yet");
      const ts = last.messageId.slice(last.messageId.lastIndexOf(":") + 1);
      await deliver(
        callback({
          type: "message",
          channel: last.chatId,
          channel_type: "channel",
          user: SLACK_BOT_USER,
          bot_id: SLACK_BOT_ID,
          text: last.text,
          ts,
          event_ts: ts,
        }),
      );
    },
    async dropConnections() {
      socket.drop();
    },
    openConnections: () => socket.open().length,
    edits: () => state.edits,
    deletions: () => state.deletions,
    reactions: () => state.reactions,
    disconnect: (reason) => socket.disconnect(reason),
  };
  if (mode === "http") {
    // Events API: Slack connects to Talon, so there is no connection of the driver's to drop.
    delete fake.dropConnections;
    delete fake.openConnections;
  }
  return fake;
}
