/**
 * Where a Discord channel id belongs in Talon: a thread is a channel of its own on Discord, but
 * in Talon it is a thread (`threadId`) of its parent chat, so its session key and replies keep
 * the parent. The gateway tells which channels are threads and their parents (GUILD_CREATE,
 * THREAD_CREATE, THREAD_LIST_SYNC, CHANNEL_*); a thread it never named is looked up once over
 * REST. Bounded: the least recently used entries are forgotten first.
 */
import { LruMap } from "@talon/sdk";
import { THREAD_TYPES } from "./constants.ts";

/** Channels remembered per account. */
const MAX_CHANNELS = 50_000;

interface ChannelInfo {
  type: number;
  parentId?: string;
}

/** A channel as the gateway and REST describe it (the fields used here). */
export interface ChannelLike {
  id?: unknown;
  type?: unknown;
  parent_id?: unknown;
}

export class Places {
  readonly #channels = new LruMap<string, ChannelInfo>(MAX_CHANNELS);

  /** Learn a channel from a gateway event or a REST answer. */
  learn(channel: ChannelLike | undefined): void {
    if (!channel || typeof channel.id !== "string" || typeof channel.type !== "number") return;
    const info: ChannelInfo = { type: channel.type };
    if (typeof channel.parent_id === "string") info.parentId = channel.parent_id;
    this.#channels.set(channel.id, info);
  }

  forget(id: unknown): void {
    if (typeof id === "string") this.#channels.delete(id);
  }

  /** The parent of a known thread; undefined for a channel that is not a known thread. */
  threadParent(id: string): string | undefined {
    const info = this.#channels.get(id);
    return info && THREAD_TYPES.has(info.type) ? info.parentId : undefined;
  }

  /** Is this channel id known at all? */
  knows(id: string): boolean {
    return this.#channels.has(id);
  }

  get size(): number {
    return this.#channels.size;
  }
}
