/**
 * One client connection of the standalone server: challenge, handshake, then frames.
 * Behaviour follows upstream's handshake error table (upstream-live.md §4): every failure is an
 * upstream error `res` plus upstream's close code; after `hello-ok` a bad frame gets an error
 * `res` (malformed JSON is dropped, as upstream does) and the connection stays usable.
 *
 * Hot path (an authenticated request): JSON.parse, a hand-written shape check, the registry's
 * synchronous dispatch when the handler is synchronous, one JSON.stringify. The `frame` hook,
 * promises and zod run only when needed.
 */
import { randomUUID } from "node:crypto";
import type { WebSocket } from "ws";
import { RpcError, isThenable, errorMessage, type ClientInfo, type FrameContext, type WireError } from "@talon/sdk";
import type { FailureBackoff, ResolvedAuth } from "./auth.ts";
import { withSeq } from "./event-frame.ts";
import { batchSocketWrites, sendTextFrame, setReceiverLimit } from "./ws-internals.ts";
import { evaluateHandshake, truncateReason, type HandshakeAccepted } from "./handshake.ts";
import type { GatewayHostView } from "./host-view.ts";
import type { OriginPolicy } from "./origin.ts";
import { MAX_PREAUTH_PAYLOAD_BYTES, classifyFrame, invalidRequestMessage, isRequestFrame } from "./protocol.ts";
import { toWireError } from "./wire-error.ts";

/** Requests and events in progress per connection; beyond this the socket is paused (backpressure). */
export const MAX_INFLIGHT_PER_CONNECTION = 64;
/** Frames a client may send while its connect is still being judged (upstream: 15). */
export const MAX_PENDING_HANDSHAKE_FRAMES = 15;
/** Consecutive `unauthorized role` answers before the connection is closed (upstream: 10). */
export const MAX_UNAUTHORIZED_STREAK = 10;

/** Limits and auth snapshotted when a connection is accepted (a config reload affects later ones). */
export interface ConnectionSettings {
  auth: ResolvedAuth;
  origins: OriginPolicy;
  handshakeTimeoutMs: number;
  eventQueueCapacity: number;
  maxPayload: number;
  maxBufferedBytes: number;
  tickIntervalMs: number;
}

/** What a connection needs from its server. */
export interface ConnectionOwner {
  readonly host: GatewayHostView;
  readonly backoff: FailureBackoff;
  /** Whether the `frame` / `extract` hooks have taps (fixed after start). */
  readonly frameHook: boolean;
  readonly extractHook: boolean;
  /** The connection left the handshake (authenticated or closed). */
  leftHandshake(connection: Connection): void;
  /** Authenticated: joins the event fan-out. */
  opened(connection: Connection): void;
  closed(connection: Connection): void;
  helloPayload(connection: Connection, accepted: HandshakeAccepted): Record<string, unknown>;
}

const enum State {
  Handshake,
  /** A connect with a wrong secret is waiting out its delay; the connection will close. */
  Refusing,
  Open,
  Closed,
}

type ResponseId = string | number;

/** The socket methods write batching needs (ws keeps its net.Socket in a private field). */

/** Socket errors end in a `close` event, which is where the connection reacts (shared, no closure per socket). */
const ignoreSocketError = (): void => undefined;

/** The id to answer a malformed frame with: its own id when it has a usable one, else `invalid`. */
function answerId(frame: unknown): ResponseId {
  const id = (frame as { id?: unknown } | null)?.id;
  if (typeof id === "string" && id !== "") return id;
  if (typeof id === "number" && Number.isFinite(id)) return id;
  return "invalid";
}

/** One client socket of the standalone server, from challenge to close. */
export class Connection {
  readonly connId = randomUUID();
  readonly address: string;
  readonly loopback: boolean;
  /** Epoch ms after which an unfinished handshake is closed. */
  readonly handshakeDeadline: number;
  readonly settings: ConnectionSettings;
  client?: ClientInfo;
  /** Per-connection event sequence; dropped events still consume a number (upstream). */
  seq = 0;
  /** Events waiting in user space behind a backlog (written to the socket but not yet to the kernel). */
  queuedEvents = 0;
  #state = State.Handshake;
  #inflight = 0;
  #paused = false;
  #pendingFrames = 0;
  #unauthorizedStreak = 0;
  #eventWritten: (() => void) | undefined;
  readonly #ws: WebSocket & { talonPreauth?: boolean };
  readonly #owner: ConnectionOwner;
  /** The upgrade request's Origin header (browsers only), judged at connect. */
  readonly #origin: string | undefined;

