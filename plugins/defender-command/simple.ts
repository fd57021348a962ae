/**
 * The command model of the commonest command shapes without running the parser: one line of
 * plain words (`git status`, `npm test -- --watch=false`), or several joined by `|`, `&&`, `||`
 * and `;` (`curl -fsSL https://x.example/i.sh | bash`, `cd /tmp && ls`). Parsing and reading the
 * syntax tree cost most of a command's analysis, and tree-sitter-bash is slow on pipelines of
 * three stages or more; for text made only of characters that mean nothing to the shell, the
 * tree is known up front and build.ts would turn it into exactly the model built here.
 * Anything else (quotes, `$`, redirects, `&`, globs, `~`, keywords, a leading assignment,
 * newlines, non-ASCII) returns undefined and goes through the parser. simple.test.ts checks that
 * every script built here equals the one the parser and build.ts give for the same text.
 */
import { nextCwd } from "./build.ts";
import type { Pipeline, Script, SimpleCommand, Word } from "./ir.ts";

/** Longest text read here (characters); longer commands go through the parser and its limits. */
export const SIMPLE_MAX_CHARS = 1024;
/** Most words read here (all commands together). */
const SIMPLE_MAX_WORDS = 64;
/** Most commands read here. */
const SIMPLE_MAX_COMMANDS = 16;
/**
 * Least node budget (`maxNodes`) under which this is exact: build.ts counts statements and words
 * against the budget, and within the bounds above it never gets near this many.
 */
export const SIMPLE_MIN_NODE_BUDGET = 256;

/** The parse limits a text must be within for the parser to read it at all. */
export interface SimpleLimits {
  readonly maxBytes: number;
  readonly maxPipes: number;
  readonly maxNodes: number;
}

/**
 * Characters that mean nothing to the shell inside a word, by char code: letters, digits and
 * `_ . / -` anywhere (a command's first word does not start with `-` or a digit), `, : + @ =` after the
 * first word (tree-sitter-bash reads a first word such as `user@host` or `a=b`, and `- b=c`, as an
 * assignment or an error). Everything else, `%` `#` `~` `*` `?` `[` `{` `!` `^` `\` `&` quotes
 * and redirects included, sends the text to the parser.
 */
