/**
 * The Bot API client (grammY's `Api`, pointed at the configured `apiRoot`) and the one mapping
 * from its failures to Talon's driver errors, so the core knows what to retry, pause or give up.
 * grammY never puts the token in its error messages; everything here scrubs it again anyway.
 */
import {
  DriverAuthError,
  DriverNetworkError,
  DriverValidationError,
  driverErrorForStatus,
  errorMessage,
  isTalonError,
  type TalonError,
} from "@talon/sdk";
import { Api, GrammyError, HttpError } from "grammy";
import { DRIVER_ID } from "./constants.ts";

/** grammY types its signals with its AbortController shim; Node's own signals work the same at run time. */
export type ApiSignal = Parameters<Api["getMe"]>[0];
export const apiSignal = (signal: AbortSignal): ApiSignal => signal as unknown as ApiSignal;

/** Extra seconds the long-poll HTTP request gets beyond the poll timeout. */
const POLL_SLACK_SECS = 15;

export interface TelegramClients {
  /** Every call but getUpdates, with the request time limit. */
  api: Api;
  /** getUpdates only: its time limit must exceed the long-poll timeout. */
  poller: Api;
}

/** Two clients for one token: calls, and the long poll (whose timeout must exceed `pollTimeoutSecs`). */
export function createClients(token: string, apiRoot: string, requestTimeoutMs: number, pollTimeoutSecs: number): TelegramClients {
  return {
    api: new Api(token, { apiRoot, timeoutSeconds: Math.max(1, Math.ceil(requestTimeoutMs / 1000)) }),
    poller: new Api(token, { apiRoot, timeoutSeconds: pollTimeoutSecs + POLL_SLACK_SECS }),
  };
}

/** Remove the token from a message (belt and braces: grammY's messages do not carry it). */
export function scrub(text: string, token: string): string {
  return token === "" ? text : text.split(token).join("[REDACTED]");
}

/** Does this Bot API failure say "nothing changed" (an edit to the same text)? */
export function isNotModified(error: unknown): boolean {
  return error instanceof GrammyError && error.error_code === 400 && /message is not modified/i.test(error.description);
}

/**
 * A failed Bot API call as a driver error. `during` says what Talon was doing, for the message;
 * `startup`: a 404 during getMe means the token is malformed (Telegram answers 404 Not Found).
 */
export function toDriverError(error: unknown, token: string, during: string, startup = false): TalonError {
  if (isTalonError(error)) return error;
  if (error instanceof GrammyError) {
    const code = error.error_code;
    const what = `${during}: ${code} ${error.description}`;
    if (startup && code === 404) return new DriverAuthError(DRIVER_ID, `Telegram does not know this bot token (${what}); check botToken`);
    if (code === 409) {
      return new DriverNetworkError(
        DRIVER_ID,
        `${what}. Another consumer uses this bot token (a second Talon or bot instance polling, or a webhook someone set); only one may receive updates`,
      );
    }
    const migrate = error.parameters.migrate_to_chat_id;
    if (code === 400 && migrate !== undefined) {
      return new DriverValidationError(DRIVER_ID, `${what}; the group is now the supergroup ${migrate}: send to that chat id`, {
        details: { migrateToChatId: String(migrate) },
      });
    }
    const retryAfter = error.parameters.retry_after;
    return driverErrorForStatus(
      DRIVER_ID,
      code,
      {
        unauthorized: `Telegram refused the bot token (${what}); check botToken or ask @BotFather whether it was revoked`,
        forbidden: `Telegram refused (${what}); is the bot a member of the chat, blocked by the user, or missing a right?`,
        notFound: `Telegram does not know this (${what})`,
        rejected: `Telegram rejected the request (${what})`,
        failed: `Telegram failed (${what})`,
      },
      typeof retryAfter === "number" ? retryAfter * 1000 : 1000,
    );
  }
  if (error instanceof HttpError) {
    return new DriverNetworkError(DRIVER_ID, `cannot reach the Bot API (${during}): ${scrub(errorMessage(error), token)}`);
  }
  return new DriverNetworkError(DRIVER_ID, `${during} failed: ${scrub(errorMessage(error), token)}`);
}

/** A chat id for the Bot API: an integer id or `@channelusername`. */
export function chatIdOf(value: string): number | string {
  const trimmed = value.trim();
  if (/^-?\d{1,20}$/.test(trimmed)) {
    const id = Number(trimmed);
    if (Number.isSafeInteger(id)) return id;
  }
  if (/^@[A-Za-z][A-Za-z0-9_]{3,31}$/.test(trimmed)) return trimmed;
  throw new DriverValidationError(DRIVER_ID, `"${value.slice(0, 64)}" is not a Telegram chat id (an integer, or @channelusername)`);
}

/** Talon's id of a Telegram message: `<chat id>:<message id>` (message ids are unique per chat only). */
export function messageIdOf(chatId: number | string, messageId: number): string {
  return `${chatId}:${messageId}`;
}

/**
 * The Telegram message id in a Talon message reference: `<chat>:<message>` as this driver hands
 * out, or a bare message id. Also returns the chat named in the reference, if any.
 */
export function parseMessageRef(value: string): { chatId?: string; messageId: number } {
  const at = value.lastIndexOf(":");
  const chatPart = at >= 0 ? value.slice(0, at) : undefined;
  const idPart = at >= 0 ? value.slice(at + 1) : value;
  const messageId = Number(idPart);
  if (!/^\d{1,12}$/.test(idPart) || !Number.isSafeInteger(messageId) || messageId <= 0) {
    throw new DriverValidationError(DRIVER_ID, `"${value.slice(0, 64)}" is not a Telegram message id (<chat id>:<message id>)`);
  }
  return chatPart === undefined || chatPart === "" ? { messageId } : { chatId: chatPart, messageId };
}

/** A forum topic id for sending: omitted for the General topic (1), which Telegram refuses by id. */
export function threadIdOf(value: string | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  const id = Number(value);
  if (!/^\d{1,12}$/.test(value) || !Number.isSafeInteger(id) || id <= 0) {
    throw new DriverValidationError(DRIVER_ID, `"${value.slice(0, 64)}" is not a Telegram topic id (message_thread_id is an integer)`);
  }
  return id === 1 ? undefined : id;
}
