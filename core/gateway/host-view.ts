/**
 * What the gateway needs from the host. Keeping it narrow lets the gateway be tested and read
 * without the rest of the host.
 */
import type { FrameContext, Logger, TalonConfig } from "@talon/sdk";
import type { EventBus } from "../events/bus.ts";
import type { HttpRoutes } from "../http/routes.ts";
import type { MethodRegistry } from "../rpc/registry.ts";

/** The slice of the host the gateway depends on. */
export interface GatewayHostView {
  readonly version: string;
  readonly startedAt: number;
  /** `standalone` or `bridge` (`gateway.runtime_mode`). */
  readonly mode: "standalone" | "bridge";
  config(): TalonConfig;
  readonly log: Logger;
  readonly methods: MethodRegistry;
  readonly events: EventBus;
  readonly http: HttpRoutes;
  /** Whether any plugin tapped the hook (fixed once the host started): unused hooks are skipped. */
  hookUsed(name: "frame" | "extract"): boolean;
  /** Run the `frame` hook; `undefined` means a tap dropped the frame. */
  inspectFrame(frame: Record<string, unknown>, context: FrameContext): Promise<Record<string, unknown> | undefined>;
  /** Hand a non-request frame (event) to the defender's extraction path. */
  ingestFrame(frame: Record<string, unknown>, context: FrameContext): Promise<void>;
}
