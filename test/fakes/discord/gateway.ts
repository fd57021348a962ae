/**
 * The fake Discord Gateway (v10, JSON encoding): HELLO with a heartbeat interval, heartbeats and
 * ACKs, IDENTIFY checked for token, intents and privileged intents, READY with `session_id` and a
 * distinct `resume_gateway_url`, GUILD_CREATE, dispatches with rising `s` buffered per session so
 * a RESUME replays what the client missed (then RESUMED), op 7 RECONNECT and op 9 INVALID_SESSION
 * on demand, Discord's close codes (4001-4014), a session that survives a drop unless the client
 * closed with 1000/1001, and heartbeat deadlines (a client that stops beating is closed, 4009).
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { BOT_USER, FAKE_APPLICATION_ID, FAKE_GUILD_ID, type FakeWorld } from "./state.ts";

/** Intent bits (Discord's values). */
export const INTENT = {
  GUILDS: 1 << 0,
  GUILD_MEMBERS: 1 << 1,
  GUILD_PRESENCES: 1 << 8,
  GUILD_MESSAGES: 1 << 9,
  GUILD_MESSAGE_REACTIONS: 1 << 10,
  GUILD_MESSAGE_TYPING: 1 << 11,
  DIRECT_MESSAGES: 1 << 12,
  DIRECT_MESSAGE_REACTIONS: 1 << 13,
  DIRECT_MESSAGE_TYPING: 1 << 14,
  MESSAGE_CONTENT: 1 << 15,
} as const;
const PRIVILEGED = INTENT.GUILD_MEMBERS | INTENT.GUILD_PRESENCES | INTENT.MESSAGE_CONTENT;
/** Every intent bit Discord defines today (up to DIRECT_MESSAGE_POLLS, 1 << 25). */
const ALL_INTENTS = (1 << 26) - 1;
/** Dispatches kept per session for resumes. */
const MAX_BUFFER = 10_000;
/** Discord's limits on what a client sends. */
const MAX_PAYLOAD_BYTES = 4096;
const MAX_SENDS_PER_MINUTE = 120;

export interface GatewayOptions {
  token(): string;
  heartbeatIntervalMs: number;
  /** Privileged intents the application has enabled in the Developer Portal. */
  privilegedIntents: number;
  /** Close a connection whose heartbeats are late by more than this factor of the interval. */
  heartbeatTolerance: number;
  /** Identifies left in the current session start limit. */
  identifyBudget(): number;
  spendIdentify(): void;
  url(kind: "gateway" | "resume"): string;
}

interface Dispatch {
  op: 0;
  s: number;
  t: string;
  d: unknown;
}

interface Session {
  id: string;
  intents: number;
  seq: number;
  buffer: Dispatch[];
  connection?: Connection;
}

/** What a test can read about one connection. */
export interface ConnectionRecord {
  path: "gateway" | "resume";
  openedAt: number;
  identify?: { intents: number; properties: unknown; tokenOk: boolean };
  resume?: { session_id: string; seq: number; tokenOk: boolean };
  /** `performance.now()` of every heartbeat the client sent, and the `d` it carried. */
  heartbeats: { at: number; d: number | null }[];
  clientCloseCode?: number;
  serverCloseCode?: number;
  closedAt?: number;
}

interface Connection {
  ws: WebSocket;
  record: ConnectionRecord;
  session?: Session;
  lastBeatAt: number;
  sent: number[];
  deadline?: NodeJS.Timeout;
}

export class FakeGateway {
  readonly #world: FakeWorld;
  readonly #options: GatewayOptions;
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  readonly #sessions = new Map<string, Session>();
  readonly #connections = new Set<Connection>();
  readonly records: ConnectionRecord[] = [];
  ackHeartbeats = true;
  refuseConnections = false;

  constructor(world: FakeWorld, options: GatewayOptions) {
    this.#world = world;
    this.#options = options;
  }

