/**
 * One lazily opened, authenticated, persistent WebSocket to Talon, speaking Talon's (and
 * OpenClaw's) gateway protocol as the openclaw CLI does: wait for `connect.challenge`, send
 * `connect` (client `gateway-client`/`backend`, display name `talon-guard`, scope
 * `operator.write`, the token), get `hello-ok`, then send requests and match each `res` to its
 * request by id.
 *
 * Trust rules for answers: request ids carry 96 random bits, so an answer cannot be guessed; an
 * answer whose id is not pending (forged, duplicate, late, or for a request that timed out) is
 * dropped and counted; a malformed frame is dropped and counted; a connection that closes fails
 * its pending requests (the caller may retry on a new connection within its deadline). Memory is
 * bounded: at most `maxPending` requests wait, and frames larger than `maxPayload` close the
 * connection. Reconnects back off (100 ms doubling to `backoffMaxMs`), reset by a good handshake.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import WebSocket from "ws";

/** Largest frame accepted from Talon (answers are small; hello-ok is a few KB). */
const MAX_INCOMING_BYTES = 1024 * 1024;
const FIRST_BACKOFF_MS = 100;

/** An error with a stable code; `retryable` errors may succeed on a new connection. */
export class GuardError extends Error {
  /**
   * @param {string} code
   * @param {string} message
   * @param {boolean} [retryable]
   */
  constructor(code, message, retryable = false) {
    super(message);
    this.name = "GuardError";
    this.code = code;
    this.retryable = retryable;
  }
}

/**
 * @typedef {object} ClientOptions
 * @property {string} url
 * @property {string} token
 * @property {number} connectTimeoutMs
 * @property {number} maxPending
 * @property {number} backoffMaxMs
 * @property {string} version The guard's version, sent as `client.version`.
 * @property {string} instanceId
 * @property {{ info(msg: string): void, warn(msg: string): void, error(msg: string): void }} log
 */

/**
 * @typedef {object} Pending
 * @property {(payload: unknown) => void} resolve
 * @property {(error: Error) => void} reject
 * @property {WebSocket} socket
 */

export class TalonClient {
  /** @type {ClientOptions} */
  #options;
  /** @type {WebSocket | undefined} */
  #socket;
  /** @type {Promise<WebSocket> | undefined} */
  #opening;
  /** @type {Map<string, Pending>} */
  #pending = new Map();
  #prefix = randomBytes(12).toString("hex");
  #counter = 0;
  #inflight = 0;
  #attempt = 0;
  #nextAttemptAt = 0;
  #closed = false;
  /** @type {string | undefined} */
  #lastError;
  /** What Talon said about itself in hello-ok. */
  talon = { version: "", connectedSinceMs: 0 };
  stats = { connects: 0, reconnects: 0, unmatched: 0, malformed: 0, refusedBusy: 0 };

  /** @param {ClientOptions} options */
  constructor(options) {
    this.#options = options;
  }

  get connected() {
    return this.#socket?.readyState === WebSocket.OPEN;
  }

  /** Requests admitted and not yet settled (connecting, sent, or waiting for the answer). */
  get pending() {
    return this.#inflight;
  }

  get lastError() {
    return this.#lastError;
  }

