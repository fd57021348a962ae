/**
 * The standalone server: one HTTP server on `gateway.server.bind` serving plugin HTTP routes
 * and the WebSocket gateway protocol, with `tick` events and scope-filtered event fan-out
 * through each connection's bounded queue. One timer drives every handshake deadline and one
 * the ticks; connections own none.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocket, WebSocketServer } from "ws";
import { TalonError, errorMessage, type TalonConfig } from "@talon/sdk";
import { respondJson } from "../http/routes.ts";
import { mayReceive } from "../rpc/scopes.ts";
import { FailureBackoff, isLoopbackAddress, resolveAuth } from "./auth.ts";
import { Connection, type ConnectionOwner, type ConnectionSettings } from "./connection.ts";
import { OriginPolicy } from "./origin.ts";
import { ALWAYS_DROPPABLE_EVENTS, encodeEventPrefix } from "./event-frame.ts";
import { HandshakeDeadlines } from "./handshake-deadlines.ts";
import type { GatewayHostView } from "./host-view.ts";
import { MAX_PREAUTH_PAYLOAD_BYTES, PROTOCOL_VERSION } from "./protocol.ts";

/** Where a server listens. */
export interface BindAddress {
  host: string;
  port: number;
}

/** Parse `host:port` or `[v6]:port`. */
export function parseBind(bind: string): BindAddress {
  const trimmed = bind.trim();
  const match = /^\[([^\]]+)\]:(\d+)$/.exec(trimmed) ?? /^([^:]+):(\d+)$/.exec(trimmed);
  if (!match) {
    throw new TalonError("TALON_CONFIG_INVALID", `gateway.server.bind "${bind}" is not host:port`, { hint: 'use e.g. "127.0.0.1:18789"' });
  }
  const port = Number(match[2]);
  if (port > 65535) throw new TalonError("TALON_CONFIG_INVALID", `gateway.server.bind port ${port} is out of range`);
  return { host: match[1]!, port };
}

/** Events the server itself emits, advertised in `hello-ok.features.events` before plugin events. */
export const SERVER_EVENTS = ["connect.challenge", "tick", "shutdown"] as const;

/** Time given to connections to finish their close handshake at shutdown. */
const SHUTDOWN_GRACE_MS = 1000;

/**
 * ws calls `close(1009)` without a reason when a frame exceeds the receiver's limit; upstream
 * says why. A subclass (not a per-socket closure) adds the reason.
 */
class GatewaySocket extends WebSocket {
  /** Still before `hello-ok`: the 64 KiB pre-auth limit applies. */
  talonPreauth = true;

  override close(code?: number, reason?: string | Buffer): void {
    if (code === 1009 && reason === undefined) reason = this.talonPreauth ? "preauth payload too large" : "payload too large";
    super.close(code, reason);
  }
}

/** Live figures of the standalone server. */
export interface ServerStats {
  /** Authenticated connections. */
  connections: number;
  /** Connections still in their handshake. */
  handshakes: number;
  /** Authenticated connections with data waiting in user space (clients reading slowly). */
  backlogged: number;
  /** Events not sent because their payload could not be serialised. */
  eventsDropped: number;
}

/** A running standalone server. */
export interface StandaloneServer {
  readonly address: BindAddress;
  /** Authenticated connections (the fan-out set). */
  readonly connections: ReadonlySet<Connection>;
  stats(): ServerStats;
  /** Stop accepting, send `shutdown`, close every connection, close the port. */
  close(reason?: string): Promise<void>;
}