  /** The HTTP server's `upgrade` handler for `/gateway` and `/resume`. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? "/", "http://fake");
    const path = url.pathname.replace(/\/+$/, "");
    if (this.refuseConnections || (path !== "/gateway" && path !== "/resume")) {
      socket.end("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      return;
    }
    this.#wss.handleUpgrade(request, socket, head, (ws) => this.#open(ws, path === "/gateway" ? "gateway" : "resume", url));
  }

  #open(ws: WebSocket, path: "gateway" | "resume", url: URL): void {
    const record: ConnectionRecord = { path, openedAt: performance.now(), heartbeats: [] };
    this.records.push(record);
    const connection: Connection = { ws, record, lastBeatAt: performance.now(), sent: [] };
    this.#connections.add(connection);
    ws.on("close", (code) => {
      this.#connections.delete(connection);
      clearTimeout(connection.deadline);
      record.closedAt ??= performance.now();
      if (record.serverCloseCode === undefined) record.clientCloseCode = code;
      const session = connection.session;
      if (session?.connection === connection) {
        session.connection = undefined;
        // A client closing with 1000/1001 ends its session; any other close keeps it resumable.
        if (record.serverCloseCode === undefined && (code === 1000 || code === 1001)) this.#sessions.delete(session.id);
      }
    });
    ws.on("error", () => {});
    if (url.searchParams.get("v") !== "10") return this.#close(connection, 4012, "Invalid API version");
    if (url.searchParams.get("encoding") !== "json") return this.#close(connection, 4002, "Decode error");
    ws.on("message", (data, isBinary) => this.#receive(connection, data as Buffer, isBinary));
    this.#send(connection, { op: 10, d: { heartbeat_interval: this.#options.heartbeatIntervalMs }, s: null, t: null });
    this.#armDeadline(connection);
  }

  #armDeadline(connection: Connection): void {
    clearTimeout(connection.deadline);
    const { heartbeatIntervalMs, heartbeatTolerance } = this.#options;
    if (heartbeatTolerance <= 0) return;
    connection.deadline = setTimeout(() => this.#close(connection, 4009, "Session timed out"), heartbeatIntervalMs * heartbeatTolerance);
    connection.deadline.unref();
  }

  #receive(connection: Connection, data: Buffer, isBinary: boolean): void {
    const now = performance.now();
    connection.sent.push(now);
    while (connection.sent.length > 0 && now - connection.sent[0]! > 60_000) connection.sent.shift();
    if (connection.sent.length > MAX_SENDS_PER_MINUTE) return this.#close(connection, 4008, "Rate limited.");
    if (isBinary || data.length > MAX_PAYLOAD_BYTES) return this.#close(connection, 4002, "Error while decoding payload.");
    let frame: { op?: unknown; d?: any };
    try {
      frame = JSON.parse(data.toString("utf8"));
    } catch {
      return this.#close(connection, 4002, "Error while decoding payload.");
    }
    switch (frame.op) {
      case 1:
        connection.record.heartbeats.push({ at: now, d: typeof frame.d === "number" ? frame.d : null });
        connection.lastBeatAt = now;
        this.#armDeadline(connection);
        if (this.ackHeartbeats) this.#send(connection, { op: 11, d: null, s: null, t: null });
        return;
      case 2:
        return this.#identify(connection, frame.d);
      case 6:
        return this.#resume(connection, frame.d);
      case 3:
      case 4:
      case 8:
      case 31:
        if (!connection.session) return this.#close(connection, 4003, "Not authenticated.");
        return;
      default:
        return this.#close(connection, 4001, "Unknown opcode.");
    }
  }

  #identify(connection: Connection, d: any): void {
    if (connection.session) return this.#close(connection, 4005, "Already authenticated.");
    const tokenOk = typeof d?.token === "string" && d.token === this.#options.token();
    const intents = d?.intents;
    connection.record.identify = { intents, properties: d?.properties, tokenOk };
    if (!tokenOk) return this.#close(connection, 4004, "Authentication failed.");
    const properties = d?.properties;
    if (!properties || typeof properties.os !== "string" || typeof properties.browser !== "string" || typeof properties.device !== "string")
      return this.#close(connection, 4002, "Error while decoding payload.");
    if (!Number.isInteger(intents) || intents < 0 || (intents & ~ALL_INTENTS) !== 0)
      return this.#close(connection, 4013, "Invalid intent(s).");
    if ((intents & PRIVILEGED & ~this.#options.privilegedIntents) !== 0) return this.#close(connection, 4014, "Disallowed intent(s).");
    if (this.#options.identifyBudget() <= 0) {
      this.#send(connection, { op: 9, d: false, s: null, t: null });
      return;
    }
    this.#options.spendIdentify();
    const session: Session = { id: randomHex(16), intents, seq: 0, buffer: [], connection };
    this.#sessions.set(session.id, session);
    connection.session = session;
    this.#deliver(session, "READY", {
      v: 10,
      user: BOT_USER,
      guilds: [{ id: FAKE_GUILD_ID, unavailable: true }],
      session_id: session.id,
      resume_gateway_url: this.#options.url("resume"),
      shard: [0, 1],
      application: { id: FAKE_APPLICATION_ID, flags: 0 },
      user_settings: {},
      relationships: [],
      private_channels: [],
      presences: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: [],
    });
    if ((intents & INTENT.GUILDS) !== 0) {
      const { channels, threads } = this.#world.guildChannels();
      this.#deliver(session, "GUILD_CREATE", {
        id: FAKE_GUILD_ID,
        name: "Fake guild",
        unavailable: false,
        member_count: 2,
        channels: channels.map((channel) => this.#world.apiChannel(channel)),
        threads: threads.map((channel) => this.#world.apiChannel(channel)),
        members: [],
        roles: [],
      });
    }
  }

  #resume(connection: Connection, d: any): void {
    if (connection.session) return this.#close(connection, 4005, "Already authenticated.");
    const tokenOk = typeof d?.token === "string" && d.token === this.#options.token();
    connection.record.resume = { session_id: d?.session_id, seq: d?.seq, tokenOk };
    if (!tokenOk) return this.#close(connection, 4004, "Authentication failed.");
    const session = typeof d?.session_id === "string" ? this.#sessions.get(d.session_id) : undefined;
    const seq = d?.seq;
    const oldest = session?.buffer[0]?.s ?? (session ? session.seq + 1 : 0);
    if (!session || !Number.isInteger(seq) || seq < oldest - 1) {
      // Unknown, ended or too old to replay: the client must identify again.
      this.#send(connection, { op: 9, d: false, s: null, t: null });
      return;
    }
    if (seq > session.seq) return this.#close(connection, 4007, "Invalid seq.");
    if (session.connection && session.connection !== connection) this.#close(session.connection, 4000, "Session resumed elsewhere");
    session.connection = connection;
    connection.session = session;
    for (const dispatch of session.buffer) if (dispatch.s > seq) this.#send(connection, dispatch);
    this.#deliver(session, "RESUMED", null);
  }

  /** Give a dispatch its sequence number, buffer it, and send it if the session is connected. */
  #deliver(session: Session, t: string, d: unknown): void {
    const dispatch: Dispatch = { op: 0, s: ++session.seq, t, d };
    session.buffer.push(dispatch);
    if (session.buffer.length > MAX_BUFFER) session.buffer.shift();
    if (session.connection) this.#send(session.connection, dispatch);
  }

  /** Dispatch an event to every live session whose intents include `intent`; `shape` may adapt it per session. */
  dispatch(t: string, d: unknown, intent: number, shape?: (intents: number, d: any) => unknown): void {
    for (const session of this.#sessions.values()) {
      if ((session.intents & intent) === 0) continue;
      this.#deliver(session, t, shape ? shape(session.intents, d) : d);
    }
  }

  #send(connection: Connection, frame: unknown): void {
    if (connection.ws.readyState === connection.ws.OPEN) connection.ws.send(JSON.stringify(frame));
  }

  #close(connection: Connection, code: number, reason: string): void {
    connection.record.serverCloseCode ??= code;
    connection.record.closedAt = performance.now();
    clearTimeout(connection.deadline);
    connection.ws.close(code, reason);
  }

  /** Connections open now. */
  get openConnections(): number {
    return this.#connections.size;
  }

  /** Sessions alive (connected or resumable). */
  sessions(): { id: string; seq: number; connected: boolean }[] {
    return [...this.#sessions.values()].map((session) => ({
      id: session.id,
      seq: session.seq,
      connected: session.connection !== undefined,
    }));
  }

  /** Kill every socket without a close frame (the client sees 1006); sessions stay resumable. */
  drop(): void {
    for (const connection of [...this.#connections]) {
      connection.record.serverCloseCode ??= 1006;
      connection.record.closedAt = performance.now();
      clearTimeout(connection.deadline);
      connection.ws.terminate();
    }
  }

  /** Close every connection with `code`. */
  closeAll(code: number, reason = ""): void {
    for (const connection of [...this.#connections]) this.#close(connection, code, reason);
  }

  /** Op 7: ask every client to reconnect and resume; close what is still open after `graceMs`. */
  requestReconnect(graceMs = 1_000): void {
    for (const connection of [...this.#connections]) {
      this.#send(connection, { op: 7, d: null, s: null, t: null });
      setTimeout(() => {
        if (this.#connections.has(connection)) this.#close(connection, 4000, "Reconnect requested");
      }, graceMs).unref();
    }
  }

  /** Op 9 to every identified client; a session that may not resume is ended. */
  invalidateSessions(resumable: boolean): void {
    for (const connection of [...this.#connections]) {
      const session = connection.session;
      if (!session) continue;
      if (!resumable) {
        this.#sessions.delete(session.id);
        connection.session = undefined;
      }
      this.#send(connection, { op: 9, d: resumable, s: null, t: null });
    }
  }

  /** A raw text frame to every client (bad input). */
  sendRaw(text: string): void {
    for (const connection of this.#connections) if (connection.ws.readyState === connection.ws.OPEN) connection.ws.send(text);
  }

  /** Op 1: ask every client for a heartbeat now. */
  requestHeartbeat(): void {
    for (const connection of this.#connections) this.#send(connection, { op: 1, d: null, s: null, t: null });
  }

  /** End every session (a token reset does this). */
  forgetSessions(): void {
    this.#sessions.clear();
  }

  async close(): Promise<void> {
    this.drop();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }
}

function randomHex(bytes: number): string {
  let out = "";
  for (let i = 0; i < bytes; i++)
    out += Math.floor(Math.random() * 256)
      .toString(16)
      .padStart(2, "0");
  return out;
}
