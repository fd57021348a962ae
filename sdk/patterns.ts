/**
 * Seed-style regex patterns from config (`security.prompt_injection_patterns`,
 * `security.blocked_command_patterns`, plugin `extraPatterns`): translate Rust `regex` syntax to
 * JavaScript and refuse patterns that can backtrack catastrophically.
 *
 * The seed's patterns start with an inline flag group such as `(?i)`; JavaScript has no leading
 * inline flags, so the group is stripped and turned into a RegExp flag (seed-defender §0.4). The
 * pattern text as configured is kept for reason strings.
 */
import { ConfigError } from "./errors.ts";

/** A compiled config pattern: the text as configured and the RegExp that implements it. */
export interface CompiledPattern {
  /** The pattern exactly as written in config (used in reasons). */
  readonly source: string;
  readonly regex: RegExp;
}

const INLINE_FLAGS = /^\(\?([a-zA-Z]+)\)/;
const JS_FLAG: Readonly<Record<string, string>> = { i: "i", m: "m", s: "s" };

/**
 * Why a pattern could backtrack catastrophically in a backtracking engine, or `undefined` when
 * it cannot. Rejects a group repeated without bound that itself contains an unbounded repetition
 * (`(a+)+`, `(\\w*\\s?)*`) and backreferences: the constructs that make JavaScript's engine
 * exponential where the seed's Rust engine was linear.
 */
export function unsafePatternReason(source: string): string | undefined {
  const UNBOUNDED = /^(?:[*+]|\{\d+,\})/;
  // One frame per open group: does the group contain an unbounded repetition (at any depth)?
  const stack: boolean[] = [false];
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    let groupInner: boolean | undefined;
    if (ch === "\\") {
      const next = source[i + 1] ?? "";
      if (/[1-9]/.test(next)) return "backreferences (\\1 ...) are not supported";
      if (next === "k" && source[i + 2] === "<") return "named backreferences (\\k<name>) are not supported";
      i++;
    } else if (ch === "[") {
      // Skip the class; an escaped ']' does not close it.
      for (i++; i < source.length && source[i] !== "]"; i++) if (source[i] === "\\") i++;
    } else if (ch === "(") {
      stack.push(false);
      continue;
    } else if (ch === ")" && stack.length > 1) {
      groupInner = stack.pop()!;
    } else if (ch === "{") {
      const close = source.indexOf("}", i);
      if (close > i && /^\{\d*,?\d*\}$/.test(source.slice(i, close + 1))) i = close;
      continue;
    } else if ("*+?|^$".includes(ch)) {
      continue;
    }
    // `source[i]` ends an atom (a character, escape, class or group): is it repeated without bound?
    const unbounded = UNBOUNDED.test(source.slice(i + 1));
    if (groupInner && unbounded) return `nested quantifier at offset ${i + 1}: a repeated group contains an unbounded repetition`;
    if (unbounded || groupInner) stack[stack.length - 1] = true;
  }
  return undefined;
}

/**
 * Compile one config pattern. Throws a `ConfigError` (TALON_CONFIG_INVALID) naming `keyPath`
 * when the pattern does not compile or could backtrack catastrophically.
 *
 * @example compileSeedPattern("(?i)ignore\\s+all", "security.prompt_injection_patterns[0]").regex // /ignore\s+all/i
 */
export function compileSeedPattern(source: string, keyPath: string, extraFlags = ""): CompiledPattern {
  let body = source;
  const flags = new Set(extraFlags.split("").filter(Boolean));
  const inline = INLINE_FLAGS.exec(body);
  if (inline) {
    for (const flag of inline[1]!) {
      const js = JS_FLAG[flag];
      if (!js) {
        throw new ConfigError(
          "TALON_CONFIG_INVALID",
          `${keyPath}: inline flag (?${flag}) of pattern ${JSON.stringify(source)} has no JavaScript equivalent; remove it`,
          {
            details: { path: keyPath },
          },
        );
      }
      flags.add(js);
    }
    body = body.slice(inline[0].length);
  }
  // Rust spells named groups (?P<name>...); JavaScript spells them (?<name>...).
  body = body.replace(/\(\?P</g, "(?<");
  const unsafe = unsafePatternReason(body);
  if (unsafe) {
    throw new ConfigError(
      "TALON_CONFIG_INVALID",
      `${keyPath}: pattern ${JSON.stringify(source)} is refused: ${unsafe}; rewrite it without nested repetition`,
      {
        details: { path: keyPath },
      },
    );
  }
  try {
    return { source, regex: new RegExp(body, [...flags].sort().join("")) };
  } catch (error) {
    throw new ConfigError(
      "TALON_CONFIG_INVALID",
      `${keyPath}: pattern ${JSON.stringify(source)} does not compile: ${(error as Error).message}`,
      {
        cause: error,
        details: { path: keyPath },
      },
    );
  }
}

/** Compile a list of config patterns; the key path of each names its index. */
export function compileSeedPatterns(sources: readonly string[], keyPath: string, extraFlags = ""): CompiledPattern[] {
  return sources.map((source, index) => compileSeedPattern(source, `${keyPath}[${index}]`, extraFlags));
}
