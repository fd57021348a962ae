/**
 * What the gateway needs from the host. Keeping it narrow lets the gateway be tested and read
 * without the rest of the host.
 */
import type { FrameContext, Logger, RpcContext, TalonConfig } from "@talon/sdk";
import type { EventBus } from "../events/bus.ts";
import type { HttpRoutes } from "../http/routes.ts";
import type { MethodRegistry } from "../rpc/registry.ts";

export interface GatewayHostView {
  readonly version: string;
  readonly startedAt: number;
  config(): TalonConfig;
  readonly log: Logger;
  readonly methods: MethodRegistry;
  readonly events: EventBus;
  readonly http: HttpRoutes;
  /** Run the `frame` hook; `undefined` means a tap dropped the frame. */
  inspectFrame(frame: Record<string, unknown>, context: FrameContext): Promise<Record<string, unknown> | undefined>;
  /** Hand a non-request frame (event) to the defender's extraction path. */
  ingestFrame(frame: Record<string, unknown>, context: FrameContext): Promise<void>;
  dispatch(method: string, params: unknown, context: RpcContext): Promise<unknown>;
}
