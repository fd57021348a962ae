/**
 * Check and normalise what a driver hands to `ctx.receive`: required fields present and typed,
 * ids as strings (a platform's numeric ids are accepted), chat type aliases (`dm` → `direct`),
 * bounded sizes. A bad message is refused with a DriverValidationError naming the field; text
 * longer than the configured limit is refused, never truncated (the defender must see all of it).
 */
import { z } from "zod";
import { DriverValidationError, normalizeChatType, type InboundDraft, type InboundMessage } from "@talon/sdk";

const id = (max: number) =>
  z.preprocess((value) => (typeof value === "number" && Number.isFinite(value) ? String(value) : value), z.string().trim().min(1, "must not be empty").max(max));

const attachmentSchema = z.object({
  kind: z.enum(["image", "audio", "video", "file"]),
  url: z.string().max(4096).optional(),
  name: z.string().max(512).optional(),
  mimeType: z.string().max(256).optional(),
  bytes: z.number().int().min(0).optional(),
});

const draftSchema = z.object({
  id: id(256),
  chatType: z.string().max(32),
  chatId: id(512),
  threadId: id(512).optional(),
  sender: z.object({
    id: id(512),
    name: z.string().max(512).optional(),
    isBot: z.boolean().optional(),
    isSelf: z.boolean().optional(),
  }),
  text: z.string(),
  mentions: z.array(z.string().max(512)).max(256).optional(),
  wasMentioned: z.boolean().optional(),
  replyTo: id(512).optional(),
  attachments: z.array(attachmentSchema).max(64).optional(),
  raw: z.unknown().optional(),
  receivedAt: z.number().finite().optional(),
});

/** Normalise a driver's draft into the one inbound shape; throws DriverValidationError. */
export function normalizeInbound(draft: InboundDraft, channel: string, accountId: string, maxChars: number): InboundMessage {
  // Check the size first: a multi-megabyte text must not be copied around before it is refused.
  const rawText = (draft as { text?: unknown })?.text;
  if (typeof rawText === "string" && rawText.length > maxChars) {
    throw new DriverValidationError(channel, `inbound message text has ${rawText.length} characters; the limit is ${maxChars}`, {
      hint: `raise plugins.entries.${channel}.config.runtime.maxInboundChars if such messages are expected`,
      details: { field: "/text", length: rawText.length, limit: maxChars },
    });
  }
  const parsed = draftSchema.safeParse(draft);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = `/${issue.path.map(String).join("/")}`;
    throw new DriverValidationError(channel, `inbound message rejected: at ${path}: ${issue.message}`, { details: { field: path } });
  }
  const value = parsed.data;
  const chatType = normalizeChatType(value.chatType);
  if (!chatType) {
    throw new DriverValidationError(channel, `inbound message rejected: at /chatType: unknown chat type ${JSON.stringify(value.chatType)} (use direct, group or channel)`, {
      details: { field: "/chatType" },
    });
  }
  const message: InboundMessage = {
    id: value.id,
    channel,
    accountId,
    chatType,
    chatId: value.chatId,
    sender: value.sender,
    text: value.text,
    mentions: value.mentions ?? [],
    attachments: value.attachments ?? [],
    raw: value.raw ?? null,
    receivedAt: value.receivedAt ?? Date.now(),
  };
  if (value.threadId !== undefined) message.threadId = value.threadId;
  if (value.wasMentioned !== undefined) message.wasMentioned = value.wasMentioned;
  if (value.replyTo !== undefined) message.replyTo = value.replyTo;
  return message;
}

/** The message as clients and the inbox see it: everything but the platform payload. */
export function publicMessage(message: InboundMessage): Record<string, unknown> {
  const { raw: _raw, ...rest } = message;
  return rest;
}
