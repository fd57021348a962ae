/**
 * What the seed's frame corpus pins about a frame (seed-gateway §1.1): its kind, method family and
 * request id. Test-side: the host itself only classifies frames (`classifyFrame`).
 */
import type { FrameKind } from "@talon/sdk";
import { classifyFrame } from "../../core/gateway/protocol.ts";

/** The seed's method families (seed-gateway §1.1), pinned by the frame corpus. */
export type MethodFamily =
  | "connect"
  | "gateway"
  | "agent"
  | "sessions"
  | "session"
  | "node"
  | "cron"
  | "message"
  | "browser"
  | "canvas"
  | "pairing"
  | "config"
  | "unknown";

const FAMILY_RULES: readonly [readonly string[], MethodFamily][] = [
  [["agent", "agents"], "agent"],
  [["sessions"], "sessions"],
  [["session"], "session"],
  [["node"], "node"],
  [["cron"], "cron"],
  [["gateway", "usage", "models", "skills", "update", "web", "wizard"], "gateway"],
  [["message"], "message"],
  [["browser"], "browser"],
  [["canvas"], "canvas"],
  [["pairing"], "pairing"],
  [["config"], "config"],
];

/** Seed §1.1 method family, on the trimmed lowercase method. */
export function methodFamily(method: string): MethodFamily {
  const m = method.trim().toLowerCase();
  if (m === "connect") return "connect";
  if (m === "health" || m === "status") return "gateway";
  for (const [roots, family] of FAMILY_RULES) {
    for (const root of roots) if (m === root || m.startsWith(`${root}.`)) return family;
  }
  return "unknown";
}

/** What the seed's frame corpus pins about a frame (seed-gateway §1.1 request/response extraction). */
export interface FrameSummary {
  kind: FrameKind;
  /** Requests with a string method. */
  method?: string;
  family?: MethodFamily;
  /** The string id, or `unknown` when missing (requests and responses). */
  requestId?: string;
  /** Responses: whether they carry an error object. */
  responseHasError?: boolean;
}

/** Summarise a parsed frame as the parity corpus pins it. */
export function summarizeFrame(value: unknown): FrameSummary {
  const kind = classifyFrame(value);
  const frame = value as Record<string, unknown>;
  const requestId = typeof frame?.id === "string" ? frame.id : "unknown";
  if (kind === "req" && typeof frame.method === "string")
    return { kind, method: frame.method, family: methodFamily(frame.method), requestId };
  if (kind === "res") return { kind, requestId, responseHasError: typeof frame.error === "object" && frame.error !== null };
  return { kind };
}
