/**
 * Which channel an action came from, and which model provider it names. Fixes two seed defects
 * (seed-defender §15 items 12–13): a channel is never guessed from a substring of an event name
 * (`gateway.wait` is not WhatsApp), and `provider` counts as a channel only when it names one
 * (`{"provider":"openai"}` is a model provider, not a channel).
 */
import { KNOWN_CHANNELS, type ChannelDirectory } from "@talon/sdk";
import { CHANNEL_KEYS, MODEL_ID_KEYS, MODEL_PROVIDER_KEYS } from "@talon/sdk";
import type { KeySearch } from "./search.ts";

/** What the extractor asks about channels: the host's directory (known channels and loaded drivers). */
export type ChannelLookup = Pick<ChannelDirectory, "has" | "normalizeId" | "chatType">;

/** Is this value (after alias normalisation) a channel id? */
export function isKnownChannel(value: string, channels: ChannelLookup = KNOWN_CHANNELS): boolean {
  return channels.has(value);
}

/** The channel and model-provider searches of one directory (built once per directory). */
const searches = new WeakMap<ChannelLookup, { channel: KeySearch; modelProvider: KeySearch }>();

/** The channel search (the seed's channel keys, `provider` only for a known channel) and the model provider search (a `provider` that names a channel is not a model provider). */
export function channelSearches(channels: ChannelLookup = KNOWN_CHANNELS): { channel: KeySearch; modelProvider: KeySearch } {
  let found = searches.get(channels);
  if (!found) {
    found = {
      channel: { keys: CHANNEL_KEYS, accept: (value, key) => key !== "provider" || channels.has(value) },
      modelProvider: { keys: MODEL_PROVIDER_KEYS, accept: (value, key) => key !== "provider" || !channels.has(value) },
    };
    searches.set(channels, found);
  }
  return found;
}

/** The model id search. */
export const MODEL_ID_SEARCH: KeySearch = { keys: MODEL_ID_KEYS };

/**
 * The channel of a frame root, given the CHANNEL_SEARCH hit: the hit when it is a channel id;
 * else the first dot-segment of the event or method name when it is exactly a known channel
 * (`discord.message` → discord).
 */
export function channelFrom(
  hit: string | undefined,
  name: string | undefined,
  channels: ChannelLookup = KNOWN_CHANNELS,
): string | undefined {
  if (hit !== undefined && channels.normalizeId(hit) !== undefined) return hit;
  if (name === undefined) return undefined;
  const segment = name.trim().toLowerCase().split(".", 1)[0] ?? "";
  return isKnownChannel(segment, channels) ? channels.normalizeId(segment) : undefined;
}

/** The model provider and id a frame names (seed §3.6), from the MODEL_PROVIDER_SEARCH and MODEL_ID_SEARCH hits. */
export function modelFrom(provider: string | undefined, id: string | undefined): { provider?: string; id?: string } | undefined {
  if (provider === undefined && id === undefined) return undefined;
  return { ...(provider !== undefined ? { provider } : {}), ...(id !== undefined ? { id } : {}) };
}