const PLAIN_FIRST = 1;
const PLAIN_LATER = 2;
const PLAIN = new Uint8Array(128);
for (const ch of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./-") PLAIN[ch.charCodeAt(0)] = PLAIN_FIRST | PLAIN_LATER;
for (const ch of ",:+@=") PLAIN[ch.charCodeAt(0)] = PLAIN_LATER;
const DASH = 45;
const DIGIT_0 = 48;
const DIGIT_9 = 57;
const SPACE = 32;
const TAB = 9;
const PIPE = 124;
const AMPERSAND = 38;
const SEMICOLON = 59;

/** Words that open a compound statement or a declaration in command position. */
const KEYWORDS: ReadonlySet<string> = new Set([
  "if",
  "then",
  "elif",
  "else",
  "fi",
  "case",
  "esac",
  "for",
  "select",
  "while",
  "until",
  "do",
  "done",
  "in",
  "function",
  "time",
  "coproc",
  "declare",
  "typeset",
  "export",
  "readonly",
  "local",
  "unset",
  "unsetenv",
]);

type Operator = "|" | "&&" | "||" | ";";

/**
 * The script of plain commands joined by `|`, `&&`, `||` or `;` (one trailing `;` allowed), or
 * undefined when the text needs the parser.
 */
export function simpleScript(text: string, limits: SimpleLimits): Script | undefined {
  const length = text.length;
  // The parser's own limits: over them the text is refused, and the caller must see that.
  if (length > SIMPLE_MAX_CHARS || length > limits.maxBytes || limits.maxNodes < SIMPLE_MIN_NODE_BUDGET) return undefined;
  const commands: SimpleCommand[] = [];
  const pipelines: Pipeline[] = [];
  let words: Word[] = [];
  let wordCount = 0;
  let pipes = 0;
  let cwd: string | undefined;
  let commandStart = -1;
  let commandEnd = -1;
  let wordStart = -1;
  /** Commands of the pipeline being read (two or more once a `|` was seen). */
  let stages: SimpleCommand[] = [];
  let pending: Operator | undefined;

  for (let i = 0; i <= length; i++) {
    const code = i < length ? text.charCodeAt(i) : SPACE;
    const operator = code === PIPE || code === AMPERSAND || code === SEMICOLON;
    if (code === SPACE || code === TAB || operator) {
      if (wordStart !== -1) {
        const raw = text.slice(wordStart, i);
        // `==` alone is a test operator to tree-sitter-bash, even outside `[[ ]]`.
        if (raw === "==" || ++wordCount > SIMPLE_MAX_WORDS) return undefined;
        if (words.length === 0 && KEYWORDS.has(raw)) return undefined;
        words.push({ value: raw, dynamic: false, substitutions: [], raw });
        commandEnd = i;
        wordStart = -1;
      }
      if (!operator) continue;
      // An operator ends the command before it, which must exist.
      if (words.length === 0) return undefined;
      const next = i + 1 < length ? text.charCodeAt(i + 1) : 0;
      if (code === SEMICOLON) {
        if (next === SEMICOLON || next === AMPERSAND) return undefined;
        pending = ";";
      } else if (code === AMPERSAND) {
        if (next !== AMPERSAND) return undefined;
        pending = "&&";
        i++;
      } else if (next === PIPE) {
        pending = "||";
        pipes += 2;
        i++;
      } else {
        if (next === AMPERSAND) return undefined;
        pending = "|";
        pipes++;
      }
      if (commands.length === SIMPLE_MAX_COMMANDS) return undefined;
      const command: SimpleCommand = {
        words,
        assignments: [],
        redirects: [],
        stdinText: undefined,
        text: text.slice(commandStart, commandEnd),
        cwd,
      };
      if (words[0]!.value === "cd") cwd = nextCwd(cwd, words[1]);
      commands.push(command);
      stages.push(command);
      // tree-sitter-bash reads `a | b | c && d` as `a | ((b | c) && d)`; leave that to it.
      if ((pending === "&&" || pending === "||") && stages.length >= 3) return undefined;
      if (pending !== "|") {
        registerPipeline(stages, pipelines);
        stages = [];
      }
      words = [];
      continue;
    }
    if (code >= 128 || (PLAIN[code]! & (words.length === 0 ? PLAIN_FIRST : PLAIN_LATER)) === 0) return undefined;
    if (wordStart === -1) {
      if (words.length === 0) {
        // A command name starting with `-` or a digit can change how tree-sitter-bash groups the
        // line (`a | 0 | b && c` nests the list inside the pipeline).
        if (code === DASH || (code >= DIGIT_0 && code <= DIGIT_9)) return undefined;
        commandStart = i;
        pending = undefined;
      }
      wordStart = i;
    }
  }
  if (pipes > limits.maxPipes) return undefined;
  if (words.length === 0) {
    // Nothing at all, or a dangling operator; a single trailing `;` ends the last command.
    if (commands.length === 0 || pending !== ";") return undefined;
  } else {
    if (commands.length === SIMPLE_MAX_COMMANDS) return undefined;
    const command: SimpleCommand = {
      words,
      assignments: [],
      redirects: [],
      stdinText: undefined,
      text: text.slice(commandStart, commandEnd),
      cwd,
    };
    commands.push(command);
    stages.push(command);
  }
  registerPipeline(stages, pipelines);
  return { commands, pipelines, functions: [], bareRedirects: [], assignments: [], hasError: false, truncated: false };
}

/** As build.ts does for a `pipeline` node: two or more stages make a pipeline. */
function registerPipeline(stages: SimpleCommand[], pipelines: Pipeline[]): void {
  if (stages.length < 2) return;
  const pipeline: Pipeline = { stages: stages.map((command) => [command]) };
  stages.forEach((command, index) => {
    command.pipeline = pipeline;
    command.stage = index;
  });
  pipelines.push(pipeline);
}
