/**
 * Judge a command: parse it (bounded; plain words joined by `|`, `&&`, `||` or `;` need no
 * parser, see simple.ts), build the model (variables, substitutions, decoded values resolved
 * statically), classify every simple command by its effects (run.ts, effects/*), follow what a
 * command hands to another shell or program (`sh -c`, `eval`, `su -c`, heredocs, decoded
 * payloads, crontab lines, interpreter code) recursively up to a depth and a count limit, and
 * judge the combinations across the whole action (judge.ts). A parse that fails or is refused
 * never means "safe": it adds a review hit and a tokeniser reads the text instead.
 */
import type { CompiledPattern } from "@talon/sdk";
import { buildScript } from "./build.ts";
import type { Fact, FactKind, Hit, NestedOptions, NestedResult, RuleContext, RuleId, Severity } from "./effects/context.ts";
import { FALLBACK_MAX_CHARS, fallbackScript, fallbackTailScripts } from "./fallback.ts";
import type { Script, SimpleCommand, VarEnv, Word } from "./ir.ts";
import { judgeCode } from "./effects/exec.ts";
import { judgeFacts } from "./judge.ts";
import type { ParseLimits, ParseResult, ShellParser } from "./parser.ts";
import { runScript } from "./run.ts";
import { simpleScript } from "./simple.ts";
import { SyntaxNode } from "./syntax.ts";
import { expandBraceWords } from "./words.ts";
import { display } from "./wrappers.ts";

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

/** Stands for the parse a simple command (simple.ts) did not need. */
const SIMPLE: ParseResult = { ok: true, root: new SyntaxNode("program", true, 0, 0, ""), hasError: false };

/** Most hits kept per command, and per rule (one finding per rule: a thousand repeats of one rule must not crowd out another). */
const MAX_HITS = 256;
const MAX_HITS_PER_RULE = 8;
/** Most facts kept per command. */
const MAX_FACTS = 64;
/** Most characters of nested text analysed per command, all nested scripts together. */
const MAX_NESTED_CHARS = 262144;

const NOT_INTERACTIVE: NestedResult = { interactiveShell: false };

interface State {
  readonly parser: ShellParser;
  readonly settings: AnalyzerSettings;
  readonly hits: Hit[];
  /** Hits kept so far per rule. */
  readonly perRule: Map<RuleId, number>;
  readonly facts: Fact[];
  /** Top-level scripts, for the allow list's segments (read only when asked for). */
  readonly topLevel: Script[];
  nested: number;
  nestedChars: number;
}

/** What the analyser found: every hit in order, and the top-level commands' words. */
export interface Analysis {
  readonly hits: readonly Hit[];
  readonly segments: readonly (readonly string[])[];
}

/** The top-level commands as word lists, built on first use (only the allow list needs them). */
class Result implements Analysis {
  readonly hits: readonly Hit[];
  readonly #scripts: readonly Script[];
  #segments: string[][] | undefined;

  constructor(hits: readonly Hit[], scripts: readonly Script[]) {
    this.hits = hits;
    this.#scripts = scripts;
  }

  get segments(): readonly (readonly string[])[] {
    this.#segments ??= this.#scripts.flatMap((script) => script.commands.map((command) => command.words.map((word) => word.value)));
    return this.#segments;
  }
}

/** Analyse `text`. */
export function analyzeCommand(parser: ShellParser, text: string, settings: AnalyzerSettings): Analysis {
  const state: State = { parser, settings, hits: [], perRule: new Map(), facts: [], topLevel: [], nested: 0, nestedChars: 0 };
  analyzeText(text, 0, "", state, false, undefined);
  if (state.facts.length > 1) for (const hit of judgeFacts(state.facts)) if (state.hits.length < MAX_HITS) state.hits.push(hit);
  return new Result(state.hits, state.topLevel);
}

/** Analyse interpreter code found in text (a python or js block): the same code model as `python -c`. */
export function analyzeCode(parser: ShellParser, code: string, language: string, settings: AnalyzerSettings): Analysis {
  const state: State = { parser, settings, hits: [], perRule: new Map(), facts: [], topLevel: [], nested: 0, nestedChars: 0 };
  const ctx = new Context(state, 0, `${language} code`, false, undefined);
  judgeCode(code, { program: language, language, inline: true, segment: code.slice(0, 200), privileged: false }, ctx);
  for (const hit of judgeFacts(state.facts)) if (state.hits.length < MAX_HITS) state.hits.push(hit);
  return { hits: state.hits, segments: [] };
}

/**
 * What the classifiers report to, for one (possibly nested) script. A class rather than an
 * object of closures: a command is analysed with at least one of these, often several, and
 * methods cost no allocation per instance.
 */
class Context implements RuleContext {
  private readonly state: State;
  private readonly depth: number;
  private readonly via: string;
  private readonly suffix: string;
  readonly privileged: boolean;
  env: VarEnv | undefined;
  /** A nested script this one handed on opened an interactive shell. */
  interactive = false;

  constructor(state: State, depth: number, via: string, privileged: boolean, env: VarEnv | undefined) {
    this.state = state;
    this.depth = depth;
    this.via = via;
    this.suffix = via ? ` (in ${via})` : "";
    this.privileged = privileged;
    this.env = env;
  }

