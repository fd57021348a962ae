/**
 * One Gateway connection: open the socket, wait for HELLO, beat, IDENTIFY or RESUME, hand every
 * dispatch on in order, and end with a reason that says what the next connection must do. The
 * socket handler only parses and hands over (dispatches are queued by the caller, never awaited),
 * so nothing can hold up a heartbeat. The driver decides what happens after a connection ends.
 */
import WebSocket from "ws";
import { errorMessage, type Logger } from "@talon/sdk";
import { CLOSE_MEANINGS, Op, RESUMABLE_CLOSE, closeAction, type CloseAction } from "./constants.ts";
import { Heartbeat } from "./heartbeat.ts";

/** How long the server has to say HELLO, and the socket to open. */
const HELLO_TIMEOUT_MS = 10_000;
/** Largest frame accepted from the server (a big guild's GUILD_CREATE is a few MB). */
const MAX_FRAME_BYTES = 32 * 1024 * 1024;

/** Why a connection ended and what comes next. */
export interface GatewayEnd {
  /** The close code (1006 when the socket died without one). */
  code: number;
  action: CloseAction;
  /** For logs and status: what happened, in words. */
  reason: string;
  /** Discord ended the session with op 9 (d = false): wait 1-5 s before identifying. */
  invalidSession?: boolean;
}

export interface ConnectionOptions {
  url: string;
  token: string;
  intents: number;
  /** Resume this session instead of identifying. */
  resume?: { sessionId: string; seq: number };
  /** The last sequence number received (heartbeats carry it). */
  lastSeq(): number | null;
  /** A dispatch, in order. Must return quickly. */
  dispatch(t: string, d: unknown, s: number): void;
  /** The connection ended after it was established (not called for a failed start). */
  ended(end: GatewayEnd): void;
  log: Logger;
}

export class GatewayConnection {
  readonly #options: ConnectionOptions;
  readonly #ws: WebSocket;
  #heartbeat: Heartbeat | undefined;
  #helloTimer: NodeJS.Timeout | undefined;
  #established = false;
  /** Set when the driver ends the connection itself (its reason wins over the close code). */
  #ending: GatewayEnd | undefined;
  #socketError: string | undefined;
  #settle!: { resolve(kind: "ready" | "resumed"): void; reject(end: GatewayEnd): void };
  /** Resolves at READY or RESUMED; rejects with the end when the connection fails first. */
  readonly established: Promise<"ready" | "resumed">;
  /** Resolves once the socket is closed. */
  readonly closed: Promise<void>;
  #markClosed!: () => void;
  /** Frames from the server that could not be read. */
  malformed = 0;

