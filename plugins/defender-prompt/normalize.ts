/**
 * Text views the prompt rules run on. Attackers hide the same words behind zero-width and bidi
 * characters, look-alike letters, fullwidth forms, accents, leetspeak, letter spacing and
 * markdown (seed-defender §15 item 2); each view undoes some of that so one set of lowercase
 * rules sees through all of them. Pure functions; ASCII text takes a fast path.
 */
import { segmentWords } from "./segment.ts";

/** A view of a text and what had to be undone to get it. */
export interface FoldedText {
  /** Lowercased, NFKC, invisible characters removed, look-alikes mapped, accents stripped, whitespace collapsed. */
  readonly text: string;
  /** The same before whitespace was collapsed (letter-spacing detection needs double spaces). */
  readonly uncollapsed: string;
  /** Zero-width, soft hyphen, bidi and tag characters removed. */
  readonly invisible: number;
  /** Bidi embedding/override/isolate controls among them. */
  readonly bidi: number;
  /** Cyrillic/Greek look-alikes mapped to Latin, fullwidth forms folded. */
  readonly confusable: number;
}

const NON_ASCII_OR_CONTROL = /[^\x09\x0a\x0d\x20-\x7e]/;
// Zero-width and formatting characters, soft hyphen, bidi controls, variation selectors, tag characters.
const INVISIBLE =
  /[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]|\udb40[\udc00-\udc7f]/g;
const BIDI = /[\u202a-\u202e\u2066-\u2069]/g;
const FULLWIDTH = /[\uff01-\uff5e]/g;
// Accents on Latin letters only: Cyrillic й and Hangul must survive.
const LATIN_COMBINING = /(?<=[a-zA-Z])[\u0300-\u036f]+/g;
const QUOTES: Readonly<Record<string, string>> = { "\u2018": "'", "\u2019": "'", "\u02bc": "'", "\u201c": '"', "\u201d": '"' };
const CURLY_QUOTES = /[\u2018\u2019\u02bc\u201c\u201d]/g;

/** Cyrillic and Greek letters that look like Latin ones (Unicode confusables, common subset). */
const CONFUSABLES: Readonly<Record<string, string>> = {
  "\u0430": "a",
  "\u0435": "e",
  "\u043e": "o",
  "\u0440": "p",
  "\u0441": "c",
  "\u0443": "y",
  "\u0445": "x",
  "\u0456": "i",
  "\u0458": "j",
  "\u0455": "s",
  "\u04bb": "h",
  "\u0501": "d",
  "\u051b": "q",
  "\u051d": "w",
  "\u0410": "a",
  "\u0412": "b",
  "\u0415": "e",
  "\u041a": "k",
  "\u041c": "m",
  "\u041d": "h",
  "\u041e": "o",
  "\u0420": "p",
  "\u0421": "c",
  "\u0422": "t",
  "\u0425": "x",
  "\u0406": "i",
  "\u0408": "j",
  "\u0405": "s",
  "\u03bf": "o",
  "\u03b1": "a",
  "\u03b5": "e",
  "\u03b9": "i",
  "\u03ba": "k",
  "\u03bd": "v",
  "\u03c1": "p",
  "\u03c4": "t",
  "\u03c5": "u",
  "\u03c7": "x",
  "\u0391": "a",
  "\u0392": "b",
  "\u0395": "e",
  "\u0396": "z",
  "\u0397": "h",
  "\u0399": "i",
  "\u039a": "k",
  "\u039c": "m",
  "\u039d": "n",
  "\u039f": "o",
  "\u03a1": "p",
  "\u03a4": "t",
  "\u03a5": "y",
  "\u03a7": "x",
  "\u0261": "g",
  "\u0131": "i",
  "\u1d00": "a",
  "\u0251": "a",
};
const CONFUSABLE_CHARS = new RegExp(`[${Object.keys(CONFUSABLES).join("")}]`, "g");
const LATIN = /[a-z]/gi;
const CYRILLIC_OR_GREEK = /[\u0370-\u03ff\u0400-\u04ff\u0500-\u052f]/g;

function countMatches(text: string, pattern: RegExp): number {
  pattern.lastIndex = 0;
  let count = 0;
  while (pattern.exec(text) !== null) count++;
  return count;
}

