/**
 * Bridge client to an upstream OpenClaw gateway (bridge mode). Placeholder until the bridge
 * lands: it reports itself disconnected and refuses calls.
 */
import { TalonError } from "@talon/sdk";
import type { GatewayHostView } from "./host-view.ts";

export interface BridgeClient {
  readonly connected: boolean;
  call(method: string, params?: unknown, options?: { timeoutMs?: number }): Promise<unknown>;
  stop(): Promise<void>;
}

export function startBridgeClient(host: GatewayHostView): BridgeClient {
  host.log.warn({ url: host.config().gateway.url }, "bridge mode is not implemented yet");
  return {
    connected: false,
    async call(method) {
      throw new TalonError("TALON_GATEWAY_NOT_CONNECTED", `cannot call ${method}: the upstream gateway is not connected`);
    },
    async stop() {},
  };
}
