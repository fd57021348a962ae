/**
 * Discord's numbers the driver needs: opcodes, intents, channel types and the Gateway close codes
 * with what each means for reconnecting (discord-api-docs, opcodes-and-status-codes), taken from
 * discord-api-types so they match the wire.
 */
import { ChannelType, GatewayCloseCodes, GatewayIntentBits, GatewayOpcodes } from "discord-api-types/v10";

export const DRIVER_ID = "discord";
/** Discord's hard limit on message content (characters). */
export const TEXT_MAX_CHARS = 2000;
/** Upstream OpenClaw's default line limit for Discord messages (tall messages collapse in clients). */
export const LINES_PER_MESSAGE = 17;
/** Discord's global limit per bot: 50 requests per second. */
export const GLOBAL_REQUESTS_PER_SECOND = 50;
/** Most answers in a Discord poll. */
export const POLL_MAX_ANSWERS = 10;
/** A nonce has at most 25 characters. */
export const NONCE_MAX_CHARS = 25;

export { ChannelType, GatewayOpcodes as Op };

/** The intents a chat bot needs: guilds (channels and threads), guild and direct messages. */
export const BASE_INTENTS = GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessages | GatewayIntentBits.DirectMessages;
/** Privileged: the content of messages that do not mention the bot (enable it in the Developer Portal). */
export const MESSAGE_CONTENT_INTENT = GatewayIntentBits.MessageContent;

/** Channel types that are threads: a thread is a channel whose parent is the chat. */
export const THREAD_TYPES: ReadonlySet<number> = new Set([
  ChannelType.AnnouncementThread,
  ChannelType.PublicThread,
  ChannelType.PrivateThread,
]);

/** What a close code means for the next connection. */
export type CloseAction =
  /** Reconnect and resume the session. */
  | "resume"
  /** Reconnect and identify again (the session is gone). */
  | "identify"
  /** Stop: the token was refused. */
  | "auth"
  /** Stop: a setting Discord will keep refusing (intents, shards, API version). */
  | "fatal";

const CLOSE_ACTIONS: Readonly<Record<number, CloseAction>> = {
  [GatewayCloseCodes.UnknownError]: "resume",
  [GatewayCloseCodes.UnknownOpcode]: "identify",
  [GatewayCloseCodes.DecodeError]: "resume",
  [GatewayCloseCodes.NotAuthenticated]: "identify",
  [GatewayCloseCodes.AuthenticationFailed]: "auth",
  [GatewayCloseCodes.AlreadyAuthenticated]: "identify",
  [GatewayCloseCodes.InvalidSeq]: "identify",
  [GatewayCloseCodes.RateLimited]: "resume",
  [GatewayCloseCodes.SessionTimedOut]: "identify",
  [GatewayCloseCodes.InvalidShard]: "fatal",
  [GatewayCloseCodes.ShardingRequired]: "fatal",
  [GatewayCloseCodes.InvalidAPIVersion]: "fatal",
  [GatewayCloseCodes.InvalidIntents]: "fatal",
  [GatewayCloseCodes.DisallowedIntents]: "fatal",
};

/** Discord's meaning of a close code, for logs and status. */
export const CLOSE_MEANINGS: Readonly<Record<number, string>> = {
  1000: "normal closure",
  1001: "going away",
  1006: "connection lost without a close frame",
  [GatewayCloseCodes.UnknownError]: "unknown error",
  [GatewayCloseCodes.UnknownOpcode]: "unknown opcode",
  [GatewayCloseCodes.DecodeError]: "decode error",
  [GatewayCloseCodes.NotAuthenticated]: "not authenticated",
  [GatewayCloseCodes.AuthenticationFailed]: "authentication failed",
  [GatewayCloseCodes.AlreadyAuthenticated]: "already authenticated",
  [GatewayCloseCodes.InvalidSeq]: "invalid seq on resume",
  [GatewayCloseCodes.RateLimited]: "rate limited",
  [GatewayCloseCodes.SessionTimedOut]: "session timed out",
  [GatewayCloseCodes.InvalidShard]: "invalid shard",
  [GatewayCloseCodes.ShardingRequired]: "sharding required",
  [GatewayCloseCodes.InvalidAPIVersion]: "invalid API version",
  [GatewayCloseCodes.InvalidIntents]: "invalid intent(s)",
  [GatewayCloseCodes.DisallowedIntents]: "disallowed intent(s)",
};

/** What to do after the server closed with `code`; anything unlisted (1000, 1001, 1006, ...) keeps the session. */
export function closeAction(code: number): CloseAction {
  return CLOSE_ACTIONS[code] ?? "resume";
}

/** The close code the driver itself uses to leave a session resumable (anything but 1000/1001 is). */
export const RESUMABLE_CLOSE = 4000;
