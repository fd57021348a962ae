/**
 * Data pasted into a request ("summarise this email: …", a log excerpt, a chat export, a page's
 * HTML): the person's request is theirs, but the pasted document is data like a tool result, and
 * an instruction inside it is an injection the person may not have seen. This finds the pasted
 * part of a user's text by its structure, so the document rules can read that part alone.
 * Linear: one pass over at most MAX_LINES lines.
 */

const MAX_LINES = 4096;
/** A request longer than this before the data is not "a short request plus a document". */
const MAX_REQUEST_CHARS = 400;

const EMAIL_HEADER = /^(?:from|to|cc|subject|date|sent|reply-to)\s*:/i;
const HTML_TAG = /<\/?[a-z][a-z0-9-]*(?:\s[^<>]{0,200})?>/i;
const TIMESTAMP =
  /^\s*(?:\[?\d{1,2}[:.]\d{2}(?:[:.]\d{2})?\]?|\d{4}-\d{2}-\d{2}|\d{1,2}\/\d{1,2}\/\d{2,4}|[A-Z][a-z]{2} +\d{1,2} \d{2}:\d{2})/;
const CHAT_LINE = /^\s*(?:[-*] )?[\p{L}][\p{L}\p{N}._ -]{0,30}:\s+\S/u;
const TABLE_ROW = /^\s*\|.*\|\s*$/;
const CSV_ROW = /^[^,\n]*(?:,[^,\n]*){2,}$/;
const FENCE = /^\s*```/;

/** What kind of document lines look like; undefined for prose. */
function lineKind(line: string): string | undefined {
  if (EMAIL_HEADER.test(line)) return "email";
  if (FENCE.test(line)) return "code";
  if (TABLE_ROW.test(line)) return "table";
  if (TIMESTAMP.test(line)) return "log";
  if (HTML_TAG.test(line)) return "html";
  if (CSV_ROW.test(line)) return "csv";
  if (CHAT_LINE.test(line)) return "chat";
  return undefined;
}

/**
 * The pasted document inside a user's text, or undefined when the text does not carry one: at
 * least three lines of one document kind (two email headers or one code fence suffice), after a
 * short request or from the first line.
 */
export function embeddedDocument(text: string): string | undefined {
  // Three lines of a document need at least two line breaks.
  const first = text.indexOf("\n");
  if (first < 0 || text.indexOf("\n", first + 1) < 0) return undefined;
  const lines = text.split("\n", MAX_LINES);
  const counts = new Map<string, number>();
  let start = -1;
  for (let index = 0; index < lines.length; index++) {
    const kind = lineKind(lines[index]!);
    if (kind === undefined) continue;
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
    if (start < 0) start = index;
  }
  if (start < 0) return undefined;
  const enough = (counts.get("email") ?? 0) >= 2 || (counts.get("code") ?? 0) >= 1 || [...counts.values()].some((count) => count >= 3);
  if (!enough) return undefined;
  // The request is what comes before the first document line, when it is short.
  const request = lines.slice(0, start).join("\n");
  if (request.length > MAX_REQUEST_CHARS) return undefined;
  return lines.slice(start).join("\n");
}
