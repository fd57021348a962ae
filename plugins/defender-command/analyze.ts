/**
 * Judge a command: parse it (bounded; plain words joined by `|`, `&&`, `||` or `;` need no
 * parser, see simple.ts), build the model, run every rule on every simple command and across
 * pipelines, and follow what the command hands to another interpreter (`sh -c`, `eval`, `su -c`,
 * `ssh host …`, `watch`, heredocs and piped text fed to a shell, decoded payloads, crontab lines,
 * interpreter code) recursively up to a depth limit. A parse that fails or is refused never
 * means "safe": it adds a review hit and a tokeniser reads the text instead.
 */
import type { CompiledPattern } from "@talon/sdk";
import {
  SHELLS,
  INTERPRETERS,
  commandName,
  display,
  invocationOf,
  positionals,
  readsProgramFromStdin,
  shellScriptArg,
  type Invocation,
} from "./commands.ts";
import { buildScript } from "./build.ts";
import { FALLBACK_MAX_CHARS, fallbackScript } from "./fallback.ts";
import type { Script, SimpleCommand, Word } from "./ir.ts";
import type { ParseLimits, ParseResult, ShellParser } from "./parser.ts";
import { SyntaxNode } from "./syntax.ts";
import { analyzeCode, forkBombRules, inlineCodeRules } from "./rules/code.ts";
import type { Hit, RuleContext, RuleId, Severity } from "./rules/context.ts";
import { blockDeviceRedirect, destructiveRules } from "./rules/destructive.ts";
import { exfilRules } from "./rules/exfil.ts";
import { remoteRules } from "./rules/remote.ts";
import { redirectRules, systemRules } from "./rules/system.ts";
import { simpleScript } from "./simple.ts";
import { expandBraceWords } from "./words.ts";

/** Limits and tables the analyser needs. */
export interface AnalyzerSettings extends ParseLimits {
  /** Most nested levels followed (`sh -c "eval '…'"` is two). */
  readonly maxDepth: number;
  /** Most nested scripts analysed per command. */
  readonly maxNested: number;
  /** Most syntax nodes walked per script. */
  readonly maxNodes: number;
  /** URL prefixes of well-known installers. */
  readonly knownInstallers: readonly string[];
  /** Patterns that block a command when they match its text (seed `blocked_command_patterns` the rules do not already cover, plus extras). */
  readonly patterns: readonly CompiledPattern[];
}

/** Well-known names whose variables commonly hold a command (`$EDITOR file`). */
const COMMAND_VARIABLES =
  /^\$\{?(?:EDITOR|VISUAL|PAGER|SHELL|CC|CXX|CPP|LD|AR|MAKE|PYTHON|NODE|NPM|GIT|BROWSER|DOCKER|KUBECTL|TERM|JAVA|GO|CARGO|RUSTC|1|0|@|\*)\}?$/;
const LOOKUPS = new Set([
  "which",
  "command",
  "type",
  "realpath",
  "readlink",
  "dirname",
  "basename",
  "pwd",
  "whereis",
  "brew",
  "npm",
  "go",
  "python",
  "python3",
  "rustc",
  "xcrun",
]);

/** Stands for the parse a simple command (simple.ts) did not need. */
const SIMPLE: ParseResult = { ok: true, root: new SyntaxNode("program", true, 0, 0, ""), hasError: false };

/** Most hits kept per command. */
const MAX_HITS = 256;

interface State {
  readonly parser: ShellParser;
  readonly settings: AnalyzerSettings;
  readonly hits: Hit[];
  /** Top-level simple commands as word lists (for the allow list). */
  readonly segments: string[][];
  nested: number;
}

/** What the analyser found: every hit in order, and the top-level commands' words. */
export interface Analysis {
  readonly hits: readonly Hit[];
  readonly segments: readonly (readonly string[])[];
}

/** Analyse `text`. */
export function analyzeCommand(parser: ShellParser, text: string, settings: AnalyzerSettings): Analysis {
  const state: State = { parser, settings, hits: [], segments: [], nested: 0 };
  analyzeText(text, 0, "", state);
  return { hits: state.hits, segments: state.segments };
}

/**
 * What the rules report to, for one (possibly nested) script. A class rather than an object of
 * closures: a command is analysed with at least one of these, often several, and methods cost no
 * allocation per instance.
 */
class Context implements RuleContext {
  readonly #state: State;
  readonly #depth: number;
  readonly #via: string;
  readonly #suffix: string;

  constructor(state: State, depth: number, via: string) {
    this.#state = state;
    this.#depth = depth;
    this.#via = via;
    this.#suffix = via ? ` (in ${via})` : "";
  }

