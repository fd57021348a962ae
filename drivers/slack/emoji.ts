/**
 * Reactions: Slack's `reactions.add` takes an emoji *name* (`thumbsup`, no colons), Talon's
 * callers pass an emoji character or a name. Names pass through (`:tada:` → `tada`, custom
 * workspace emoji included); the common characters below map to Slack's standard names. Any
 * other character is refused with a message that says to use the name.
 */
import { DriverValidationError } from "@talon/sdk";

const NAMES: Readonly<Record<string, string>> = {
  "👍": "thumbsup",
  "👎": "thumbsdown",
  "👌": "ok_hand",
  "👏": "clap",
  "🙌": "raised_hands",
  "🙏": "pray",
  "👀": "eyes",
  "👋": "wave",
  "💪": "muscle",
  "✅": "white_check_mark",
  "✔️": "heavy_check_mark",
  "❌": "x",
  "❗": "exclamation",
  "❓": "question",
  "⚠️": "warning",
  "🚫": "no_entry_sign",
  "⛔": "no_entry",
  "🛑": "octagonal_sign",
  "🔒": "lock",
  "❤️": "heart",
  "💯": "100",
  "🔥": "fire",
  "🎉": "tada",
  "🚀": "rocket",
  "⭐": "star",
  "✨": "sparkles",
  "💡": "bulb",
  "📌": "pushpin",
  "📝": "memo",
  "⏳": "hourglass_flowing_sand",
  "⌛": "hourglass",
  "🤔": "thinking_face",
  "😀": "grinning",
  "😄": "smile",
  "😂": "joy",
  "🙂": "slightly_smiling_face",
  "😉": "wink",
  "😢": "cry",
  "😮": "open_mouth",
  "😡": "rage",
  "🤖": "robot_face",
  "🐛": "bug",
};

/** A Slack emoji name: letters, digits, `_`, `-`, `+`, `'` (e.g. `+1`, `thumbsup`, `party-parrot`). */
const NAME = /^[a-z0-9_+'-]{1,100}$/;

/** The Slack name for `emoji` (a character or a name, with or without colons). */
export function slackReactionName(emoji: string): string {
  const trimmed = emoji.trim();
  const known = NAMES[trimmed] ?? NAMES[trimmed.replace(/\uFE0F/g, "")] ?? NAMES[`${trimmed}\uFE0F`];
  if (known) return known;
  const name = trimmed.replace(/^:|:$/g, "").toLowerCase();
  if (NAME.test(name)) return name;
  throw new DriverValidationError(
    "slack",
    `Slack reacts with emoji names; ${JSON.stringify(emoji)} is not one Talon can map: pass its Slack name, e.g. "thumbsup" or ":tada:"`,
  );
}
