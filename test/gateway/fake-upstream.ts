/**
 * A scriptable stand-in for an upstream OpenClaw gateway on 127.0.0.1, speaking upstream's real
 * frames (connect.challenge, hello-ok, res/event), for bridge behaviour the real gateway cannot
 * be made to show on demand: a late challenge, a retryable refusal, silence, seq gaps.
 */
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import WebSocket, { WebSocketServer } from "ws";

export interface FakeUpstreamOptions {
  /** Delay before `connect.challenge` (ms). */
  challengeDelayMs?: number;
  /** Answer to connect: hello-ok (default) or an error `res` then a close. */
  refuse?: { error: Record<string, unknown>; closeCode: number; closeReason: string };
  /** `policy.tickIntervalMs` in hello-ok; the fake never sends ticks itself. */
  tickIntervalMs?: number;
  /** Scopes granted in hello-ok (default: the requested ones). */
  grant?: string[];
  /** Answers requests after the handshake: a payload for `ok: true`; undefined sends no answer. */
  respond?: (method: string, params: unknown) => unknown;
}

export interface FakeConnection {
  ws: WebSocket;
  /** Frames from the client, in order. */
  received: any[];
  /** The client sent a frame before the challenge went out. */
  spokeBeforeChallenge: boolean;
  connect?: any;
}

export class FakeUpstream {
  readonly connections: FakeConnection[] = [];
  readonly #server: WebSocketServer;
  options: FakeUpstreamOptions;

  private constructor(server: WebSocketServer, options: FakeUpstreamOptions) {
    this.#server = server;
    this.options = options;
    server.on("connection", (ws) => this.#accept(ws));
  }

  static async start(options: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
    const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise((resolve) => server.once("listening", resolve));
    return new FakeUpstream(server, options);
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  get last(): FakeConnection | undefined {
    return this.connections.at(-1);
  }

  #accept(ws: WebSocket): void {
    const connection: FakeConnection = { ws, received: [], spokeBeforeChallenge: false };
    this.connections.push(connection);
    let challenged = false;
    ws.on("message", (data) => {
      const frame = JSON.parse(data.toString());
      connection.received.push(frame);
      if (!challenged) connection.spokeBeforeChallenge = true;
      if (frame.type === "req" && frame.method === "connect") {
        connection.connect = frame;
        const { refuse, tickIntervalMs = 30_000, grant } = this.options;
        if (refuse) {
          ws.send(JSON.stringify({ type: "res", id: frame.id, ok: false, error: refuse.error }));
          ws.close(refuse.closeCode, refuse.closeReason);
          return;
        }
        const hello = {
          type: "hello-ok",
          protocol: 4,
          server: { version: "fake", connId: randomUUID() },
          features: { methods: ["health"], events: ["tick"] },
          snapshot: {},
          auth: { method: "token", role: "operator", scopes: grant ?? frame.params.scopes ?? [] },
          policy: { maxPayload: 26214400, maxBufferedBytes: 52428800, tickIntervalMs },
        };
        ws.send(JSON.stringify({ type: "res", id: frame.id, ok: true, payload: hello }));
      } else if (frame.type === "req" && this.options.respond) {
        const payload = this.options.respond(frame.method, frame.params);
        if (payload !== undefined) ws.send(JSON.stringify({ type: "res", id: frame.id, ok: true, payload }));
      }
    });
    setTimeout(() => {
      challenged = true;
      if (ws.readyState === WebSocket.OPEN)
        ws.send(JSON.stringify({ type: "event", event: "connect.challenge", payload: { nonce: randomUUID(), ts: Date.now() } }));
    }, this.options.challengeDelayMs ?? 0);
  }

  /** Send a frame to the newest connection. */
  send(frame: unknown): void {
    this.last?.ws.send(JSON.stringify(frame));
  }

  /** Drop every connection without a close handshake. */
  dropAll(): void {
    for (const connection of this.connections) connection.ws.terminate();
  }

  async stop(): Promise<void> {
    this.dropAll();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}
