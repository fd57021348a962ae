/**
 * Context flooding: long runs of one short token or a short cycle of them ("ö ö ö …",
 * ") ] } ) ] } …"), or of one character, that push the assistant's instructions out of its
 * attention before a payload. A person typing a request has no use for hundreds of repeats;
 * numbers are left alone (matrices, zero-filled dumps). One linear pass over the folded text.
 */

/** Repeats of a token (or of a cycle of up to MAX_PERIOD tokens) that count as a flood. */
export const FLOOD_REPEATS = 40;
/** Identical characters in a row that count as a flood. */
export const FLOOD_CHAR_RUN = 400;
const MAX_PERIOD = 3;
const MAX_TOKEN_CHARS = 6;

/** A flood found in a text: what repeats and how often. */
export interface Flood {
  readonly unit: string;
  readonly repeats: number;
}

function floodable(token: string): boolean {
  return token.length <= MAX_TOKEN_CHARS && !/\d/.test(token);
}

/** The longest flood in folded `text`, if any reaches the thresholds. */
export function findFlood(text: string): Flood | undefined {
  // Character runs first: one pass, no allocation.
  let run = 1;
  for (let i = 1; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code !== 0x20 && code === text.charCodeAt(i - 1)) {
      if (++run >= FLOOD_CHAR_RUN && !/\d/.test(text[i]!)) return { unit: text[i]!, repeats: run };
    } else run = 1;
  }
  const tokens = text.split(" ");
  if (tokens.length < FLOOD_REPEATS) return undefined;
  let bestRepeats = 0;
  let bestEnd = 0;
  let bestPeriod = 1;
  for (let period = 1; period <= MAX_PERIOD; period++) {
    let length = 0;
    for (let i = period; i < tokens.length; i++) {
      if (tokens[i] === tokens[i - period] && floodable(tokens[i]!)) {
        const repeats = Math.floor(++length / period) + 1;
        if (repeats > bestRepeats) {
          bestRepeats = repeats;
          bestEnd = i;
          bestPeriod = period;
        }
      } else length = 0;
    }
  }
  if (bestRepeats < FLOOD_REPEATS) return undefined;
  return { unit: tokens.slice(bestEnd - bestPeriod + 1, bestEnd + 1).join(" "), repeats: bestRepeats };
}
