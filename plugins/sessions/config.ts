/** Config of the sessions plugin (`plugins.entries.sessions.config`). */
import { z } from "zod";

export const configSchema = z.strictObject({
  maxHistoryEvents: z
    .number()
    .int()
    .min(10)
    .max(100_000)
    .default(1000)
    .describe("Events kept per session transcript; older ones roll out (the seed kept 400)."),
  compactDefaultLines: z
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(400)
    .describe("`sessions.compact` keeps this many events when `maxLines` is not given (seed default 400)."),
  maxSessions: z
    .number()
    .int()
    .min(100)
    .default(100_000)
    .describe("Most sessions kept; beyond it the least recently updated non-main sessions are pruned."),
  transcriptCacheSessions: z
    .number()
    .int()
    .min(1)
    .default(512)
    .describe("Transcripts held in memory (least recently used are dropped; the store keeps them)."),
  archiveRetentionDays: z
    .number()
    .int()
    .min(1)
    .default(30)
    .describe("Days an archived transcript (delete, reset, compact) is kept in the store."),
  usageDays: z
    .number()
    .int()
    .min(1)
    .max(3660)
    .default(90)
    .describe("Days of per-day usage counters kept per session (`sessions.usage`, timeseries)."),
  flushIntervalMs: z
    .number()
    .int()
    .min(1)
    .max(60_000)
    .default(50)
    .describe("Decision updates are coalesced and written at most this long after they happen (ms)."),
  maxPendingEvents: z
    .number()
    .int()
    .min(1000)
    .default(100_000)
    .describe("Unwritten decision events held while the store is slow or failing; the oldest are dropped beyond."),
  chatRunMs: z
    .number()
    .int()
    .min(1)
    .max(600_000)
    .default(25)
    .describe("How long a chat run stays in flight before it completes; Talon runs no agent (seed: 25 ms)."),
  maxChatRuns: z
    .number()
    .int()
    .min(16)
    .default(4096)
    .describe("Chat runs remembered for `chat.send` idempotency and `chat.abort` (seed: 4096)."),
});

/** The parsed config of the sessions plugin. */
export type SessionsConfig = z.output<typeof configSchema>;
