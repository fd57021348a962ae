/**
 * Talon's outbound chunks and actions → Matrix event contents: plain text messages, thread and
 * reply relations, edits (`m.replace` with `m.new_content`) and reactions (`m.annotation`).
 */
import type { OutboundChunk } from "@talon/sdk";

/** Content of an `m.room.message` for one chunk. */
export function messageContent(chunk: OutboundChunk): Record<string, unknown> {
  const content: Record<string, unknown> = { msgtype: "m.text", body: chunk.text };
  if (chunk.threadId) {
    content["m.relates_to"] = {
      rel_type: "m.thread",
      event_id: chunk.threadId,
      // Clients without thread support show it as a reply to the message it answers.
      is_falling_back: !chunk.replyTo,
      "m.in_reply_to": { event_id: chunk.replyTo ?? chunk.threadId },
    };
  } else if (chunk.replyTo) {
    content["m.relates_to"] = { "m.in_reply_to": { event_id: chunk.replyTo } };
  }
  return content;
}

/** Content of an edit that replaces `eventId`'s text. */
export function editContent(eventId: string, text: string): Record<string, unknown> {
  return {
    msgtype: "m.text",
    body: `* ${text}`,
    "m.new_content": { msgtype: "m.text", body: text },
    "m.relates_to": { rel_type: "m.replace", event_id: eventId },
  };
}

/** Content of a reaction to `eventId`. */
export function reactionContent(eventId: string, emoji: string): Record<string, unknown> {
  return { "m.relates_to": { rel_type: "m.annotation", event_id: eventId, key: emoji } };
}