  /**
   * Send one request and wait for its answer until `deadline` (ms since epoch). Connects if
   * needed; while reconnects back off, a `patient` request waits for the next attempt (within its
   * deadline) and any other fails at once, so a call does not sit out a Talon outage.
   * @param {string} method
   * @param {unknown} params
   * @param {number} deadline
   * @param {AbortSignal} [signal]
   * @param {{ patient?: boolean }} [options]
   * @returns {Promise<unknown>} the answer's payload
   */
  async request(method, params, deadline, signal, options = {}) {
    if (this.#closed) throw new GuardError("GUARD_CLOSED", "the guard is stopped");
    // Counted from admission (not from sending), so a burst while connecting is bounded too.
    if (this.#inflight >= this.#options.maxPending) {
      this.stats.refusedBusy++;
      throw new GuardError("GUARD_BUSY", `${this.#inflight} decisions already wait for Talon`);
    }
    this.#inflight++;
    try {
      return await this.#send(method, params, deadline, signal, options.patient === true);
    } finally {
      this.#inflight--;
    }
  }

  /**
   * @param {string} method
   * @param {unknown} params
   * @param {number} deadline
   * @param {AbortSignal} [signal]
   * @param {boolean} patient
   * @returns {Promise<unknown>}
   */
  async #send(method, params, deadline, signal, patient) {
    const socket = await this.#open(deadline, patient);
    const id = `${this.#prefix}-${(++this.#counter).toString(36)}`;
    const frame = JSON.stringify({ type: "req", id, method, params });
    return new Promise((resolve, reject) => {
      const remaining = deadline - Date.now();
      const finish = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        this.#pending.delete(id);
      };
      const timer = setTimeout(
        () => {
          finish();
          reject(new GuardError("GUARD_TIMEOUT", `Talon did not answer ${method} in time`));
        },
        Math.max(0, remaining),
      );
      const onAbort = () => {
        finish();
        reject(new GuardError("GUARD_ABORTED", "the tool call was cancelled"));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#pending.set(id, {
        socket,
        resolve: (payload) => {
          finish();
          resolve(payload);
        },
        reject: (error) => {
          finish();
          reject(error);
        },
      });
      socket.send(frame, (error) => {
        if (error) this.#pending.get(id)?.reject(new GuardError("GUARD_SEND_FAILED", `could not send to Talon: ${error.message}`, true));
      });
    });
  }

  /**
   * The open, authenticated socket; connects (once at a time) when there is none. During a
   * backoff, a patient caller waits for the next attempt if it comes before `deadline`.
   * @param {number} deadline
   * @param {boolean} patient
   * @returns {Promise<WebSocket>}
   */
  async #open(deadline, patient) {
    if (this.#socket && this.#socket.readyState === WebSocket.OPEN) return this.#socket;
    if (!this.#opening) {
      const wait = this.#nextAttemptAt - Date.now();
      if (wait > 0) {
        if (!patient || Date.now() + wait >= deadline)
          throw new GuardError(
            "GUARD_UNREACHABLE",
            `Talon is unreachable (${this.#lastError ?? "not connected"}); next attempt in ${wait} ms`,
          );
        await new Promise((resolve) => setTimeout(resolve, wait));
        if (this.#closed) throw new GuardError("GUARD_CLOSED", "the guard is stopped");
      }
      if (!this.#opening && !(this.#socket && this.#socket.readyState === WebSocket.OPEN)) {
        this.#opening = this.#connect().finally(() => (this.#opening = undefined));
      }
    }
    if (this.#socket && this.#socket.readyState === WebSocket.OPEN) return this.#socket;
    const remaining = deadline - Date.now();
    let timer;
    const limit = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new GuardError("GUARD_TIMEOUT", "connecting to Talon took too long", true)), Math.max(0, remaining));
    });
    try {
      return await Promise.race([/** @type {Promise<WebSocket>} */ (this.#opening), limit]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Open a socket and run the handshake. @returns {Promise<WebSocket>} */
  #connect() {
    const options = this.#options;
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(options.url, {
        perMessageDeflate: false,
        maxPayload: MAX_INCOMING_BYTES,
        handshakeTimeout: options.connectTimeoutMs,
      });
      const connectId = `${this.#prefix}-connect-${(++this.#counter).toString(36)}`;
      let settled = false;
      let established = false;
      const fail = (/** @type {Error} */ error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.#failed(error.message);
        socket.terminate();
        reject(error instanceof GuardError ? error : new GuardError("GUARD_UNREACHABLE", `Talon is unreachable: ${error.message}`, true));
      };
      const timer = setTimeout(
        () => fail(new GuardError("GUARD_UNREACHABLE", "Talon's handshake took too long", true)),
        options.connectTimeoutMs,
      );
      socket.on("error", (error) => fail(error));
      socket.on("close", (code, reason) => {
        if (!settled)
          fail(
            new GuardError("GUARD_UNREACHABLE", `Talon closed the connection during the handshake (${code} ${reason.toString()})`, true),
          );
        else if (established) this.#onClose(socket, code, reason.toString());
      });
      socket.on("message", (data, isBinary) => {
        if (isBinary) {
          this.stats.malformed++;
          return;
        }
        let frame;
        try {
          frame = JSON.parse(data.toString());
        } catch {
          this.stats.malformed++;
          return;
        }
        if (typeof frame !== "object" || frame === null || Array.isArray(frame)) {
          this.stats.malformed++;
          return;
        }
        if (!settled) {
          if (frame.type === "event" && frame.event === "connect.challenge") {
            socket.send(JSON.stringify({ type: "req", id: connectId, method: "connect", params: this.#connectParams() }));
          } else if (frame.type === "res" && frame.id === connectId) {
            if (frame.ok === true && frame.payload?.type === "hello-ok") {
              settled = true;
              established = true;
              clearTimeout(timer);
              this.#socket = socket;
              const wasConnected = this.stats.connects > 0;
              this.stats.connects++;
              if (wasConnected) this.stats.reconnects++;
              this.#attempt = 0;
              this.#nextAttemptAt = 0;
              this.#lastError = undefined;
              this.talon = { version: String(frame.payload?.server?.version ?? "unknown"), connectedSinceMs: Date.now() };
              // An idle connection must not keep a short-lived OpenClaw process (a CLI run) alive;
              // a waiting request's timer does while it waits.
              /** @type {{ _socket?: { unref?: () => void } }} */ (/** @type {unknown} */ (socket))._socket?.unref?.();
              resolve(socket);
            } else {
              const message = typeof frame.error?.message === "string" ? frame.error.message : "connect refused";
              fail(new GuardError("GUARD_AUTH_FAILED", `Talon refused the guard's connect: ${message}`, false));
            }
          }
          return;
        }
        this.#onFrame(socket, frame);
      });
    });
  }

  #connectParams() {
    return {
      minProtocol: 3,
      maxProtocol: 4,
      client: {
        id: "gateway-client",
        displayName: "talon-guard",
        version: this.#options.version,
        platform: process.platform,
        mode: "backend",
        instanceId: this.#options.instanceId,
      },
      caps: [],
      role: "operator",
      scopes: ["operator.write"],
      auth: { token: this.#options.token },
    };
  }

  /**
   * @param {WebSocket} socket
   * @param {Record<string, any>} frame
   */
  #onFrame(socket, frame) {
    if (frame.type !== "res") return; // events (tick, health, shutdown) need no answer
    const pending = typeof frame.id === "string" ? this.#pending.get(frame.id) : undefined;
    // Only the socket a request went out on may answer it.
    if (!pending || pending.socket !== socket) {
      this.stats.unmatched++;
      return;
    }
    if (frame.ok === true) pending.resolve(frame.payload);
    else {
      const code = typeof frame.error?.code === "string" ? frame.error.code : "UNKNOWN";
      const message = typeof frame.error?.message === "string" ? frame.error.message : "request failed";
      pending.reject(new GuardError(`TALON_${code}`, `Talon answered ${code}: ${message}`, frame.error?.retryable === true));
    }
  }

  /**
   * @param {WebSocket} socket
   * @param {number} code
   * @param {string} reason
   */
  #onClose(socket, code, reason) {
    if (this.#socket === socket) this.#socket = undefined;
    this.#failed(`connection closed (${code}${reason ? ` ${reason}` : ""})`);
    for (const [, pending] of this.#pending) {
      if (pending.socket === socket)
        pending.reject(new GuardError("GUARD_DISCONNECTED", "the connection to Talon closed before the answer", true));
    }
  }

  /** @param {string} message */
  #failed(message) {
    this.#lastError = message;
    const delay = Math.min(this.#options.backoffMaxMs, FIRST_BACKOFF_MS * 2 ** Math.min(this.#attempt, 16));
    this.#attempt++;
    this.#nextAttemptAt = Date.now() + delay;
  }

  /** Close the connection and fail every pending request. */
  close() {
    this.#closed = true;
    const socket = this.#socket;
    this.#socket = undefined;
    for (const [, pending] of this.#pending) pending.reject(new GuardError("GUARD_CLOSED", "the guard is stopped"));
    socket?.close(1000, "guard stopped");
  }
}

/** A process-unique instance id for heartbeats and connects. */
export function newInstanceId() {
  return `${hostname().slice(0, 64)}-${process.pid}-${randomBytes(4).toString("hex")}`;
}