  constructor(ws: WebSocket, address: string, loopback: boolean, owner: ConnectionOwner, settings: ConnectionSettings, origin?: string) {
    this.#ws = ws;
    this.address = address;
    this.loopback = loopback;
    this.#owner = owner;
    this.settings = settings;
    this.#origin = origin;
    this.handshakeDeadline = Date.now() + settings.handshakeTimeoutMs;
    ws.on("message", (data: Buffer, isBinary: boolean) => this.#onMessage(data, isBinary));
    ws.on("close", () => this.#closed());
    ws.on("error", ignoreSocketError);
    this.#sendRaw(JSON.stringify({ type: "event", event: "connect.challenge", payload: { nonce: randomUUID(), ts: Date.now() } }));
  }

  get open(): boolean {
    return this.#state === State.Open;
  }

  get inHandshake(): boolean {
    return this.#state === State.Handshake || this.#state === State.Refusing;
  }

  get bufferedAmount(): number {
    return this.#ws.bufferedAmount;
  }

  /** The handshake timed out (upstream: close 1000 with an empty reason). */
  expire(): void {
    if (this.inHandshake) this.close(1000, "");
  }

  /** Close with a code and reason (idempotent). */
  close(code: number, reason: string): void {
    if (this.#state === State.Closed) return;
    this.#closed();
    this.#ws.close(code, truncateReason(reason));
  }

  /** Drop the socket without a close handshake (shutdown of a peer that stopped answering). */
  terminate(): void {
    this.#closed();
    this.#ws.terminate();
  }

  #closed(): void {
    if (this.#state === State.Closed) return;
    const previous = this.#state;
    this.#state = State.Closed;
    if (previous === State.Open) this.#owner.closed(this);
    else this.#owner.leftHandshake(this);
  }

  #sendRaw(text: string): boolean {
    if (this.#ws.readyState !== 1) return false;
    sendTextFrame(this.#ws, text);
    if (this.#ws.bufferedAmount > this.settings.maxBufferedBytes) {
      this.close(1008, "slow consumer");
      return false;
    }
    return true;
  }

  /**
   * Queue an event frame (from {@link encodeEventPrefix}). A client whose queue is full loses
   * droppable events; for any other event it is closed with a reason, never left open
   * receiving nothing (seed §8 item 6).
   */
  sendEvent(prefix: string, droppable: boolean): void {
    if (this.#state !== State.Open) return;
    const seq = ++this.seq;
    const buffered = this.#ws.bufferedAmount;
    // With nothing buffered in user space every earlier event reached the kernel: the queue is
    // empty, whatever write callbacks are still to run.
    if ((buffered > 0 && this.queuedEvents >= this.settings.eventQueueCapacity) || buffered > this.settings.maxBufferedBytes) {
      if (!droppable) this.close(1008, buffered > this.settings.maxBufferedBytes ? "slow consumer" : "slow consumer: event queue full");
      return;
    }
    if (buffered === 0) {
      // The usual case: the socket takes the frame at once; nothing to count, nothing to allocate.
      this.#ws.send(withSeq(prefix, seq));
      return;
    }
    // Behind a backlog: the event waits in user space until the client reads; count it until written.
    this.queuedEvents++;
    this.#eventWritten ??= () => void this.queuedEvents--;
    this.#ws.send(withSeq(prefix, seq), this.#eventWritten);
  }

  #onMessage(data: Buffer, isBinary: boolean): void {
    switch (this.#state) {
      case State.Open:
        batchSocketWrites(this.#ws);
        return this.#onFrame(data);
      case State.Handshake:
        if (data.length > MAX_PREAUTH_PAYLOAD_BYTES) return this.close(1009, "preauth payload too large");
        return this.#handshake(data, isBinary);
      case State.Refusing:
        if (data.length > MAX_PREAUTH_PAYLOAD_BYTES) return this.close(1009, "preauth payload too large");
        if (++this.#pendingFrames > MAX_PENDING_HANDSHAKE_FRAMES) this.close(1008, "too many pending handshake frames");
        return;
      case State.Closed:
        return;
    }
  }

  #handshake(data: Buffer, _isBinary: boolean): void {
    let frame: unknown;
    try {
      frame = JSON.parse(data.toString("utf8"));
    } catch {
      frame = undefined;
    }
    const outcome = evaluateHandshake(frame, this.settings.auth, this.loopback, this.settings.origins.judge(this.#origin));
    if (!outcome.ok) {
      const refuse = () => {
        if (this.#state === State.Closed) return;
        if (outcome.id !== undefined && outcome.error) this.#respondError(outcome.id, outcome.error);
        this.close(outcome.closeCode, outcome.closeReason);
      };
      if (!outcome.delayed) return refuse();
      this.#state = State.Refusing;
      setTimeout(refuse, this.#owner.backoff.fail(this.address)).unref();
      return;
    }
    this.#owner.backoff.succeed(this.address);
    const { connect } = outcome;
    this.client = {
      connId: this.connId,
      id: connect.client.id,
      mode: connect.client.mode,
      role: outcome.role,
      scopes: outcome.scopes,
      version: connect.client.version,
      platform: connect.client.platform,
    };
    this.#state = State.Open;
    this.#owner.leftHandshake(this);
    this.#ws.talonPreauth = false;
    setReceiverLimit(this.#ws, this.settings.maxPayload);
    this.#respondOk(outcome.id, this.#owner.helloPayload(this, outcome));
    if (this.#state === State.Open) this.#owner.opened(this);
  }

  #onFrame(data: Buffer): void {
    let frame: unknown;
    try {
      frame = JSON.parse(data.toString("utf8"));
    } catch {
      // Upstream drops malformed JSON after the handshake and keeps the connection.
      this.#owner.host.log.debug({ connId: this.connId, bytes: data.length }, "dropped a frame that is not JSON");
      return;
    }
    if (typeof frame !== "object" || frame === null || Array.isArray(frame)) {
      return this.#respondError("invalid", { code: "INVALID_REQUEST", message: invalidRequestMessage(frame) });
    }
    const record = frame as Record<string, unknown>;
    const kind = classifyFrame(record);
    if (kind === "req") {
      if (isRequestFrame(record)) return this.#request(record as { id: string; method: string; params?: unknown });
      return this.#respondError(answerId(record), { code: "INVALID_REQUEST", message: invalidRequestMessage(record) });
    }
    if (kind === "event" || kind === "res") return this.#screen(record, kind);
    this.#respondError(answerId(record), { code: "INVALID_REQUEST", message: invalidRequestMessage(record) });
  }

  #request(frame: { id: string; method: string; params?: unknown }): void {
    const { id, method } = frame;
    if (method === "connect") {
      // Upstream: connect is not a method an operator may call again; only an admin is told why.
      const client = this.client!;
      const error =
        client.role === "node"
          ? new RpcError("TALON_RPC_INVALID_REQUEST", "unauthorized role: node")
          : client.scopes.includes("operator.admin")
            ? new RpcError("TALON_RPC_INVALID_REQUEST", "connect is only valid as the first request")
            : new RpcError("TALON_RPC_FORBIDDEN", "missing scope: operator.admin", {
                details: { code: "MISSING_SCOPE", missingScope: "operator.admin", requiredScopes: ["operator.admin"] },
              });
      return this.#respondError(id, toWireError(error));
    }
    if (!this.#owner.frameHook) return this.#dispatch(id, method, frame.params);
    const context: FrameContext = { mode: "standalone", kind: "req", method, client: this.client };
    this.#track(
      this.#owner.host.inspectFrame(frame as Record<string, unknown>, context).then(
        (inspected) => {
          if (!inspected)
            return this.#respondError(id, toWireError(new RpcError("TALON_RPC_INVALID_REQUEST", "request refused by a frame policy")));
          this.#dispatch(id, method, inspected.params);
        },
        (error) => {
          // The frame hook contains its taps; reaching here is a host fault: fail closed.
          this.#owner.host.log.error({ err: error, connId: this.connId, method }, "frame hook failed; request refused");
          this.#respondError(id, toWireError(new RpcError("TALON_RPC_UNAVAILABLE", "request could not be screened; retry later")));
        },
      ),
    );
  }

  #dispatch(id: string, method: string, params: unknown): void {
    let result: unknown;
    try {
      result = this.#owner.host.methods.invoke(method, params, { method, origin: "standalone", client: this.client, requestId: id });
    } catch (error) {
      return this.#failed(id, method, error);
    }
    if (!isThenable(result)) return this.#respondOk(id, result);
    this.#track(
      result.then(
        (payload) => this.#respondOk(id, payload),
        (error) => this.#failed(id, method, error),
      ),
    );
  }

  #failed(id: ResponseId, method: string, error: unknown): void {
    const wire = toWireError(error);
    if (wire.message === "internal error") this.#owner.host.log.error({ err: error, method }, `request failed: ${errorMessage(error)}`);
    this.#respondError(id, wire);
  }

  /** Event and response frames from a client: the `frame` hook and the defender see them; no answer. */
  #screen(frame: Record<string, unknown>, kind: "event" | "res"): void {
    const { host, frameHook, extractHook } = this.#owner;
    if (!frameHook && (kind === "res" || !extractHook)) return;
    const context: FrameContext = {
      mode: "standalone",
      kind,
      method: typeof frame.method === "string" ? frame.method : undefined,
      event: typeof frame.event === "string" ? frame.event : undefined,
      client: this.client,
    };
    this.#track(
      (async () => {
        const inspected = frameHook ? await host.inspectFrame(frame, context) : frame;
        if (inspected && kind === "event" && extractHook) await host.ingestFrame(inspected, context);
      })().catch((error) => host.log.error({ err: error, connId: this.connId }, "client event could not be screened")),
    );
  }

  /** Count work in progress; pause reading while too much is in flight. */
  #track(work: PromiseLike<unknown>): void {
    if (++this.#inflight >= MAX_INFLIGHT_PER_CONNECTION && !this.#paused) {
      this.#paused = true;
      this.#ws.pause();
    }
    const settle = () => {
      this.#inflight--;
      if (this.#paused && this.#inflight < MAX_INFLIGHT_PER_CONNECTION / 2) {
        this.#paused = false;
        if (this.#state === State.Open) this.#ws.resume();
      }
    };
    work.then(settle, settle);
  }

  #respondOk(id: ResponseId, payload: unknown): void {
    if (this.#state === State.Closed) return;
    let text: string;
    try {
      // Spliced rather than wrapping the payload in a new object: one allocation less per answer.
      text = `{"type":"res","id":${typeof id === "number" ? id : JSON.stringify(id)},"ok":true,"payload":${JSON.stringify(payload) ?? "null"}}`;
    } catch (error) {
      this.#owner.host.log.error({ err: error, connId: this.connId }, "response serialization failed");
      return this.#respondError(id, { code: "UNAVAILABLE", message: "response serialization failed" });
    }
    this.#unauthorizedStreak = 0;
    this.#sendRaw(text);
  }

  #respondError(id: ResponseId, error: WireError): void {
    if (this.#state === State.Closed && this.#ws.readyState !== 1) return;
    this.#sendRaw(JSON.stringify({ type: "res", id, ok: false, error }));
    if (error.code === "INVALID_REQUEST" && error.message.startsWith("unauthorized role:")) {
      // Upstream closes a client that keeps calling what its role may not.
      if (++this.#unauthorizedStreak > MAX_UNAUTHORIZED_STREAK) this.close(1008, "repeated unauthorized calls");
    } else {
      this.#unauthorizedStreak = 0;
    }
  }
}

/** The socket write a text frame needs. */
