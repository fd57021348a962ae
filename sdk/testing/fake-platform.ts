/**
 * What a driver author's fake platform offers the conformance suite. The fake speaks the
 * platform's real wire API on loopback (the driver under test cannot tell it from the real
 * platform); these methods are its test-only control surface.
 */
import type { ChatType } from "../action.ts";

/** A message a user sends on the platform. */
export interface FakeInbound {
  chatType: ChatType;
  chatId: string;
  /** The sender's platform id; the message must arrive in Talon under exactly this id. */
  senderId: string;
  senderName?: string;
  text: string;
  /** The user mentions the bot (meaningful in groups and channels). */
  mentionBot?: boolean;
  threadId?: string;
  /** Reply to this platform message id. */
  replyTo?: string;
}

/** A message the platform accepted from the driver. */
export interface FakeSent {
  messageId: string;
  chatId: string;
  text: string;
  threadId?: string;
  replyTo?: string;
  attachments?: { url?: string; name?: string }[];
}

export interface FakePlatform {
  /** Listen on 127.0.0.1 (port 0). */
  start(): Promise<void>;
  /** Close every socket and stop listening. */
  stop(): Promise<void>;
  /** The driver account config that points at this fake. */
  driverConfig(): Record<string, unknown>;
  /** Learn where Talon listens (webhook platforms deliver there). Called once the host runs. */
  attach?(talon: { httpUrl: string; accountId: string }): void;
  /** A user sends a message; resolves with its platform id once the platform has it. */
  inject(message: FakeInbound): Promise<string>;
  /** Deliver the message with this id again, as a platform does after a missed acknowledgement. */
  redeliver(id: string): Promise<void>;
  /** Deliver a message whose text has `length` characters (oversized input). Resolves with its id. */
  injectOversized(chat: Omit<FakeInbound, "text">, length: number): Promise<string>;
  /** Messages the platform accepted from the driver, in order. */
  sent(): FakeSent[];
  /** `performance.now()` of every send attempt the platform saw, accepted or refused. */
  sendAttempts(): number[];
  /** Refuse the next `count` sends with 429 and this retry-after. */
  rateLimitNext(count: number, retryAfterMs: number): void;
  /** Fail the next `count` sends with a server error (0 clears). */
  failNext(count: number): void;
  /** Tell the driver about the bot's own last sent message, as platforms that echo do. */
  echoLastSent?(): Promise<void>;
  /** Persistent transports: drop every live connection; the driver must reconnect. */
  dropConnections?(): Promise<void>;
  /** Persistent transports: connections currently open from the driver. */
  openConnections?(): number;
  /** Edits the platform applied (needed to prove `edit`). */
  edits?(): { messageId: string; text: string }[];
  /** Deleted message ids (needed to prove `delete`). */
  deletions?(): string[];
  /** Reactions added (needed to prove `reactions`). */
  reactions?(): { messageId: string; emoji: string }[];
  /** Typing indicators shown (needed to prove `typing`). */
  typings?(): { chatId: string; threadId?: string }[];
  /** Polls created (needed to prove `polls`). */
  polls?(): { chatId: string; question: string; options: string[] }[];
}
