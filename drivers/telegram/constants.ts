/** The driver id: plugin name, folder name, session-key channel. */
export const DRIVER_ID = "telegram";

/** Telegram's text limit: 4096 characters (UTF-16 units) after entity parsing (Bot API `sendMessage`). */
export const TEXT_MAX_CHARS = 4096;
/** Captions are limited to 1024 characters. */
export const CAPTION_MAX_CHARS = 1024;
/** The cloud Bot API's `getFile` refuses files over 20 MB. */
export const CLOUD_FILE_MAX_BYTES = 20 * 1024 * 1024;

/** Update kinds the driver asks for (`allowed_updates`) and understands. */
export const ALLOWED_UPDATES = ["message", "edited_message", "channel_post", "edited_channel_post"] as const;

/** The emoji `setMessageReaction` accepts from bots (Bot API `ReactionTypeEmoji`). */
export const REACTION_EMOJI: ReadonlySet<string> = new Set(
  "👍 👎 ❤ 🔥 🥰 👏 😁 🤔 🤯 😱 🤬 😢 🎉 🤩 🤮 💩 🙏 👌 🕊 🤡 🥱 🥴 😍 🐳 ❤‍🔥 🌚 🌭 💯 🤣 ⚡ 🍌 🏆 💔 🤨 😐 🍓 🍾 💋 🖕 😈 😴 😭 🤓 👻 👨‍💻 👀 🎃 🙈 😇 😨 🤝 ✍ 🤗 🫡 🎅 🎄 ☃ 💅 🤪 🗿 🆒 💘 🙉 🦄 😘 💊 🙊 😎 👾 🤷‍♂ 🤷 🤷‍♀ 😡".split(
    " ",
  ),
);
