/**
 * Gateway wire frames as upstream OpenClaw speaks them (protocol 3..4): `req`, `res`, `event`.
 * The seed's `resp` frame is only ever read (classified as a response), never written.
 */

/** Upstream error shape carried in `res.error`. */
export interface WireError {
  code: string;
  message: string;
  details?: unknown;
  retryable?: boolean;
  retryAfterMs?: number;
}

export interface RequestFrame {
  type: "req";
  id: string;
  method: string;
  params?: unknown;
  traceparent?: string;
  expectedProfileId?: string;
}

export interface ResponseFrame {
  type: "res";
  id: string;
  ok: boolean;
  payload?: unknown;
  error?: WireError;
}

export interface EventFrame {
  type: "event";
  event: string;
  payload?: unknown;
  seq?: number;
  stateVersion?: { presence: number; health: number };
  recipientProfileId?: string;
}

/** How an inbound JSON value is classified; a legacy `resp` frame counts as `res`. */
export type FrameKind = "req" | "res" | "event" | "error" | "unknown";

/** Operator scopes (upstream `operator-scopes.ts`). */
export type OperatorScope =
  | "operator.read"
  | "operator.write"
  | "operator.admin"
  | "operator.approvals"
  | "operator.pairing"
  | "operator.questions"
  | "operator.talk"
  | "operator.talk.secrets"
  | "operator.sessions.read"
  | "operator.sessions.write";

/** Connection roles. */
export type Role = "operator" | "node";

/** Who sent a frame or called a method. */
export interface ClientInfo {
  connId: string;
  /** `client.id` from connect, e.g. `cli`, `gateway-client`. */
  id: string;
  mode: string;
  role: Role;
  scopes: readonly string[];
  version?: string;
  platform?: string;
}
