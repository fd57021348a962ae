/**
 * A minimal OpenClaw gateway protocol client for tests: waits for the challenge, connects,
 * sends requests and collects events. It speaks exactly upstream's frames.
 */
import { randomUUID } from "node:crypto";
import WebSocket from "ws";

export interface ResFrame {
  type: "res";
  id: string;
  ok: boolean;
  payload?: any;
  error?: { code: string; message: string; details?: any; retryable?: boolean; retryAfterMs?: number };
}

export interface EventFrame {
  type: "event";
  event: string;
  payload?: any;
  seq?: number;
}

export interface ConnectOptions {
  token?: string;
  password?: string;
  scopes?: string[];
  clientId?: string;
  mode?: string;
  role?: string;
  minProtocol?: number;
  maxProtocol?: number;
  /** Extra or replacement connect params. */
  params?: Record<string, unknown>;
  timeoutMs?: number;
  /** An Origin header on the upgrade request, as a browser sends it. */
  origin?: string;
}

export class GatewayError extends Error {
  constructor(readonly frame: ResFrame) {
    super(`${frame.error?.code}: ${frame.error?.message}`);
  }
}

/** Responses kept per client for {@link TestClient.waitForResponse} (oldest dropped first). */
const MAX_KEPT_RESPONSES = 1000;

export class TestClient {
  readonly events: EventFrame[] = [];
  /** Every `res` frame received, matched to a request or not (e.g. id `invalid`). */
  readonly responses: ResFrame[] = [];
  hello: any;
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly #pending = new Map<string, (frame: ResFrame) => void>();
  /** Fail a pending request (the socket closed before its answer). */
  readonly #abandon = new Map<string, (error: Error) => void>();
  readonly #waiters = new Set<() => void>();

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.once("close", (code) => {
      for (const abandon of [...this.#abandon.values()]) abandon(new Error(`connection closed (${code}) before the response`));
    });
    ws.on("message", (data) => {
      let frame: any;
      try {
        frame = JSON.parse(data.toString());
      } catch {
        return;
      }
      if (frame.type === "res") {
        this.responses.push(frame);
        if (this.responses.length > MAX_KEPT_RESPONSES) this.responses.shift();
        this.#pending.get(frame.id)?.(frame);
      } else if (frame.type === "event") this.events.push(frame);
      for (const wake of this.#waiters) wake();
    });
  }

  /** Open a socket and wait for `connect.challenge`, without connecting. */
  static async open(url: string, origin?: string): Promise<{ client: TestClient; challenge: EventFrame }> {
    const ws = new WebSocket(url, { perMessageDeflate: false, ...(origin === undefined ? {} : { origin }) });
    const client = new TestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    const challenge = await client.waitForEvent("connect.challenge", () => true, 5000);
    return { client, challenge };
  }

  /** Connect and authenticate; rejects with GatewayError on an error `res`. */
  static async connect(url: string, options: ConnectOptions = {}): Promise<TestClient> {
    const { client } = await TestClient.open(url, options.origin);
    const auth: Record<string, string> = {};
    if (options.token !== undefined) auth.token = options.token;
    if (options.password !== undefined) auth.password = options.password;
    const params = {
      minProtocol: options.minProtocol ?? 3,
      maxProtocol: options.maxProtocol ?? 4,
      client: { id: options.clientId ?? "test", version: "0.0.1", platform: "linux", mode: options.mode ?? "test" },
      role: options.role ?? "operator",
      scopes: options.scopes ?? ["operator.admin"],
      ...(Object.keys(auth).length > 0 ? { auth } : {}),
      ...options.params,
    };
    const res = await client.request("connect", params, options.timeoutMs);
    if (!res.ok) {
      client.ws.close();
      throw new GatewayError(res);
    }
    client.hello = res.payload;
    return client;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  request(method: string, params?: unknown, timeoutMs = 10_000): Promise<ResFrame> {
    const id = randomUUID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        this.#abandon.delete(id);
        reject(new Error(`timeout waiting for ${method} response`));
      }, timeoutMs);
      this.#pending.set(id, (frame) => {
        clearTimeout(timer);
        this.#pending.delete(id);
        this.#abandon.delete(id);
        resolve(frame);
      });
      this.#abandon.set(id, (error) => {
        clearTimeout(timer);
        this.#pending.delete(id);
        this.#abandon.delete(id);
        reject(error);
      });
      this.send({ type: "req", id, method, ...(params === undefined ? {} : { params }) });
    });
  }

  /** Request and return the payload; throws GatewayError when `ok` is false. */
  async call(method: string, params?: unknown, timeoutMs?: number): Promise<any> {
    const res = await this.request(method, params, timeoutMs);
    if (!res.ok) throw new GatewayError(res);
    return res.payload;
  }

  /** Wait for a frame matching `predicate` (already received ones count). */
  waitFor<T>(find: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const hit = find();
    if (hit !== undefined) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const wake = () => {
        const found = find();
        if (found === undefined) return;
        clearTimeout(timer);
        this.#waiters.delete(wake);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(wake);
        reject(new Error(`timeout waiting for ${what}`));
      }, timeoutMs);
      this.#waiters.add(wake);
    });
  }

  /** Wait for a `res` frame matching `predicate` (already received ones count). */
  waitForResponse(predicate: (frame: ResFrame) => boolean, timeoutMs = 5000): Promise<ResFrame> {
    return this.waitFor(() => this.responses.find(predicate), timeoutMs, "response");
  }

  waitForEvent(name: string, predicate: (frame: EventFrame) => boolean = () => true, timeoutMs = 5000): Promise<EventFrame> {
    return this.waitFor(() => this.events.find((frame) => frame.event === name && predicate(frame)), timeoutMs, `event ${name}`);
  }

  close(): Promise<{ code: number; reason: string }> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close();
    return this.closed;
  }
}
