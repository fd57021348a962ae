/**
 * Upstream OpenClaw gateway protocol (protocol 3..4): frame schemas, connect params, frame
 * classification and the seed's method families. All protocol objects are closed: unknown
 * properties are rejected, as upstream does.
 */
import { z } from "zod";
import type { FrameKind } from "@talon/sdk";
import { validationMessage } from "../rpc/validation-message.ts";

/** Protocol Talon speaks (upstream 2026.9.6: 4). */
export const PROTOCOL_VERSION = 4;
/** Oldest protocol an authenticated node may use (upstream's N-1 window). */
export const MIN_NODE_PROTOCOL_VERSION = 3;
/** Oldest protocol a `probe` client may use. */
export const MIN_PROBE_PROTOCOL_VERSION = 3;
/** Frames before `hello-ok` may not exceed this (upstream MAX_PREAUTH_PAYLOAD_BYTES). */
export const MAX_PREAUTH_PAYLOAD_BYTES = 65536;

/** Upstream's closed client id list (GATEWAY_CLIENT_IDS). */
export const CLIENT_IDS = [
  "webchat-ui",
  "openclaw-control-ui",
  "openclaw-browser-copilot",
  "openclaw-tui",
  "webchat",
  "cli",
  "gateway-client",
  "openclaw-macos",
  "openclaw-linux",
  "openclaw-ios",
  "openclaw-watchos",
  "openclaw-android",
  "node-host",
  "openclaw-worker",
  "test",
  "fingerprint",
  "openclaw-probe",
] as const;

/** Upstream's closed client mode list. */
export const CLIENT_MODES = ["webchat", "cli", "ui", "backend", "node", "worker", "probe", "test"] as const;

const nonEmpty = z.string().min(1);

/** `{type:"req", id, method, params?, traceparent?, expectedProfileId?}` (closed). */
export const requestFrameSchema = z.strictObject({
  type: z.literal("req"),
  id: nonEmpty,
  method: nonEmpty,
  params: z.unknown().optional(),
  traceparent: z.string().max(128).optional(),
  expectedProfileId: z.string().min(1).max(128).optional(),
});

/**
 * The hot-path equivalent of `requestFrameSchema.safeParse(frame).success` (no allocation, no
 * zod). A property test keeps the two in agreement; on `false` callers run the schema to word
 * the error.
 */
export function isRequestFrame(frame: Record<string, unknown>): boolean {
  if (frame.type !== "req") return false;
  const { id, method } = frame;
  if (typeof id !== "string" || id.length === 0 || typeof method !== "string" || method.length === 0) return false;
  for (const key in frame) {
    switch (key) {
      case "type":
      case "id":
      case "method":
      case "params":
        continue;
      case "traceparent": {
        const value = frame.traceparent;
        if (typeof value !== "string" || value.length > 128) return false;
        continue;
      }
      case "expectedProfileId": {
        const value = frame.expectedProfileId;
        if (typeof value !== "string" || value.length < 1 || value.length > 128) return false;
        continue;
      }
      default:
        return false;
    }
  }
  return true;
}

/** Upstream's wording of why a frame is not a valid request: `invalid request frame: <issue>`. */
export function invalidRequestMessage(frame: unknown): string {
  const issue = validationMessage(requestFrameSchema, frame);
  return issue ? `invalid request frame: ${issue}` : "invalid request frame";
}

/** `connect` params (upstream 2026.9.6 `ConnectParams`, closed objects, closed client id and mode lists). */
export const connectParamsSchema = z.strictObject({
  minProtocol: z.number().int().min(1),
  maxProtocol: z.number().int().min(1),
  client: z.strictObject({
    id: z.enum(CLIENT_IDS),
    displayName: z.string().optional(),
    version: nonEmpty,
    buildId: z.string().max(96).optional(),
    platform: nonEmpty,
    deviceFamily: z.string().optional(),
    modelIdentifier: z.string().optional(),
    timeZone: z.string().max(64).optional(),
    mode: z.enum(CLIENT_MODES),
    instanceId: z.string().optional(),
  }),
  caps: z.array(z.string()).optional(),
  commands: z.array(z.string()).optional(),
  computerUse: z.unknown().optional(),
  workerRuns: z.unknown().optional(),
  permissions: z.record(z.string(), z.boolean()).optional(),
  pathEnv: z.string().optional(),
  role: z.string().optional(),
  scopes: z.array(z.string()).optional(),
  modelCatalog: z.unknown().optional(),
  device: z
    .strictObject({ id: nonEmpty, publicKey: nonEmpty, signature: nonEmpty, signedAt: z.number().int(), nonce: nonEmpty })
    .optional(),
  auth: z
    .strictObject({
      token: z.string().optional(),
      bootstrapToken: z.string().optional(),
      deviceToken: z.string().optional(),
      password: z.string().optional(),
      approvalRuntimeToken: z.string().optional(),
      agentRuntimeIdentityToken: z.string().optional(),
    })
    .optional(),
  locale: z.string().optional(),
  userAgent: z.string().optional(),
});

/** Validated `connect` params. */
export type ConnectParams = z.output<typeof connectParamsSchema>;

/** Upstream's wording of a connect params failure: `invalid connect params: <issue>`. */
export function invalidConnectMessage(params: unknown): string {
  return `invalid connect params: ${validationMessage(connectParamsSchema, params) ?? "invalid"}`;
}

/** Classify a parsed JSON value (seed §1.1, with upstream's `res` and the seed's legacy `resp`). */
export function classifyFrame(value: unknown): FrameKind {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "unknown";
  const type = (value as { type?: unknown }).type;
  if (type === "req") return "req";
  if (type === "res" || type === "resp") return "res";
  if (type === "event") return "event";
  if (type === "error") return "error";
  return "error" in value ? "error" : "unknown";
}
