/**
 * A fake Telegram Bot API on 127.0.0.1 for the driver's tests and bench: the real paths
 * (`/bot<token>/<method>`, case-insensitive methods, GET or POST, query/JSON/form parameters,
 * `/file/bot<token>/<path>` downloads), the real answer and error shapes (401 Unauthorized for a
 * revoked token, 404 Not Found for a malformed one, 400 Bad Request texts, 409 conflicts, 429
 * with `parameters.retry_after` in seconds, 5xx), long-poll `getUpdates` and webhook delivery.
 *
 * Test controls (the SDK's FakePlatform contract plus Telegram's own): inject user messages and
 * raw updates, arm 429s, 5xx and a 502 HTML page, revoke the token, drop connections, take the
 * platform down, start a rival poller, and read what the bot sent, edited, deleted, reacted,
 * typed and which updates were delivered.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { FakeInbound, FakePlatform, InjectedMessage } from "@talon/sdk/testing";
import { MESSAGE_METHODS } from "./bot-api.ts";
import { ApiFailure, answer, fail, ok, readBody, readParams } from "./http.ts";
import { FAKE_BOT_USERNAME, FAKE_TOKEN, FakeState, type ChatState, type TgUpdate } from "./state.ts";
import { UpdateQueue, type Delivery } from "./updates.ts";

export { FAKE_BOT_ID, FAKE_BOT_USERNAME, FAKE_TOKEN } from "./state.ts";

const TOKEN_SHAPE = /^\d{1,20}:[A-Za-z0-9_-]{30,}$/;

export interface FakeTelegramOptions {
  /** `webhook`: driverConfig() sets webhook mode with a public URL the fake forwards to Talon. */
  mode?: "polling" | "webhook";
  /** Long-poll timeout the driver is configured with (seconds). */
  pollTimeoutSecs?: number;
}

export interface FakeTelegram extends FakePlatform {
  readonly state: FakeState;
  readonly updates: UpdateQueue;
  readonly apiRoot: string;
  /** A user sends a message; Telegram assigns the chat, sender and message ids. */
  inject(message: FakeInbound): Promise<InjectedMessage>;
  openChat(hint: string): Promise<string>;
  openThread(chatId: string, hint: string): Promise<string>;
  /** Call the fake's API directly (auth and error tests). */
  request(method: string, params?: Record<string, unknown>, token?: string): Promise<{ status: number; json: any }>;
  /** Queue a raw update (malformed ones, unknown kinds). */
  pushUpdate(payload: Record<string, unknown>): TgUpdate;
  /** A user sends a file (stored for getFile); returns the message's Talon id and the file id. */
  injectFile(
    message: FakeInbound,
    file: { name: string; mimeType: string; data: Buffer; kind?: "document" | "photo" },
  ): Promise<InjectedMessage & { fileId: string }>;
  /** Refuse the next `count` calls of `method` with 429 and `retryAfterSecs`. */
  rateLimitMethod(method: string, count: number, retryAfterSecs: number): void;
  /** The next `count` sends answer 502 with an HTML page (a proxy in front of the API failing). */
  badGatewayNext(count: number): void;
  revokeToken(): void;
  /** Take the platform down (every connection is dropped at once) or bring it back. */
  setDown(down: boolean): void;
  /** Another consumer polls the same token: the driver's poll in flight ends with 409. */
  rivalPoll(): Promise<number>;
  deliveries(): readonly Delivery[];
}

