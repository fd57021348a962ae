/**
 * A driver's effective limits: its declaration, then what the known channels' table says about
 * its channel (`CHANNEL_PLATFORMS` in the SDK), then the defaults; config may lower the text limit.
 */
import type { ChannelPlatform, ChannelRuntimeSettings, DriverLimits } from "@talon/sdk";

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

/** Declared limits, then the channel's known limits, then the default; config may lower the text limit, never raise it. */
export function effectiveLimits(
  known: ChannelPlatform["limits"] | undefined,
  declared: DriverLimits | undefined,
  settings: ChannelRuntimeSettings,
): EffectiveLimits {
  const table = known;
  const ceiling = declared?.text ?? table?.text ?? DEFAULT_TEXT_LIMIT;
  const sendsPerSecond = declared?.sendsPerSecond ?? DEFAULT_SENDS_PER_SECOND;
  return {
    text: settings.textChunkLimit !== undefined ? Math.min(settings.textChunkLimit, ceiling) : ceiling,
    lines: declared?.lines ?? table?.lines ?? 0,
    mode: settings.chunkMode ?? declared?.chunkMode ?? table?.chunkMode ?? "length",
    caption: declared?.caption,
    mediaBytes: declared?.mediaBytes,
    sendsPerSecond,
    burst: declared?.burst ?? sendsPerSecond,
    perChatPerSecond: declared?.perChatPerSecond,
    pollOptions: declared?.pollOptions ?? DEFAULT_POLL_OPTIONS,
  };
}
