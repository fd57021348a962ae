/**
 * Static decoding of shell word syntax: backslash escapes, `$'…'` ANSI-C strings, the escapes
 * `printf` and `echo -e` interpret, and whole-word brace lists (`{rm,-rf,/}`), which attackers use
 * to hide a command name from plain text matching.
 */

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: "\x07",
  b: "\b",
  e: "\x1b",
  E: "\x1b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
  "'": "'",
  '"': '"',
  "?": "?",
};

/** Decode `\x41`, `\101`, `\u0041`, `\n` … as bash's `$'…'` and `printf` do. Returns the text and whether any escape was found. */
export function decodeEscapes(body: string): { text: string; escaped: boolean } {
  let escaped = false;
  const text = body.replace(/\\(x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{1,4}|U[0-9a-fA-F]{1,8}|0?[0-7]{1,3}|c.|.)/gs, (whole, code: string) => {
    const head = code[0]!;
    if (head === "x" || head === "u" || head === "U") {
      escaped = true;
      const point = Number.parseInt(code.slice(1), 16);
      return point <= 0x10ffff ? String.fromCodePoint(point) : whole;
    }
    if (/[0-7]/.test(head)) {
      escaped = true;
      return String.fromCharCode(Number.parseInt(code, 8) & 0xff);
    }
    if (head === "c") return String.fromCharCode(code.charCodeAt(1) & 0x1f);
    return Object.hasOwn(SIMPLE_ESCAPES, head) ? SIMPLE_ESCAPES[head]! : whole;
  });
  return { text, escaped };
}

/** Remove shell backslash quoting outside quotes: `\r\m` is `rm`; a backslash-newline joins lines. */
export function unescapeWord(text: string): string {
  if (!text.includes("\\")) return text;
  return text.replace(/\\(\n|.)/gs, (_whole, ch: string) => (ch === "\n" ? "" : ch));
}

/** Inside double quotes only `\\`, `\"`, `\$`, `` \` `` and backslash-newline are escapes. */
export function unescapeDoubleQuoted(text: string): string {
  if (!text.includes("\\")) return text;
  return text.replace(/\\([\\"$`\n])/g, (_whole, ch: string) => (ch === "\n" ? "" : ch));
}

// Items are comma-free runs joined by commas: a class that also took commas made `{,,,,…`
// backtrack quadratically (a 250 KB command took 90 s).
const BRACE_WORD = /(^|[\s;&|(])\{([^\s{}'"$`\\,]*(?:,[^\s{}'"$`\\,]*)+)\}(?=$|[\s;&|)])/g;

/**
 * Expand whole-word brace lists outside quotes (`{rm,-rf,/}` → `rm -rf /`). Returns undefined
 * when there is none. Quoted text is left alone.
 */
export function expandBraceWords(text: string): string | undefined {
  if (!text.includes("{") || !text.includes(",")) return undefined;
  let changed = false;
  let out = "";
  let index = 0;
  // Walk quoted and unquoted spans; expand only in unquoted ones.
  const span = /'[^']*'|"(?:[^"\\]|\\.)*"|[^'"]+|['"]/gs;
  for (const match of text.matchAll(span)) {
    const part = match[0];
    if (part.startsWith("'") || part.startsWith('"')) out += part;
    else {
      out += part.replace(BRACE_WORD, (_whole, lead: string, items: string) => {
        changed = true;
        return lead + items.split(",").join(" ");
      });
    }
    index += part.length;
  }
  return changed && index === text.length ? out : undefined;
}
