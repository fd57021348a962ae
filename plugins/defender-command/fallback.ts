/**
 * A second, simpler reading for commands the tree-sitter parser refused (too big, too many
 * pipes, too slow) or could not parse cleanly: a single linear pass splits the text into words
 * and operators, honouring quotes and backslashes, and the same rules run on the result. It knows
 * less (no substitutions, no heredocs) but never fails, so a parse failure does not mean
 * "nothing found".
 */
import type { Pipeline, Redirect, Script, SimpleCommand, Word } from "./ir.ts";

/** Longest text tokenised (characters): the first three quarters and the last quarter of a longer one. */
export const FALLBACK_MAX_CHARS = 16384;
/** Most commands produced. */
const MAX_COMMANDS = 4096;

function word(value: string, raw: string, quoted: boolean): Word {
  return { value, dynamic: !quoted && value.includes("$"), substitutions: [], raw };
}

/** Tokenise `text` into a script of simple commands and pipelines. */
export function fallbackScript(text: string): Script {
  const script: Script = {
    commands: [],
    pipelines: [],
    functions: [],
    bareRedirects: [],
    assignments: [],
    hasError: true,
    truncated: text.length > FALLBACK_MAX_CHARS,
  };
  const head = Math.floor(FALLBACK_MAX_CHARS * 0.75);
  const source =
    text.length > FALLBACK_MAX_CHARS ? `${text.slice(0, head)}\n${text.slice(text.length - (FALLBACK_MAX_CHARS - head))}` : text;
  let words: Word[] = [];
  let redirects: Redirect[] = [];
  let stages: SimpleCommand[][] = [];
  let current = "";
  let raw = "";
  let inWord = false;
  let quoted = false;
  let pendingRedirect: string | undefined;

  const endWord = () => {
    if (!inWord) return;
    const finished = word(current, raw, quoted);
    if (pendingRedirect) {
      redirects.push({ op: pendingRedirect, target: finished });
      pendingRedirect = undefined;
    } else words.push(finished);
    current = raw = "";
    inWord = quoted = false;
  };
  const endCommand = () => {
    endWord();
    if (words.length > 0 && script.commands.length < MAX_COMMANDS) {
      const command: SimpleCommand = { words, assignments: [], redirects, text: words.map((w) => w.raw).join(" ") };
      script.commands.push(command);
      stages.push([command]);
    } else if (words.length === 0 && redirects.length > 0) script.bareRedirects.push(...redirects);
    words = [];
    redirects = [];
  };
  const endPipeline = () => {
    endCommand();
    if (stages.length >= 2) {
      const pipeline: Pipeline = { stages };
      stages.forEach((stage, index) => {
        for (const command of stage) {
          command.pipeline = pipeline;
          command.stage = index;
        }
      });
      script.pipelines.push(pipeline);
    }
    stages = [];
  };

  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    if (ch === "'" || ch === '"') {
      const close = ch === "'" ? source.indexOf("'", i + 1) : findDoubleQuoteEnd(source, i + 1);
      const end = close === -1 ? source.length : close;
      const body = source.slice(i + 1, end);
      current += ch === "'" ? body : body.replace(/\\([\\"$`])/g, "$1");
      raw += source.slice(i, end + 1);
      inWord = quoted = true;
      i = end;
      continue;
    }
    if (ch === "\\") {
      current += source[i + 1] ?? "";
      raw += source.slice(i, i + 2);
      inWord = true;
      i++;
      continue;
    }
    if (ch === " " || ch === "\t") {
      endWord();
      continue;
    }
    if (ch === "|" && source[i + 1] !== "|") {
      endCommand();
      continue;
    }
    if (ch === ";" || ch === "\n" || ch === "&" || ch === "|" || ch === "(" || ch === ")" || ch === "{" || ch === "}") {
      // `2>&1` and `&>` are redirects, not separators.
      if (ch === "&" && (source[i - 1] === ">" || source[i + 1] === ">")) {
        current += ch;
        raw += ch;
        inWord = true;
        continue;
      }
      endPipeline();
      if ((ch === "&" || ch === "|") && source[i + 1] === ch) i++;
      continue;
    }
    // `5<>/dev/tcp/…`, `2>&1`: digits right before a redirect are its descriptor, not a word.
    if ((ch === ">" || ch === "<") && inWord && !quoted && /^\d+$/.test(current)) {
      current = raw = "";
      inWord = false;
    }
    if ((ch === ">" || ch === "<") && !inWord) {
      let op = ch;
      while (source[i + 1] === ">" || source[i + 1] === "<" || source[i + 1] === "&") op += source[++i];
      pendingRedirect = op;
      continue;
    }
    current += ch;
    raw += ch;
    inWord = true;
  }
  endPipeline();
  return script;
}

function findDoubleQuoteEnd(source: string, from: number): number {
  for (let i = from; i < source.length; i++) {
    if (source[i] === "\\") i++;
    else if (source[i] === '"') return i;
  }
  return -1;
}

/**
 * The tail of an oversized text read as if it started inside a quote: the part in between was
 * not read, so the quote state where the tail starts is unknown, and padding could otherwise hide
 * a command inside what the tokeniser takes for a quoted string.
 */
export function fallbackTailScripts(text: string): Script[] {
  if (text.length <= FALLBACK_MAX_CHARS) return [];
  const tail = text.slice(text.length - (FALLBACK_MAX_CHARS >> 2));
  return [fallbackScript(`'${tail}`), fallbackScript(`"${tail}`)];
}
