/**
 * Slack Socket Mode over `ws` (https://api.slack.com/apis/socket-mode, platforms.md §3.2).
 *
 * Written here rather than with `@slack/socket-mode` (3.1): that client closes its socket on any
 * `disconnect` message before it has a new one (Slack asks for the opposite: on `warning` open a
 * second socket, on `refresh_requested` switch to it, then drop the old one), reconnects on
 * `link_disabled` (Slack says stop), retries on its own without bound alongside Talon's
 * reconnect policy, and logs whole payloads at debug level. What remains is small: one socket
 * per URL from `apps.connections.open`, `hello`, envelopes, acknowledgements and pings.
 *
 * - Each socket is ready at `hello`; a URL (a ticket) is used once.
 * - `warning`: open a second socket now and keep the old one until it is refreshed or closed.
 *   `refresh_requested` (or any other reason): open a replacement if none is open, then close
 *   the old one. Envelopes the old socket had not acknowledged are redelivered by Slack; Talon
 *   drops what it already stored, so nothing is lost or processed twice.
 * - `link_disabled`: Socket Mode was switched off for the app; close everything, never reconnect.
 * - Keepalive: a ping every `pingIntervalMs`; no pong before the next one means a dead link.
 * - The last socket closing on its own is a lost connection: the core restarts the account with
 *   its bounded backoff.
 */
import WebSocket from "ws";
import { DriverNetworkError, DriverPermissionError, errorMessage, type Logger } from "@talon/sdk";

const DRIVER_ID = "slack";
/** How long a closing socket may take to finish its close handshake before it is cut. */
const CLOSE_TIMEOUT_MS = 1_000;

/** One Socket Mode envelope (`events_api`, `slash_commands`, `interactive`). */
export interface SocketEnvelope {
  type: string;
  envelope_id: string;
  payload?: unknown;
  retry_attempt?: number;
  retry_reason?: string;
  accepts_response_payload?: boolean;
}

export interface SocketModeOptions {
  /** `apps.connections.open`: a fresh socket URL (throws a driver error). */
  openUrl(): Promise<string>;
  helloTimeoutMs: number;
  pingIntervalMs: number;
  refreshGraceMs: number;
  log: Logger;
  /** An envelope arrived; `ack()` once Slack may forget it (on the socket it came on). */
  onEnvelope(envelope: SocketEnvelope, ack: () => void): void;
  /** No socket is left and none could be opened: the core restarts the account. */
  onLost(error: unknown): void;
  /** Slack switched Socket Mode off for the app (`link_disabled`): never reconnect. */
  onDisabled(error: unknown): void;
}

interface Socket {
  readonly id: number;
  readonly ws: WebSocket;
  state: "connecting" | "open" | "retiring" | "closed";
  /** Closed by Talon (stop, refresh), not by Slack or the network. */
  closing: boolean;
  awaitingPong: boolean;
  keepalive?: NodeJS.Timeout;
  retireTimer?: NodeJS.Timeout;
  closed: Promise<void>;
}

export class SocketModeLink {
  readonly #options: SocketModeOptions;
  readonly #sockets = new Set<Socket>();
  #replacing: Promise<Socket> | undefined;
  #stopped = false;
  #sequence = 0;
  /** Sockets opened to replace a refreshed one (shown in logs). */
  refreshes = 0;

  constructor(options: SocketModeOptions) {
    this.#options = options;
  }

  /** Open the first socket; resolves at `hello`. */
  async open(): Promise<void> {
    await this.#connect();
  }

