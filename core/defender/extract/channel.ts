/**
 * Which channel an action came from, and which model provider it names. Fixes two seed defects
 * (seed-defender §15 items 12–13): a channel is never guessed from a substring of an event name
 * (`gateway.wait` is not WhatsApp), and `provider` counts as a channel only when it names one
 * (`{"provider":"openai"}` is a model provider, not a channel).
 */
import { normalizeChannelId } from "@talon/sdk";
import { CHANNEL_KEYS, MODEL_ID_KEYS, MODEL_PROVIDER_KEYS } from "./keys.ts";
import { findFirst } from "./search.ts";

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

/**
 * The channel of a frame root: the seed's recursive search over the channel keys (with
 * `provider` accepted only for a known channel); else the first dot-segment of the event or
 * method name when it is exactly a known channel (`discord.message` → discord).
 */
export function channelOf(root: unknown, name: string | undefined): string | undefined {
  const hit = findFirst(root, CHANNEL_KEYS, (value, key) => key !== "provider" || isKnownChannel(value));
  if (hit && normalizeChannelId(hit.value) !== undefined) return hit.value;
  if (name === undefined) return undefined;
  const segment = name.trim().toLowerCase().split(".", 1)[0] ?? "";
  return isKnownChannel(segment) ? normalizeChannelId(segment) : undefined;
}

/** The model provider and id a frame names (seed §3.6); a `provider` that names a channel is not a model provider. */
export function modelOf(root: unknown): { provider?: string; id?: string } | undefined {
  const provider = findFirst(root, MODEL_PROVIDER_KEYS, (value, key) => key !== "provider" || !isKnownChannel(value))?.value;
  const id = findFirst(root, MODEL_ID_KEYS)?.value;
  if (provider === undefined && id === undefined) return undefined;
  return { ...(provider !== undefined ? { provider } : {}), ...(id !== undefined ? { id } : {}) };
}
