/**
 * Routing hints of a frame root (seed-defender §3.10, §9.3). Like the seed, only top-level keys
 * of the root are read. Two fixes: the delivery channel is alias-normalised like the action's
 * channel (seed §15 item 27), and a `provider` naming a model is not a delivery channel.
 */
import { KNOWN_CHANNELS, canonicalSessionKey, parseSessionKey, type ActionRouting, type DeliveryContext } from "@talon/sdk";
import { ACTION_MAX_NAME_CHARS } from "@talon/sdk";
import { isKnownChannel, type ChannelLookup } from "./channel.ts";
import { boolish, firstTopLevelText, isObject, scalarText } from "@talon/sdk";
import { ROUTING_KEYS } from "@talon/sdk";

/** First present key's bool-ish value; a present key that is not bool-ish ends the search (seed §3.10). */
function firstPresentBool(root: Record<string, unknown>, keys: readonly string[]): boolean | undefined {
  for (const key of keys) if (Object.hasOwn(root, key)) return boolish(root[key]);
  return undefined;
}

/** First key whose value is bool-ish (seed §9.3). */
function firstBool(root: Record<string, unknown>, keys: readonly string[]): boolean | undefined {
  for (const key of keys) {
    const value = boolish(root[key]);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** First non-blank string or number among `keys`, trimmed and bounded. */
function firstText(root: Record<string, unknown>, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = root[key];
    if (typeof value !== "string" && typeof value !== "number") continue;
    const text = scalarText(value)?.trim();
    if (text) return text.slice(0, ACTION_MAX_NAME_CHARS);
  }
  return undefined;
}

function deliveryChannel(root: Record<string, unknown>, channels: ChannelLookup): string | undefined {
  for (const key of ROUTING_KEYS.deliveryChannel) {
    const value = root[key];
    if (typeof value !== "string" || value.trim() === "") continue;
    if (key === "provider" && !isKnownChannel(value, channels)) continue;
    return channels.normalizeId(value);
  }
  return undefined;
}

/**
 * Routing of a frame root. `channel` is the action's channel and `sessionKey` its raw session
 * value, used as the delivery channel's fallbacks.
 */
export function routingOf(
  root: unknown,
  channel: string | undefined,
  sessionKey: string | undefined,
  channels: ChannelLookup = KNOWN_CHANNELS,
): ActionRouting {
  if (!isObject(root)) return {};
  const routing: ActionRouting = {};
  const chatType = channels.chatType(firstTopLevelText(root, ROUTING_KEYS.chatType), channel);
  if (chatType) routing.chatType = chatType;
  // The event's `wasMentioned` reads two keys (seed §3.10); activation also accepts three more (§9.3).
  const mentioned = firstPresentBool(root, ROUTING_KEYS.wasMentioned) ?? firstBool(root, ROUTING_KEYS.mentionPresence);
  if (mentioned !== undefined) routing.wasMentioned = mentioned;
  if (ROUTING_KEYS.mentionPresence.some((key) => Object.hasOwn(root, key))) routing.canDetectMention = true;
  const anyMention = firstBool(root, ROUTING_KEYS.hasAnyMention);
  if (anyMention !== undefined) routing.hasAnyMention = anyMention;
  const replyBack = firstPresentBool(root, ROUTING_KEYS.replyBack);
  if (replyBack !== undefined) routing.replyBack = replyBack;
  const sender = firstText(root, ROUTING_KEYS.senderId) ?? (isObject(root.sender) ? firstText(root.sender, ["id"]) : undefined);
  if (sender !== undefined) routing.senderId = sender;
  const delivery = deliveryContextOf(root, channel, sessionKey, channels);
  if (delivery) routing.deliveryContext = delivery;
  return routing;
}

function deliveryContextOf(
  root: Record<string, unknown>,
  channel: string | undefined,
  sessionKey: string | undefined,
  channels: ChannelLookup,
): DeliveryContext | undefined {
  const fromSession = sessionKey?.trim() ? parseSessionKey(canonicalSessionKey(sessionKey)).channel : undefined;
  const deliveryTo = firstText(root, ROUTING_KEYS.to) ?? null;
  const accountId = firstText(root, ROUTING_KEYS.accountId);
  const threadId = firstText(root, ROUTING_KEYS.threadId);
  const channelId = deliveryChannel(root, channels) ?? channels.normalizeId(channel) ?? channels.normalizeId(fromSession) ?? null;
  if (channelId === null && deliveryTo === null && accountId === undefined && threadId === undefined) return undefined;
  return {
    channel: channelId,
    to: deliveryTo,
    ...(accountId !== undefined ? { accountId } : {}),
    ...(threadId !== undefined ? { threadId } : {}),
  };
}
