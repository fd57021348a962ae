/**
 * Text a person reading a page never sees but a model reading its source does: elements hidden
 * by CSS (display:none, visibility:hidden, zero font size or box, opacity 0, white text,
 * off-screen positions, clip), the `hidden` and `aria-hidden` attributes, and HTML comments.
 * Hidden text alone is ordinary (menus, templates, tracking comments); hidden text that gives
 * instructions is the signal, so the scanner runs its rules on what this returns. Linear and
 * bounded: at most MAX_HIDDEN pieces of at most MAX_HIDDEN_CHARS each.
 */

export const MAX_HIDDEN = 32;
export const MAX_HIDDEN_CHARS = 4096;

const OPEN_TAG = /<([a-z][a-z0-9-]{0,20})\b([^<>]{1,600})>/gi;
const COMMENT = /<!--([\s\S]{0,4096}?)-->/g;
const HIDING_STYLE =
  /display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:\.0+)?(?:px|pt|em|rem|%)?\s*(?:;|"|'|!|$)|opacity\s*:\s*0(?:\.0+)?\s*(?:;|"|'|!|$)|(?:^|[^-])color\s*:\s*(?:#f{3}(?:f{3})?\b|white\b|rgba?\(\s*255\s*,\s*255\s*,\s*255)|(?:left|top|right|text-indent|margin-left|margin-top)\s*:\s*-\d{3,}|(?:^|[\s;"'])(?:height|width|max-height|max-width)\s*:\s*0(?:px)?\s*(?:;|"|'|!|$)|clip\s*:\s*rect\(\s*0|clip-path\s*:\s*inset\(\s*(?:50|100)%/i;
const HIDDEN_ATTRIBUTE = /(?:^|\s)hidden(?:\s|=|$)|aria-hidden\s*=\s*["']?true/i;
const TAGS = /<[^<>]{0,600}>/g;

function innerText(html: string): string {
  return html
    .replace(TAGS, " ")
    .replace(/&nbsp;/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** Does the text look like markup at all? One cheap test before any of the patterns run. */
export function hasMarkup(text: string): boolean {
  return text.includes("<") && (text.includes("-->") || /<[a-z][^<>]{0,600}(?:style|hidden)/i.test(text));
}

/** The hidden pieces of `text`, in order of appearance. */
export function hiddenTexts(text: string): string[] {
  if (!hasMarkup(text)) return [];
  const found: string[] = [];
  const add = (piece: string) => {
    const clean = piece.trim();
    if (clean.length >= 8 && found.length < MAX_HIDDEN) found.push(clean.slice(0, MAX_HIDDEN_CHARS));
  };
  COMMENT.lastIndex = 0;
  for (let match = COMMENT.exec(text); match !== null && found.length < MAX_HIDDEN; match = COMMENT.exec(text)) add(innerText(match[1]!));
  OPEN_TAG.lastIndex = 0;
  for (let match = OPEN_TAG.exec(text); match !== null && found.length < MAX_HIDDEN; match = OPEN_TAG.exec(text)) {
    const attributes = match[2]!;
    if (!HIDING_STYLE.test(attributes) && !HIDDEN_ATTRIBUTE.test(attributes)) continue;
    const start = match.index + match[0].length;
    // The first closing tag of the same name, within the bound (nesting of the same tag is rare in injected text).
    const window = text.slice(start, start + MAX_HIDDEN_CHARS);
    const close = window.toLowerCase().indexOf(`</${match[1]!.toLowerCase()}`);
    add(innerText(close >= 0 ? window.slice(0, close) : window));
  }
  return found;
}
