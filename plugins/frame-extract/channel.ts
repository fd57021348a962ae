/**
 * Which channel an action came from, and which model provider it names. Fixes two seed defects
 * (seed-defender §15 items 12–13): a channel is never guessed from a substring of an event name
 * (`gateway.wait` is not WhatsApp), and `provider` counts as a channel only when it names one
 * (`{"provider":"openai"}` is a model provider, not a channel).
 */
import { normalizeChannelId } from "@talon/sdk";
import { CHANNEL_KEYS, MODEL_ID_KEYS, MODEL_PROVIDER_KEYS } from "./keys.ts";
import type { KeySearch } from "./search.ts";

/** Channel ids Talon recognises as channels (the seed's drivers plus upstream's channel plugins). */
const KNOWN_CHANNEL_IDS: ReadonlySet<string> = new Set([
  "telegram",
  "whatsapp",
  "discord",
  "slack",
  "signal",
  "webchat",
  "generic",
  "imessage",
  "bluebubbles",
  "msteams",
  "matrix",
  "googlechat",
  "mattermost",
  "line",
  "irc",
  "nostr",
  "zalo",
  "feishu",
  "twitch",
  "nextcloud-talk",
  "voice-call",
]);

/** Is this value (after alias normalisation) a channel id? */
export function isKnownChannel(value: string): boolean {
  const id = normalizeChannelId(value);
  return id !== undefined && KNOWN_CHANNEL_IDS.has(id);
}

/** The channel search: the seed's channel keys, with `provider` accepted only for a known channel. */
export const CHANNEL_SEARCH: KeySearch = { keys: CHANNEL_KEYS, accept: (value, key) => key !== "provider" || isKnownChannel(value) };
/** The model provider search: a `provider` that names a channel is not a model provider. */
export const MODEL_PROVIDER_SEARCH: KeySearch = {
  keys: MODEL_PROVIDER_KEYS,
  accept: (value, key) => key !== "provider" || !isKnownChannel(value),
};
/** The model id search. */
export const MODEL_ID_SEARCH: KeySearch = { keys: MODEL_ID_KEYS };

/**
 * The channel of a frame root, given the CHANNEL_SEARCH hit: the hit when it is a channel id;
 * else the first dot-segment of the event or method name when it is exactly a known channel
 * (`discord.message` → discord).
 */
export function channelFrom(hit: string | undefined, name: string | undefined): string | undefined {
  if (hit !== undefined && normalizeChannelId(hit) !== undefined) return hit;
  if (name === undefined) return undefined;
  const segment = name.trim().toLowerCase().split(".", 1)[0] ?? "";
  return isKnownChannel(segment) ? normalizeChannelId(segment) : undefined;
}

/** The model provider and id a frame names (seed §3.6), from the MODEL_PROVIDER_SEARCH and MODEL_ID_SEARCH hits. */
export function modelFrom(provider: string | undefined, id: string | undefined): { provider?: string; id?: string } | undefined {
  if (provider === undefined && id === undefined) return undefined;
  return { ...(provider !== undefined ? { provider } : {}), ...(id !== undefined ? { id } : {}) };
}