  /** Sockets open now (ready or retiring). */
  openSockets(): number {
    let count = 0;
    for (const socket of this.#sockets) if (socket.state === "open" || socket.state === "retiring") count++;
    return count;
  }

  /** Close every socket; nothing reconnects afterwards. */
  async close(): Promise<void> {
    this.#stopped = true;
    await Promise.all([...this.#sockets].map((socket) => this.#closeSocket(socket, 1000, "client stopping")));
  }

  async #connect(): Promise<Socket> {
    const url = await this.#options.openUrl();
    if (this.#stopped) throw new DriverNetworkError(DRIVER_ID, "Socket Mode stopped while connecting");
    const ws = new WebSocket(url, {
      perMessageDeflate: false,
      handshakeTimeout: this.#options.helloTimeoutMs,
      maxPayload: 8 * 1024 * 1024,
    });
    let markClosed!: () => void;
    const socket: Socket = {
      id: ++this.#sequence,
      ws,
      state: "connecting",
      closing: false,
      awaitingPong: false,
      closed: new Promise((resolve) => {
        markClosed = resolve;
      }),
    };
    this.#sockets.add(socket);
    return new Promise<Socket>((resolve, reject) => {
      const helloTimer = setTimeout(() => {
        reject(new DriverNetworkError(DRIVER_ID, `Slack sent no hello within ${this.#options.helloTimeoutMs} ms`));
        ws.terminate();
      }, this.#options.helloTimeoutMs);
      ws.on("message", (data, isBinary) => {
        if (isBinary) return;
        let frame: Record<string, unknown>;
        try {
          frame = JSON.parse(data.toString());
        } catch {
          this.#options.log.warn({ socket: socket.id }, "Slack sent a Socket Mode frame that is not JSON; ignored");
          return;
        }
        if (frame.type === "hello") {
          clearTimeout(helloTimer);
          if (socket.state !== "connecting") return;
          socket.state = "open";
          this.#startKeepalive(socket);
          this.#options.log.debug({ socket: socket.id, connections: frame.num_connections }, "Slack socket ready");
          resolve(socket);
          return;
        }
        this.#frame(socket, frame);
      });
      ws.on("pong", () => {
        socket.awaitingPong = false;
      });
      ws.on("error", (error) => {
        this.#options.log.debug({ socket: socket.id, err: error }, `Slack socket error: ${errorMessage(error)}`);
      });
      ws.on("close", (code) => {
        clearTimeout(helloTimer);
        const wasReady = socket.state === "open" || socket.state === "retiring";
        socket.state = "closed";
        clearInterval(socket.keepalive);
        clearTimeout(socket.retireTimer);
        this.#sockets.delete(socket);
        markClosed();
        if (!wasReady) {
          reject(new DriverNetworkError(DRIVER_ID, `Slack closed the socket before hello (code ${code})`));
          return;
        }
        if (!socket.closing) this.#closedBySlack(socket, code);
      });
    });
  }

  #frame(socket: Socket, frame: Record<string, unknown>): void {
    if (frame.type === "disconnect") {
      this.#disconnect(socket, String(frame.reason ?? ""));
      return;
    }
    const envelopeId = frame.envelope_id;
    if (typeof envelopeId !== "string" || envelopeId === "") {
      this.#options.log.debug({ socket: socket.id, type: frame.type }, "Slack Socket Mode frame without an envelope; ignored");
      return;
    }
    let acked = false;
    const ack = () => {
      if (acked) return;
      acked = true;
      // The socket it came on may be gone: Slack then delivers the envelope again elsewhere.
      if (socket.ws.readyState === WebSocket.OPEN) socket.ws.send(JSON.stringify({ envelope_id: envelopeId }));
    };
    this.#options.onEnvelope(frame as unknown as SocketEnvelope, ack);
  }

  #disconnect(socket: Socket, reason: string): void {
    this.#options.log.info({ socket: socket.id, reason }, `Slack asked to disconnect a socket (${reason})`);
    if (reason === "link_disabled") {
      this.#stopped = true;
      this.#options.onDisabled(
        new DriverPermissionError(
          DRIVER_ID,
          "Slack switched Socket Mode off for this app (link_disabled); turn it on in the app settings (or use mode http), then channels.start",
        ),
      );
      for (const each of [...this.#sockets]) void this.#closeSocket(each, 1000, "link disabled");
      return;
    }
    if (socket.state !== "open" && socket.state !== "retiring") return;
    socket.state = "retiring";
    // `warning`: the refresh comes in about 10 s; the old socket keeps delivering until then.
    // `refresh_requested` after it (or alone) closes the old socket as soon as the new one is ready.
    const graceMs = reason === "warning" ? this.#options.refreshGraceMs : 0;
    this.#replacement()
      .then(() => {
        if (socket.state !== "retiring") return;
        clearTimeout(socket.retireTimer);
        socket.retireTimer = setTimeout(() => void this.#closeSocket(socket, 1000, "refreshed"), graceMs);
      })
      .catch((error) => this.#options.log.warn({ err: error }, `could not open a replacement Slack socket: ${errorMessage(error)}`));
  }

  /** One replacement socket at a time; an open spare one (after `warning`) is reused. */
  #replacement(): Promise<Socket> {
    for (const socket of this.#sockets) if (socket.state === "open") return Promise.resolve(socket);
    if (!this.#replacing) {
      this.refreshes++;
      this.#replacing = this.#connect().finally(() => {
        this.#replacing = undefined;
      });
      this.#replacing.catch((error) => {
        if (this.openSockets() === 0 && !this.#stopped) this.#options.onLost(error);
      });
    }
    return this.#replacing;
  }

  #closedBySlack(socket: Socket, code: number): void {
    if (this.#stopped) return;
    const others = [...this.#sockets].some((each) => each.state === "open" || each.state === "retiring");
    if (others || this.#replacing) {
      this.#options.log.info({ socket: socket.id, code }, "a Slack socket closed; the other one carries on");
      return;
    }
    this.#options.onLost(new DriverNetworkError(DRIVER_ID, `the Slack Socket Mode connection closed (code ${code})`));
  }

  #startKeepalive(socket: Socket): void {
    socket.keepalive = setInterval(() => {
      if (socket.awaitingPong) {
        this.#options.log.warn({ socket: socket.id }, `no pong from Slack within ${this.#options.pingIntervalMs} ms; the link is dead`);
        socket.ws.terminate();
        return;
      }
      socket.awaitingPong = true;
      socket.ws.ping();
    }, this.#options.pingIntervalMs);
    socket.keepalive.unref?.();
  }

  async #closeSocket(socket: Socket, code: number, reason: string): Promise<void> {
    socket.closing = true;
    clearInterval(socket.keepalive);
    clearTimeout(socket.retireTimer);
    if (socket.state === "closed") return;
    if (socket.ws.readyState === WebSocket.OPEN) socket.ws.close(code, reason);
    else socket.ws.terminate();
    const cut = setTimeout(() => socket.ws.terminate(), CLOSE_TIMEOUT_MS);
    await socket.closed;
    clearTimeout(cut);
  }
}
