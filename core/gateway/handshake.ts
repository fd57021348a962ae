/**
 * The first frame of a connection, judged as upstream does (upstream-live.md §4, the handshake
 * error table): what to answer, and with which close code and reason. Pure: no socket, no timer.
 */
import type { Role, WireError } from "@talon/sdk";
import { checkCredentials, type ResolvedAuth } from "./auth.ts";
import type { OriginVerdict } from "./origin.ts";
import {
  MIN_NODE_PROTOCOL_VERSION,
  MIN_PROBE_PROTOCOL_VERSION,
  PROTOCOL_VERSION,
  connectParamsSchema,
  invalidConnectMessage,
  isRequestFrame,
  type ConnectParams,
} from "./protocol.ts";

/** A connect that passed every check. */
export interface HandshakeAccepted {
  ok: true;
  id: string;
  connect: ConnectParams;
  role: Role;
  /** Scopes granted: the requested ones, trimmed and de-duplicated (none for nodes). */
  scopes: string[];
  /** Protocol spoken from now on (`hello-ok.protocol`). */
  protocol: number;
}

/** A first frame that ends the connection. */
export interface HandshakeRefused {
  ok: false;
  /** The request id to answer, when the frame was a request; no reply otherwise. */
  id?: string;
  error?: WireError;
  closeCode: number;
  closeReason: string;
  /** A wrong secret: answer only after the per-address delay. */
  delayed: boolean;
}

/** The verdict on a connection's first frame. */
export type HandshakeOutcome = HandshakeAccepted | HandshakeRefused;

const refuse = (
  id: string | undefined,
  error: WireError | undefined,
  closeCode: number,
  closeReason = error?.message ?? "",
  delayed = false,
): HandshakeRefused => ({
  ok: false,
  id,
  error,
  closeCode,
  closeReason: truncateReason(closeReason),
  delayed,
});

/** A close reason may hold at most 123 bytes of UTF-8. */
export function truncateReason(reason: string): string {
  if (Buffer.byteLength(reason) <= 123) return reason;
  let out = reason;
  while (Buffer.byteLength(out) > 120) out = out.slice(0, -1);
  return `${out}...`;
}

/** Client ids and modes upstream treats as browser UIs: they must come from an allowed origin. */
const BROWSER_CLIENT_IDS: ReadonlySet<string> = new Set(["webchat", "webchat-ui", "openclaw-control-ui"]);
const BROWSER_CLIENT_MODES: ReadonlySet<string> = new Set(["webchat", "ui"]);

/**
 * Upstream's rule: a browser UI needs an allowed Origin (CONTROL_UI_ORIGIN_NOT_ALLOWED). Talon
 * also refuses any client whose Origin is not allowed: it grants the scopes a valid secret asks
 * for, so a foreign page must not get that far (see origin.ts).
 */
function checkOrigin(connect: ConnectParams, origin: OriginVerdict): WireError | undefined {
  const browser = BROWSER_CLIENT_IDS.has(connect.client.id) || BROWSER_CLIENT_MODES.has(connect.client.mode);
  if (origin === "refused" || (browser && origin !== "allowed")) {
    return {
      code: "INVALID_REQUEST",
      message: "origin not allowed (open Talon's own page, or add this origin to gateway.server.allowed_origins)",
      details: { code: "CONTROL_UI_ORIGIN_NOT_ALLOWED" },
    };
  }
  return undefined;
}

/**
 * Judge the first frame: `undefined` when it was not JSON. Order as upstream: frame shape,
 * method, connect params (closed objects), role, protocol range, browser origin, credentials.
 */
export function evaluateHandshake(
  frame: unknown,
  auth: ResolvedAuth,
  loopback: boolean,
  origin: OriginVerdict = "absent",
): HandshakeOutcome {
  // Upstream: malformed JSON closes quietly (1000); JSON that is not a request closes 1008.
  if (frame === undefined) return refuse(undefined, undefined, 1000, "");
  if (typeof frame !== "object" || frame === null || Array.isArray(frame) || !isRequestFrame(frame as Record<string, unknown>)) {
    return refuse(undefined, undefined, 1008, "invalid request frame");
  }
  const request = frame as { id: string; method: string; params?: unknown };
  const id = request.id;
  if (request.method !== "connect") {
    return refuse(id, { code: "INVALID_REQUEST", message: "invalid handshake: first request must be connect" }, 1008);
  }
  const parsed = connectParamsSchema.safeParse(request.params);
  if (!parsed.success) return refuse(id, { code: "INVALID_REQUEST", message: invalidConnectMessage(request.params) }, 1008);
  const connect = parsed.data;
  const role = connect.role ?? "operator";
  if (role !== "operator" && role !== "node") return refuse(id, { code: "INVALID_REQUEST", message: "invalid role" }, 1008);
  const isNode = role === "node" && connect.client.mode === "node";
  const floor = isNode ? MIN_NODE_PROTOCOL_VERSION : connect.client.mode === "probe" ? MIN_PROBE_PROTOCOL_VERSION : PROTOCOL_VERSION;
  if (connect.minProtocol > connect.maxProtocol || connect.maxProtocol < floor || connect.minProtocol > PROTOCOL_VERSION) {
    const details = {
      code: "PROTOCOL_MISMATCH",
      clientMinProtocol: connect.minProtocol,
      clientMaxProtocol: connect.maxProtocol,
      expectedProtocol: PROTOCOL_VERSION,
      minimumProbeProtocol: MIN_PROBE_PROTOCOL_VERSION,
    };
    return refuse(id, { code: "INVALID_REQUEST", message: "protocol mismatch", details }, 1002);
  }
  const originFailure = checkOrigin(connect, origin);
  if (originFailure) return refuse(id, originFailure, 1008, originFailure.message);
  const failure = checkCredentials(auth, connect, loopback);
  if (failure)
    return refuse(id, { code: failure.code, message: failure.message, details: failure.details }, 1008, failure.message, failure.guess);
  const scopes = new Set<string>();
  if (role === "operator") {
    for (const raw of connect.scopes ?? []) {
      const scope = raw.trim();
      if (scope !== "") scopes.add(scope);
    }
  }
  return { ok: true, id, connect, role, scopes: [...scopes], protocol: Math.min(connect.maxProtocol, PROTOCOL_VERSION) };
}
