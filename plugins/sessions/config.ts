/** Config of the sessions plugin (`plugins.entries.sessions.config`). */
import { z } from "zod";

export const configSchema = z.strictObject({
  /** Events kept per session transcript; older ones roll out (the seed kept 400). */
  maxHistoryEvents: z.number().int().min(10).max(100_000).default(1000),
  /** `sessions.compact` keeps this many events when `maxLines` is not given (seed default 400). */
  compactDefaultLines: z.number().int().min(1).max(100_000).default(400),
  /** Most sessions kept; beyond it the least recently updated non-main sessions are pruned. */
  maxSessions: z.number().int().min(100).default(100_000),
  /** Transcripts held in memory (least recently used are dropped; the store keeps them). */
  transcriptCacheSessions: z.number().int().min(1).default(512),
  /** Days an archived transcript (delete, reset, compact) is kept in the store. */
  archiveRetentionDays: z.number().int().min(1).default(30),
  /** Days of per-day usage counters kept per session (`sessions.usage`, timeseries). */
  usageDays: z.number().int().min(1).max(3660).default(90),
  /** Decision updates are coalesced and written at most this long after they happen (ms). */
  flushIntervalMs: z.number().int().min(1).max(60_000).default(50),
  /** Unwritten decision events held while the store is slow or failing; the oldest are dropped beyond. */
  maxPendingEvents: z.number().int().min(1000).default(100_000),
  /** How long a chat run stays in flight before it completes; Talon runs no agent (seed: 25 ms). */
  chatRunMs: z.number().int().min(1).max(600_000).default(25),
  /** Chat runs remembered for `chat.send` idempotency and `chat.abort` (seed: 4096). */
  maxChatRuns: z.number().int().min(16).default(4096),
});

/** The parsed config of the sessions plugin. */
export type SessionsConfig = z.output<typeof configSchema>;