  hit(rule: RuleId, severity: Severity, reason: string, segment: string): void {
    // Bounded: a command with ten thousand `rm -rf /` needs one finding, not ten thousand.
    const hits = this.state.hits;
    const kept = this.state.perRule.get(rule) ?? 0;
    if (kept >= MAX_HITS_PER_RULE) return;
    this.state.perRule.set(rule, kept + 1);
    if (hits.length < MAX_HITS)
      hits.push({ rule, severity, reason: reason + this.suffix, segment: segment.length > 300 ? segment.slice(0, 300) : segment });
  }

  fact(kind: FactKind, detail: string, segment: string): void {
    const facts = this.state.facts;
    if (facts.length < MAX_FACTS) facts.push({ kind, detail, segment: segment.length > 200 ? segment.slice(0, 200) : segment });
  }

  nested(text: string, inner: string, options?: NestedOptions): NestedResult {
    const result = analyzeText(
      text,
      this.depth + 1,
      this.via ? `${this.via} → ${inner}` : inner,
      this.state,
      options?.privileged ?? this.privileged,
      this.env,
    );
    if (result.interactiveShell) this.interactive = true;
    return result;
  }

  argv(words: readonly Word[], inner: string, cwd?: string, options?: NestedOptions): NestedResult {
    const result = analyzeCommandWords(
      words,
      cwd,
      this.depth,
      this.via ? `${this.via} → ${inner}` : inner,
      this.state,
      options?.privileged ?? this.privileged,
      this.env,
    );
    if (result.interactiveShell) this.interactive = true;
    return result;
  }

  knownInstaller(url: string): boolean {
    return this.state.settings.knownInstallers.some(
      (prefix) => startsAtBoundary(url, prefix) || startsAtBoundary(url.replace(/^https?:\/\//, ""), prefix.replace(/^https?:\/\//, "")),
    );
  }
}

/** `url` starts with `prefix` and the match ends at a URL boundary (`https://sh.rustup.rs.evil.example` is not `https://sh.rustup.rs`). */
function startsAtBoundary(url: string, prefix: string): boolean {
  if (!url.startsWith(prefix)) return false;
  return prefix.endsWith("/") || url.length === prefix.length || /^[/?#]/.test(url.slice(prefix.length));
}

function analyzeText(text: string, depth: number, via: string, state: State, privileged: boolean, env: VarEnv | undefined): NestedResult {
  const ctx = new Context(state, depth, via, privileged, env);
  if (text.trim() === "") return NOT_INTERACTIVE;
  if (
    depth > state.settings.maxDepth ||
    state.nested > state.settings.maxNested ||
    (depth > 0 && state.nestedChars + text.length > MAX_NESTED_CHARS)
  ) {
    ctx.hit(
      "analysis_limit",
      "review",
      `nested scripts beyond ${state.settings.maxDepth} levels, ${state.settings.maxNested} scripts or ${MAX_NESTED_CHARS} characters were not analysed`,
      text.slice(0, 200),
    );
    return NOT_INTERACTIVE;
  }
  if (depth > 0) {
    state.nested++;
    state.nestedChars += text.length;
  }
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
    if (depth === 0) state.topLevel.push(fallback);
    for (const tail of fallbackTailScripts(source)) runScript(tail, ctx);
    return runScript(fallback, ctx);
  }
  try {
    const script = simple ?? buildScript(parsed, state.settings.maxNodes, env);
    ctx.env = script.env ?? env;
    if (depth === 0) state.topLevel.push(script);
    if (script.truncated)
      ctx.hit(
        "analysis_limit",
        "review",
        `the command has more than ${state.settings.maxNodes} syntax nodes; the rest was not analysed`,
        source.slice(0, 200),
      );
    const result = runScript(script, ctx);
    if (script.hasError) {
      ctx.hit("parse_error", "review", "the command is not valid shell syntax; it was read as far as possible", source.slice(0, 200));
      runScript(fallbackScript(source), ctx);
    }
    return result;
  } catch (error) {
    // Never let an analyser bug turn into "no findings": say so and read the text the simple way.
    ctx.hit(
      "analysis_limit",
      "review",
      `the command could not be analysed (${(error as Error).message}); read with a simpler tokeniser instead`,
      source.slice(0, 200),
    );
    return runScript(fallbackScript(source), ctx);
  }
}

/** An argv run by another command (`find -exec`, `xargs`, `docker run IMAGE CMD`): judged as a command of its own. */
function analyzeCommandWords(
  words: readonly Word[],
  cwd: string | undefined,
  depth: number,
  via: string,
  state: State,
  privileged: boolean,
  env: VarEnv | undefined,
): NestedResult {
  if (words.length === 0 || depth >= state.settings.maxDepth + 1) return NOT_INTERACTIVE;
  const command: SimpleCommand = { words, assignments: [], redirects: [], text: display(words), cwd };
  const script: Script = {
    commands: [command],
    pipelines: [],
    functions: [],
    bareRedirects: [],
    assignments: [],
    hasError: false,
    truncated: false,
    env,
  };
  return runScript(script, new Context(state, depth, via, privileged, env));
}
