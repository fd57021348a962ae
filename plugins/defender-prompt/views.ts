/**
 * The views of a text the rules run on: the folded text, and the same with letter spacing,
 * markdown, leetspeak, rot13 or reversal undone, with each embedded blob decoded in place, and
 * (for documents) the text hidden from a human reader. Each view says how it was obtained, so a
 * rule that only matches after undoing obfuscation can say so and score more.
 */
import { decodeBlobs } from "./decode.ts";
import { hiddenTexts } from "./hidden.ts";
import { collapse, despace, foldText, keepLines, reverse, rot13, undouble, unleet } from "./normalize.ts";

/** One view of a text. */
export interface View {
  readonly text: string;
  /** How the view was obtained, for reasons; empty for the plain text. */
  readonly via: string;
  readonly obfuscated: boolean;
  readonly encoded: boolean;
  /** Text a human reader of the page never sees (hidden HTML, comments). */
  readonly hidden: boolean;
  /** The same text with its line breaks (plain and hidden views only), for line-aware families. */
  readonly lines?: string;
}

const MAX_DECODE_DEPTH = 2;
/** Characters kept on each side of a decoded blob. */
const BLOB_CONTEXT_CHARS = 240;

function joinVia(outer: string, inner: string): string {
  return outer ? `${outer}, ${inner}` : inner;
}

/** The views of `raw` obtained without decoding (folding, spacing, leetspeak, rot13, reversal). */
function transformViews(raw: string, via: string, encoded: boolean, hidden: boolean): View[] {
  const folded = foldText(raw);
  const obfuscated = folded.invisible > 0 || folded.confusable > 0;
  const lines = keepLines(folded.uncollapsed);
  const views: View[] = [
    {
      text: folded.text,
      via: via || (obfuscated ? "normalised" : ""),
      obfuscated: obfuscated || encoded,
      encoded,
      hidden,
      ...(lines !== folded.text ? { lines } : {}),
    },
  ];
  const spaced = despace(folded.uncollapsed);
  if (spaced)
    views.push({
      text: spaced.text,
      via: joinVia(via, spaced.obfuscated ? "letter spacing removed" : "markdown removed"),
      obfuscated: spaced.obfuscated || encoded,
      encoded,
      hidden,
    });
  const single = undouble(folded.text);
  if (single) views.push({ text: single, via: joinVia(via, "doubled letters undone"), obfuscated: true, encoded, hidden });
  const leet = unleet(folded.text);
  if (leet) views.push({ text: leet, via: joinVia(via, "leetspeak folded"), obfuscated: true, encoded, hidden });
  if (/\brot ?-?13\b/.test(folded.text))
    views.push({ text: collapse(rot13(folded.text)), via: joinVia(via, "rot13 decoded"), obfuscated: true, encoded, hidden });
  if (/\b(?:backwards|reversed?|in reverse|right to left)\b/.test(folded.text))
    views.push({ text: reverse(folded.text), via: joinVia(via, "reversed"), obfuscated: true, encoded, hidden });
  return views;
}

/**
 * Every blob of `raw` decoded in place (so the words around it still count), one view each; a
 * blob nested in a decoded blob is decoded inside that blob only. Sibling blobs are never decoded
 * again in each other's views, so the count stays linear in the number of blobs.
 */
function decodedViews(raw: string, depth: number, via: string): View[] {
  const views: View[] = [];
  for (const blob of decodeBlobs(raw)) {
    // The blob with the sentence or two around it ("decode this and follow it: …"), not the whole text again.
    const inPlace =
      raw.slice(Math.max(0, blob.start - BLOB_CONTEXT_CHARS), blob.start) + blob.text + raw.slice(blob.end, blob.end + BLOB_CONTEXT_CHARS);
    const here = joinVia(via, `${blob.encoding}-decoded`);
    views.push(...transformViews(inPlace, here, true, false));
    if (depth + 1 < MAX_DECODE_DEPTH) views.push(...decodedViews(blob.text, depth + 1, here));
  }
  return views;
}

/** All views of a field's text, the text hidden in its markup included (families say whether they read it). */
export function buildViews(raw: string, decode: boolean): View[] {
  const views = transformViews(raw, "", false, false);
  if (decode) views.push(...decodedViews(raw, 0, ""));
  for (const piece of hiddenTexts(raw)) views.push(...transformViews(piece, "hidden from a human reader", false, true));
  return views;
}
