/**
 * Bridge client (bridge mode): Talon as a sidecar of a real upstream OpenClaw gateway.
 *
 * It connects to `gateway.url` as client `gateway-client` / mode `backend`, protocol 3..4,
 * waits for `connect.challenge`, authenticates with the token or password, and asks for the
 * operator scopes in `gateway.bridge.scopes` (read, write, approvals: upstream keeps the scopes
 * a device-less gateway-client/backend asks for on loopback). Every upstream frame after
 * `hello-ok` goes through the `frame` hook (context.mode = "bridge"); events then go to the
 * defender's extraction path. `call()` performs upstream RPCs.
 *
 * Fixes over the seed (seed-defender §15 items 20–22): a real upstream handshake, a reconnect
 * delay that resets after a healthy connection, responses matched to calls without sharing a
 * queue with the reading loop, and backpressure instead of a self-deadlock when work piles up.
 */
import { randomUUID } from "node:crypto";
import WebSocket from "ws";
import { RpcError, TalonError, errorMessage, isObject, type FrameContext, type FrameKind, type WireError } from "@talon/sdk";
import { backoffDelay, bridgeBackoff } from "../runtime/backoff.ts";
import { displayUrl, type BridgeClient, type BridgeState, type BridgeStatus } from "./bridge-status.ts";
import { answerUpstream } from "./bridge-requests.ts";
import { ScreeningPool } from "./bridge-screening.ts";
import type { GatewayHostView } from "./host-view.ts";
import { PendingCalls } from "./pending-calls.ts";
import { PROTOCOL_VERSION, MIN_NODE_PROTOCOL_VERSION, classifyFrame } from "./protocol.ts";
import { readWireError } from "./upstream-error.ts";

/** Largest frame accepted from upstream (its maxPayload is 25 MiB; frames carry some envelope). */
const BRIDGE_MAX_PAYLOAD_BYTES = 32 * 1024 * 1024;
/** Client capabilities announced upstream: approval and tool events are what the defender screens. */
const BRIDGE_CAPS = ["approvals", "exec-approvals", "tool-events"];
/** Upstream's reference client closes after two silent tick intervals; so does the bridge. */
const TICK_MISSES_ALLOWED = 2;

class Bridge implements BridgeClient {
  readonly #host: GatewayHostView;
  readonly #instanceId = randomUUID();
  readonly #pending: PendingCalls;
  readonly #frameHook: boolean;
  readonly #extractHook: boolean;
  #ws: WebSocket | undefined;
  #state: BridgeState = "waiting";
  #stopped = false;
  #attempt = 0;
  #reconnects = 0;
  #connectRequestId = "";
  #connectedAt = 0;
  #lastFrameAt = 0;
  #tickIntervalMs = 30_000;
  #maxPayload = BRIDGE_MAX_PAYLOAD_BYTES;
  #retryAfterMs = 0;
  #nextRetryAt = 0;
  #lastError: string | undefined;
  #protocol: number | undefined;
  #grantedScopes: string[] | undefined;
  #lastSeq: number | undefined;
  #eventsMissed = 0;
  #framesReceived = 0;
  readonly #screening: ScreeningPool;
  #connectTimer: NodeJS.Timeout | undefined;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #watchdog: NodeJS.Timeout | undefined;

  constructor(host: GatewayHostView) {
    this.#host = host;
    this.#pending = new PendingCalls(host.config().gateway.bridge.max_pending_calls, `talon-${this.#instanceId.slice(0, 8)}`);
    this.#frameHook = host.hookUsed("frame");
    this.#extractHook = host.hookUsed("extract");
    this.#screening = new ScreeningPool(() => this.#config.bridge.max_inflight_frames, host.log);
  }

  get connected(): boolean {
    return this.#state === "connected";
  }