/** Map look-alikes when the text is mostly Latin, or inside words that mix scripts. */
function mapConfusables(text: string): { text: string; count: number } {
  const latin = countMatches(text, LATIN);
  const foreign = countMatches(text, CYRILLIC_OR_GREEK);
  if (foreign === 0) return { text, count: 0 };
  let count = 0;
  const replaceChar = (ch: string) => {
    count++;
    return CONFUSABLES[ch]!;
  };
  if (latin > foreign) return { text: text.replace(CONFUSABLE_CHARS, replaceChar), count };
  // Mostly Cyrillic/Greek (a Russian or Greek text): only fix words that mix in Latin letters.
  const mapped = text.replace(/\S+/g, (word) => (/[a-z]/i.test(word) ? word.replace(CONFUSABLE_CHARS, replaceChar) : word));
  return { text: mapped, count };
}

/** JavaScript's `\s`, by char code. */
function isSpace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0xa0) return false;
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/**
 * Line breaks kept (runs of blank space with a line break become one `\n`, other runs one space):
 * the view for rules that need a line start, such as forged turns (`Human:` / `Assistant:`).
 */
export function keepLines(text: string): string {
  if (!text.includes("\n")) return collapse(text);
  return text
    .replace(/[^\S\n]+/g, " ")
    .replace(/ ?\n[\s]*/g, "\n")
    .trim();
}

/** Collapse whitespace to single spaces and trim. */
export function collapse(text: string): string {
  // Most texts already are: single spaces between words, none at the ends.
  let previousSpace = true;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x20) {
      if (previousSpace) return text.replace(/\s+/g, " ").trim();
      previousSpace = true;
    } else if (isSpace(code)) return text.replace(/\s+/g, " ").trim();
    else previousSpace = false;
  }
  return previousSpace && text.length > 0 ? text.replace(/\s+/g, " ").trim() : text;
}

/** The main view every rule runs on. */
export function foldText(input: string): FoldedText {
  if (!NON_ASCII_OR_CONTROL.test(input)) {
    const lower = input.toLowerCase();
    return { text: collapse(lower), uncollapsed: lower, invisible: 0, bidi: 0, confusable: 0 };
  }
  const bidi = countMatches(input, BIDI);
  let invisible = 0;
  let text = input.replace(INVISIBLE, () => {
    invisible++;
    return "";
  });
  const fullwidth = countMatches(text, FULLWIDTH);
  text = text.normalize("NFKC").replace(CURLY_QUOTES, (ch) => QUOTES[ch]!);
  const mapped = mapConfusables(text);
  // Strip accents but recompose, so Hangul and kana survive the NFD round trip.
  const lower = mapped.text.normalize("NFD").replace(LATIN_COMBINING, "").normalize("NFC").toLowerCase();
  return { text: collapse(lower), uncollapsed: lower, invisible, bidi, confusable: mapped.count + fullwidth };
}

function isAsciiLetter(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a);
}

/**
 * Can none of despace's patterns change `input`? Decided in one pass for ASCII text (where
 * `\p{L}` is an ASCII letter): no markdown mark, no mark between two letters, and no run of
 * three single letters apart (`i g n`) starting a word. Anything else takes the full path.
 */
function plainForDespace(input: string): boolean {
  const length = input.length;
  for (let i = 0; i < length; i++) {
    const code = input.charCodeAt(i);
    if (code >= 0x80) return false;
    // MARKDOWN_MARKS: * _ ` ~
    if (code === 0x2a || code === 0x5f || code === 0x60 || code === 0x7e) return false;
    // INTRA_WORD_MARK: . ^ | between letters (* ` ~ are markdown marks, above)
    if (
      (code === 0x2e || code === 0x5e || code === 0x7c) &&
      i > 0 &&
      i + 1 < length &&
      isAsciiLetter(input.charCodeAt(i - 1)) &&
      isAsciiLetter(input.charCodeAt(i + 1))
    )
      return false;
    // SPACED_LETTERS: at a word start, letter, mark, letter, mark, letter
    if (
      isAsciiLetter(code) &&
      (i === 0 || isSpace(input.charCodeAt(i - 1))) &&
      i + 4 < length &&
      isSpacingMark(input.charCodeAt(i + 1)) &&
      isAsciiLetter(input.charCodeAt(i + 2)) &&
      isSpacingMark(input.charCodeAt(i + 3)) &&
      isAsciiLetter(input.charCodeAt(i + 4))
    ) {
      return false;
    }
  }
  return true;
}

/** `[ \-._*]`, the marks SPACED_LETTERS allows between letters. */
function isSpacingMark(code: number): boolean {
  return code === 0x20 || code === 0x2d || code === 0x2e || code === 0x5f || code === 0x2a;
}