  hit(rule: RuleId, severity: Severity, reason: string, segment: string): void {
    // Bounded: a command with ten thousand `rm -rf /` needs one finding, not ten thousand.
    const hits = this.#state.hits;
    if (hits.length < MAX_HITS)
      hits.push({ rule, severity, reason: reason + this.#suffix, segment: segment.length > 300 ? segment.slice(0, 300) : segment });
  }

  nested(text: string, inner: string): void {
    analyzeText(text, this.#depth + 1, this.#via ? `${this.#via} → ${inner}` : inner, this.#state);
  }

  argv(words: readonly Word[], inner: string, cwd?: string): void {
    analyzeCommandWords(words, cwd, this.#depth, this.#via ? `${this.#via} → ${inner}` : inner, this.#state);
  }

  knownInstaller(url: string): boolean {
    return this.#state.settings.knownInstallers.some(
      (prefix) => startsAtBoundary(url, prefix) || startsAtBoundary(url.replace(/^https?:\/\//, ""), prefix.replace(/^https?:\/\//, "")),
    );
  }
}

/** `url` starts with `prefix` and the match ends at a URL boundary (`https://sh.rustup.rs.evil.example` is not `https://sh.rustup.rs`). */
function startsAtBoundary(url: string, prefix: string): boolean {
  if (!url.startsWith(prefix)) return false;
  return prefix.endsWith("/") || url.length === prefix.length || /^[/?#]/.test(url.slice(prefix.length));
}

function analyzeText(text: string, depth: number, via: string, state: State): void {
  const ctx = new Context(state, depth, via);
  if (text.trim() === "") return;
  if (depth > state.settings.maxDepth || state.nested > state.settings.maxNested) {
    ctx.hit(
      "analysis_limit",
      "review",
      `nested scripts beyond ${state.settings.maxDepth} levels or ${state.settings.maxNested} scripts were not analysed`,
      text.slice(0, 200),
    );
    return;
  }
  if (depth > 0) state.nested++;
  for (const pattern of state.settings.patterns) {
    if (pattern.regex.test(text))
      ctx.hit("blocked_command_pattern", "block", `command matched blocked pattern \`${pattern.source}\``, text);
  }
  const expanded = expandBraceWords(text);
  if (expanded) ctx.hit("obfuscated_command", "review", "brace expansion builds the command words", text);
  const source = expanded ?? text;
  // Plain words joined by `|`, `&&`, `||` or `;`, the commonest commands, need no parser (simple.ts).
  const simple = simpleScript(source, state.settings);
  const parsed: ParseResult = simple === undefined ? state.parser.parse(source, state.settings) : SIMPLE;
  if (!parsed.ok) {
    ctx.hit("analysis_limit", "review", `${parsed.reason}; read with a simpler tokeniser instead`, source.slice(0, 200));
    if (source.length > FALLBACK_MAX_CHARS)
      ctx.hit(
        "analysis_limit",
        "review",
        `the command has ${source.length} characters; only the first and last ${FALLBACK_MAX_CHARS} in all were read`,
        source.slice(0, 200),
      );
    const fallback = fallbackScript(source);
    if (depth === 0) state.segments.push(...fallback.commands.map((command) => command.words.map((word) => word.value)));
    runRules(fallback, ctx);
    return;
  }
  try {
    const script = simple ?? buildScript(parsed, state.settings.maxNodes);
    if (depth === 0) state.segments.push(...script.commands.map((command) => command.words.map((word) => word.value)));
    if (script.truncated)
      ctx.hit(
        "analysis_limit",
        "review",
        `the command has more than ${state.settings.maxNodes} syntax nodes; the rest was not analysed`,
        source.slice(0, 200),
      );
    runRules(script, ctx);
    if (script.hasError) {
      ctx.hit("parse_error", "review", "the command is not valid shell syntax; it was read as far as possible", source.slice(0, 200));
      runRules(fallbackScript(source), ctx);
    }
  } catch (error) {
    // Never let an analyser bug turn into "no findings": say so and read the text the simple way.
    ctx.hit(
      "analysis_limit",
      "review",
      `the command could not be analysed (${(error as Error).message}); read with a simpler tokeniser instead`,
      source.slice(0, 200),
    );
    runRules(fallbackScript(source), ctx);
  }
}

/** An argv run by another command (`find -exec`, `docker run IMAGE CMD`): judged as a command of its own. */
function analyzeCommandWords(words: readonly Word[], cwd: string | undefined, depth: number, via: string, state: State): void {
  if (words.length === 0 || depth >= state.settings.maxDepth + 1) return;
  const command: SimpleCommand = { words, assignments: [], redirects: [], text: display(words), cwd };
  const script: Script = {
    commands: [command],
    pipelines: [],
    functions: [],
    bareRedirects: [],
    assignments: [],
    hasError: false,
    truncated: false,
  };
  runRules(script, new Context(state, depth, via));
}

function runRules(script: Script, ctx: RuleContext): void {
  const cache = new Map<SimpleCommand, Invocation | undefined>();
  const invocation = (command: SimpleCommand) => {
    if (!cache.has(command)) cache.set(command, invocationOf(command));
    return cache.get(command);
  };
  for (const command of script.commands) {
    for (const redirect of command.redirects) {
      redirectRules(redirect, command, ctx);
      blockDeviceRedirect(redirect.target, redirect.op, command.text, ctx);
    }
    const found = invocation(command);
    if (!found) continue;
    obfuscation(found, ctx);
    destructiveRules(found, ctx);
    systemRules(found, ctx, pipedText(command, invocation));
    inlineCodeRules(found, ctx);
    handOffs(found, ctx);
  }
  for (const redirect of script.bareRedirects) {
    redirectRules(redirect, undefined, ctx);
    blockDeviceRedirect(redirect.target, redirect.op, `${redirect.op} ${redirect.target?.raw ?? ""}`, ctx);
  }
  remoteRules(script, invocation, ctx);
  exfilRules(script, invocation, ctx);
  forkBombRules(script.functions, ctx, invocation);
}

/** Literal text the previous pipeline stage writes (echo/printf), for crontab and similar sinks. */
function pipedText(command: SimpleCommand, invocation: (command: SimpleCommand) => Invocation | undefined): string | undefined {
  const { pipeline, stage } = command;
  if (!pipeline || !stage) return undefined;
  const texts: string[] = [];
  for (const producer of pipeline.stages[stage - 1]!) {
    const found = invocation(producer);
    if (found && (found.name === "echo" || found.name === "printf") && !found.args.some((arg) => arg.dynamic))
      texts.push(
        found.args
          .filter((arg) => !/^-[neE]+$/.test(arg.value))
          .map((arg) => arg.value)
          .join(" "),
      );
  }
  return texts.length > 0 ? texts.join("\n") : undefined;
}

/** Scripts one command hands to another interpreter. */
function handOffs(invocation: Invocation, ctx: RuleContext): void {
  const { name, args, command } = invocation;
  const script = shellScriptArg(invocation);
  if (script && !script.dynamic) ctx.nested(script.value, `${name} -c`);
  if (name === "eval") {
    const dynamic = args.filter((arg) => arg.dynamic);
    if (dynamic.length === 0) ctx.nested(args.map((arg) => arg.value).join(" "), "eval");
    else if (dynamic.some((arg) => arg.substitutions.length === 0))
      ctx.hit("obfuscated_command", "review", `eval runs text only known at run time (${display(args)})`, command.text);
  }
  if (name === "su") {
    const index = args.findIndex((arg) => arg.value === "-c" || arg.value === "--command");
    const body = index === -1 ? undefined : args[index + 1];
    if (body && !body.dynamic) ctx.nested(body.value, "su -c");
  }
  if (name === "ssh") {
    const items = positionals(args.filter((arg, i) => !/^-[bcDEeFIiJLlmOopQRSWw]$/.test(args[i - 1]?.value ?? "")));
    const remote = items.slice(1);
    if (remote.length > 0 && !remote.some((arg) => arg.dynamic))
      ctx.nested(remote.map((arg) => arg.value).join(" "), `ssh ${items[0]!.value}`);
  }
  if (name === "watch") {
    const items = args.filter((arg, i) => !/^-/.test(arg.value) && !/^(?:-n|--interval|-d|--differences)$/.test(args[i - 1]?.value ?? ""));
    if (items.length > 0 && !items.some((arg) => arg.dynamic)) ctx.nested(items.map((arg) => arg.value).join(" "), "watch");
  }
  if ((name === "script" || name === "flock") && args.some((arg) => arg.value === "-c")) {
    const body = args[args.findIndex((arg) => arg.value === "-c") + 1];
    if (body && !body.dynamic) ctx.nested(body.value, `${name} -c`);
  }
  // A heredoc or herestring feeding a shell or an interpreter's stdin is its program.
  if (command.stdinText !== undefined && readsProgramFromStdin(invocation)) {
    if (SHELLS.has(name) || name === "source" || name === ".") ctx.nested(command.stdinText, `${name} stdin`);
    else if (INTERPRETERS[name]) analyzeCode(command.stdinText, name, command.text, ctx);
  }
}

function obfuscation(invocation: Invocation, ctx: RuleContext): void {
  const word = invocation.nameWord;
  const segment = invocation.command.text;
  if (word.escaped)
    ctx.hit("obfuscated_command", "review", `the command name ${word.raw} is written with escapes (${word.value})`, segment);
  else if (word.dynamic) {
    const lookup = word.substitutions.some((script) => LOOKUPS.has(commandName(script.commands[0]?.words[0])));
    if (!lookup && !COMMAND_VARIABLES.test(word.value))
      ctx.hit("obfuscated_command", "review", `the command name ${word.raw} is only known at run time`, segment);
  } else if (/[$`]/.test(word.raw))
    ctx.hit(
      "obfuscated_command",
      "review",
      `the command name ${word.raw} is built from variables or substitutions (${word.value})`,
      segment,
    );
  else if (word.raw !== word.value && /^[A-Za-z0-9_.-]+$/.test(word.value) && /[A-Za-z0-9]['"\\][A-Za-z0-9'"]/.test(word.raw)) {
    ctx.hit("obfuscated_command", "review", `the command name ${word.raw} is split by quotes or backslashes (${word.value})`, segment);
  }
}
