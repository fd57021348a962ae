/**
 * Matrix timeline events → Talon's normalised inbound message. Rooms listed in the bot's
 * `m.direct` account data are direct chats, every other room a group. A mention of the bot is
 * read from intentional mentions (`m.mentions.user_ids`, spec v1.7); a thread from an
 * `m.thread` relation (its root event id is the thread id).
 */
import type { InboundDraft } from "@talon/sdk";

/** The fields of a room event the driver reads. */
export interface RoomEvent {
  type: string;
  event_id: string;
  sender: string;
  room_id?: string;
  origin_server_ts?: number;
  content?: Record<string, unknown>;
}

interface Relation {
  rel_type?: string;
  event_id?: string;
  "m.in_reply_to"?: { event_id?: string };
}

/** The draft for a text message event, or undefined for events a chat bot does not answer (edits, reactions, state). */
export function toDraft(event: RoomEvent, roomId: string, botUserId: string, directRooms: ReadonlySet<string>): InboundDraft | undefined {
  if (event.type !== "m.room.message") return undefined;
  const content = event.content ?? {};
  const relation = (content["m.relates_to"] ?? {}) as Relation;
  if (relation.rel_type === "m.replace") return undefined; // an edit of an earlier message
  const body = typeof content.body === "string" ? content.body : "";
  const mentions = (content["m.mentions"] as { user_ids?: unknown } | undefined)?.user_ids;
  const mentioned = Array.isArray(mentions) ? mentions.filter((id): id is string => typeof id === "string") : undefined;
  const draft: InboundDraft = {
    id: event.event_id,
    chatType: directRooms.has(roomId) ? "direct" : "group",
    chatId: roomId,
    sender: { id: event.sender, isSelf: event.sender === botUserId },
    text: body,
    mentions: mentioned ?? [],
    raw: event,
  };
  if (event.origin_server_ts !== undefined) draft.receivedAt = event.origin_server_ts;
  // Without `m.mentions` an old client sent it: fall back to the bot's id in the text.
  draft.wasMentioned = mentioned ? mentioned.includes(botUserId) : body.includes(botUserId);
  if (relation.rel_type === "m.thread" && relation.event_id) draft.threadId = relation.event_id;
  const replyTo = relation["m.in_reply_to"]?.event_id;
  if (replyTo && relation.rel_type !== "m.thread") draft.replyTo = replyTo;
  return draft;
}
