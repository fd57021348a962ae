/**
 * One client connection of the standalone server: challenge, handshake, then frames.
 * Behaviour follows upstream's handshake error table (upstream-live.md §4): every failure is an
 * upstream error `res` plus upstream's close code; after `hello-ok` a bad frame gets an error
 * `res` and the connection stays usable.
 */
import { randomUUID } from "node:crypto";
import type { WebSocket } from "ws";
import { RpcError, errorMessage, type ClientInfo, type FrameContext, type Role, type WireError } from "@talon/sdk";
import { checkCredentials, type FailureBackoff, type ResolvedAuth } from "./auth.ts";
import type { GatewayHostView } from "./host-view.ts";
import {
  MAX_PREAUTH_PAYLOAD_BYTES,
  MIN_NODE_PROTOCOL_VERSION,
  MIN_PROBE_PROTOCOL_VERSION,
  PROTOCOL_VERSION,
  classifyFrame,
  connectParamsSchema,
  describeIssue,
  requestFrameSchema,
  type ConnectParams,
} from "./protocol.ts";
import { toWireError } from "./wire-error.ts";

/** Requests processed at once per connection; beyond this the socket is paused (backpressure). */
const MAX_INFLIGHT_REQUESTS = 64;

export interface ConnectionSettings {
  auth: ResolvedAuth;
  handshakeTimeoutMs: number;
  eventQueueCapacity: number;
  maxPayload: number;
  maxBufferedBytes: number;
  tickIntervalMs: number;
}

export interface ConnectionOwner {
  readonly host: GatewayHostView;
  readonly backoff: FailureBackoff;
  /** Called once the connection is authenticated (joins fan-out) and when it closes. */
  onOpen(connection: Connection): void;
  onClose(connection: Connection): void;
  helloPayload(connection: Connection, params: ConnectParams, method: ResolvedAuth["method"]): Record<string, unknown>;
}

type State = "handshake" | "open" | "closed";

export class Connection {
  readonly connId = randomUUID();
  readonly address: string;
  state: State = "handshake";
  client?: ClientInfo;
  /** Per-connection event sequence; dropped events still consume a number. */
  seq = 0;
  /** Events handed to the socket whose write has not completed. */
  queuedEvents = 0;
  #inflight = 0;
  #paused = false;
  #timer: NodeJS.Timeout | undefined;
  readonly #ws: WebSocket;
  readonly #owner: ConnectionOwner;
  readonly #settings: ConnectionSettings;

  constructor(ws: WebSocket, address: string, owner: ConnectionOwner, settings: ConnectionSettings) {
    this.#ws = ws;
    this.address = address;
    this.#owner = owner;
    this.#settings = settings;
    // ws closes an oversized pre-auth frame with 1009 and no reason; add upstream's reason.
    const close = ws.close.bind(ws);
    ws.close = ((code?: number, reason?: string | Buffer) =>
      close(code, code === 1009 && this.state === "handshake" && !reason ? "preauth payload too large" : reason)) as typeof ws.close;
    ws.on("message", (data, isBinary) => this.#onMessage(data as Buffer, isBinary));
    ws.on("close", () => this.#closed());
    ws.on("error", () => undefined);
    this.#timer = setTimeout(() => this.close(1000, ""), settings.handshakeTimeoutMs);
    this.#sendRaw({ type: "event", event: "connect.challenge", payload: { nonce: randomUUID(), ts: Date.now() } });
  }

  get bufferedAmount(): number {
    return this.#ws.bufferedAmount;
  }

  close(code: number, reason: string): void {
    if (this.state === "closed") return;
    this.#ws.close(code, reason);
    this.#closed();
  }

  #closed(): void {
    if (this.state === "closed") return;
    const wasOpen = this.state === "open";
    this.state = "closed";
    clearTimeout(this.#timer);
    if (wasOpen) this.#owner.onClose(this);
  }

  #sendRaw(frame: unknown): void {
    if (this.#ws.readyState !== this.#ws.OPEN) return;
    this.#ws.send(JSON.stringify(frame));
  }

  #respond(id: string, result: { ok: true; payload: unknown } | { ok: false; error: WireError }): void {
    this.#sendRaw(result.ok ? { type: "res", id, ok: true, payload: result.payload } : { type: "res", id, ok: false, error: result.error });
    if (this.#ws.bufferedAmount > this.#settings.maxBufferedBytes) this.close(1008, "slow consumer");
  }

  /**
   * Queue an event for this client. Returns false when it was dropped. A client whose queue is
   * full loses droppable events; for any other event it is closed with a reason, never left open
   * receiving nothing.
   */
  sendEvent(event: string, payload: unknown, droppable: boolean): boolean {
    if (this.state !== "open") return false;
    const seq = ++this.seq;
    const full = this.queuedEvents >= this.#settings.eventQueueCapacity || this.#ws.bufferedAmount > this.#settings.maxBufferedBytes;
    if (full) {
      if (droppable) return false;
      this.close(1008, "slow consumer: event queue full");
      return false;
    }
    this.queuedEvents++;
    this.#ws.send(JSON.stringify({ type: "event", event, payload, seq }), () => {
      this.queuedEvents--;
    });
    return true;
  }

