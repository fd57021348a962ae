/**
 * A small, faithful Matrix homeserver for driver tests: the client-server API routes a bot uses
 * (v3 `whoami`, `sync` long-polling with `since`/`next_batch`, `PUT .../send/{type}/{txnId}`
 * idempotent per transaction id, `redact`, `typing`), bearer-token auth answered like Synapse
 * (401 `M_UNKNOWN_TOKEN`), rate limits as 429 `M_LIMIT_EXCEEDED` with `retry_after_ms` and
 * `Retry-After`, `m.direct` account data for direct rooms, intentional mentions (`m.mentions`),
 * and the bot's own events coming back in its sync, as on a real server.
 *
 * Test controls (the FakePlatform contract): inject user messages, redeliver, arm 429s and 500s,
 * drop in-flight syncs, and read what the bot sent, edited, redacted, reacted and typed.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { FakeInbound, FakePlatform, FakeSent } from "@talon/sdk/testing";

export const MATRIX_TOKEN = "syt_bot_access_token_0123";
export const MATRIX_BOT = "@talon:fake.local";

interface RoomEvent {
  type: string;
  event_id: string;
  sender: string;
  room_id: string;
  origin_server_ts: number;
  content: Record<string, unknown>;
}

interface Positioned {
  position: number;
  event: RoomEvent;
}

interface PendingSync {
  since: number;
  respond(): void;
  response: ServerResponse;
}

export interface FakeMatrix extends FakePlatform {
  /** Raw request to the server, for auth and error tests. */
  request(method: string, path: string, options?: { token?: string; body?: unknown }): Promise<{ status: number; json: any }>;
  /** Sync requests answered so far. */
  readonly syncs: number;
}

