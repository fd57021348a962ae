/**
 * What Talon knows about a chat platform: channel id aliases, text limits and the platform's own
 * chat-type words. A loaded driver declares these in `defineChannelDriver` (`aliases`, `limits`,
 * `chatTypeAliases`) and its declaration wins; this table covers channels that reach Talon with
 * no driver loaded (through the upstream gateway, `security.evaluate` or a frame). Core code
 * names no platform: it asks a {@link ChannelDirectory}.
 */
import type { ChatType } from "./action.ts";

/** What is known about one channel. */
export interface ChannelPlatform {
  /** Canonical channel id (kebab-case): the session-key channel and the driver id. */
  readonly id: string;
  /** Other spellings of the id (`tg` for telegram); matched trimmed and lowercased. */
  readonly aliases?: readonly string[];
  /** Text limits the core chunks to when no loaded driver says otherwise. */
  readonly limits?: { readonly text?: number; readonly lines?: number; readonly chunkMode?: "length" | "newline" };
  /** The platform's own chat-type words (`private` → `direct`); the generic words always apply. */
  readonly chatTypeAliases?: Readonly<Record<string, ChatType>>;
}

/**
 * Channels known without a driver: the seed's drivers (upstream-protocol §4.5 limits, seed §8.2
 * aliases, platforms.md §6 chat types) and upstream's channel plugins.
 */
export const CHANNEL_PLATFORMS: readonly ChannelPlatform[] = [
  { id: "telegram", aliases: ["tg", "grammy"], limits: { text: 4000 }, chatTypeAliases: { private: "direct", supergroup: "group" } },
  { id: "discord", limits: { text: 2000, lines: 17 } },
  { id: "slack", limits: { text: 4000 }, chatTypeAliases: { im: "direct", mpim: "group" } },
  { id: "whatsapp", aliases: ["wa", "baileys"], limits: { text: 4000 } },
  { id: "signal", aliases: ["signal-cli"], limits: { text: 4000 } },
  // Seed-defender §8.6: webchat sends one paragraph per message.
  { id: "webchat", aliases: ["web-chat", "web_chat", "webchat-ui"], limits: { chunkMode: "newline" } },
  ...[
    "generic",
    "imessage",
    "bluebubbles",
    "msteams",
    "matrix",
    "googlechat",
    "mattermost",
    "line",
    "irc",
    "nostr",
    "zalo",
    "feishu",
    "twitch",
    "nextcloud-talk",
    "voice-call",
  ].map((id) => ({ id })),
];

/** Generic chat-type words (seed §8.3): `dm` is `direct`. */
const GENERIC_CHAT_TYPES: Readonly<Record<string, ChatType>> = { direct: "direct", dm: "direct", group: "group", channel: "channel" };

/** Lookups over known channels. The host keeps one per run: this table plus every loaded driver. */
export class ChannelDirectory {
  readonly #platforms = new Map<string, ChannelPlatform>();
  readonly #aliases = new Map<string, string>();

  constructor(platforms: readonly ChannelPlatform[] = CHANNEL_PLATFORMS) {
    for (const platform of platforms) this.add(platform);
  }

  /** Add a channel, or lay a driver's declaration over what is known (aliases are added, limits and chat types win). */
  add(platform: ChannelPlatform): void {
    const id = platform.id.trim().toLowerCase();
    const known = this.#platforms.get(id);
    const merged: ChannelPlatform = {
      id,
      aliases: [...new Set([...(known?.aliases ?? []), ...(platform.aliases ?? [])])],
      limits: { ...known?.limits, ...platform.limits },
      chatTypeAliases: { ...known?.chatTypeAliases, ...platform.chatTypeAliases },
    };
    this.#platforms.set(id, merged);
    for (const alias of platform.aliases ?? []) {
      const key = alias.trim().toLowerCase();
      // An alias never hides a channel's own id.
      if (key !== "" && !this.#platforms.has(key)) this.#aliases.set(key, id);
    }
  }

  /** Trim, lowercase and resolve aliases; an unknown id is returned as given (lowercased); blank → `undefined`. */
  normalizeId(value: string | undefined): string | undefined {
    const key = value?.trim().toLowerCase();
    if (!key) return undefined;
    return this.#aliases.get(key) ?? key;
  }

  /** Is `value` (after alias resolution) a known channel? */
  has(value: string | undefined): boolean {
    const id = this.normalizeId(value);
    return id !== undefined && this.#platforms.has(id);
  }

  /** What is known about a channel (by id or alias). */
  get(value: string | undefined): ChannelPlatform | undefined {
    const id = this.normalizeId(value);
    return id === undefined ? undefined : this.#platforms.get(id);
  }

  /** Every known channel id. */
  ids(): string[] {
    return [...this.#platforms.keys()];
  }

  /** A chat type from a generic word (`dm`) or the channel's own (`supergroup` on telegram); unknown → `undefined`. */
  chatType(value: string | undefined, channel?: string): ChatType | undefined {
    const key = value?.trim().toLowerCase();
    if (!key) return undefined;
    return GENERIC_CHAT_TYPES[key] ?? (channel === undefined ? undefined : this.get(channel)?.chatTypeAliases?.[key]);
  }
}

/** The table alone, for code that runs without a host (a driver's own tests, pure helpers). */
export const KNOWN_CHANNELS: ChannelDirectory = new ChannelDirectory();