  get #config() {
    return this.#host.config().gateway;
  }

  status(): BridgeStatus {
    const status: BridgeStatus = {
      state: this.#state,
      url: displayUrl(this.#config.url),
      connected: this.connected,
      attempt: this.#attempt,
      reconnects: this.#reconnects,
      pendingCalls: this.#pending.size,
      framesReceived: this.#framesReceived,
      eventsMissed: this.#eventsMissed,
      framesDropped: this.#screening.dropped,
      screening: this.#screening.inflight,
      backlog: this.#screening.waiting,
    };
    if (this.connected) status.connectedSinceMs = this.#connectedAt;
    if (this.#state === "waiting" && this.#nextRetryAt > 0) status.nextRetryInMs = Math.max(0, this.#nextRetryAt - Date.now());
    if (this.#lastError) status.lastError = this.#lastError;
    if (this.#protocol !== undefined) status.protocol = this.#protocol;
    if (this.#grantedScopes) status.grantedScopes = [...this.#grantedScopes];
    return status;
  }

  /** Open one connection attempt. */
  connect(): void {
    if (this.#stopped) return;
    this.#reconnectTimer = undefined;
    this.#nextRetryAt = 0;
    const config = this.#config;
    let ws: WebSocket;
    try {
      ws = new WebSocket(config.url, {
        perMessageDeflate: false,
        maxPayload: BRIDGE_MAX_PAYLOAD_BYTES,
        handshakeTimeout: config.bridge.connect_timeout_ms,
      });
    } catch {
      // ws's own message quotes the whole URL, credentials included: it must not reach logs or status.
      this.#lastError = "invalid gateway.url (not a ws:// or wss:// URL)";
      this.#host.log.error(
        { code: "TALON_CONFIG_INVALID", url: displayUrl(config.url) },
        `bridge cannot connect: ${this.#lastError}; fix gateway.url (e.g. ws://127.0.0.1:18789)`,
      );
      return this.#scheduleReconnect(false);
    }
    this.#ws = ws;
    this.#state = "connecting";
    this.#lastSeq = undefined;
    this.#connectTimer = setTimeout(() => {
      if (this.#ws !== ws) return;
      this.#lastError = `no hello-ok within ${config.bridge.connect_timeout_ms} ms (state ${this.#state})`;
      ws.terminate();
    }, config.bridge.connect_timeout_ms);
    ws.on("open", () => {
      if (this.#ws === ws) this.#state = "challenge";
    });
    ws.on("message", (data: Buffer) => this.#onMessage(ws, data));
    ws.on("error", (error) => {
      if (this.#ws === ws) this.#lastError = errorMessage(error);
    });
    ws.on("close", (code: number, reason: Buffer) => this.#onClose(ws, code, reason.toString()));
  }

  #sendConnect(ws: WebSocket): void {
    const config = this.#config;
    const auth: Record<string, string> = {};
    const password = config.password?.trim();
    const token = config.token?.trim();
    if (password) auth.password = password;
    else if (token) auth.token = token;
    this.#connectRequestId = `talon-connect-${randomUUID()}`;
    const params = {
      minProtocol: MIN_NODE_PROTOCOL_VERSION,
      maxProtocol: PROTOCOL_VERSION,
      client: {
        id: "gateway-client",
        displayName: "Talon",
        version: this.#host.version,
        platform: process.platform,
        mode: "backend",
        instanceId: this.#instanceId,
      },
      caps: BRIDGE_CAPS,
      role: "operator",
      scopes: [...config.bridge.scopes],
      ...(Object.keys(auth).length > 0 ? { auth } : {}),
    };
    this.#state = "handshake";
    ws.send(JSON.stringify({ type: "req", id: this.#connectRequestId, method: "connect", params }));
  }

  #onMessage(ws: WebSocket, data: Buffer): void {
    if (this.#ws !== ws) return;
    this.#lastFrameAt = Date.now();
    this.#framesReceived++;
    let frame: unknown;
    try {
      frame = JSON.parse(data.toString("utf8"));
    } catch {
      this.#host.log.debug({ bytes: data.length }, "bridge dropped an upstream frame that is not JSON");
      return;
    }
    if (!isObject(frame)) return;
    const kind = classifyFrame(frame);
    if (this.#state !== "connected") return this.#onHandshakeFrame(ws, frame, kind);
    if (kind === "res") this.#pending.settle(frame);
    else if (kind === "event") this.#checkSeq(frame.seq);
    this.#screen(ws, frame, kind);
  }

  #onHandshakeFrame(ws: WebSocket, frame: Record<string, unknown>, kind: FrameKind): void {
    if (kind === "event" && frame.event === "connect.challenge" && (this.#state === "challenge" || this.#state === "connecting")) {
      const nonce = isObject(frame.payload) ? frame.payload.nonce : undefined;
      if (typeof nonce !== "string" || nonce === "") this.#host.log.warn({}, "upstream connect.challenge has no nonce; connecting anyway");
      return this.#sendConnect(ws);
    }
    if (kind !== "res" || frame.id !== this.#connectRequestId) return;
    clearTimeout(this.#connectTimer);
    const payload = frame.payload;
    if (frame.ok === true && isObject(payload) && payload.type === "hello-ok") return this.#onHello(payload);
    const wire = readWireError(frame.error);
    this.#refused(wire);
    ws.close(1000, "connect refused");
  }

  #onHello(hello: Record<string, unknown>): void {
    const policy = isObject(hello.policy) ? hello.policy : {};
    const auth = isObject(hello.auth) ? hello.auth : {};
    this.#tickIntervalMs = typeof policy.tickIntervalMs === "number" && policy.tickIntervalMs > 0 ? policy.tickIntervalMs : 30_000;
    this.#maxPayload = typeof policy.maxPayload === "number" && policy.maxPayload > 0 ? policy.maxPayload : BRIDGE_MAX_PAYLOAD_BYTES;
    this.#protocol = typeof hello.protocol === "number" ? hello.protocol : undefined;
    this.#grantedScopes = Array.isArray(auth.scopes) ? auth.scopes.filter((scope): scope is string => typeof scope === "string") : [];
    this.#state = "connected";
    this.#connectedAt = Date.now();
    this.#lastError = undefined;
    this.#retryAfterMs = 0;
    const interval = Math.max(this.#tickIntervalMs, 1000);
    this.#watchdog = setInterval(() => this.#checkTicks(), interval);
    this.#watchdog.unref();
    const url = displayUrl(this.#config.url);
    this.#host.log.info(
      { url, protocol: this.#protocol, scopes: this.#grantedScopes, reconnects: this.#reconnects },
      "bridge connected to the upstream gateway",
    );
    const granted = this.#grantedScopes;
    const missing = granted.includes("operator.admin") ? [] : this.#config.bridge.scopes.filter((scope) => !granted.includes(scope));
    if (missing.length > 0) {
      this.#host.log.warn(
        { url, missing },
        `the upstream gateway did not grant ${missing.join(", ")}; events and calls that need them will not work (upstream keeps scopes for a device-less gateway-client only on loopback with a valid shared secret)`,
      );
    }
  }

  #refused(wire: WireError): void {
    const detail = isObject(wire.details) && typeof wire.details.code === "string" ? wire.details.code : undefined;
    this.#lastError = `${wire.code}: ${wire.message}`;
    if (wire.retryable && typeof wire.retryAfterMs === "number") this.#retryAfterMs = wire.retryAfterMs;
    const authProblem = detail?.startsWith("AUTH_") || detail === "DEVICE_IDENTITY_REQUIRED";
    this.#host.log.error(
      { code: "TALON_GATEWAY_NOT_CONNECTED", url: displayUrl(this.#config.url), upstreamCode: wire.code, detail },
      `the upstream gateway refused the bridge: ${wire.message}${authProblem ? "; set gateway.token (or gateway.password) to the upstream gateway's gateway.auth secret" : ""}`,
    );
  }

  #checkSeq(seq: unknown): void {
    if (typeof seq !== "number") return;
    if (this.#lastSeq !== undefined && seq > this.#lastSeq + 1) {
      const missed = seq - this.#lastSeq - 1;
      this.#eventsMissed += missed;
      this.#host.log.warn({ missed, seq }, "upstream dropped events for this bridge (slow consumer); they were not screened");
    }
    this.#lastSeq = seq;
  }

  #checkTicks(): void {
    const ws = this.#ws;
    if (!ws || this.#state !== "connected") return;
    if (Date.now() - this.#lastFrameAt > this.#tickIntervalMs * TICK_MISSES_ALLOWED) {
      this.#lastError = `tick timeout: no frame from upstream for ${TICK_MISSES_ALLOWED} tick intervals`;
      this.#host.log.warn({ url: displayUrl(this.#config.url) }, `bridge ${this.#lastError}; reconnecting`);
      ws.terminate();
    }
  }

  /**
   * The `frame` hook, then the defender (events) or an answer (requests). Frames are screened
   * concurrently up to `max_inflight_frames`; more wait in a bounded backlog. The socket is never
   * paused: a tap may be waiting for the answer to its own upstream call, which arrives on this
   * socket (pausing it would deadlock like the seed's shared queue, seed-defender §15 item 22).
   */
  #screen(ws: WebSocket, frame: Record<string, unknown>, kind: FrameKind): void {
    if (kind === "req") return this.#screening.schedule(() => answerUpstream(this.#host, ws, frame, this.#frameHook), frame);
    if (!this.#frameHook && (kind !== "event" || !this.#extractHook)) return;
    const context: FrameContext = {
      mode: "bridge",
      kind,
      method: typeof frame.method === "string" ? frame.method : undefined,
      event: typeof frame.event === "string" ? frame.event : undefined,
    };
    const host = this.#host;
    this.#screening.schedule(async () => {
      const inspected = this.#frameHook ? await host.inspectFrame(frame, context) : frame;
      if (inspected && kind === "event" && this.#extractHook) await host.ingestFrame(inspected, context);
    }, frame);
  }

  #onClose(ws: WebSocket, code: number, reason: string): void {
    if (this.#ws !== ws) return;
    this.#ws = undefined;
    clearTimeout(this.#connectTimer);
    clearInterval(this.#watchdog);
    this.#watchdog = undefined;
    const wasConnected = this.#state === "connected";
    const healthy = wasConnected && Date.now() - this.#connectedAt >= this.#config.bridge.healthy_after_ms;
    const why = `${code}${reason ? ` ${reason}` : ""}`;
    if (!this.#lastError || wasConnected) this.#lastError = `connection closed (${why})`;
    this.#pending.failAll(
      (method) =>
        new TalonError("TALON_GATEWAY_NOT_CONNECTED", `upstream ${method} got no answer: the upstream connection closed (${why})`, {
          hint: "the bridge reconnects by itself; retry once ctx.gateway.connected is true",
        }),
    );
    if (this.#stopped) {
      this.#state = "stopped";
      return;
    }
    if (wasConnected)
      this.#host.log.warn({ url: displayUrl(this.#config.url), code, reason }, "bridge lost the upstream gateway; reconnecting");
    this.#scheduleReconnect(healthy);
  }

  #scheduleReconnect(healthy: boolean): void {
    if (this.#stopped) return;
    this.#state = "waiting";
    // A healthy connection resets the delay (the seed never reset it: seed-defender §15 item 21).
    this.#attempt = healthy ? 1 : this.#attempt + 1;
    const bridge = this.#config.bridge;
    const delay = Math.max(
      backoffDelay(bridgeBackoff(bridge.reconnect_initial_ms, bridge.reconnect_max_ms), this.#attempt),
      this.#retryAfterMs,
    );
    this.#retryAfterMs = 0;
    this.#nextRetryAt = Date.now() + delay;
    this.#host.log.debug({ attempt: this.#attempt, delayMs: delay }, "bridge reconnect scheduled");
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnects++;
      this.connect();
    }, delay);
  }

  async call(method: string, params?: unknown, options?: { timeoutMs?: number }): Promise<unknown> {
    if (typeof method !== "string" || method.trim() === "")
      throw new RpcError("TALON_RPC_INVALID_PARAMS", "gateway.call needs a method name");
    const ws = this.#ws;
    if (!ws || this.#state !== "connected" || ws.readyState !== WebSocket.OPEN) {
      throw new TalonError(
        "TALON_GATEWAY_NOT_CONNECTED",
        `cannot call ${method}: the upstream gateway at ${displayUrl(this.#config.url)} is not connected (${this.#state}${this.#lastError ? `; last error: ${this.#lastError}` : ""})`,
        { hint: "calls are refused while the bridge reconnects; check ctx.gateway.connected before calling" },
      );
    }
    const timeoutMs = options?.timeoutMs ?? this.#config.bridge.call_timeout_ms;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
      throw new RpcError("TALON_RPC_INVALID_PARAMS", `gateway.call timeoutMs must be a positive number (got ${String(timeoutMs)})`);
    let paramsJson: string | undefined;
    try {
      paramsJson = params === undefined ? undefined : JSON.stringify(params);
    } catch (error) {
      throw new RpcError("TALON_RPC_INVALID_PARAMS", `params of ${method} are not JSON-serialisable: ${errorMessage(error)}`);
    }
    if (params !== undefined && paramsJson === undefined)
      throw new RpcError("TALON_RPC_INVALID_PARAMS", `params of ${method} are not JSON-serialisable`);
    const size = Buffer.byteLength(paramsJson ?? "") + Buffer.byteLength(method) + 64;
    if (size > this.#maxPayload)
      throw new RpcError(
        "TALON_RPC_INVALID_PARAMS",
        `${method} request is larger than the upstream maxPayload (${this.#maxPayload} bytes)`,
      );
    const { id, result } = this.#pending.open(method, timeoutMs);
    const text = `{"type":"req","id":${JSON.stringify(id)},"method":${JSON.stringify(method)}${paramsJson === undefined ? "" : `,"params":${paramsJson}`}}`;
    ws.send(text, (error) => {
      if (error)
        this.#pending.fail(id, new TalonError("TALON_GATEWAY_NOT_CONNECTED", `could not send ${method} upstream: ${errorMessage(error)}`));
    });
    return result;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#reconnectTimer);
    clearTimeout(this.#connectTimer);
    clearInterval(this.#watchdog);
    const ws = this.#ws;
    this.#state = "stopped";
    this.#pending.failAll((method) => new TalonError("TALON_GATEWAY_NOT_CONNECTED", `upstream ${method} got no answer: Talon is stopping`));
    if (!ws) return;
    await new Promise<void>((resolve) => {
      const cut = setTimeout(() => ws.terminate(), 1000);
      ws.once("close", () => {
        clearTimeout(cut);
        resolve();
      });
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(1000, "talon stopping");
    });
  }
}

/** Start the bridge: it connects at once and keeps reconnecting until stopped. */
export { displayUrl, type BridgeClient, type BridgeState, type BridgeStatus } from "./bridge-status.ts";

export function startBridgeClient(host: GatewayHostView): BridgeClient {
  const bridge = new Bridge(host);
  bridge.connect();
  return bridge;
}
