/**
 * The gateway runtime: Talon's own server (standalone mode, and optionally beside a bridge) and
 * the bridge client to an upstream OpenClaw gateway (bridge mode).
 */
import { TalonError, type GatewayApi } from "@talon/sdk";
import { startBridgeClient, type BridgeClient } from "./bridge.ts";
import type { GatewayHostView } from "./host-view.ts";
import { parseBind, startStandaloneServer, type BindAddress, type StandaloneServer } from "./server.ts";

export interface GatewayRuntime extends GatewayApi {
  start(): Promise<void>;
  stop(reason?: string): Promise<void>;
  /** Where Talon's own server listens, when it does. */
  address(): BindAddress | undefined;
  stats(): { connections: number; bridgeConnected: boolean };
}

export function createGateway(host: GatewayHostView & { mode: "standalone" | "bridge" }): GatewayRuntime {
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
          hint: 'set gateway.runtime_mode = "bridge_client"',
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
      await bridge?.stop();
      await server?.close(reason);
      bridge = undefined;
      server = undefined;
    },
    address: () => server?.address,
    stats: () => ({ connections: server?.connections.size ?? 0, bridgeConnected: bridge?.connected ?? false }),
  };
}
