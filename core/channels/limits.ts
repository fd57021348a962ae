/**
 * Per-channel text limits (upstream-protocol §4.5, seed §8.6) used when a driver does not declare
 * its own, and the resolution of a driver's effective limits from its declaration and config.
 */
import type { ChannelRuntimeSettings, DriverLimits } from "@talon/sdk";

/** Upstream's per-channel chunk limits (characters) and Discord's line limit. */
export const CHANNEL_TEXT_LIMITS: Readonly<Record<string, { text: number; lines?: number }>> = {
  telegram: { text: 4000 },
  discord: { text: 2000, lines: 17 },
  slack: { text: 4000 },
  whatsapp: { text: 4000 },
  signal: { text: 4000 },
};

/** Upstream's `DEFAULT_CHUNK_LIMIT`. */
export const DEFAULT_TEXT_LIMIT = 4000;
/** Sends per second per account when a driver does not say. */
export const DEFAULT_SENDS_PER_SECOND = 30;
/** Poll options when a driver does not say (seed: 2..12). */
export const DEFAULT_POLL_OPTIONS = 12;

/** What the runtime enforces for one driver. */
export interface EffectiveLimits {
  text: number;
  lines: number;
  mode: "length" | "newline";
  caption?: number;
  mediaBytes?: number;
  sendsPerSecond: number;
  burst: number;
  perChatPerSecond?: number;
  pollOptions: number;
}

/** Declared limits, then the channel table, then the default; config may lower the text limit, never raise it. */
export function effectiveLimits(channel: string, declared: DriverLimits | undefined, settings: ChannelRuntimeSettings): EffectiveLimits {
  const table = CHANNEL_TEXT_LIMITS[channel];
  const ceiling = declared?.text ?? table?.text ?? DEFAULT_TEXT_LIMIT;
  const sendsPerSecond = declared?.sendsPerSecond ?? DEFAULT_SENDS_PER_SECOND;
  return {
    text: settings.textChunkLimit !== undefined ? Math.min(settings.textChunkLimit, ceiling) : ceiling,
    lines: declared?.lines ?? table?.lines ?? 0,
    mode: settings.chunkMode ?? declared?.chunkMode ?? "length",
    caption: declared?.caption,
    mediaBytes: declared?.mediaBytes,
    sendsPerSecond,
    burst: declared?.burst ?? sendsPerSecond,
    perChatPerSecond: declared?.perChatPerSecond,
    pollOptions: declared?.pollOptions ?? DEFAULT_POLL_OPTIONS,
  };
}
