/**
 * The fake Discord REST API v10: the routes a chat bot uses, `Authorization: Bot <token>` checked,
 * rate-limit headers on every answer, 429s with `Retry-After` and `{ message, retry_after,
 * global }`, and Discord's JSON errors `{ message, code, errors? }` (401, 403 50005, 404
 * 10003/10008, 400 50006/50035, 10014 Unknown Emoji, 500). What a bot sends comes back on the
 * gateway (MESSAGE_CREATE, MESSAGE_UPDATE, MESSAGE_DELETE), as on Discord.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { APIMessage } from "discord-api-types/v10";
import { FakeRateLimits, tooManyRequests, type RateDecision } from "./buckets.ts";
import { BOT_USER, CHANNEL, type FakeChannel, type FakeWorld } from "./state.ts";

/** How long an `enforce_nonce` nonce is remembered (Discord: "the past few minutes"). */
const NONCE_TTL_MS = 5 * 60_000;
const MAX_BODY_BYTES = 1024 * 1024;

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** What the REST side tells its owner (records for tests, gateway dispatches). */
export interface RestHooks {
  token(): string;
  gatewayUrl(): string;
  identifyBudget(): number;
  /** An armed failure for this send, if any (429 or 500). */
  armedFailure(): Answer | undefined;
  down(): boolean;
  attempt(): void;
  created(message: APIMessage & { guild_id?: string }, channel: FakeChannel, poll?: { question: string; options: string[] }): void;
  edited(message: APIMessage & { guild_id?: string }): void;
  deleted(message: APIMessage & { guild_id?: string }): void;
  reacted(messageId: string, emoji: string): void;
  typed(channel: FakeChannel): void;
}

const error = (status: number, code: number, message: string, errors?: unknown): Answer => ({
  status,
  body: errors === undefined ? { message, code } : { message, code, errors },
});
const invalidForm = (path: string, code: string, message: string): Answer => {
  const errors: Record<string, unknown> = {};
  let node = errors;
  const keys = path.split(".");
  keys.forEach((key, index) => {
    node[key] = index === keys.length - 1 ? { _errors: [{ code, message }] } : {};
    node = node[key] as Record<string, unknown>;
  });
  return error(400, 50035, "Invalid Form Body", errors);
};

export class FakeRest {
  readonly #world: FakeWorld;
  readonly #hooks: RestHooks;
  readonly limits: FakeRateLimits;
  readonly #nonces = new Map<string, { id: string; at: number }>();

  constructor(world: FakeWorld, hooks: RestHooks, limits: FakeRateLimits) {
    this.#world = world;
    this.#hooks = hooks;
    this.limits = limits;
  }

