/**
 * The standalone server: one HTTP server on `gateway.server.bind` serving plugin HTTP routes
 * and the WebSocket gateway protocol, `tick` events, and scope-filtered event fan-out through
 * each connection's bounded queue.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { TalonError, errorMessage } from "@talon/sdk";
import { respondJson } from "../http/routes.ts";
import { authorize } from "../rpc/scopes.ts";
import { FailureBackoff, resolveAuth } from "./auth.ts";
import { Connection, type ConnectionOwner, type ConnectionSettings } from "./connection.ts";
import type { GatewayHostView } from "./host-view.ts";
import { MAX_PREAUTH_PAYLOAD_BYTES, PROTOCOL_VERSION, type ConnectParams } from "./protocol.ts";

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

export interface StandaloneServer {
  readonly address: BindAddress;
  readonly connections: ReadonlySet<Connection>;
  /** Stop accepting, close every connection with `shutdown`, close the port. */
  close(reason?: string): Promise<void>;
}

export async function startStandaloneServer(host: GatewayHostView, bind: BindAddress): Promise<StandaloneServer> {
  const open = new Set<Connection>();
  const all = new Set<Connection>();
  const backoff = new FailureBackoff();
  const settings = (): ConnectionSettings => {
    const server = host.config().gateway.server;
    return {
      auth: resolveAuth(host.config()),
      handshakeTimeoutMs: Math.max(server.handshake_timeout_ms, 500),
      eventQueueCapacity: Math.max(server.event_queue_capacity, 8),
      maxPayload: server.max_payload,
      maxBufferedBytes: server.max_buffered_bytes,
      tickIntervalMs: server.tick_interval_ms,
    };
  };

  const owner: ConnectionOwner = {
    host,
    backoff,
    onOpen: (connection) => open.add(connection),
    onClose: (connection) => open.delete(connection),
    helloPayload: (connection: Connection, params: ConnectParams, method) => {
      const current = settings();
      const client = connection.client!;
      return {
        type: "hello-ok",
        protocol: params.maxProtocol >= PROTOCOL_VERSION ? PROTOCOL_VERSION : params.maxProtocol,
        server: { version: host.version, connId: connection.connId },
        features: { methods: host.methods.advertised(), events: host.events.declared(), capabilities: [] },
        snapshot: {
          presence: [],
          health: {},
          stateVersion: { presence: 0, health: 0 },
          uptimeMs: Date.now() - host.startedAt,
          authMode: current.auth.method,
          sessionDefaults: { defaultAgentId: "main", mainKey: "main", mainSessionKey: "agent:main:main", scope: "per-sender" },
        },
        auth: { method: method, role: client.role, scopes: [...client.scopes] },
        policy: { maxPayload: current.maxPayload, maxBufferedBytes: current.maxBufferedBytes, tickIntervalMs: current.tickIntervalMs },
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
  const wss = new WebSocketServer({ server: http, maxPayload: MAX_PREAUTH_PAYLOAD_BYTES, perMessageDeflate: false, clientTracking: false });
  wss.on("connection", (ws, request) => {
    const limit = host.config().gateway.server.max_connections;
    if (all.size >= limit) {
      ws.close(1013, "too many connections");
      return;
    }
    const connection = new Connection(ws, request.socket.remoteAddress ?? "unknown", owner, settings());
    all.add(connection);
    ws.on("close", () => all.delete(connection));
  });
  wss.on("error", (error) => host.log.error({ err: error }, "websocket server error"));

  const unsubscribe = host.events.subscribe((name, payload, definition) => {
    for (const connection of open) {
      const client = connection.client!;
      if (!authorize(client.role, client.scopes, definition.scope).ok) continue;
      connection.sendEvent(name, payload, definition.droppable === true);
    }
  });

  const tickMs = host.config().gateway.server.tick_interval_ms;
  const ticker = setInterval(() => {
    const payload = { ts: Date.now() };
    for (const connection of open) connection.sendEvent("tick", payload, true);
  }, tickMs);
  ticker.unref();

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        new TalonError("TALON_GATEWAY_LISTEN", `cannot listen on ${bind.host}:${bind.port}: ${errorMessage(error)}`, {
          cause: error,
          hint: error.code === "EADDRINUSE" ? "another process uses this port; pick another with --port or gateway.server.bind" : "check gateway.server.bind",
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

  return {
    address: { host: bound.address, port: bound.port },
    connections: open,
    async close(reason = "shutdown") {
      clearInterval(ticker);
      unsubscribe();
      for (const connection of all) {
        if (connection.state === "open") connection.sendEvent("shutdown", { reason }, false);
        connection.close(1012, reason);
      }
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
    },
  };
}
