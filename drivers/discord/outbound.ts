/**
 * Talon's outbound chunks and actions → Discord REST bodies and routes. Every message the bot
 * posts or edits carries `allowed_mentions: { parse: [], replied_user: false }`: whatever the
 * agent writes (`@everyone`, `@here`, `<@&role>`, `<@user>`), the reply pings nobody. The core's
 * idempotency key becomes Discord's `nonce` with `enforce_nonce`, so a retry after a lost answer
 * returns the first message instead of posting a second.
 */
import { createHash } from "node:crypto";
import type { OutboundChunk, PollDraft } from "@talon/sdk";
import type { RESTPostAPIChannelMessageJSONBody } from "discord-api-types/v10";
import { NONCE_MAX_CHARS } from "./constants.ts";

/** Pings nobody: no @everyone/@here, no roles, no users, not even the author replied to. */
export const NO_PINGS = Object.freeze({ parse: [] as never[], replied_user: false });

/** Discord polls last 1 to 768 hours (32 days); 24 by default. */
const POLL_HOURS_DEFAULT = 24;
const POLL_HOURS_MAX = 768;

/** A nonce (≤ 25 characters) derived from the core's idempotency key. */
export function nonceOf(idempotencyKey: string): string {
  return createHash("sha256").update(idempotencyKey).digest("base64url").slice(0, NONCE_MAX_CHARS);
}

/** The body of one chunk. */
export function messageBody(chunk: OutboundChunk): RESTPostAPIChannelMessageJSONBody {
  const body: RESTPostAPIChannelMessageJSONBody = {
    content: chunk.text,
    allowed_mentions: NO_PINGS,
    nonce: nonceOf(chunk.idempotencyKey),
    enforce_nonce: true,
  };
  // A reply to a message deleted meanwhile still goes out, as a plain message.
  if (chunk.replyTo) body.message_reference = { message_id: chunk.replyTo, fail_if_not_exists: false };
  return body;
}

/** The body of an edit. */
export function editBody(text: string): { content: string; allowed_mentions: typeof NO_PINGS } {
  return { content: text, allowed_mentions: NO_PINGS };
}

/** The body of a poll message. */
export function pollBody(poll: PollDraft, idempotencyKey: string): RESTPostAPIChannelMessageJSONBody {
  const hours =
    poll.durationSeconds === undefined ? POLL_HOURS_DEFAULT : Math.min(POLL_HOURS_MAX, Math.max(1, Math.ceil(poll.durationSeconds / 3600)));
  return {
    poll: {
      question: { text: poll.question },
      answers: poll.options.map((text) => ({ poll_media: { text } })),
      duration: hours,
      allow_multiselect: (poll.maxSelections ?? 1) > 1,
    },
    allowed_mentions: NO_PINGS,
    nonce: nonceOf(idempotencyKey),
    enforce_nonce: true,
  };
}

/**
 * The emoji path segment of a reaction: a custom emoji as `name:id` (from `<:name:id>`,
 * `<a:name:id>` or `name:id`), a Unicode emoji URL-encoded.
 */
export function emojiSegment(emoji: string): string {
  const trimmed = emoji.trim();
  const custom = /^<a?:([\w~-]+):(\d+)>$/.exec(trimmed) ?? /^([\w~-]+):(\d+)$/.exec(trimmed);
  return encodeURIComponent(custom ? `${custom[1]}:${custom[2]}` : trimmed);
}

/** A channel id as a path segment. */
export const segment = (id: string): string => encodeURIComponent(id);

/** `user:<id>` names a user to DM; `channel:<id>` or a bare id names a channel. */
export function parseTarget(chatId: string): { kind: "user" | "channel"; id: string } {
  const match = /^(user|channel):(.+)$/.exec(chatId.trim());
  if (match) return { kind: match[1] as "user" | "channel", id: match[2]!.trim() };
  return { kind: "channel", id: chatId.trim() };
}
