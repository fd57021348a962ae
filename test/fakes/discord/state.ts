/**
 * The fake Discord's world: one guild with text channels and threads, DM channels, and the
 * messages in them, shaped as API v10 objects (snowflake ids as strings). Tests invent channel
 * ids; a channel the fake has not seen is created on first use (an id starting with `thread`
 * becomes a public thread, since a real thread exists before anyone posts in it), unless a test
 * deleted it, in which case it is answered as Discord does (404 Unknown Channel).
 */
import type { APIChannel, APIMessage, APIUser } from "discord-api-types/v10";

export const FAKE_DISCORD_TOKEN = "MTAxNTAwMDAwMDAwMDAwMDAw.fake.discord-bot-token_0123";
export const FAKE_BOT_ID = "1015000000000000000";
export const FAKE_APPLICATION_ID = "1015000000000000001";
export const FAKE_GUILD_ID = "1015000000000000002";
/** The text channel lazily created threads hang under. */
export const FAKE_GENERAL_ID = "1015000000000000003";

/** Discord's epoch (2015-01-01T00:00:00Z). */
const DISCORD_EPOCH = 1420070400000n;

export const BOT_USER: APIUser = {
  id: FAKE_BOT_ID,
  username: "talon-bot",
  discriminator: "0",
  global_name: "Talon",
  avatar: null,
  bot: true,
};

/** Channel types used here (discord-api-types' ChannelType values). */
export const CHANNEL = { GUILD_TEXT: 0, DM: 1, GROUP_DM: 3, PUBLIC_THREAD: 11 } as const;

export interface FakeChannel {
  id: string;
  type: number;
  guild_id?: string;
  parent_id?: string;
  name?: string;
  /** DM partners. */
  recipients?: APIUser[];
}

export class FakeWorld {
  readonly channels = new Map<string, FakeChannel>();
  readonly messages = new Map<string, APIMessage & { guild_id?: string }>();
  /** Channel ids a test deleted: answered with 404 Unknown Channel. */
  readonly deleted = new Set<string>();
  #increment = 0n;

  constructor() {
    this.channels.set(FAKE_GENERAL_ID, { id: FAKE_GENERAL_ID, type: CHANNEL.GUILD_TEXT, guild_id: FAKE_GUILD_ID, name: "general" });
  }

  /** A fresh snowflake: milliseconds since Discord's epoch, then an increment. */
  snowflake(): string {
    this.#increment = (this.#increment + 1n) & 0xfffn;
    return String(((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | (1n << 17n) | this.#increment);
  }

  /** The channel with this id, created on first use unless a test deleted it. */
  channel(id: string): FakeChannel | undefined {
    if (this.deleted.has(id)) return undefined;
    let channel = this.channels.get(id);
    if (!channel) {
      channel = id.startsWith("thread")
        ? { id, type: CHANNEL.PUBLIC_THREAD, guild_id: FAKE_GUILD_ID, parent_id: FAKE_GENERAL_ID, name: id }
        : { id, type: CHANNEL.GUILD_TEXT, guild_id: FAKE_GUILD_ID, name: id };
      this.channels.set(id, channel);
    }
    return channel;
  }

  /** Make sure a channel of this kind exists (controls: a user writes there). */
  ensure(id: string, shape: Omit<FakeChannel, "id">): FakeChannel {
    this.deleted.delete(id);
    const existing = this.channels.get(id);
    // Same kind and place: the channel as it is. A lazily created thread guessed its parent; the test now names it.
    if (existing && existing.type === shape.type && existing.parent_id === shape.parent_id) return existing;
    const channel = { id, ...shape };
    this.channels.set(id, channel);
    return channel;
  }

  /** A channel object as the API returns it. */
  apiChannel(channel: FakeChannel): APIChannel {
    return { ...channel, name: channel.name ?? null, last_message_id: null } as unknown as APIChannel;
  }

  /** The guild text channels and active threads, for GUILD_CREATE. */
  guildChannels(): { channels: FakeChannel[]; threads: FakeChannel[] } {
    const channels: FakeChannel[] = [];
    const threads: FakeChannel[] = [];
    for (const channel of this.channels.values()) {
      if (channel.guild_id !== FAKE_GUILD_ID || this.deleted.has(channel.id)) continue;
      (channel.type === CHANNEL.PUBLIC_THREAD ? threads : channels).push(channel);
    }
    return { channels, threads };
  }
}

/** A user object for a sender id the test chose. */
export function userOf(id: string, name?: string): APIUser {
  return { id, username: name ?? id, discriminator: "0", global_name: name ?? null, avatar: null };
}
