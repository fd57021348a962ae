/**
 * Find and decode text hidden in a prompt as base64, hex (plain or `\xNN`) or URL encoding, so
 * the rules can read what the model would be asked to decode (seed-defender §15 item 2). Only
 * decodings that come out as readable text are kept; bounded in count and size.
 */

/** One decoded blob and the span of the source it replaces. */
export interface DecodedBlob {
  readonly encoding: "base64" | "hex" | "url";
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/** Most blobs decoded per text. */
export const MAX_BLOBS = 8;
/** Longest candidate decoded (characters). */
export const MAX_BLOB_CHARS = 65536;

const BASE64 = /(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{16,}={0,2}(?![A-Za-z0-9+/=_-])/g;
const HEX = /(?<![0-9a-fA-F])(?:[0-9a-fA-F]{2}){8,}(?![0-9a-fA-F])/g;
const ESCAPED_HEX = /(?:\\x[0-9a-fA-F]{2}){3,}/g;
const PERCENT_RUN = /(?:%[0-9a-fA-F]{2})+/g;
const HEX_PATTERNS = [HEX, ESCAPED_HEX] as const;
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Readable text: valid UTF-8, mostly printable, with some letters. */
function readable(bytes: Uint8Array): string | undefined {
  if (bytes.length < 6) return undefined;
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return undefined;
  }
  let printable = 0;
  let letters = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code === 9 || code === 10 || code === 13 || (code >= 32 && code !== 127 && (code < 0x80 || code >= 0xa0))) printable++;
    if (/\p{L}/u.test(ch)) letters++;
  }
  const length = [...text].length;
  return printable / length >= 0.95 && letters / length >= 0.5 ? text : undefined;
}

function decodePercent(text: string): string {
  return text.replace(PERCENT_RUN, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

/** Base64 alphabet (both variants) by char code: a blob needs a run of 16 of these. */
const BASE64_CHAR = new Uint8Array(128);
for (const ch of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-") BASE64_CHAR[ch.charCodeAt(0)] = 1;

/**
 * Does `text` hold a run of 16 base64 characters? Every base64 and every plain hex blob needs
 * one (hex digits are base64 characters), so ordinary prose skips both patterns with one pass.
 */
export function hasLongRun(text: string): boolean {
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 128 && BASE64_CHAR[code] === 1) {
      if (++run >= 16) return true;
    } else run = 0;
  }
  return false;
}

/** Matches of a global pattern, with `lastIndex` reset (no RegExp clone per call, as `matchAll` makes). */
function* matches(pattern: RegExp, text: string): Generator<RegExpExecArray> {
  pattern.lastIndex = 0;
  try {
    for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
      yield match;
      // Global patterns never match empty here, but never loop on one.
      if (match[0].length === 0) pattern.lastIndex++;
    }
  } finally {
    pattern.lastIndex = 0;
  }
}

/** Every readable blob in `text`, base64 first, then hex, then URL encoding (up to three rounds). */
export function decodeBlobs(text: string): DecodedBlob[] {
  const found: DecodedBlob[] = [];
  const long = hasLongRun(text);
  if (long) {
    for (const match of matches(BASE64, text)) {
      if (found.length >= MAX_BLOBS) break;
      const candidate = match[0];
      // A long run of plain lowercase letters is a word, not base64.
      if (candidate.length > MAX_BLOB_CHARS || /^[a-z]+$/.test(candidate)) continue;
      const decoded = readable(Buffer.from(candidate, "base64"));
      if (decoded) found.push({ encoding: "base64", text: decoded, start: match.index, end: match.index + candidate.length });
    }
  }
  for (const pattern of HEX_PATTERNS) {
    if (pattern === HEX ? !long : !text.includes("\\x")) continue;
    for (const match of matches(pattern, text)) {
      if (found.length >= MAX_BLOBS) break;
      if (match[0].length > MAX_BLOB_CHARS) continue;
      const decoded = readable(Buffer.from(match[0].replace(/\\x/g, ""), "hex"));
      if (decoded && found.length < MAX_BLOBS)
        found.push({ encoding: "hex", text: decoded, start: match.index, end: match.index + match[0].length });
    }
  }
  if (text.includes("%") && PERCENT_RUN.test(text)) {
    PERCENT_RUN.lastIndex = 0;
    let current = text;
    for (let round = 0; round < 3 && /%[0-9a-fA-F]{2}/.test(current); round++) {
      const next = decodePercent(current);
      if (next === current) break;
      current = next;
    }
    if (current !== text && found.length < MAX_BLOBS) found.push({ encoding: "url", text: current, start: 0, end: text.length });
  }
  return found;
}
