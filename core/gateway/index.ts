/**
 * The gateway runtime: Talon's own server (standalone mode, and optionally beside a bridge) and
 * the bridge client to an upstream OpenClaw gateway (bridge mode). It is `ctx.gateway` for
 * plugins: `mode`, `connected` and `call()` (upstream RPCs in bridge mode).
 */
import { TalonError, type GatewayApi } from "@talon/sdk";
import { startBridgeClient, type BridgeClient, type BridgeStatus } from "./bridge.ts";
import type { GatewayHostView } from "./host-view.ts";
import { parseBind, startStandaloneServer, type BindAddress, type ServerStats, type StandaloneServer } from "./server.ts";

/** Gateway figures for the `status` RPC. */
export interface GatewayStats {
  mode: "standalone" | "bridge";
  /** Talon's own server, when it runs. */
  server?: { address: string } & ServerStats;
  /** The upstream connection, in bridge mode. */
  bridge?: BridgeStatus;
  /** Authenticated connections to Talon's server (0 when it does not run). */
  connections: number;
  bridgeConnected: boolean;
}

/** `ctx.gateway` plus what the host needs to run it. */
export interface GatewayRuntime extends GatewayApi {
  start(): Promise<void>;
  stop(reason?: string): Promise<void>;
  /** Where Talon's own server listens, when it does. */
  address(): BindAddress | undefined;
  stats(): GatewayStats;
}

/** Build the runtime; `start()` opens the server and/or the bridge as the config says. */
export function createGateway(host: GatewayHostView): GatewayRuntime {
  let server: StandaloneServer | undefined;
  let bridge: BridgeClient | undefined;
  return {
    get mode() {
      return host.mode;
    },
    get connected() {
      return bridge?.connected ?? false;
    },
    async call(method, params, options) {
      if (!bridge) {
        throw new TalonError("TALON_GATEWAY_NOT_CONNECTED", `cannot call ${method} upstream: Talon is not in bridge mode`, {
          hint: 'set gateway.runtime_mode = "bridge_client" and gateway.url to the upstream gateway',
        });
      }
      return bridge.call(method, params, options);
    },
    async start() {
      const config = host.config();
      const serve = config.gateway.server.enabled ?? host.mode === "standalone";
      if (serve) server = await startStandaloneServer(host, parseBind(config.gateway.server.bind));
      if (host.mode === "bridge") bridge = startBridgeClient(host);
    },
    async stop(reason) {
      const closing = [bridge?.stop(), server?.close(reason)];
      bridge = undefined;
      server = undefined;
      await Promise.all(closing);
    },
    address: () => server?.address,
    stats: () => {
      const serverStats = server?.stats();
      return {
        mode: host.mode,
        ...(server && serverStats ? { server: { address: `${server.address.host}:${server.address.port}`, ...serverStats } } : {}),
        ...(bridge ? { bridge: bridge.status() } : {}),
        connections: serverStats?.connections ?? 0,
        bridgeConnected: bridge?.connected ?? false,
      };
    },
  };
}
