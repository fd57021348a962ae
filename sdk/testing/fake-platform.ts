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

/** Where an injected message landed, for platforms that assign chat and sender ids themselves. */
export interface InjectedMessage {
  id: string;
  chatId: string;
  senderId: string;
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
  /**
   * A user sends a message; resolves once the platform has it, with its platform id (or, when
   * the platform assigns chat and sender ids itself, with all three).
   */
  inject(message: FakeInbound): Promise<string | InjectedMessage>;
  /** Platforms that issue chat ids (webchat visitors): a chat the bot may send to. Default: `hint` itself. */
  openChat?(hint: string): Promise<string>;
  /**
   * Platforms that issue thread ids themselves (Telegram forum topics are integers the platform
   * assigns): a thread of `chatId` the bot may send into. Default: `hint` itself.
   */
  openThread?(chatId: string, hint: string): Promise<string>;
  /** Deliver the message with this id again, as a platform does after a missed acknowledgement. */
  redeliver(id: string): Promise<void>;
  /** Deliver a message whose text has `length` characters (oversized input). */
  injectOversized(chat: Omit<FakeInbound, "text">, length: number): Promise<unknown>;
  /** Messages the platform accepted from the driver, in order (they may arrive after `send` returns). */
  sent(): FakeSent[];
  /**
   * Remote platforms: `performance.now()` of every send attempt, accepted or refused. With
   * `rateLimitNext` and `failNext` it enables the 429 and 5xx checks; a local platform (webchat)
   * that cannot refuse a send leaves all three out.
   */
  sendAttempts?(): number[];
  /** Refuse the next `count` sends with 429 and this retry-after. */
  rateLimitNext?(count: number, retryAfterMs: number): void;
  /** Fail the next `count` sends with a server error (0 clears). */
  failNext?(count: number): void;
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
