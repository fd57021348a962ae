/**
 * A started host as a `HostHandle` (sdk/command.ts): what a plugin's CLI command and a test get
 * to work with. Frames default to bridge mode, as the upstream gateway sends them.
 */
import type { FrameContext, FrameKind, HostHandle } from "@talon/sdk";
import type { TalonHost } from "./host.ts";

/** The frame kind by its `type` (the seed's spellings included). */
export function frameKindOf(frame: Record<string, unknown>): FrameKind {
  if (frame.type === "event") return "event";
  if (frame.type === "req") return "req";
  if (frame.type === "res" || frame.type === "resp") return "res";
  if (frame.type === "error") return "error";
  return "unknown";
}

/** Wrap a started host. */
export function toHostHandle(host: TalonHost): HostHandle {
  return {
    get config() {
      return host.config;
    },
    plugins: () => host.plugins,
    call: (method, params) => host.call(method, params) as Promise<any>,
    evaluate: (input) => host.defender.evaluate(input),
    ingestFrame(frame, context = {}) {
      const full: FrameContext = {
        mode: "bridge",
        kind: frameKindOf(frame),
        ...(typeof frame.event === "string" ? { event: frame.event } : {}),
        ...(typeof frame.method === "string" ? { method: frame.method } : {}),
        ...context,
      };
      return host.defender.ingestFrame(frame, full);
    },
  };
}