  /** The HTTP server's request handler. */
  handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on("end", () => {
      const answer =
        size > MAX_BODY_BYTES
          ? error(413, 40005, "Request entity too large")
          : this.#route(request, Buffer.concat(chunks).toString("utf8"));
      send(response, answer);
    });
  }

  #route(request: IncomingMessage, raw: string): Answer {
    if (this.#hooks.down())
      return { status: 502, headers: { "content-type": "text/html" }, body: "<html><body><h1>502 Bad Gateway</h1></body></html>" };
    const url = new URL(request.url ?? "/", "http://fake");
    const match = /^\/api\/v10(\/.*)$/.exec(url.pathname);
    if (!match) return error(404, 0, "404: Not Found");
    const path = match[1]!.replace(/\/+$/, "");
    const method = request.method ?? "GET";
    if (method === "GET" && path === "/gateway") return { status: 200, body: { url: this.#hooks.gatewayUrl() } };
    if (request.headers.authorization !== `Bot ${this.#hooks.token()}`) return error(401, 0, "401: Unauthorized");
    if (!String(request.headers["user-agent"] ?? "").startsWith("DiscordBot ("))
      return error(400, 0, "Requests need a User-Agent of the form DiscordBot ($url, $versionNumber)");
    let body: any = {};
    if (raw !== "") {
      if (!String(request.headers["content-type"] ?? "").startsWith("application/json")) return error(400, 50035, "Invalid Form Body");
      try {
        body = JSON.parse(raw);
      } catch {
        return error(400, 50109, "The request body contains invalid JSON.");
      }
    }
    if (method === "GET" && path === "/gateway/bot") {
      return {
        status: 200,
        body: {
          url: this.#hooks.gatewayUrl(),
          shards: 1,
          session_start_limit: { total: 1000, remaining: this.#hooks.identifyBudget(), reset_after: 14_400_000, max_concurrency: 1 },
        },
      };
    }
    if (method === "GET" && path === "/users/@me") return { status: 200, body: BOT_USER };
    if (method === "POST" && path === "/users/@me/channels") return this.#openDm(body);
    const channelRoute = /^\/channels\/([^/]+)(\/.*)?$/.exec(path);
    if (!channelRoute) return error(404, 0, "404: Not Found");
    const channelId = decodeURIComponent(channelRoute[1]!);
    const rest = channelRoute[2] ?? "";
    const template = `${method} /channels/{id}${rest.replace(/\/messages\/[^/]+/, "/messages/{mid}").replace(/\/reactions\/[^/]+/, "/reactions/{emoji}")}`;
    if (template === "POST /channels/{id}/messages") {
      this.#hooks.attempt();
      const armed = this.#hooks.armedFailure();
      if (armed) return armed;
    }
    const rate = this.limits.take(template, channelId);
    if (rate.limited) return tooManyRequests(rate.limited, rate.headers);
    const answer = this.#channelRoute(method, channelId, rest, body);
    return { ...answer, headers: { ...rate.headers, ...answer.headers } };
  }

  #channelRoute(method: string, channelId: string, rest: string, body: any): Answer {
    const channel = this.#world.channel(channelId);
    if (!channel) return error(404, 10003, "Unknown Channel");
    if (method === "GET" && rest === "") return { status: 200, body: this.#world.apiChannel(channel) };
    if (method === "POST" && rest === "/messages") return this.#create(channel, body);
    if (method === "POST" && rest === "/typing") {
      this.#hooks.typed(channel);
      return { status: 204 };
    }
    const messageRoute = /^\/messages\/([^/]+)(\/reactions\/([^/]+)\/@me)?$/.exec(rest);
    if (!messageRoute) return error(404, 0, "404: Not Found");
    const message = this.#world.messages.get(decodeURIComponent(messageRoute[1]!));
    if (!message || message.channel_id !== channel.id) return error(404, 10008, "Unknown Message");
    if (messageRoute[2]) {
      let emoji: string;
      try {
        emoji = decodeURIComponent(messageRoute[3]!);
      } catch {
        return error(400, 10014, "Unknown Emoji");
      }
      if (!isEmoji(emoji)) return error(400, 10014, "Unknown Emoji");
      if (method === "PUT") this.#hooks.reacted(message.id, emoji);
      else if (method !== "DELETE") return error(405, 0, "405: Method Not Allowed");
      return { status: 204 };
    }
    if (method === "PATCH") {
      if (message.author.id !== BOT_USER.id) return error(403, 50005, "Cannot edit a message authored by another user");
      if (typeof body.content === "string" && body.content.length > 2000)
        return invalidForm("content", "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.");
      const mentions = pinged(typeof body.content === "string" ? body.content : message.content, body.allowed_mentions);
      if ("error" in mentions) return mentions.error;
      Object.assign(message, { content: body.content ?? message.content, edited_timestamp: new Date().toISOString(), ...mentions.fields });
      this.#hooks.edited(message);
      return { status: 200, body: message };
    }
    if (method === "DELETE") {
      this.#world.messages.delete(message.id);
      this.#hooks.deleted(message);
      return { status: 204 };
    }
    return error(405, 0, "405: Method Not Allowed");
  }

  #create(channel: FakeChannel, body: any): Answer {
    const content = typeof body.content === "string" ? body.content : "";
    if (content.length > 2000) return invalidForm("content", "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.");
    const poll = body.poll;
    if (content.trim() === "" && !poll && !(Array.isArray(body.embeds) && body.embeds.length > 0))
      return error(400, 50006, "Cannot send an empty message");
    if (body.nonce !== undefined && String(body.nonce).length > 25)
      return invalidForm("nonce", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.");
    let pollRecord: { question: string; options: string[] } | undefined;
    if (poll) {
      const question = poll.question?.text;
      const answers = Array.isArray(poll.answers) ? poll.answers.map((answer: any) => answer?.poll_media?.text) : [];
      if (typeof question !== "string" || question.length === 0 || question.length > 300)
        return invalidForm("poll.question.text", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 300 in length.");
      if (answers.length < 1 || answers.length > 10 || answers.some((text: unknown) => typeof text !== "string" || text.length > 55))
        return invalidForm("poll.answers", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 10 in length.");
      pollRecord = { question, options: answers };
    }
    const reference = body.message_reference;
    let referenced: APIMessage | undefined;
    if (reference?.message_id !== undefined) {
      referenced = this.#world.messages.get(String(reference.message_id));
      if (!referenced && reference.fail_if_not_exists !== false)
        return invalidForm("message_reference", "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message");
    }
    const mentions = pinged(content, body.allowed_mentions, referenced);
    if ("error" in mentions) return mentions.error;
    const nonceKey = body.enforce_nonce === true && body.nonce !== undefined ? `${channel.id}:${String(body.nonce)}` : undefined;
    if (nonceKey) {
      const seen = this.#nonces.get(nonceKey);
      const existing = seen && Date.now() - seen.at < NONCE_TTL_MS ? this.#world.messages.get(seen.id) : undefined;
      if (existing) return { status: 200, body: existing }; // the same nonce: the same message, not a second one
    }
    const message: APIMessage & { guild_id?: string } = {
      id: this.#world.snowflake(),
      channel_id: channel.id,
      author: BOT_USER,
      content,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      attachments: [],
      embeds: Array.isArray(body.embeds) ? body.embeds : [],
      pinned: false,
      type: referenced ? 19 : 0,
      ...mentions.fields,
      ...(body.nonce !== undefined ? { nonce: body.nonce } : {}),
      ...(referenced ? { message_reference: { message_id: referenced.id, channel_id: channel.id }, referenced_message: referenced } : {}),
      ...(channel.guild_id ? { guild_id: channel.guild_id } : {}),
    } as APIMessage & { guild_id?: string };
    if (pollRecord) (message as unknown as Record<string, unknown>).poll = body.poll;
    this.#world.messages.set(message.id, message);
    if (nonceKey) this.#nonces.set(nonceKey, { id: message.id, at: Date.now() });
    this.#hooks.created(message, channel, pollRecord);
    return { status: 200, body: message };
  }

  #openDm(body: any): Answer {
    const recipient = body?.recipient_id;
    if (typeof recipient !== "string" || recipient === "")
      return invalidForm("recipient_id", "BASE_TYPE_REQUIRED", "This field is required");
    for (const channel of this.#world.channels.values())
      if (channel.type === CHANNEL.DM && channel.recipients?.[0]?.id === recipient)
        return { status: 200, body: this.#world.apiChannel(channel) };
    const channel = this.#world.ensure(this.#world.snowflake(), {
      type: CHANNEL.DM,
      recipients: [{ id: recipient, username: recipient, discriminator: "0", global_name: null, avatar: null }],
    });
    return { status: 200, body: this.#world.apiChannel(channel) };
  }
}

/**
 * What a message pings, as Discord decides it from `allowed_mentions` (absent: everything in the
 * content pings). Listing `users` in `parse` and a `users` array together is a 400, as on Discord.
 */
function pinged(
  content: string,
  allowed: any,
  referenced?: APIMessage,
): { fields: Pick<APIMessage, "mentions" | "mention_roles" | "mention_everyone"> } | { error: Answer } {
  const parse: string[] | undefined = allowed === undefined ? undefined : Array.isArray(allowed?.parse) ? allowed.parse : [];
  const users: string[] = Array.isArray(allowed?.users) ? allowed.users.map(String) : [];
  const roles: string[] = Array.isArray(allowed?.roles) ? allowed.roles.map(String) : [];
  if (parse?.includes("users") && users.length > 0)
    return {
      error: invalidForm(
        "allowed_mentions",
        "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
        '"users" in parse and a users list are mutually exclusive',
      ),
    };
  if (parse?.includes("roles") && roles.length > 0)
    return {
      error: invalidForm(
        "allowed_mentions",
        "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
        '"roles" in parse and a roles list are mutually exclusive',
      ),
    };
  const may = (kind: string, id?: string, list: string[] = []) =>
    parse === undefined || parse.includes(kind) || (id !== undefined && list.includes(id));
  const userIds = [...content.matchAll(/<@!?(\d+|[\w-]+)>/g)].map((m) => m[1]!).filter((id) => may("users", id, users));
  const repliedUser = referenced && (allowed === undefined || allowed?.replied_user === true) ? [referenced.author.id] : [];
  const mentionIds = [...new Set([...userIds, ...repliedUser])];
  return {
    fields: {
      mentions: mentionIds.map((id) => ({ id, username: id, discriminator: "0", global_name: null, avatar: null })),
      mention_roles: [...content.matchAll(/<@&(\d+)>/g)].map((m) => m[1]!).filter((id) => may("roles", id, roles)),
      mention_everyone: /@(everyone|here)\b/.test(content) && may("everyone"),
    },
  };
}

/** A Unicode emoji (pictographic) or a custom emoji `name:id`. */
function isEmoji(value: string): boolean {
  return /^[\w~-]{2,32}:\d{17,20}$/.test(value) || /^\p{Extended_Pictographic}/u.test(value) || /^[\u{1F1E6}-\u{1F1FF}]{2}$/u.test(value);
}

function send(response: ServerResponse, answer: Answer): void {
  if (response.writableEnded || response.destroyed) return;
  const headers: Record<string, string> = { ...answer.headers };
  if (answer.body === undefined || answer.status === 204) {
    response.writeHead(answer.status, headers);
    response.end();
    return;
  }
  const text = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
  headers["content-type"] ??= "application/json";
  headers["content-length"] = String(Buffer.byteLength(text));
  response.writeHead(answer.status, headers);
  response.end(text);
}

export type { RateDecision };