  constructor(options: ConnectionOptions) {
    this.#options = options;
    this.established = new Promise((resolve, reject) => (this.#settle = { resolve, reject }));
    // Rejections are read by the caller; keep an unobserved one from crashing the process.
    this.established.catch(() => undefined);
    this.closed = new Promise((resolve) => (this.#markClosed = resolve));
    const url = new URL(options.url);
    url.searchParams.set("v", "10");
    url.searchParams.set("encoding", "json");
    this.#ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: MAX_FRAME_BYTES, handshakeTimeout: HELLO_TIMEOUT_MS });
    this.#helloTimer = setTimeout(() => this.#end(RESUMABLE_CLOSE, "resume", `no HELLO within ${HELLO_TIMEOUT_MS} ms`), HELLO_TIMEOUT_MS);
    this.#ws.on("message", (data, isBinary) => this.#receive(data as Buffer, isBinary));
    this.#ws.on("close", (code, reason) => this.#closed(code, reason.toString("utf8")));
    this.#ws.on("error", (error) => {
      options.log.debug({ err: error }, "discord gateway socket error");
      this.#socketError ??= errorMessage(error);
    });
  }

  get heartbeat(): Heartbeat | undefined {
    return this.#heartbeat;
  }

  /** Close the connection; `resumable` keeps the session for a RESUME (any code but 1000). */
  close(resumable: boolean, reason: string): void {
    this.#end(resumable ? RESUMABLE_CLOSE : 1000, resumable ? "resume" : "identify", reason);
  }

  #end(code: number, action: CloseAction, reason: string, invalidSession = false): void {
    this.#ending ??= invalidSession ? { code, action, reason, invalidSession } : { code, action, reason };
    this.#heartbeat?.stop();
    clearTimeout(this.#helloTimer);
    const state = this.#ws.readyState;
    if (state === WebSocket.OPEN) this.#ws.close(code, reason.slice(0, 120));
    else if (state === WebSocket.CONNECTING) this.#ws.terminate();
  }

  #send(payload: unknown): void {
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.send(JSON.stringify(payload));
  }

  #receive(data: Buffer, isBinary: boolean): void {
    if (this.#ending) return;
    let frame: { op?: unknown; d?: any; s?: unknown; t?: unknown };
    try {
      if (isBinary) throw new Error("binary frame");
      frame = JSON.parse(data.toString("utf8"));
    } catch (error) {
      this.malformed++;
      this.#options.log.warn({}, `discord gateway sent an unreadable frame; ignored: ${errorMessage(error)}`);
      return;
    }
    switch (frame.op) {
      case Op.Dispatch:
        if (typeof frame.t !== "string" || typeof frame.s !== "number") {
          this.malformed++;
          this.#options.log.warn({ t: frame.t }, "discord gateway sent a dispatch without an event name or sequence; ignored");
          return;
        }
        this.#options.dispatch(frame.t, frame.d, frame.s);
        if (frame.t === "READY") this.#establish("ready");
        else if (frame.t === "RESUMED") this.#establish("resumed");
        return;
      case Op.Hello:
        return this.#hello(frame.d?.heartbeat_interval);
      case Op.HeartbeatAck:
        this.#heartbeat?.ack();
        return;
      case Op.Heartbeat:
        this.#heartbeat?.beatNow();
        return;
      case Op.Reconnect:
        return this.#end(RESUMABLE_CLOSE, "resume", "Discord asked to reconnect (op 7)");
      case Op.InvalidSession:
        return frame.d === true
          ? this.#end(RESUMABLE_CLOSE, "resume", "Discord invalidated the session, resumable (op 9)")
          : this.#end(1000, "identify", "Discord invalidated the session (op 9); identifying again", true);
      default:
        this.#options.log.debug({ op: frame.op }, "discord gateway sent an unknown opcode; ignored");
    }
  }

  #hello(interval: unknown): void {
    clearTimeout(this.#helloTimer);
    if (typeof interval !== "number" || !(interval > 0)) {
      this.malformed++;
      return this.#end(RESUMABLE_CLOSE, "resume", "HELLO without a heartbeat interval");
    }
    this.#heartbeat = new Heartbeat({
      intervalMs: interval,
      beat: () => this.#send({ op: Op.Heartbeat, d: this.#options.lastSeq() }),
      zombie: () => this.#end(RESUMABLE_CLOSE, "resume", `no heartbeat ACK within ${interval} ms (zombied connection)`),
    });
    this.#heartbeat.start();
    const { resume, token, intents } = this.#options;
    if (resume) {
      this.#send({ op: Op.Resume, d: { token, session_id: resume.sessionId, seq: resume.seq } });
    } else {
      this.#send({ op: Op.Identify, d: { token, intents, properties: { os: process.platform, browser: "talon", device: "talon" } } });
    }
  }

  #establish(kind: "ready" | "resumed"): void {
    if (this.#established) return;
    this.#established = true;
    this.#settle.resolve(kind);
  }

  #closed(code: number, reason: string): void {
    this.#heartbeat?.stop();
    clearTimeout(this.#helloTimer);
    const meaning = CLOSE_MEANINGS[code] ?? "unknown code";
    const detail = reason || this.#socketError;
    // A close the driver started keeps its reason; otherwise Discord's code says what comes next.
    const end: GatewayEnd = this.#ending ?? {
      code,
      action: closeAction(code),
      reason: `closed by Discord with ${code} (${meaning})${detail ? `: ${detail}` : ""}`,
    };
    this.#ending = end;
    this.#markClosed();
    if (this.#established) this.#options.ended(end);
    else this.#settle.reject(end);
  }
}