/** Listen on `bind` and serve HTTP routes and the gateway protocol until `close()`. */
export async function startStandaloneServer(host: GatewayHostView, bind: BindAddress): Promise<StandaloneServer> {
  const open = new Set<Connection>();
  const all = new Set<Connection>();
  const preauthByAddress = new Map<string, number>();
  const deadlines = new HandshakeDeadlines<Connection>();
  const backoff = new FailureBackoff();
  const startConfig = host.config().gateway.server;
  // Fixed for the life of the server so hello-ok never advertises a cadence the ticker does not keep.
  const tickIntervalMs = startConfig.tick_interval_ms;
  // One frozen settings object per config (a reload replaces the config object), shared by every
  // connection accepted under it: connections snapshot it without copying.
  let settingsFor: { config: TalonConfig; value: ConnectionSettings } | undefined;
  /** Known once listening; Talon's own pages are served from this port. */
  let boundPort: number | undefined;
  const settings = (): ConnectionSettings => {
    const config = host.config();
    if (settingsFor?.config !== config) {
      const server = config.gateway.server;
      const value = Object.freeze({
        auth: Object.freeze(resolveAuth(config)),
        origins: new OriginPolicy(server.allowed_origins, () => boundPort),
        handshakeTimeoutMs: Math.max(server.handshake_timeout_ms, 500),
        eventQueueCapacity: Math.max(server.event_queue_capacity, 8),
        maxPayload: server.max_payload,
        maxBufferedBytes: server.max_buffered_bytes,
        tickIntervalMs,
      });
      settingsFor = { config, value };
    }
    return settingsFor.value;
  };
  if (settings().auth.method === "none" && !isLoopbackAddress(bind.host) && bind.host !== "localhost") {
    host.log.warn(
      { bind: `${bind.host}:${bind.port}` },
      "gateway auth is off on a non-loopback address: anyone who can reach it gets every scope they ask for",
    );
  }

  const releasePreauth = (connection: Connection) => {
    deadlines.delete(connection);
    const count = (preauthByAddress.get(connection.address) ?? 1) - 1;
    if (count <= 0) preauthByAddress.delete(connection.address);
    else preauthByAddress.set(connection.address, count);
  };

  // The method registry is fixed once plugins are set up; events may still be declared later.
  // Rebuild the advertised lists only when either changes (every hello-ok carries them).
  let featureCache: { methods: number; events: number; value: { methods: string[]; events: string[]; capabilities: string[] } } | undefined;
  const features = () => {
    const declared = host.events.declared();
    if (featureCache?.methods !== host.methods.size() || featureCache.events !== declared.length) {
      const events = new Set<string>(SERVER_EVENTS);
      for (const name of declared) events.add(name);
      featureCache = {
        methods: host.methods.size(),
        events: declared.length,
        value: { methods: host.methods.advertised(), events: [...events], capabilities: [] },
      };
    }
    return featureCache.value;
  };

  const owner: ConnectionOwner = {
    host,
    backoff,
    frameHook: host.hookUsed("frame"),
    extractHook: host.hookUsed("extract"),
    leftHandshake: releasePreauth,
    opened: (connection) => open.add(connection),
    closed: (connection) => open.delete(connection),
    helloPayload: (connection, accepted) => {
      const client = connection.client!;
      return {
        type: "hello-ok",
        protocol: accepted.protocol,
        server: { version: host.version, connId: connection.connId },
        features: features(),
        snapshot: {
          presence: [],
          // The health RPC carries the checks; the snapshot makes no claim it did not check.
          health: {},
          stateVersion: { presence: 0, health: 0 },
          uptimeMs: Date.now() - host.startedAt,
          authMode: connection.settings.auth.method,
          sessionDefaults: { defaultAgentId: "main", mainKey: "main", mainSessionKey: "agent:main:main", scope: "per-sender" },
        },
        auth: { method: connection.settings.auth.method, role: client.role, scopes: [...client.scopes] },
        policy: {
          maxPayload: connection.settings.maxPayload,
          maxBufferedBytes: connection.settings.maxBufferedBytes,
          tickIntervalMs: connection.settings.tickIntervalMs,
        },
      };
    },
  };

  const http: Server = createServer((request, response) => {
    host.http
      .handle(request, response)
      .then((handled) => {
        if (!handled) respondJson(response, 404, { ok: false, error: { code: "NOT_FOUND", message: "no such route" } });
      })
      .catch((error) => {
        host.log.error({ err: error }, "http request failed");
        if (!response.headersSent) respondJson(response, 500, { ok: false, error: { code: "INTERNAL", message: "internal error" } });
      });
  });
  const wss = new WebSocketServer({
    server: http,
    maxPayload: MAX_PREAUTH_PAYLOAD_BYTES,
    perMessageDeflate: false,
    clientTracking: false,
    WebSocket: GatewaySocket,
  });
  wss.on("connection", (ws: GatewaySocket, request) => {
    const server = host.config().gateway.server;
    const address = request.socket.remoteAddress ?? "unknown";
    if (all.size >= server.max_connections) return ws.close(1013, "too many connections");
    const pending = preauthByAddress.get(address) ?? 0;
    if (pending >= server.max_preauth_per_address) return ws.close(1013, "too many pending handshakes from this address");
    preauthByAddress.set(address, pending + 1);
    const origin = request.headers.origin;
    const connection = new Connection(
      ws,
      address,
      isLoopbackAddress(address),
      owner,
      settings(),
      typeof origin === "string" ? origin : undefined,
    );
    all.add(connection);
    deadlines.add(connection);
    ws.once("close", () => all.delete(connection));
  });
  wss.on("error", (error) => host.log.error({ err: error }, "websocket server error"));

  let eventsDropped = 0;
  const unsubscribe = host.events.subscribe((name, payload, definition) => {
    if (open.size === 0) return;
    let prefix: string;
    try {
      prefix = encodeEventPrefix(name, payload);
    } catch (error) {
      eventsDropped++;
      host.log.error({ err: error, event: name }, `event ${name} was not sent: its payload is not JSON-serialisable`);
      return;
    }
    const droppable = definition.droppable === true || ALWAYS_DROPPABLE_EVENTS.has(name);
    for (const connection of open) {
      const client = connection.client!;
      if (mayReceive(client.role, client.scopes, definition.scope)) connection.sendEvent(prefix, droppable);
    }
  });

  const ticker = setInterval(() => {
    if (open.size === 0) return;
    const prefix = encodeEventPrefix("tick", { ts: Date.now() });
    for (const connection of open) connection.sendEvent(prefix, true);
  }, tickIntervalMs);
  ticker.unref();

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        new TalonError("TALON_GATEWAY_LISTEN", `cannot listen on ${bind.host}:${bind.port}: ${errorMessage(error)}`, {
          cause: error,
          hint:
            error.code === "EADDRINUSE"
              ? "another process uses this port; pick another with --port or gateway.server.bind"
              : "check gateway.server.bind",
        }),
      );
    };
    http.once("error", onError);
    http.listen(bind.port, bind.host, () => {
      http.off("error", onError);
      resolve();
    });
  });
  const bound = http.address() as AddressInfo;
  boundPort = bound.port;
  host.log.info(
    { address: `${bound.address}:${bound.port}`, protocol: PROTOCOL_VERSION, auth: settings().auth.method },
    "gateway listening",
  );

  return {
    address: { host: bound.address, port: bound.port },
    connections: open,
    stats: () => {
      let backlogged = 0;
      for (const connection of open) if (connection.bufferedAmount > 0) backlogged++;
      return { connections: open.size, handshakes: deadlines.size, backlogged, eventsDropped };
    },
    async close(reason = "shutdown") {
      clearInterval(ticker);
      unsubscribe();
      deadlines.clear();
      const shutdown = encodeEventPrefix("shutdown", { reason });
      for (const connection of [...all]) {
        connection.sendEvent(shutdown, false);
        connection.close(1012, reason);
      }
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => {
        // Sockets that did not finish their close handshake in time are cut.
        const grace = setTimeout(
          () => {
            for (const connection of all) connection.terminate();
            http.closeAllConnections();
          },
          all.size > 0 ? SHUTDOWN_GRACE_MS : 0,
        );
        http.close(() => {
          clearTimeout(grace);
          resolve();
        });
      });
    },
  };
}