export function createFakeTelegram(options: FakeTelegramOptions = {}): FakeTelegram {
  const state = new FakeState();
  const updates = new UpdateQueue(state);
  let server: Server | undefined;
  let port = 0;
  let revoked = false;
  let down = false;
  let dropNextPoll = false;
  const sockets = new Set<Socket>();
  const limited = new Map<string, { count: number; secs: number }>();
  let failing = 0;
  let badGateway = 0;
  const injected = new Map<string, TgUpdate>();
  const mode = options.mode ?? "polling";

  const apiCall = async (request: IncomingMessage, response: ServerResponse, url: URL, token: string, rawMethod: string) => {
    if (!TOKEN_SHAPE.test(token)) return fail(response, new ApiFailure(404, "Not Found"));
    if (token !== FAKE_TOKEN || revoked) return fail(response, new ApiFailure(401, "Unauthorized"));
    const method = rawMethod.toLowerCase();
    const body = await readBody(request);
    state.calls.push(method);
    const params = readParams(request, url, body);
    if (method === "sendmessage") state.attempts.push(performance.now());
    const limit = limited.get(method);
    if (limit && limit.count > 0) {
      limit.count--;
      throw new ApiFailure(429, `Too Many Requests: retry after ${limit.secs}`, { retry_after: limit.secs });
    }
    if (method === "sendmessage" && badGateway > 0) {
      badGateway--;
      const page = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>";
      response.writeHead(502, { "content-type": "text/html", "content-length": Buffer.byteLength(page) });
      return response.end(page);
    }
    if (method === "sendmessage" && failing > 0) {
      failing--;
      throw new ApiFailure(500, "Internal Server Error");
    }
    if (method === "getupdates") {
      if (dropNextPoll) {
        dropNextPoll = false;
        return response.socket?.destroy();
      }
      return updates.getUpdates(params, response);
    }
    if (method === "setwebhook") return ok(response, updates.setWebhook(params));
    if (method === "deletewebhook") return ok(response, updates.deleteWebhook(params));
    if (method === "getwebhookinfo") return ok(response, updates.webhookInfo());
    const handler = MESSAGE_METHODS[method];
    if (!handler) return fail(response, new ApiFailure(404, "Not Found"));
    ok(response, handler(state, params));
  };

  const fileDownload = (response: ServerResponse, token: string, path: string) => {
    if (token !== FAKE_TOKEN || revoked) return fail(response, new ApiFailure(401, "Unauthorized"));
    const file = [...state.files.values()].find((candidate) => candidate.path === path);
    if (!file) return fail(response, new ApiFailure(404, "Not Found"));
    response.writeHead(200, { "content-type": "application/octet-stream", "content-length": file.data.length });
    response.end(file.data);
  };

  const route = async (request: IncomingMessage, response: ServerResponse) => {
    if (down) return request.socket.destroy();
    const url = new URL(request.url ?? "/", "http://fake");
    const api = /^\/bot([^/]*)\/([A-Za-z]+)$/.exec(url.pathname);
    const file = /^\/file\/bot([^/]*)\/(.+)$/.exec(url.pathname);
    try {
      if (api) await apiCall(request, response, url, decodeURIComponent(api[1]!), api[2]!);
      else if (file && request.method === "GET") fileDownload(response, decodeURIComponent(file[1]!), decodeURIComponent(file[2]!));
      else fail(response, new ApiFailure(404, "Not Found"));
    } catch (error) {
      if (error instanceof ApiFailure) fail(response, error);
      else answer(response, 500, { ok: false, error_code: 500, description: "Internal Server Error" });
    }
  };

  /** The message object and update for a user's message. */
  const userMessage = (message: FakeInbound, extra: Record<string, unknown> = {}) => {
    const user = state.userFor(message.senderId, message.senderName);
    let target: ChatState;
    if (message.chatType === "direct") target = state.privateChat(user);
    else target = state.groupChat(message.chatId, message.chatType === "channel" ? "channel" : "supergroup");
    const mention = message.mentionBot && message.chatType !== "direct" ? `@${FAKE_BOT_USERNAME}` : "";
    const text = mention ? `${mention} ${message.text}` : message.text;
    const messageId = target.nextMessageId++;
    const body: Record<string, unknown> = { message_id: messageId, date: Math.floor(Date.now() / 1000), chat: target.chat, ...extra };
    if (!("caption" in extra)) body.text = text;
    if (mention)
      body[extra.caption !== undefined ? "caption_entities" : "entities"] = [{ type: "mention", offset: 0, length: mention.length }];
    if (message.chatType === "channel") body.sender_chat = target.chat;
    else body.from = user;
    if (message.threadId) {
      const thread = Number(message.threadId);
      target.topics.add(thread);
      if (target.chat.type !== "private") target.chat.is_forum = true;
      Object.assign(body, { message_thread_id: thread, is_topic_message: true });
    }
    if (message.replyTo) {
      const replied = state.messages.get(message.replyTo);
      if (replied) body.reply_to_message = { ...replied.message, reply_to_message: undefined };
    }
    const key = state.key(target.chat.id, messageId);
    state.messages.set(key, { fromBot: false, text, message: body });
    const update = state.push({ [message.chatType === "channel" ? "channel_post" : "message"]: body });
    injected.set(key, update);
    updates.notify();
    const senderId = message.chatType === "channel" ? String(target.chat.id) : String(user.id);
    return { id: key, chatId: String(target.chat.id), senderId };
  };

  const fake: FakeTelegram = {
    state,
    updates,
    get apiRoot() {
      return `http://127.0.0.1:${port}`;
    },
    async start() {
      server = createServer((request, response) => void route(request, response));
      server.keepAliveTimeout = 60_000;
      server.on("connection", (socket) => {
        if (down) return socket.destroy();
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
      });
      await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
      port = (server.address() as AddressInfo).port;
    },
    async stop() {
      updates.stop();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    },
    driverConfig() {
      const base = { botToken: FAKE_TOKEN, apiRoot: `http://127.0.0.1:${port}`, pollTimeoutSecs: options.pollTimeoutSecs ?? 1 };
      return mode === "webhook"
        ? { ...base, mode: "webhook", webhookUrl: "https://talon.example.test/telegram/hook", webhookSecret: "fake-webhook-secret_0123" }
        : base;
    },
    attach({ httpUrl }) {
      updates.proxyTo = httpUrl;
      updates.notify();
    },
    async request(method, params = {}, token = FAKE_TOKEN) {
      const response = await fetch(`http://127.0.0.1:${port}/bot${token}/${method}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(params),
      });
      return { status: response.status, json: await response.json() };
    },
    async inject(message) {
      return userMessage(message);
    },
    async openChat(hint) {
      return String(state.privateChat(state.userFor(hint)).chat.id);
    },
    async openThread(chatId) {
      const target = state.chats.get(Number(chatId));
      if (!target) throw new Error(`no chat ${chatId}`);
      return String(state.openTopic(target));
    },
    async redeliver(id) {
      const update = injected.get(id);
      if (!update) throw new Error(`no injected message ${id}`);
      // Webhook: the same update POSTed again (a lost acknowledgement). Polling: the same message
      // queued again, as after a restart that lost its offset.
      if (mode === "webhook") await updates.deliverAgain(update);
      else {
        const { update_id: _id, ...payload } = update;
        state.push(payload);
        updates.notify();
      }
    },
    async injectOversized(chat, length) {
      return userMessage({ ...chat, text: "x".repeat(length) });
    },
    async injectFile(message, file) {
      const fileId = `BQAC${randomBytes(12).toString("base64url")}`;
      const path = `${file.kind === "photo" ? "photos" : "documents"}/file_${state.files.size}.${file.name.split(".").pop()}`;
      state.files.set(fileId, { fileId, uniqueId: randomBytes(6).toString("hex"), path, data: file.data });
      const media =
        file.kind === "photo"
          ? { photo: [{ file_id: fileId, file_unique_id: "p", width: 90, height: 90, file_size: file.data.length }] }
          : {
              document: {
                file_id: fileId,
                file_unique_id: "d",
                file_name: file.name,
                mime_type: file.mimeType,
                file_size: file.data.length,
              },
            };
      const landed = userMessage(message, { ...media, caption: message.text });
      return { ...landed, fileId };
    },
    pushUpdate(payload) {
      const update = state.push(payload);
      updates.notify();
      return update;
    },
    sent: () => state.sent,
    sendAttempts: () => state.attempts,
    rateLimitNext(count, retryAfterMs) {
      // Telegram's retry_after is whole seconds.
      limited.set("sendmessage", { count, secs: Math.max(1, Math.ceil(retryAfterMs / 1000)) });
    },
    rateLimitMethod(method, count, retryAfterSecs) {
      limited.set(method.toLowerCase(), { count, secs: retryAfterSecs });
    },
    failNext(count) {
      failing = count;
    },
    badGatewayNext(count) {
      badGateway = count;
    },
    revokeToken() {
      revoked = true;
    },
    setDown(value) {
      down = value;
      if (value) for (const socket of sockets) socket.destroy();
    },
    async rivalPoll() {
      const { status } = await fake.request("getUpdates", { timeout: 0 });
      return status;
    },
    async dropConnections() {
      if (!updates.dropPoll()) dropNextPoll = true;
    },
    openConnections: () => (updates.pendingPoll ? 1 : 0),
    edits: () => state.edits,
    deletions: () => state.deletions,
    reactions: () => state.reactions,
    typings: () => state.typings,
    deliveries: () => updates.deliveries,
  };
  if (mode === "webhook") {
    // No persistent connection to drop in webhook mode: the reconnect check does not apply.
    delete (fake as Partial<FakeTelegram>).dropConnections;
  }
  return fake;
}
