/**
 * The fake Slack Web API: `POST /api/<method>` with a JSON or form body, the token in the
 * `Authorization: Bearer` header (or a `token` field, which Slack also accepts, except for
 * `apps.connections.open`). Answers in Slack's shapes: HTTP 200 `{ ok: false, error }` for
 * method errors and bad tokens, HTTP 429 with `Retry-After: <whole seconds>` when rate limited,
 * HTTP 5xx when armed to fail.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FakeSent } from "@talon/sdk/testing";

/** A scripted answer for the next calls of a method. */
export interface ArmedAnswer {
  method: string | "*";
  count: number;
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** What the API needs from the rest of the fake. */
export interface WebApiState {
  botToken: string;
  appToken: string;
  identity: { userId: string; botId: string; teamId: string; team: string; appId: string };
  revoked: boolean;
  /** Channels that answer channel_not_found. */
  unknownChannels: Set<string>;
  armed: ArmedAnswer[];
  /** performance.now() of every chat.postMessage attempt. */
  attempts: number[];
  calls: { method: string; args: Record<string, string> }[];
  sent: FakeSent[];
  edits: { messageId: string; text: string }[];
  deletions: string[];
  reactions: { messageId: string; emoji: string; name: string }[];
  messages: Map<string, { channel: string; ts: string; text: string; threadTs?: string; byBot: boolean }>;
  nextTs(): string;
  /** A socket ticket for apps.connections.open. */
  issueSocketUrl(): string;
  /** Slack delivers the bot's own post back as a message event. */
  echo(message: { channel: string; ts: string; text: string; threadTs?: string }): void;
}

/** Slack's standard names of the emoji the tests use (Slack answers invalid_name for others). */
export const EMOJI_BY_NAME: Readonly<Record<string, string>> = {
  thumbsup: "👍",
  "+1": "👍",
  thumbsdown: "👎",
  white_check_mark: "✅",
  eyes: "👀",
  tada: "🎉",
  x: "❌",
  heart: "❤️",
  rocket: "🚀",
  no_entry_sign: "🚫",
};

/** Slack truncates past this; the API refuses longer text with msg_too_long. */
const MAX_TEXT = 40_000;
const WRITE_METHODS = new Set(["chat.postMessage", "chat.update", "chat.delete", "reactions.add"]);

async function readBody(request: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  const type = String(request.headers["content-type"] ?? "");
  if (text === "") return {};
  if (type.includes("application/json")) {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    return Object.fromEntries(
      Object.entries(parsed).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]),
    );
  }
  return Object.fromEntries(new URLSearchParams(text));
}

function answer(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  response.end(JSON.stringify(body));
}

const fail = (error: string) => ({ ok: false, error });

/** Handle one Web API request. */
export async function handleWebApi(state: WebApiState, method: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  let args: Record<string, string>;
  try {
    args = await readBody(request);
  } catch {
    return answer(response, 200, fail("invalid_form_data"));
  }
  if (method === "chat.postMessage") state.attempts.push(performance.now());
  state.calls.push({ method, args: Object.fromEntries(Object.entries(args).filter(([key]) => key !== "token")) });
  const bearer = /^Bearer (\S+)$/.exec(String(request.headers.authorization ?? ""))?.[1];
  const token = bearer ?? args.token;
  if (!token) return answer(response, 200, fail("not_authed"));

  if (method === "apps.connections.open") {
    // The app-level token must come in the header (apps.connections.open reference).
    if (!bearer) return answer(response, 200, fail("not_authed"));
    if (bearer.startsWith("xoxb-")) return answer(response, 200, fail("not_allowed_token_type"));
    if (bearer !== state.appToken) return answer(response, 200, fail("invalid_auth"));
  } else if (token !== state.botToken) {
    return answer(response, 200, fail(token.startsWith("xapp-") ? "not_allowed_token_type" : "invalid_auth"));
  } else if (state.revoked) {
    return answer(response, 200, fail("token_revoked"));
  }

  const armed = state.armed.find(
    (entry) => entry.count > 0 && (entry.method === method || (entry.method === "*" && WRITE_METHODS.has(method))),
  );
  if (armed) {
    armed.count--;
    return answer(response, armed.status, armed.body, armed.headers);
  }

  switch (method) {
    case "auth.test": {
      const { identity } = state;
      return answer(response, 200, {
        ok: true,
        url: "https://fake-workspace.slack.com/",
        team: identity.team,
        user: "talon",
        team_id: identity.teamId,
        user_id: identity.userId,
        bot_id: identity.botId,
        is_enterprise_install: false,
      });
    }
    case "apps.connections.open":
      return answer(response, 200, { ok: true, url: state.issueSocketUrl() });
    case "chat.postMessage": {
      const channel = args.channel;
      if (!channel || state.unknownChannels.has(channel)) return answer(response, 200, fail("channel_not_found"));
      const text = args.text ?? "";
      if (text === "" && !args.blocks) return answer(response, 200, fail("no_text"));
      if (text.length > MAX_TEXT) return answer(response, 200, fail("msg_too_long"));
      const ts = state.nextTs();
      const threadTs = args.thread_ts || undefined;
      state.messages.set(`${channel}:${ts}`, { channel, ts, text, ...(threadTs ? { threadTs } : {}), byBot: true });
      const record: FakeSent = { messageId: `${channel}:${ts}`, chatId: channel, text };
      if (threadTs) record.threadId = threadTs;
      state.sent.push(record);
      const message = {
        type: "message",
        text,
        user: state.identity.userId,
        bot_id: state.identity.botId,
        ts,
        ...(threadTs ? { thread_ts: threadTs } : {}),
      };
      setImmediate(() => state.echo({ channel, ts, text, ...(threadTs ? { threadTs } : {}) }));
      return answer(response, 200, { ok: true, channel, ts, message });
    }
    case "chat.update": {
      const key = `${args.channel}:${args.ts}`;
      const message = state.messages.get(key);
      if (!message) return answer(response, 200, fail("message_not_found"));
      if (!message.byBot) return answer(response, 200, fail("cant_update_message"));
      const text = args.text ?? "";
      if (text === "") return answer(response, 200, fail("no_text"));
      if (text.length > MAX_TEXT) return answer(response, 200, fail("msg_too_long"));
      message.text = text;
      state.edits.push({ messageId: key, text });
      return answer(response, 200, { ok: true, channel: args.channel, ts: args.ts, text });
    }
    case "chat.delete": {
      const key = `${args.channel}:${args.ts}`;
      const message = state.messages.get(key);
      if (!message) return answer(response, 200, fail("message_not_found"));
      if (!message.byBot) return answer(response, 200, fail("cant_delete_message"));
      state.messages.delete(key);
      state.deletions.push(key);
      return answer(response, 200, { ok: true, channel: args.channel, ts: args.ts });
    }
    case "reactions.add": {
      const key = `${args.channel}:${args.timestamp}`;
      if (!state.messages.has(key)) return answer(response, 200, fail("message_not_found"));
      const name = args.name ?? "";
      if (!(name in EMOJI_BY_NAME)) return answer(response, 200, fail("invalid_name"));
      if (state.reactions.some((reaction) => reaction.messageId === key && reaction.name === name))
        return answer(response, 200, fail("already_reacted"));
      state.reactions.push({ messageId: key, emoji: EMOJI_BY_NAME[name]!, name });
      return answer(response, 200, { ok: true });
    }
    default:
      return answer(response, 200, fail("unknown_method"));
  }
}
