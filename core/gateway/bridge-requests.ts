/**
 * Requests the upstream gateway sends Talon in bridge mode: answered by the same dispatcher as
 * standalone clients, through the `frame` hook, as a caller with no scopes (only `none`-scope
 * methods answer).
 */
import WebSocket from "ws";
import { RpcError, type ClientInfo, type FrameContext, type WireError } from "@talon/sdk";
import type { GatewayHostView } from "./host-view.ts";
import { isRequestFrame } from "./protocol.ts";
import { toWireError } from "./wire-error.ts";

/** Who the upstream gateway is when it sends Talon a request (no scopes: only `none`-scope methods answer). */
const UPSTREAM_CALLER: ClientInfo = Object.freeze({
  connId: "upstream",
  id: "upstream-gateway",
  mode: "backend",
  role: "operator",
  scopes: Object.freeze([]) as readonly string[],
});

/** Answer one upstream request on `ws`. */
export async function answerUpstream(
  host: GatewayHostView,
  ws: WebSocket,
  frame: Record<string, unknown>,
  frameHook: boolean,
): Promise<void> {
  const id = typeof frame.id === "string" && frame.id !== "" ? frame.id : "invalid";
  const reply = (body: { ok: true; payload: unknown } | { ok: false; error: WireError }) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "res", id, ...body }));
  };
  try {
    if (!isRequestFrame(frame)) throw new RpcError("TALON_RPC_INVALID_REQUEST", "invalid request frame");
    const method = frame.method as string;
    const context: FrameContext = { mode: "bridge", kind: "req", method };
    const inspected = frameHook ? await host.inspectFrame(frame, context) : frame;
    if (!inspected) throw new RpcError("TALON_RPC_INVALID_REQUEST", "request refused by a frame policy");
    const payload = await host.methods.invoke(method, inspected.params, {
      method,
      origin: "bridge",
      client: UPSTREAM_CALLER,
      requestId: id,
    });
    reply({ ok: true, payload });
  } catch (error) {
    reply({ ok: false, error: toWireError(error) });
  }
}
