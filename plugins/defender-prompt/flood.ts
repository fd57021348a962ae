/**
 * Context flooding: long runs of one short token or a short cycle of them ("ö ö ö …",
 * ") ] } ) ] } …"), or of one character, that push the assistant's instructions out of its
 * attention before a payload. A person typing a request has no use for hundreds of repeats;
 * numbers are left alone (matrices, zero-filled dumps). One linear pass over the folded text.
 */

/** Tokens in a row, drawn from at most MAX_DISTINCT short values, that count as a flood. */
export const FLOOD_TOKENS = 60;
/** Identical characters in a row that count as a flood. */
export const FLOOD_CHAR_RUN = 400;
const MAX_DISTINCT = 4;
const MAX_TOKEN_CHARS = 6;

/** A flood found in a text: what repeats and how many tokens (or characters) long it is. */
export interface Flood {
  readonly unit: string;
  readonly repeats: number;
}

/**
 * Is there a run of FLOOD_TOKENS short tokens (at most MAX_TOKEN_CHARS, no digit) in a row? A
 * necessary condition for a flood, checked in one pass without allocating; prose breaks such a
 * run within a few words.
 */
function hasShortTokenRun(text: string): boolean {
  let run = 0;
  let length = 0;
  let digit = false;
  for (let i = 0; i <= text.length; i++) {
    const code = i < text.length ? text.charCodeAt(i) : 0x20;
    if (code === 0x20) {
      if (length > 0 && length <= MAX_TOKEN_CHARS && !digit) {
        if (++run >= FLOOD_TOKENS) return true;
      } else if (length > 0) run = 0;
      length = 0;
      digit = false;
    } else {
      length++;
      if (code >= 0x30 && code <= 0x39) digit = true;
    }
  }
  return false;
}

function floodable(token: string): boolean {
  return token.length <= MAX_TOKEN_CHARS && !/\d/.test(token);
}

/** The longest flood in folded `text`, if any reaches the thresholds. */
export function findFlood(text: string): Flood | undefined {
  // Sixty of the shortest tokens and their spaces need 120 characters.
  if (text.length < FLOOD_TOKENS * 2) return undefined;
  // Character runs first: one pass, no allocation.
  let run = 1;
  for (let i = 1; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code !== 0x20 && code === text.charCodeAt(i - 1)) {
      if (++run >= FLOOD_CHAR_RUN && !/\d/.test(text[i]!)) return { unit: text[i]!, repeats: run };
    } else run = 1;
  }
  if (!hasShortTokenRun(text)) return undefined;
  const tokens = text.split(" ");
  // The longest stretch of short tokens drawn from at most MAX_DISTINCT values: a cycle of up to
  // four tokens, tolerant of a slip in the cycle (") ] } ) ] ) ] }"), which a strict period misses.
  const counts = new Map<string, number>();
  let start = 0;
  let bestLength = 0;
  let bestEnd = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (!floodable(token)) {
      counts.clear();
      start = i + 1;
      continue;
    }
    counts.set(token, (counts.get(token) ?? 0) + 1);
    while (counts.size > MAX_DISTINCT) {
      const dropped = tokens[start++]!;
      const left = counts.get(dropped)! - 1;
      if (left === 0) counts.delete(dropped);
      else counts.set(dropped, left);
    }
    if (i - start + 1 > bestLength) {
      bestLength = i - start + 1;
      bestEnd = i;
    }
  }
  if (bestLength < FLOOD_TOKENS) return undefined;
  const unit = [...new Set(tokens.slice(bestEnd - bestLength + 1, bestEnd + 1))].join(" ");
  return { unit, repeats: bestLength };
}
