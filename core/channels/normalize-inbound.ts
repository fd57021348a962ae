/**
 * Check and normalise what a driver hands to `ctx.receive`: required fields present and typed,
 * ids as strings (a platform's numeric ids are accepted), chat type aliases (`dm` → `direct`),
 * bounded sizes. A bad message is refused with a DriverValidationError naming the field; text
 * longer than the configured limit is refused, never truncated (the defender must see all of it).
 *
 * Hand-written rather than a zod schema: this runs for every inbound message, and a direct check
 * costs a fraction of a schema parse.
 */
import {
  DriverValidationError,
  isObject,
  type Attachment,
  type ChatType,
  type InboundDraft,
  type InboundMessage,
  type MessageSender,
} from "@talon/sdk";

const ATTACHMENT_KINDS: ReadonlySet<string> = new Set(["image", "audio", "video", "file"]);
const MAX_MENTIONS = 256;
const MAX_ATTACHMENTS = 64;

class Invalid extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/** A required id: a non-empty string (trimmed) or a finite number, at most `max` characters. */
function id(value: unknown, path: string, max: number): string {
  let text: string;
  if (typeof value === "string") text = value.trim();
  else if (typeof value === "number" && Number.isFinite(value)) text = String(value);
  else throw new Invalid(path, value === undefined ? "required" : "must be a string");
  if (text === "") throw new Invalid(path, "must not be empty");
  if (text.length > max) throw new Invalid(path, `at most ${max} characters`);
  return text;
}

function optionalId(value: unknown, path: string, max: number): string | undefined {
  return value === undefined || value === null ? undefined : id(value, path, max);
}

function optionalString(value: unknown, path: string, max: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new Invalid(path, "must be a string");
  if (value.length > max) throw new Invalid(path, `at most ${max} characters`);
  return value;
}

function optionalBoolean(value: unknown, path: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw new Invalid(path, "must be a boolean");
  return value;
}

function sender(value: unknown): MessageSender {
  if (!isObject(value)) throw new Invalid("/sender", value === undefined ? "required" : "must be an object");
  const out: MessageSender = { id: id(value.id, "/sender/id", 512) };
  const name = optionalString(value.name, "/sender/name", 512);
  if (name !== undefined) out.name = name;
  const isBot = optionalBoolean(value.isBot, "/sender/isBot");
  if (isBot !== undefined) out.isBot = isBot;
  const isSelf = optionalBoolean(value.isSelf, "/sender/isSelf");
  if (isSelf !== undefined) out.isSelf = isSelf;
  return out;
}

function mentions(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Invalid("/mentions", "must be an array");
  if (value.length > MAX_MENTIONS) throw new Invalid("/mentions", `at most ${MAX_MENTIONS} entries`);
  for (let i = 0; i < value.length; i++)
    if (typeof value[i] !== "string" || value[i].length > 512)
      throw new Invalid(`/mentions/${i}`, "must be a string of at most 512 characters");
  return value as string[];
}

function attachments(value: unknown): Attachment[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Invalid("/attachments", "must be an array");
  if (value.length > MAX_ATTACHMENTS) throw new Invalid("/attachments", `at most ${MAX_ATTACHMENTS} entries`);
  return value.map((item, i) => {
    const path = `/attachments/${i}`;
    if (!isObject(item)) throw new Invalid(path, "must be an object");
    if (typeof item.kind !== "string" || !ATTACHMENT_KINDS.has(item.kind))
      throw new Invalid(`${path}/kind`, "must be image, audio, video or file");
    const out: Attachment = { kind: item.kind as Attachment["kind"] };
    const fileId = optionalString(item.id, `${path}/id`, 512);
    if (fileId !== undefined) out.id = fileId;
    const url = optionalString(item.url, `${path}/url`, 4096);
    if (url !== undefined) out.url = url;
    const name = optionalString(item.name, `${path}/name`, 512);
    if (name !== undefined) out.name = name;
    const mimeType = optionalString(item.mimeType, `${path}/mimeType`, 256);
    if (mimeType !== undefined) out.mimeType = mimeType;
    if (item.bytes !== undefined && item.bytes !== null) {
      if (typeof item.bytes !== "number" || !Number.isInteger(item.bytes) || item.bytes < 0)
        throw new Invalid(`${path}/bytes`, "must be a non-negative integer");
      out.bytes = item.bytes;
    }
    return out;
  });
}

/**
 * Normalise a driver's draft into the one inbound shape; throws DriverValidationError.
 * `chatType` reads the chat type: the generic words and the driver's declared `chatTypeAliases`.
 */
export function normalizeInbound(
  draft: InboundDraft,
  channel: string,
  accountId: string,
  maxChars: number,
  chatType: (value: string) => ChatType | undefined,
): InboundMessage {
  const input = draft as unknown;
  try {
    if (!isObject(input)) throw new Invalid("", "the message must be an object");
    const text = input.text;
    if (typeof text !== "string") throw new Invalid("/text", text === undefined ? "required" : "must be a string");
    // Checked before anything is copied: a multi-megabyte text is refused at once.
    if (text.length > maxChars) {
      throw new DriverValidationError(channel, `inbound message text has ${text.length} characters; the limit is ${maxChars}`, {
        hint: `raise plugins.entries.${channel}.config.runtime.maxInboundChars if such messages are expected`,
        details: { field: "/text", length: text.length, limit: maxChars },
      });
    }
    if (typeof input.chatType !== "string") throw new Invalid("/chatType", input.chatType === undefined ? "required" : "must be a string");
    const type = chatType(input.chatType);
    if (!type)
      throw new Invalid("/chatType", `unknown chat type ${JSON.stringify(input.chatType.slice(0, 32))} (use direct, group or channel)`);
    const message: InboundMessage = {
      id: id(input.id, "/id", 256),
      channel,
      accountId,
      chatType: type,
      chatId: id(input.chatId, "/chatId", 512),
      sender: sender(input.sender),
      text,
      mentions: mentions(input.mentions),
      attachments: attachments(input.attachments),
      raw: input.raw ?? null,
      receivedAt: typeof input.receivedAt === "number" && Number.isFinite(input.receivedAt) ? input.receivedAt : Date.now(),
    };
    if (input.receivedAt !== undefined && typeof input.receivedAt !== "number") throw new Invalid("/receivedAt", "must be a number (ms)");
    const threadId = optionalId(input.threadId, "/threadId", 512);
    if (threadId !== undefined) message.threadId = threadId;
    const wasMentioned = optionalBoolean(input.wasMentioned, "/wasMentioned");
    if (wasMentioned !== undefined) message.wasMentioned = wasMentioned;
    const replyTo = optionalId(input.replyTo, "/replyTo", 512);
    if (replyTo !== undefined) message.replyTo = replyTo;
    return message;
  } catch (error) {
    if (!(error instanceof Invalid)) throw error;
    throw new DriverValidationError(channel, `inbound message rejected: at ${error.path || "/"}: ${error.message}`, {
      details: { field: error.path || "/" },
    });
  }
}

/** The message as clients and the inbox see it: everything but the platform payload. */
export function publicMessage(message: InboundMessage): Record<string, unknown> {
  const { raw: _raw, ...rest } = message;
  return rest;
}
