/**
 * The fake Socket Mode service: WebSocket upgrades on `/link/?ticket=…` (tickets from
 * `apps.connections.open`, single use), `hello` on connect, `events_api` envelopes to one open
 * socket each, acknowledgements `{ envelope_id }` expected within a deadline (3 s like Slack,
 * shorter in tests) or the envelope is delivered again with `retry_attempt` + 1; envelopes of a
 * socket that closes unacknowledged go to another one. It can send `disconnect` messages, stop
 * answering pings, and drop every connection.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer } from "ws";

/** How often an unacknowledged envelope is delivered again before it counts as failed. */
const MAX_RETRIES = 3;

interface Pending {
  envelope: Record<string, unknown>;
  socket?: Connection;
  timer?: NodeJS.Timeout;
  acked: boolean;
  sentAt?: number;
  settle: { resolve(): void; reject(error: Error): void };
}

export interface Connection {
  readonly id: number;
  readonly ws: WebSocket;
  readonly openedAt: number;
  helloAt?: number;
  closedAt?: number;
  /** A `disconnect` was sent to it. */
  told?: string;
}

export class FakeSocketMode {
  readonly #wss = new WebSocketServer({ noServer: true, autoPong: false });
  readonly #tickets = new Set<string>();
  readonly #pending = new Map<string, Pending>();
  readonly #backlog: Pending[] = [];
  readonly connections: Connection[] = [];
  readonly acks: { envelopeId: string; afterMs: number }[] = [];
  /** Every envelope id acknowledged, known to the fake or not (raw frames sent by a test). */
  readonly ackedIds: string[] = [];
  failedDeliveries = 0;
  deliveries = 0;
  #sequence = 0;
  #round = 0;
  #stallPongs = false;

  constructor(
    readonly appId: string,
    public ackDeadlineMs: number,
  ) {}

  /** A fresh single-use URL, as apps.connections.open returns. */
  issueUrl(port: number): string {
    const ticket = randomUUID();
    this.#tickets.add(ticket);
    return `ws://127.0.0.1:${port}/link/?ticket=${ticket}&app_id=${this.appId}`;
  }

  /** HTTP upgrade handler for `/link/`. */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? "/", "http://fake");
    const ticket = url.searchParams.get("ticket") ?? "";
    if (url.pathname !== "/link/" || !this.#tickets.delete(ticket)) {
      socket.end("HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\n\r\n");
      return;
    }
    this.#wss.handleUpgrade(request, socket, head, (ws) => this.#accept(ws));
  }

  #accept(ws: WebSocket): void {
    const connection: Connection = { id: ++this.#sequence, ws, openedAt: performance.now() };
    this.connections.push(connection);
    ws.on("ping", (data) => {
      if (!this.#stallPongs) ws.pong(data);
    });
    ws.on("message", (data) => {
      let frame: { envelope_id?: unknown };
      try {
        frame = JSON.parse(data.toString());
      } catch {
        return;
      }
      if (typeof frame.envelope_id === "string") {
        this.ackedIds.push(frame.envelope_id);
        this.#ack(frame.envelope_id);
      }
    });
    ws.on("close", () => {
      connection.closedAt = performance.now();
      // What it had not acknowledged goes to another socket.
      for (const [, pending] of this.#pending)
        if (pending.socket === connection && !pending.acked) this.#retry(pending, "connection_closed");
    });
    ws.send(
      JSON.stringify({
        type: "hello",
        num_connections: this.open().length,
        connection_info: { app_id: this.appId },
        debug_info: { host: "applink-fake", build_number: 1, approximate_connection_time: 18060 },
      }),
    );
    connection.helloAt = performance.now();
    for (const pending of this.#backlog.splice(0)) this.#send(pending);
  }

  /** Open connections, oldest first. */
  open(): Connection[] {
    return this.connections.filter((connection) => connection.ws.readyState === WebSocket.OPEN);
  }

  /** Deliver an Events API body in an envelope; resolves when the driver acknowledges it. */
  deliver(payload: unknown, retryAttempt = 0, retryReason = ""): Promise<void> {
    return new Promise((resolve, reject) => {
      const pending: Pending = {
        envelope: {
          envelope_id: randomUUID(),
          payload,
          type: "events_api",
          accepts_response_payload: false,
          retry_attempt: retryAttempt,
          retry_reason: retryReason,
        },
        acked: false,
        settle: { resolve, reject },
      };
      this.#pending.set(pending.envelope.envelope_id as string, pending);
      this.#send(pending);
    });
  }

  /** Send a raw frame to every open socket (malformed input tests). */
  broadcastRaw(text: string): void {
    for (const connection of this.open()) connection.ws.send(text);
  }

  #send(pending: Pending): void {
    // Sockets told to go away are used only when nothing else is open.
    const open = this.open();
    const fresh = open.filter((connection) => connection.told === undefined);
    const choices = fresh.length > 0 ? fresh : open;
    if (choices.length === 0) {
      pending.socket = undefined;
      this.#backlog.push(pending);
      return;
    }
    const connection = choices[this.#round++ % choices.length]!;
    pending.socket = connection;
    this.deliveries++;
    pending.sentAt = performance.now();
    connection.ws.send(JSON.stringify(pending.envelope));
    clearTimeout(pending.timer);
    pending.timer = setTimeout(() => this.#retry(pending, "timeout"), this.ackDeadlineMs);
  }

  #retry(pending: Pending, reason: string): void {
    if (pending.acked) return;
    clearTimeout(pending.timer);
    const attempt = Number(pending.envelope.retry_attempt ?? 0) + 1;
    if (attempt > MAX_RETRIES) {
      this.failedDeliveries++;
      this.#pending.delete(pending.envelope.envelope_id as string);
      pending.settle.reject(new Error(`envelope ${String(pending.envelope.envelope_id)} was never acknowledged`));
      return;
    }
    pending.envelope.retry_attempt = attempt;
    pending.envelope.retry_reason = reason;
    this.#send(pending);
  }

  #ack(envelopeId: string): void {
    const pending = this.#pending.get(envelopeId);
    if (!pending || pending.acked) return;
    pending.acked = true;
    clearTimeout(pending.timer);
    this.#pending.delete(envelopeId);
    this.acks.push({ envelopeId, afterMs: performance.now() - (pending.sentAt ?? 0) });
    pending.settle.resolve();
  }

  /** Envelopes sent and not acknowledged yet. */
  unacked(): number {
    return this.#pending.size;
  }

  /** Send `{ type: "disconnect", reason }` to one connection (default: the oldest open one). */
  disconnect(reason: string, connection: Connection | undefined = this.open()[0]): Connection | undefined {
    if (!connection) return undefined;
    connection.told = reason;
    connection.ws.send(JSON.stringify({ type: "disconnect", reason, debug_info: { host: "applink-fake" } }));
    return connection;
  }

  /** Stop answering pings (a dead link that still looks open). */
  stallPongs(stalled: boolean): void {
    this.#stallPongs = stalled;
  }

  /** Cut every connection without a close handshake. */
  drop(): void {
    for (const connection of this.open()) connection.ws.terminate();
  }

  close(): void {
    for (const pending of this.#pending.values()) clearTimeout(pending.timer);
    for (const connection of this.connections) connection.ws.terminate();
    this.#wss.close();
  }
}