  #onMessage(data: Buffer, isBinary: boolean): void {
    if (this.state === "closed") return;
    if (this.state === "handshake" && data.length > MAX_PREAUTH_PAYLOAD_BYTES) {
      this.close(1009, "preauth payload too large");
      return;
    }
    let frame: unknown;
    try {
      frame = isBinary ? undefined : JSON.parse(data.toString("utf8"));
    } catch {
      frame = undefined;
    }
    if (this.state === "handshake") {
      void this.#handshake(frame);
      return;
    }
    if (frame === undefined || typeof frame !== "object" || frame === null || Array.isArray(frame)) {
      this.#respond("invalid", { ok: false, error: { code: "INVALID_REQUEST", message: "invalid request frame: not a JSON object" } });
      return;
    }
    void this.#onFrame(frame as Record<string, unknown>);
  }

  async #handshake(frame: unknown): Promise<void> {
    // Upstream: malformed JSON closes quietly; JSON that is not a request closes 1008.
    if (frame === undefined) return this.close(1000, "");
    const parsed = requestFrameSchema.safeParse(frame);
    if (!parsed.success) return this.close(1008, "invalid request frame");
    const { id, method } = parsed.data;
    const reject = (error: WireError, code = 1008, reason = error.message) => {
      this.#respond(id, { ok: false, error });
      this.close(code, reason);
    };
    if (method !== "connect") {
      return reject({ code: "INVALID_REQUEST", message: "invalid handshake: first request must be connect" });
    }
    const params = connectParamsSchema.safeParse(parsed.data.params ?? {});
    if (!params.success) {
      return reject({ code: "INVALID_REQUEST", message: `invalid connect params: ${describeIssue(params.error.issues[0]!)}` });
    }
    const connect = params.data;
    const role = (connect.role ?? "operator") as Role;
    if (role !== "operator" && role !== "node") return reject({ code: "INVALID_REQUEST", message: "invalid role" });
    const isNode = role === "node" && connect.client.mode === "node";
    const floor = isNode ? MIN_NODE_PROTOCOL_VERSION : connect.client.mode === "probe" ? MIN_PROBE_PROTOCOL_VERSION : PROTOCOL_VERSION;
    const acceptable = connect.maxProtocol >= floor && connect.minProtocol <= PROTOCOL_VERSION && connect.minProtocol <= connect.maxProtocol;
    if (!acceptable) {
      return reject(
        {
          code: "INVALID_REQUEST",
          message: "protocol mismatch",
          details: {
            code: "PROTOCOL_MISMATCH",
            clientMinProtocol: connect.minProtocol,
            clientMaxProtocol: connect.maxProtocol,
            expectedProtocol: PROTOCOL_VERSION,
            minimumProbeProtocol: MIN_PROBE_PROTOCOL_VERSION,
          },
        },
        1002,
      );
    }
    const failure = checkCredentials(this.#settings.auth, connect);
    if (failure) {
      const delay = this.#owner.backoff.fail(this.address);
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (this.state === "closed") return;
      return reject({ code: failure.code, message: failure.message, details: failure.details });
    }
    this.#owner.backoff.succeed(this.address);
    clearTimeout(this.#timer);
    const scopes = [...new Set((connect.scopes ?? []).map((scope) => scope.trim()).filter((scope) => scope !== ""))];
    this.client = {
      connId: this.connId,
      id: connect.client.id,
      mode: connect.client.mode,
      role,
      scopes,
      version: connect.client.version,
      platform: connect.client.platform,
    };
    this.state = "open";
    setReceiverLimit(this.#ws, this.#settings.maxPayload);
    this.#respond(id, { ok: true, payload: this.#owner.helloPayload(this, connect, this.#settings.auth.method) });
    this.#owner.onOpen(this);
  }

  async #onFrame(raw: Record<string, unknown>): Promise<void> {
    const host = this.#owner.host;
    const kind = classifyFrame(raw);
    const context: FrameContext = {
      mode: "standalone",
      kind,
      method: typeof raw.method === "string" ? raw.method : undefined,
      event: typeof raw.event === "string" ? raw.event : undefined,
      client: this.client,
    };
    if (kind === "req") return this.#onRequest(raw, context);
    let frame: Record<string, unknown> | undefined;
    try {
      frame = await host.inspectFrame(raw, context);
    } catch (error) {
      host.log.error({ err: error, connId: this.connId }, "frame hook failed");
      return;
    }
    if (frame && kind === "event") await host.ingestFrame(frame, context).catch((error) => host.log.error({ err: error }, "event ingestion failed"));
  }

  async #onRequest(raw: Record<string, unknown>, context: FrameContext): Promise<void> {
    const host = this.#owner.host;
    const parsed = requestFrameSchema.safeParse(raw);
    if (!parsed.success) {
      const id = typeof raw.id === "string" && raw.id !== "" ? raw.id : "invalid";
      const issue = describeIssue(parsed.error.issues[0]!).replace(/^at root: /, "");
      this.#respond(id, { ok: false, error: { code: "INVALID_REQUEST", message: `invalid request frame: ${issue}` } });
      return;
    }
    const { id, method } = parsed.data;
    this.#inflight++;
    if (this.#inflight >= MAX_INFLIGHT_REQUESTS && !this.#paused) {
      this.#paused = true;
      this.#ws.pause();
    }
    try {
      const frame = await host.inspectFrame(raw, context);
      if (!frame) throw new RpcError("TALON_RPC_INVALID_REQUEST", "request dropped by a frame policy");
      if (method === "connect") throw new RpcError("TALON_RPC_INVALID_REQUEST", "connect is only valid as the first request");
      const payload = await host.dispatch(method, (frame as { params?: unknown }).params, {
        method,
        origin: "standalone",
        client: this.client,
        requestId: id,
      });
      this.#respond(id, { ok: true, payload });
    } catch (error) {
      const wire = toWireError(error);
      if (wire.code === "UNAVAILABLE" && wire.message === "internal error") host.log.error({ err: error, method }, `request failed: ${errorMessage(error)}`);
      this.#respond(id, { ok: false, error: wire });
    } finally {
      this.#inflight--;
      if (this.#paused && this.#inflight < MAX_INFLIGHT_REQUESTS / 2) {
        this.#paused = false;
        this.#ws.resume();
      }
    }
  }
}

/**
 * Raise the frame size limit once authenticated. ws keeps the limit on its receiver; the server
 * starts every connection at the pre-auth limit so unauthenticated peers cannot make it buffer
 * large frames. (Private ws field, covered by a test of both limits.)
 */
function setReceiverLimit(ws: WebSocket, maxPayload: number): void {
  const receiver = (ws as unknown as { _receiver?: { _maxPayload?: number } })._receiver;
  if (receiver && typeof receiver._maxPayload === "number") receiver._maxPayload = maxPayload;
}
