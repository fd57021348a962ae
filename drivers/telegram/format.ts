/**
 * Text for the Bot API. By default text goes as plain text (no `parse_mode`): nothing in it can
 * turn into markup. With a configured parse mode the text is escaped so Telegram shows it exactly
 * as written (MarkdownV2: every reserved character and the backslash get a backslash; HTML: `&`,
 * `<` and `>` become entities); the length Telegram checks is the length after parsing, which is
 * the length of the original text.
 */

export type ParseMode = "none" | "MarkdownV2" | "HTML";

/** Characters MarkdownV2 reserves (Bot API "MarkdownV2 style"), plus the backslash itself. */
const MARKDOWN_V2_RESERVED = /[_*[\]()~`>#+\-=|{}.!\\]/g;
const HTML_RESERVED = /[&<>]/g;
const HTML_ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };

/** Escape plain text for MarkdownV2 so it renders as written. */
export function escapeMarkdownV2(text: string): string {
  return text.replace(MARKDOWN_V2_RESERVED, "\\$&");
}

/** Escape plain text for Telegram's HTML parse mode. */
export function escapeHtml(text: string): string {
  return text.replace(HTML_RESERVED, (char) => HTML_ENTITIES[char]!);
}

/** The `text` and `parse_mode` to send for `text` under `mode`. */
export function formatText(text: string, mode: ParseMode): { text: string; parse_mode?: "MarkdownV2" | "HTML" } {
  if (mode === "MarkdownV2") return { text: escapeMarkdownV2(text), parse_mode: "MarkdownV2" };
  if (mode === "HTML") return { text: escapeHtml(text), parse_mode: "HTML" };
  return { text };
}
