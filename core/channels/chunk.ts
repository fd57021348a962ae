/**
 * Split outbound text into platform-sized messages (seed-defender §8.6, with its gaps closed).
 *
 * `length` mode cuts at the last line break inside the window, else the last whitespace, else at
 * the limit; `newline` mode sends one paragraph per message and falls back to `length` for a
 * paragraph that is too long. On top of the seed's rules:
 * - lengths are UTF-16 code units (what most chat platforms and JavaScript count), and a cut never
 *   falls between the two halves of a surrogate pair, so no chunk carries a broken character;
 * - a chunk that ends inside a code fence is closed with the fence and the next chunk reopens it
 *   with the same info string, so every chunk renders as code; text inside a fence is never
 *   trimmed (indentation matters);
 * - an optional line limit (Discord: 17 lines per message), fences included.
 */

/** How to chunk. */
export interface ChunkOptions {
  /** Most UTF-16 units per chunk; 0 or less sends the text as one chunk. */
  limit: number;
  mode?: "length" | "newline";
  /** Most lines per chunk. */
  maxLines?: number;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const CLOSE_LENGTH_RESERVE = 1; // the "\n" before a closing fence

interface FenceState {
  /** The opening line (e.g. "```ts") or undefined outside a fence. */
  opener?: string;
  /** The fence marker ("```", "~~~~"). */
  marker?: string;
}

/** Walk the lines of `text` and return the fence state at its end, starting from `state`. */
function fenceStateAfter(text: string, state: FenceState): FenceState {
  let opener = state.opener;
  let marker = state.marker;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    // Only a line whose first non-space (after at most 3 spaces) is ` or ~ can be a fence.
    let first = start;
    while (first < end && first - start < 3 && text.charCodeAt(first) === 32) first++;
    const code = text.charCodeAt(first);
    if (end - first >= 3 && (code === 96 || code === 126)) {
      const match = FENCE.exec(text.slice(start, end));
      if (match) {
        const run = match[1]!;
        if (marker === undefined) {
          marker = run;
          opener = text.slice(first, end);
        } else if (run[0] === marker[0] && run.length >= marker.length && match[2]!.trim() === "") {
          marker = undefined;
          opener = undefined;
        }
      }
    }
    start = end + 1;
  }
  return { opener, marker };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isWhitespace(code: number): boolean {
  return (
    code === 32 ||
    code === 9 ||
    code === 10 ||
    code === 13 ||
    code === 11 ||
    code === 12 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

/** After skipping whitespace, `text` continues with a fence-like run at `from`. */
function startsFenceLike(text: string, from: number): boolean {
  while (from < text.length && isWhitespace(text.charCodeAt(from))) from++;
  return text.startsWith("```", from) || text.startsWith("~~~", from);
}

/** Index of the `n`-th "\n" in `text` from `from`, or -1. */
function nthNewline(text: string, from: number, n: number, until: number): number {
  let at = from - 1;
  for (let i = 0; i < n; i++) {
    at = text.indexOf("\n", at + 1);
    if (at === -1 || at >= until) return -1;
  }
  return at;
}

/** Where to cut `text` (from `start`) so the piece fits `budget` units and `lineBudget` lines. */
function cutPoint(text: string, start: number, budget: number, lineBudget: number): { cut: number; skip: number } {
  let windowEnd = Math.min(text.length, start + budget);
  if (lineBudget > 0) {
    const newline = nthNewline(text, start, lineBudget, windowEnd);
    // More lines than allowed inside the window: cut at the newline that ends the last allowed line.
    if (newline !== -1) return { cut: newline, skip: 1 };
  }
  if (windowEnd >= text.length) return { cut: text.length, skip: 0 };
  // Seed rule: the last line break in the window, else the last whitespace, else the limit.
  const newline = text.lastIndexOf("\n", windowEnd - 1);
  if (newline > start) return { cut: newline, skip: 1 };
  for (let i = windowEnd - 1; i > start; i--) {
    // A piece that would start with ``` or ~~~ mid-line would render as a fence: cut elsewhere.
    if (isWhitespace(text.charCodeAt(i)) && !startsFenceLike(text, i + 1)) return { cut: i, skip: 1 };
  }
  // Hard cut: never between the halves of a surrogate pair.
  if (isHighSurrogate(text.charCodeAt(windowEnd - 1)) && windowEnd - 1 > start) windowEnd -= 1;
  return { cut: windowEnd, skip: 0 };
}

/** Length-mode chunks of `text`, fence-aware. */
function chunkByLength(text: string, limit: number, maxLines: number, out: string[]): void {
  const fencedText = text.includes("```") || text.includes("~~~");
  const longest = fencedText ? longestMarker(text) : 0;
  let state: FenceState = {};
  let position = 0;
  // Outside a fence the seed trims; inside one whitespace is content.
  const skipLeading = () => {
    if (state.marker !== undefined) return;
    while (position < text.length && isWhitespace(text.charCodeAt(position))) position++;
  };
  skipLeading();
  while (position < text.length) {
    // Room for the closing fence ("\n" + marker) in case the piece ends inside a fence.
    const reserve = fencedText ? CLOSE_LENGTH_RESERVE + Math.max(state.marker?.length ?? 0, longest) : 0;
    let prefix = "";
    if (state.marker !== undefined) {
      // Reopen with the info string (```ts) unless it would crowd out the content.
      prefix = state.opener!.length + 1 + reserve <= limit / 2 ? `${state.opener}\n` : `${state.marker}\n`;
    }
    const prefixLines = prefix === "" ? 0 : 1;
    let piece: string | undefined;
    let next = text.length;
    let after: FenceState | undefined;
    if (prefix.length + text.length - position <= limit) {
      // The rest may fit as it is, closing fence and line limit included.
      const rest = text.slice(position);
      const restAfter = fenceStateAfter(rest, state);
      const size = prefix.length + rest.length + (restAfter.marker !== undefined ? 1 + restAfter.marker.length : 0);
      const lines = prefixLines + countLines(rest) + (restAfter.marker !== undefined ? 1 : 0);
      if (size <= limit && (maxLines <= 0 || lines <= maxLines)) {
        piece = rest;
        after = restAfter;
      }
    }
    if (piece === undefined) {
      const budget = Math.max(1, limit - prefix.length - reserve);
      const lineBudget = maxLines > 0 ? Math.max(1, maxLines - prefixLines - (fencedText ? 1 : 0)) : 0;
      const { cut, skip } = cutPoint(text, position, budget, lineBudget);
      piece = text.slice(position, cut);
      next = cut + skip;
      after = fenceStateAfter(piece, state);
    }
    let body = prefix + piece;
    if (after!.marker !== undefined) body += `\n${after!.marker}`;
    else if (state.marker === undefined) body = body.trimEnd();
    if (body.trim() !== "") out.push(body);
    state = after!;
    position = next;
    skipLeading();
  }
}

function longestMarker(text: string): number {
  let longest = 3;
  const runs = /`{4,}|~{4,}/g;
  for (let match = runs.exec(text); match; match = runs.exec(text)) longest = Math.max(longest, match[0].length);
  return longest;
}

function countLines(text: string): number {
  let lines = 1;
  for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) lines++;
  return lines;
}

/** Paragraphs: runs of non-blank lines; blank lines inside a code fence do not split. */
function paragraphs(text: string): string[] {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const out: string[] = [];
  let current: string[] = [];
  let state: FenceState = {};
  for (const line of lines) {
    const inFence = state.marker !== undefined;
    if (!inFence && line.trim() === "") {
      if (current.length > 0) out.push(current.join("\n"));
      current = [];
      continue;
    }
    current.push(line);
    state = fenceStateAfter(line, state);
  }
  if (current.length > 0) out.push(current.join("\n"));
  return out;
}

/**
 * Split `text` into chunks that each fit `options.limit` (and `maxLines`). Empty text gives no
 * chunks; a limit of 0 or less gives the text unchanged as one chunk (seed rules).
 */
export function chunkText(text: string, options: ChunkOptions): string[] {
  if (text === "") return [];
  if (!(options.limit > 0)) return [text];
  const maxLines = options.maxLines ?? 0;
  const out: string[] = [];
  if (options.mode === "newline") {
    for (const paragraph of paragraphs(text)) {
      if (paragraph.length <= options.limit && (maxLines <= 0 || countLines(paragraph) <= maxLines)) out.push(paragraph);
      else chunkByLength(paragraph, options.limit, maxLines, out);
    }
    return out;
  }
  chunkByLength(text, options.limit, maxLines, out);
  return out;
}
