/**
 * Static resolution of shell words for build.ts: quotes removed, escapes and `$'…'` decoded,
 * known variables substituted (every value of a `for` variable kept as alternatives), `$(…)`
 * given its value when every stage is known (`$(echo rm)`, `$(echo cm0= | base64 -d)`,
 * `$(mktemp)`), and values decoded or fetched at run time marked as tainted.
 */
import type { Script, Taint, VarEnv, Word } from "./ir.ts";
import { can } from "./programs.ts";
import { isDecoder, stagesOutput } from "./static.ts";
import type { SyntaxNode as Node } from "./syntax.ts";
import { decodeEscapes, unescapeDoubleQuoted, unescapeWord } from "./words.ts";
import { invocationOf } from "./wrappers.ts";

/** Variables and working directory while walking a script. */
export interface Env extends VarEnv {
  cwd: string | undefined;
}

/** A copy for a subshell, loop body or substitution. */
export function child(env: Env): Env {
  return { vars: new Map(env.vars), taint: new Map(env.taint), cwd: env.cwd };
}

/** The walk's bounds and the script being built. */
export interface Walk {
  readonly script: Script;
  nodes: number;
  readonly maxNodes: number;
  /** Current nesting of statements and words; bounded so deep `$($($(…)))` cannot overflow the stack. */
  depth: number;
  /** Builds the script of a `$(…)`, backticks or `<(…)` node (build.ts). */
  readonly nested: (node: Node, env: Env, walk: Walk) => Script;
}

/** Deepest nesting walked (statements inside substitutions inside words …). */
export const MAX_NESTING = 48;

/** A literal word. */
export function literal(value: string, raw: string): Word {
  return { value, dynamic: false, substitutions: [], raw };
}

/** `cd` target resolved against the known working directory. */
export function nextCwd(current: string | undefined, target: Word | undefined): string | undefined {
  if (!target) return "~";
  if (target.dynamic || target.value === "-") return undefined;
  const value = target.value;
  if (value.startsWith("/") || value === "~" || value.startsWith("~/")) return value;
  return current === undefined ? undefined : `${current.replace(/\/$/, "")}/${value}`;
}

function lookup(name: string, env: Env, raw: string): Word {
  if (name === "HOME") return literal("~", raw);
  if (name === "PWD" && env.cwd !== undefined) return literal(env.cwd, raw);
  const known = env.vars.get(name);
  if (known && known.length > 0)
    return { value: known[0]!, dynamic: false, alternatives: known.length > 1 ? known : undefined, substitutions: [], raw };
  return { value: `$${name}`, dynamic: true, substitutions: [], raw, tainted: env.taint.get(name) };
}

/**
 * The value of `$(…)` when every stage is known (`$(echo rm)`, `$(printf '\162\155')`,
 * `$(echo cm0= | base64 -d)`, `$(mktemp)`); otherwise whether it decodes or fetches data.
 */
function substitutionValue(script: Script): { value?: string; escaped?: boolean; taint?: Taint } {
  const stages =
    script.commands.length === 1 && script.pipelines.length === 0
      ? [[script.commands[0]!]]
      : script.pipelines.length === 1 && script.pipelines[0]!.stages.flat().length === script.commands.length
        ? script.pipelines[0]!.stages
        : undefined;
  const output = stages ? stagesOutput(stages) : undefined;
  if (output) return { value: output.text.replace(/\n+$/, ""), escaped: output.decoded };
  let taint: Taint | undefined;
  for (const command of script.commands) {
    const invocation = invocationOf(command);
    if (!invocation) continue;
    if (isDecoder(invocation)) taint = "decoded";
    else if (!taint && (can(invocation.name, "download") || can(invocation.name, "raw"))) taint = "fetched";
  }
  return { taint };
}

function join(parts: Word[], raw: string): Word {
  const substitutions = parts.flatMap((part) => part.substitutions);
  const dynamic = parts.some((part) => part.dynamic);
  const escaped = parts.some((part) => part.escaped);
  const tainted = parts.find((part) => part.tainted)?.tainted;
  const single = parts.length === 1 ? parts[0] : undefined;
  return {
    value: parts.map((part) => part.value).join(""),
    dynamic,
    alternatives: single?.alternatives,
    substitutions,
    process: single?.process,
    escaped: escaped || undefined,
    tainted,
    raw,
  };
}

/** Resolve one word node. */
export function resolveWord(node: Node, env: Env, walk: Walk): Word {
  walk.nodes++;
  const raw = node.text;
  if (walk.depth > MAX_NESTING) {
    walk.script.truncated = true;
    return { value: raw, dynamic: true, substitutions: [], raw };
  }
  walk.depth++;
  try {
    return resolveWordInner(node, env, walk, raw);
  } finally {
    walk.depth--;
  }
}

function resolveWordInner(node: Node, env: Env, walk: Walk, raw: string): Word {
  switch (node.type) {
    case "word":
      return literal(unescapeWord(raw), raw);
    case "number":
      return literal(raw, raw);
    case "raw_string":
      return literal(raw.slice(1, -1), raw);
    case "ansi_c_string": {
      const decoded = decodeEscapes(raw.slice(2, -1));
      return { value: decoded.text, dynamic: false, substitutions: [], escaped: decoded.escaped || undefined, raw };
    }
    case "string":
    case "translated_string":
    case "concatenation": {
      const parts: Word[] = [];
      for (const child of node.children) {
        if (child.type === '"' || child.type === "$") continue;
        if (child.type === "string_content") parts.push(literal(unescapeDoubleQuoted(child.text), child.text));
        else parts.push(resolveWord(child, env, walk));
      }
      return join(parts, raw);
    }
    case "simple_expansion": {
      const name = node.namedChildren.find((child) => child?.type === "variable_name" || child?.type === "special_variable_name");
      return lookup(name?.text ?? raw.slice(1), env, raw);
    }
    case "expansion": {
      const named = node.namedChildren.filter((child): child is Node => child !== null);
      const name = named[0]?.type === "variable_name" ? named[0].text : undefined;
      if (name && named.length === 1) return lookup(name, env, raw);
      // ${X:-default}: when X is unknown the default is a possible value.
      const known = name ? lookup(name, env, raw) : undefined;
      const fallback = named.slice(1).find((child) => child.type === "word" || child.type === "string" || child.type === "raw_string");
      if (known && !known.dynamic) return known;
      return {
        value: raw,
        dynamic: true,
        alternatives: fallback ? [resolveWord(fallback, env, walk).value] : undefined,
        substitutions: [],
        raw,
      };
    }
    case "command_substitution":
    case "process_substitution": {
      const nested = walk.nested(node, env, walk);
      if (node.type === "process_substitution") return { value: "/dev/fd/63", dynamic: true, substitutions: [nested], process: true, raw };
      const known = substitutionValue(nested);
      return known.value !== undefined
        ? { value: known.value, dynamic: false, substitutions: [nested], escaped: known.escaped || undefined, raw }
        : { value: raw, dynamic: true, substitutions: [nested], tainted: known.taint, raw };
    }
    case "arithmetic_expansion":
      return { value: raw, dynamic: true, substitutions: [], raw };
    default:
      return literal(raw, raw);
  }
}
