/** What the bridge client reports about itself (`status`, logs), and the interface the gateway runtime uses. */

/** Where the bridge is in its connect/reconnect cycle. */
export type BridgeState = "connecting" | "challenge" | "handshake" | "connected" | "waiting" | "stopped";

/** What `status` reports about the bridge. Never contains credentials. */
export interface BridgeStatus {
  state: BridgeState;
  /** Upstream URL without user info or query. */
  url: string;
  connected: boolean;
  connectedSinceMs?: number;
  /** Failed attempts since the last healthy connection. */
  attempt: number;
  reconnects: number;
  nextRetryInMs?: number;
  lastError?: string;
  protocol?: number;
  grantedScopes?: string[];
  pendingCalls: number;
  framesReceived: number;
  /** Upstream events this bridge never saw (gaps in `seq`). */
  eventsMissed: number;
  /** Upstream frames received but not screened because the backlog was full. */
  framesDropped: number;
  /** Frames being screened now, and waiting for a slot. */
  screening: number;
  backlog: number;
}

/** The running bridge, as the gateway runtime uses it. */
export interface BridgeClient {
  readonly connected: boolean;
  /** Call a method upstream. Rejects with `TALON_GATEWAY_NOT_CONNECTED` when not connected. */
  call(method: string, params?: unknown, options?: { timeoutMs?: number }): Promise<unknown>;
  status(): BridgeStatus;
  stop(): Promise<void>;
}

/** Upstream URL for logs and status: no credentials in user info or query. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return "(invalid url)";
  }
}
