/**
 * Per-account runtime snapshots for `channels.status` (seed-gateway §2.16, upstream's account
 * snapshot): lifecycle, connection, timestamps, the last error, and counters.
 */

/** Upstream's account lifecycle states. */
export type AccountLifecycle = "starting" | "ready" | "recovering" | "blocked" | "stopped";

export interface AccountCounters {
  /** Messages admitted. */
  inbound: number;
  /** Chunks the platform accepted. */
  outbound: number;
  /** Redeliveries dropped by dedupe. */
  duplicates: number;
  /** Own messages dropped (echo suppression). */
  echoes: number;
  /** Group messages skipped by mention gating. */
  gated: number;
  /** Inbound messages refused (malformed, too long, queue full). */
  rejected: number;
  /** Sends that failed after every retry. */
  failedSends: number;
  /** Attempts retried (429s, 5xx, network). */
  retries: number;
  /** Calls the platform refused with a rate limit (429 and its retry-after). */
  rateLimited: number;
}

export interface AccountSnapshot {
  accountId: string;
  enabled: boolean;
  configured: boolean;
  linked: boolean;
  running: boolean;
  connected: boolean;
  lifecycle: AccountLifecycle;
  mode: string;
  /** Restarts attempted since the host started (start failures and dropped connections). */
  reconnectAttempts: number;
  lastError?: string;
  lastErrorAt?: number;
  lastConnectedAt?: number;
  lastStartAt?: number;
  lastStopAt?: number;
  lastInboundAt?: number;
  lastOutboundAt?: number;
  /** When the platform last rate-limited the account, and the wait it asked for (ms). */
  lastRateLimitAt?: number;
  lastRetryAfterMs?: number;
  counters: AccountCounters;
}

/** A fresh snapshot for an account that has not started. */
export function createSnapshot(accountId: string, mode: string): AccountSnapshot {
  return {
    accountId,
    enabled: true,
    configured: true,
    linked: true,
    running: false,
    connected: false,
    lifecycle: "stopped",
    mode,
    reconnectAttempts: 0,
    counters: { inbound: 0, outbound: 0, duplicates: 0, echoes: 0, gated: 0, rejected: 0, failedSends: 0, retries: 0, rateLimited: 0 },
  };
}