export function createFakeMatrix(): FakeMatrix {
  let server: Server | undefined;
  let port = 0;
  const timeline: Positioned[] = [];
  let position = 0;
  let eventSeq = 0;
  const directRooms = new Map<string, string[]>(); // bot's m.direct: user → rooms
  const pending = new Set<PendingSync>();
  const transactions = new Map<string, string>(); // txnId → event_id
  const sent: FakeSent[] = [];
  const attempts: number[] = [];
  const edits: { messageId: string; text: string }[] = [];
  const deletions: string[] = [];
  const reactions: { messageId: string; emoji: string }[] = [];
  const typings: { chatId: string }[] = [];
  const injected = new Map<string, RoomEvent>();
  let rateLimited = { count: 0, retryAfterMs: 0 };
  let failing = 0;
  let syncs = 0;
  let dropNextSync = false;

  const append = (event: RoomEvent) => {
    timeline.push({ position: ++position, event });
    for (const waiter of [...pending]) waiter.respond();
  };

  const json = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    if (response.writableEnded || response.destroyed) return;
    const text = JSON.stringify(body);
    response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
    response.end(text);
  };

  const syncBody = (since: number) => {
    const join: Record<string, { timeline: { events: RoomEvent[]; limited: boolean } }> = {};
    for (const { position: at, event } of timeline) {
      if (at <= since) continue;
      (join[event.room_id] ??= { timeline: { events: [], limited: false } }).timeline.events.push(event);
    }
    return {
      next_batch: `s${position}`,
      account_data: { events: [{ type: "m.direct", content: Object.fromEntries(directRooms) }] },
      rooms: { join },
    };
  };

  const handleSync = (url: URL, response: ServerResponse) => {
    if (dropNextSync) {
      dropNextSync = false;
      response.socket?.destroy();
      return;
    }
    const sinceParam = url.searchParams.get("since");
    const since = sinceParam ? Number(sinceParam.slice(1)) : 0;
    const timeout = Math.min(Number(url.searchParams.get("timeout") ?? 0), 60_000);
    if (sinceParam === null) {
      // Initial sync: the current state, no waiting.
      syncs++;
      return json(response, 200, syncBody(0));
    }
    if (position > since || timeout === 0) {
      syncs++;
      return json(response, 200, syncBody(since));
    }
    let timer: NodeJS.Timeout | undefined;
    const waiter: PendingSync = {
      since,
      response,
      respond: () => {
        clearTimeout(timer);
        pending.delete(waiter);
        syncs++;
        json(response, 200, syncBody(since));
      },
    };
    pending.add(waiter);
    timer = setTimeout(waiter.respond, timeout);
    response.on("close", () => {
      clearTimeout(timer);
      pending.delete(waiter);
    });
  };

  const handleSend = (roomId: string, type: string, txnId: string, content: Record<string, unknown>, response: ServerResponse) => {
    attempts.push(performance.now());
    if (rateLimited.count > 0) {
      rateLimited.count--;
      return json(
        response,
        429,
        { errcode: "M_LIMIT_EXCEEDED", error: "Too Many Requests", retry_after_ms: rateLimited.retryAfterMs },
        { "retry-after": String(Math.ceil(rateLimited.retryAfterMs / 1000)) },
      );
    }
    if (failing > 0) {
      failing--;
      return json(response, 500, { errcode: "M_UNKNOWN", error: "Internal server error" });
    }
    const known = transactions.get(txnId);
    if (known) return json(response, 200, { event_id: known }); // the same transaction: the same event
    const eventId = `$e${++eventSeq}`;
    transactions.set(txnId, eventId);
    const event: RoomEvent = { type, event_id: eventId, sender: MATRIX_BOT, room_id: roomId, origin_server_ts: Date.now(), content };
    const relation = (content["m.relates_to"] ?? {}) as {
      rel_type?: string;
      event_id?: string;
      key?: string;
      "m.in_reply_to"?: { event_id?: string };
    };
    if (type === "m.reaction" && relation.rel_type === "m.annotation") {
      reactions.push({ messageId: relation.event_id!, emoji: relation.key! });
    } else if (type === "m.room.message" && relation.rel_type === "m.replace") {
      edits.push({ messageId: relation.event_id!, text: String((content["m.new_content"] as { body?: unknown })?.body ?? "") });
    } else if (type === "m.room.message") {
      const record: FakeSent = { messageId: eventId, chatId: roomId, text: String(content.body ?? "") };
      if (relation.rel_type === "m.thread") record.threadId = relation.event_id;
      const replyTo = relation["m.in_reply_to"]?.event_id;
      if (replyTo && !(relation.rel_type === "m.thread" && (relation as { is_falling_back?: boolean }).is_falling_back))
        record.replyTo = replyTo;
      sent.push(record);
    }
    // The homeserver returns the bot's own events in its next sync, as a real one does.
    append(event);
    json(response, 200, { event_id: eventId });
  };

  const route = async (request: IncomingMessage, response: ServerResponse, body: string) => {
    const url = new URL(request.url ?? "/", "http://fake");
    const auth = request.headers.authorization;
    if (auth !== `Bearer ${MATRIX_TOKEN}`) {
      return json(
        response,
        401,
        auth
          ? { errcode: "M_UNKNOWN_TOKEN", error: "Invalid access token passed.", soft_logout: false }
          : { errcode: "M_MISSING_TOKEN", error: "Missing access token." },
      );
    }
    const path = url.pathname;
    const parts = path.split("/").map(decodeURIComponent);
    // ["", "_matrix", "client", "v3", ...]
    if (parts[1] !== "_matrix" || parts[2] !== "client" || parts[3] !== "v3")
      return json(response, 404, { errcode: "M_UNRECOGNIZED", error: "Unrecognized request" });
    const rest = parts.slice(4);
    if (request.method === "GET" && rest[0] === "account" && rest[1] === "whoami")
      return json(response, 200, { user_id: MATRIX_BOT, device_id: "TALONDEV", is_guest: false });
    if (request.method === "GET" && rest[0] === "sync") return handleSync(url, response);
    let content: Record<string, unknown> = {};
    try {
      content = body ? JSON.parse(body) : {};
    } catch {
      return json(response, 400, { errcode: "M_NOT_JSON", error: "Content not JSON." });
    }
    if (request.method === "PUT" && rest[0] === "rooms" && rest[2] === "send" && rest.length === 5)
      return handleSend(rest[1]!, rest[3]!, rest[4]!, content, response);
    if (request.method === "PUT" && rest[0] === "rooms" && rest[2] === "redact" && rest.length === 5) {
      deletions.push(rest[3]!);
      const eventId = `$r${++eventSeq}`;
      append({
        type: "m.room.redaction",
        event_id: eventId,
        sender: MATRIX_BOT,
        room_id: rest[1]!,
        origin_server_ts: Date.now(),
        content: { redacts: rest[3] },
      });
      return json(response, 200, { event_id: eventId });
    }
    if (request.method === "PUT" && rest[0] === "rooms" && rest[2] === "typing") {
      if (rest[3] !== MATRIX_BOT) return json(response, 403, { errcode: "M_FORBIDDEN", error: "Cannot set another user's typing state" });
      if (content.typing === true) typings.push({ chatId: rest[1]! });
      return json(response, 200, {});
    }
    return json(response, 404, { errcode: "M_UNRECOGNIZED", error: "Unrecognized request" });
  };

  const userEvent = (message: FakeInbound, id: string): RoomEvent => {
    const content: Record<string, unknown> = { msgtype: "m.text", body: message.text };
    // Intentional mentions (spec v1.7): present on every message, listing who is mentioned.
    content["m.mentions"] = message.mentionBot ? { user_ids: [MATRIX_BOT] } : {};
    if (message.threadId) content["m.relates_to"] = { rel_type: "m.thread", event_id: message.threadId, is_falling_back: true };
    else if (message.replyTo) content["m.relates_to"] = { "m.in_reply_to": { event_id: message.replyTo } };
    return {
      type: "m.room.message",
      event_id: id,
      sender: message.senderId,
      room_id: message.chatId,
      origin_server_ts: Date.now(),
      content,
    };
  };

  const fake: FakeMatrix = {
    get syncs() {
      return syncs;
    },
    async start() {
      server = createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on("data", (chunk: Buffer) => chunks.push(chunk));
        request.on("end", () => void route(request, response, Buffer.concat(chunks).toString("utf8")));
      });
      await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
      port = (server.address() as AddressInfo).port;
    },
    async stop() {
      for (const waiter of pending) waiter.response.destroy();
      server?.closeAllConnections();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    },
    driverConfig: () => ({ homeserver: `http://127.0.0.1:${port}`, accessToken: MATRIX_TOKEN, syncTimeoutMs: 1_000 }),
    async request(method, path, options = {}) {
      const response = await fetch(`http://127.0.0.1:${port}${path}`, {
        method,
        headers: {
          ...(options.token === undefined
            ? { authorization: `Bearer ${MATRIX_TOKEN}` }
            : options.token === ""
              ? {}
              : { authorization: `Bearer ${options.token}` }),
          "content-type": "application/json",
        },
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      });
      return { status: response.status, json: await response.json() };
    },
    async inject(message) {
      if (message.chatType === "direct") {
        const user = message.senderId;
        const rooms = directRooms.get(user) ?? [];
        if (!rooms.includes(message.chatId)) directRooms.set(user, [...rooms, message.chatId]);
      }
      const id = `$u${++eventSeq}`;
      const event = userEvent(message, id);
      injected.set(id, event);
      append(event);
      return id;
    },
    async redeliver(id) {
      const event = injected.get(id) ?? timeline.find((entry) => entry.event.event_id === id)?.event;
      if (!event) throw new Error(`no event ${id}`);
      append(event);
    },
    async injectOversized(chat, length) {
      return fake.inject({ ...chat, text: "x".repeat(length) });
    },
    async echoLastSent() {
      const last = sent.at(-1);
      const event = last && timeline.find((entry) => entry.event.event_id === last.messageId)?.event;
      if (!event) throw new Error("nothing sent yet");
      append(event);
    },
    async dropConnections() {
      // Kill every in-flight long poll at the socket, as a proxy restart would; if the bot is
      // between two polls, kill its next one.
      if (pending.size === 0) dropNextSync = true;
      for (const waiter of [...pending]) {
        pending.delete(waiter);
        waiter.response.socket?.destroy();
      }
    },
    openConnections: () => pending.size,
    sent: () => sent,
    sendAttempts: () => attempts,
    rateLimitNext(count, retryAfterMs) {
      rateLimited = { count, retryAfterMs };
    },
    failNext(count) {
      failing = count;
    },
    edits: () => edits,
    deletions: () => deletions,
    reactions: () => reactions,
    typings: () => typings,
  };
  return fake;
}