const SPACED_LETTERS = /(?:^|(?<=\s))(?:\p{L}[ \-._*]){2,}\p{L}(?=\s|$|[.,!?;:])/gu;
// Words joined by underscores ("forget_your_rules") read as words.
const UNDERSCORE_JOIN = /(?<=\p{L})_+(?=\p{L})/gu;
// Hyphens are left alone: "well-known" is English, not obfuscation.
const INTRA_WORD_MARK = /(?<=\p{L})[.*~^`|](?=\p{L})/gu;
const MARKDOWN_MARKS = /[*_`~]+/g;

/**
 * Undo letter spacing (`i g n o r e`, `i-g-n-o-r-e`), marks inside words (`ig.nore`) and
 * markdown emphasis. Runs on the text before whitespace collapse, so double spaces still
 * separate words. Returns undefined when nothing changed.
 */
export function despace(input: string): { text: string; obfuscated: boolean } | undefined {
  if (plainForDespace(input)) return undefined;
  let obfuscated = false;
  let text = input.replace(SPACED_LETTERS, (run) => {
    obfuscated = true;
    const letters = run.replace(/[ \-._*]/g, "");
    // Letters spaced one by one lose the gaps between words too: find the words again.
    return letters.length >= 6 ? (segmentWords(letters) ?? letters) : letters;
  });
  text = text.replace(UNDERSCORE_JOIN, () => {
    obfuscated = true;
    return " ";
  });
  text = text.replace(INTRA_WORD_MARK, () => {
    obfuscated = true;
    return "";
  });
  text = text.replace(MARKDOWN_MARKS, "");
  if (text === input) return undefined;
  return { text: collapse(text), obfuscated };
}

const LEET: Readonly<Record<string, string>> = {
  "0": "o",
  "1": "i",
  "3": "e",
  "4": "a",
  "5": "s",
  "7": "t",
  "@": "a",
  $: "s",
  "!": "i",
  "|": "l",
};
const LEET_HINT = /[a-z][013457@$|]|[013457@$|][a-z]/;
// Whole runs, letters or not (runs without a letter are skipped in the callback): a pattern
// that had to find a letter inside each run rescanned digit runs from every start (quadratic).
const LEET_TOKEN = /[a-z0-9@$!|]+/g;
const LETTER = /[a-z]/;

/** Fold leetspeak inside words that mix letters and digits (`1gn0r3` → `ignore`); undefined when there is none. */
export function unleet(folded: string): string | undefined {
  if (!LEET_HINT.test(folded)) return undefined;
  let words = 0;
  let leet = 0;
  const text = folded.replace(LEET_TOKEN, (token) => {
    if (!LETTER.test(token)) return token;
    words++;
    if (!/[0-9@$!|]/.test(token)) return token;
    leet++;
    return token.replace(/[013457@$!|]/g, (ch) => LEET[ch] ?? ch);
  });
  // "llm01" or "v2" in ordinary text is not leetspeak: ask for several such words and a fair share.
  if (leet < 2 || leet * 5 < words || text === folded) return undefined;
  return text;
}

const DOUBLED_END = /\b([a-z]+?)([a-z])\2\b/g;
const WORD = /\b[a-z]{2,}\b/g;

/**
 * Undo doubled last letters ("outputt yourr previouss instructionss"), only when most words of
 * the text end that way; ordinary text ("all", "access", "off") has a few such words, not a
 * majority. Undefined when there is nothing to undo.
 */
export function undouble(folded: string): string | undefined {
  // Cheap count first: letters doubled right before a space or the end.
  let doubledEnds = 0;
  for (let i = 1; i < folded.length; i++) {
    const next = i + 1 < folded.length ? folded.charCodeAt(i + 1) : 0x20;
    if (next === 0x20 && folded.charCodeAt(i) === folded.charCodeAt(i - 1) && folded.charCodeAt(i) >= 0x61 && folded.charCodeAt(i) <= 0x7a)
      doubledEnds++;
  }
  if (doubledEnds < 3) return undefined;
  WORD.lastIndex = 0;
  DOUBLED_END.lastIndex = 0;
  const words = countMatches(folded, WORD);
  if (words < 4) return undefined;
  const doubled = countMatches(folded, DOUBLED_END);
  if (doubled * 5 < words * 3) return undefined;
  return folded.replace(DOUBLED_END, "$1$2");
}

/** ROT13 of ASCII letters. */
export function rot13(text: string): string {
  return text.replace(/[a-z]/gi, (ch) => {
    const base = ch <= "Z" ? 65 : 97;
    return String.fromCharCode(((ch.charCodeAt(0) - base + 13) % 26) + base);
  });
}

/** The text reversed by code point. */
export function reverse(text: string): string {
  return Array.from(text).reverse().join("");
}
