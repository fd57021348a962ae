/**
 * What the fake Telegram knows: the bot, users, chats (private, supergroups with forum topics,
 * channels), messages (ids per chat, as Telegram numbers them), the queue of unconfirmed updates,
 * files, and the record of what the bot did. Test hints (`chat-123-4`) map to Telegram-shaped
 * integer ids: positive for users and private chats, `-100…` for supergroups and channels.
 */
import type { FakeSent } from "@talon/sdk/testing";

export const FAKE_BOT_ID = 7_000_000_001;
export const FAKE_BOT_USERNAME = "talon_test_bot";
export const FAKE_TOKEN = `${FAKE_BOT_ID}:AAF-fake-telegram-token_0123456789abcdef`;

export interface TgUser {
  id: number;
  is_bot: boolean;
  first_name: string;
  username?: string;
}

export interface TgChat {
  id: number;
  type: "private" | "group" | "supergroup" | "channel";
  title?: string;
  first_name?: string;
  username?: string;
  is_forum?: boolean;
}

export interface ChatState {
  chat: TgChat;
  nextMessageId: number;
  topics: Set<number>;
}

export interface StoredMessage {
  fromBot: boolean;
  /** The shown text (after parse mode). */
  text: string;
  message: Record<string, unknown>;
}

export interface TgUpdate {
  update_id: number;
  [kind: string]: unknown;
}

export interface StoredFile {
  fileId: string;
  uniqueId: string;
  path: string;
  data: Buffer;
}

export const botUser = (): TgUser => ({ id: FAKE_BOT_ID, is_bot: true, first_name: "Talon Test", username: FAKE_BOT_USERNAME });

export class FakeState {
  readonly users = new Map<number, TgUser>();
  readonly chats = new Map<number, ChatState>();
  readonly userHints = new Map<string, number>();
  readonly chatHints = new Map<string, number>();
  readonly messages = new Map<string, StoredMessage>();
  readonly files = new Map<string, StoredFile>();
  /** Unconfirmed updates, oldest first. */
  updates: TgUpdate[] = [];
  /** Every update ever queued (tests: forget confirmations, as after a crash before the next poll). */
  readonly history: TgUpdate[] = [];
  nextUpdateId = 500_000_000 + Math.floor(Math.random() * 1000);
  #nextUserId = 100_000_001;
  #nextGroupId = 1_000_000_001;

  readonly sent: FakeSent[] = [];
  readonly edits: { messageId: string; text: string }[] = [];
  readonly deletions: string[] = [];
  readonly reactions: { messageId: string; emoji: string }[] = [];
  readonly typings: { chatId: string; threadId?: string }[] = [];
  /** `performance.now()` of every sendMessage attempt. */
  readonly attempts: number[] = [];
  /** Every method called, in order (lowercased). */
  readonly calls: string[] = [];

  userFor(hint: string, name?: string): TgUser {
    let id = this.userHints.get(hint);
    if (id === undefined) {
      id = this.#nextUserId++;
      this.userHints.set(hint, id);
      this.users.set(id, { id, is_bot: false, first_name: name ?? `User ${id}`, username: `user${id}` });
    }
    return this.users.get(id)!;
  }

  /** The private chat with `user` (its id is the user's id). */
  privateChat(user: TgUser): ChatState {
    let state = this.chats.get(user.id);
    if (!state) {
      state = { chat: { id: user.id, type: "private", first_name: user.first_name }, nextMessageId: 1, topics: new Set() };
      this.chats.set(user.id, state);
    }
    return state;
  }

  /** A supergroup or channel for `hint`. */
  groupChat(hint: string, type: "supergroup" | "channel" | "group"): ChatState {
    let id = this.chatHints.get(hint);
    if (id === undefined) {
      // Basic groups are small negatives; supergroups and channels are -100…
      id = type === "group" ? -(this.#nextGroupId++ % 1_000_000_000) : -(1_000_000_000_000 + this.#nextGroupId++);
      this.chatHints.set(hint, id);
      this.chats.set(id, { chat: { id, type, title: `${type} ${hint}` }, nextMessageId: 1, topics: new Set() });
    }
    return this.chats.get(id)!;
  }

  /** A new forum topic in `state` (its id is the id of the service message that opened it). */
  openTopic(state: ChatState): number {
    const id = state.nextMessageId++;
    state.topics.add(id);
    if (state.chat.type !== "private") state.chat.is_forum = true;
    return id;
  }

  key(chatId: number, messageId: number): string {
    return `${chatId}:${messageId}`;
  }

  /** Queue an update (delivered to the poller or the webhook). */
  push(payload: Record<string, unknown>): TgUpdate {
    const update = { update_id: this.nextUpdateId++, ...payload } as TgUpdate;
    this.updates.push(update);
    this.history.push(update);
    return update;
  }

  /** Forget every confirmation: all updates ever queued are pending again. */
  unconfirmAll(): void {
    this.updates = [...this.history];
  }

  /** Confirm (forget) every update below `offset`. */
  confirmBelow(offset: number): void {
    if (this.updates.length > 0 && this.updates[0]!.update_id < offset) this.updates = this.updates.filter((u) => u.update_id >= offset);
  }
}
