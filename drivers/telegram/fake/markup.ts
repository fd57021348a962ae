/**
 * The fake's parse modes: turn a `MarkdownV2` or `HTML` text into the text Telegram would show,
 * refusing what Telegram refuses with its own wording ("can't parse entities: ..."), so a driver
 * that forgets to escape fails here as it would in production. Covered: escapes, bold, italic,
 * underline, strikethrough, spoiler, inline code and the common HTML tags and entities; links are
 * not modelled (an unescaped `[` or `(` is refused as a reserved character).
 */

export class ParseError extends Error {}

const MARKDOWN_RESERVED = new Set([..."_*[]()~`>#+-=|{}.!"]);
const TOGGLES: Record<string, string> = { "*": "Bold", _: "Italic", __: "Underline", "~": "Strikethrough", "||": "Spoiler" };

/** Render MarkdownV2; throws ParseError with Telegram's description. */
export function renderMarkdownV2(text: string): string {
  let out = "";
  const open = new Map<string, number>();
  let i = 0;
  while (i < text.length) {
    const char = text[i]!;
    if (char === "\\") {
      const next = text[i + 1];
      if (next === undefined || next.charCodeAt(0) > 126)
        throw new ParseError(`Can't parse entities: character '\\' is reserved and must be escaped with the preceding '\\'`);
      out += next;
      i += 2;
      continue;
    }
    if (char === "`") {
      const end = text.indexOf("`", i + 1);
      if (end < 0) throw new ParseError(`Can't parse entities: can't find end of Code entity at byte offset ${i}`);
      out += text.slice(i + 1, end).replace(/\\([`\\])/g, "$1");
      i = end + 1;
      continue;
    }
    const pair = text.slice(i, i + 2);
    const toggle = pair === "__" || pair === "||" ? pair : TOGGLES[char] ? char : undefined;
    if (toggle) {
      if (open.has(toggle)) open.delete(toggle);
      else open.set(toggle, i);
      i += toggle.length;
      continue;
    }
    if (MARKDOWN_RESERVED.has(char))
      throw new ParseError(`Can't parse entities: character '${char}' is reserved and must be escaped with the preceding '\\'`);
    out += char;
    i++;
  }
  for (const [toggle, at] of open)
    throw new ParseError(`Can't parse entities: can't find end of ${TOGGLES[toggle]} entity at byte offset ${at}`);
  return out;
}

const HTML_TAGS = new Set([
  "b",
  "strong",
  "i",
  "em",
  "u",
  "ins",
  "s",
  "strike",
  "del",
  "code",
  "pre",
  "tg-spoiler",
  "blockquote",
  "a",
  "span",
]);
const NAMED_ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };

/** Render Telegram HTML; throws ParseError with Telegram's description. */
export function renderHtml(text: string): string {
  let out = "";
  const stack: string[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text[i]!;
    if (char === "<") {
      const match = /^<(\/?)([a-zA-Z-]+)((?:\s+[a-zA-Z-]+\s*=\s*"[^"]*")*)\s*>/.exec(text.slice(i));
      if (!match) throw new ParseError(`Can't parse entities: unclosed start tag at byte offset ${Buffer.byteLength(text.slice(0, i))}`);
      const [whole, closing, rawName] = match;
      const name = rawName!.toLowerCase();
      if (!HTML_TAGS.has(name))
        throw new ParseError(`Can't parse entities: unsupported start tag "${name}" at byte offset ${Buffer.byteLength(text.slice(0, i))}`);
      if (closing) {
        if (stack.pop() !== name)
          throw new ParseError(
            `Can't parse entities: unmatched end tag at byte offset ${Buffer.byteLength(text.slice(0, i))}, expected "</${name}>"`,
          );
      } else stack.push(name);
      i += whole!.length;
      continue;
    }
    if (char === "&") {
      const match = /^&(#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-z]+);/.exec(text.slice(i));
      const name = match?.[1];
      let decoded: string | undefined;
      if (name?.startsWith("#x")) decoded = String.fromCodePoint(Number.parseInt(name.slice(2), 16));
      else if (name?.startsWith("#")) decoded = String.fromCodePoint(Number(name.slice(1)));
      else if (name) decoded = NAMED_ENTITIES[name];
      if (decoded === undefined)
        throw new ParseError(
          `Can't parse entities: can't find end of the entity starting at byte offset ${Buffer.byteLength(text.slice(0, i))}`,
        );
      out += decoded;
      i += match![0].length;
      continue;
    }
    if (char === ">")
      throw new ParseError(`Can't parse entities: unexpected end tag at byte offset ${Buffer.byteLength(text.slice(0, i))}`);
    out += char;
    i++;
  }
  if (stack.length > 0) throw new ParseError(`Can't parse entities: can't find end tag corresponding to start tag "${stack.at(-1)}"`);
  return out;
}

/** The shown text of `text` under `parseMode` (none, MarkdownV2, HTML; legacy Markdown is not modelled). */
export function render(text: string, parseMode: string | undefined): string {
  if (parseMode === undefined || parseMode === "") return text;
  if (parseMode === "MarkdownV2") return renderMarkdownV2(text);
  if (parseMode === "HTML") return renderHtml(text);
  throw new ParseError(`Unsupported parse_mode`);
}
