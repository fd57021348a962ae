/**
 * Walk a tree-sitter-bash syntax tree into the command model (ir.ts). Variables assigned in the
 * script (`x=rm; $x -rf /`), `for` loop values and `cd` targets are tracked so later words
 * resolve; everything the walk cannot know stays marked dynamic. The walk is bounded by a node
 * budget shared with nested substitutions.
 */
import type { FunctionDef, Pipeline, Redirect, Script, SimpleCommand, VarEnv, Word } from "./ir.ts";
import { child, literal, MAX_NESTING, resolveWord, type Env, type Walk } from "./resolve.ts";
import type { SyntaxNode as Node } from "./syntax.ts";

import { nextCwd } from "./resolve.ts";

export { nextCwd };

const SUBSTITUTION_TYPES: ReadonlySet<string> = new Set(["command_substitution", "process_substitution"]);
const REDIRECT_TYPES = new Set(["file_redirect", "heredoc_redirect", "herestring_redirect"]);
const STATEMENT_TYPES = new Set([
  "command",
  "pipeline",
  "list",
  "redirected_statement",
  "subshell",
  "compound_statement",
  "if_statement",
  "while_statement",
  "for_statement",
  "c_style_for_statement",
  "case_statement",
  "function_definition",
  "variable_assignment",
  "variable_assignments",
  "declaration_command",
  "unset_command",
  "negated_command",
  "test_command",
  "do_group",
  "else_clause",
  "elif_clause",
  "case_item",
  "ERROR",
]);

function children(node: Node): readonly Node[] {
  return node.children;
}

/** The script inside `$(…)`, backticks or `<(…)`; its commands also join the outer script. */
function buildNested(node: Node, env: Env, walk: Walk): Script {
  const nested: Script = {
    commands: [],
    pipelines: [],
    functions: [],
    bareRedirects: [],
    assignments: [],
    hasError: false,
    truncated: false,
  };
  const inner: Walk = { script: nested, nodes: walk.nodes, maxNodes: walk.maxNodes, depth: walk.depth, nested: buildNested };
  const innerEnv = child(env);
  for (const child of children(node)) {
    if (!child.isNamed) continue;
    // `$(< file)` reads the file.
    if (child.type === "file_redirect") {
      const { redirect } = redirectOf(child, innerEnv, inner);
      if (redirect) nested.bareRedirects.push(redirect);
    } else visit(child, innerEnv, inner, []);
  }
  walk.nodes = inner.nodes;
  const outer = walk.script;
  outer.commands.push(...nested.commands);
  outer.pipelines.push(...nested.pipelines);
  outer.functions.push(...nested.functions);
  outer.bareRedirects.push(...nested.bareRedirects);
  if (nested.truncated) outer.truncated = true;
  return nested;
}

function redirectOf(node: Node, env: Env, walk: Walk): { redirect?: Redirect; stdinText?: string; continuation?: Node } {
  const parts = children(node);
  if (node.type === "heredoc_redirect") {
    const body = parts.find((child) => child.type === "heredoc_body");
    const continuation = parts.find((child) => STATEMENT_TYPES.has(child.type) && child.type !== "ERROR");
    return { redirect: { op: "<<" }, stdinText: body?.text ?? "", continuation };
  }
  if (node.type === "herestring_redirect") {
    const target = parts.find((child) => child.isNamed);
    const word = target ? resolveWord(target, env, walk) : undefined;
    return { redirect: { op: "<<<", target: word }, stdinText: word?.value };
  }
  const op = parts.find((child) => !child.isNamed)?.type ?? ">";
  // The target follows the operator (tree-sitter may attach a trailing `0` of `0>&1` as well).
  const target = parts.find((child) => child.isNamed && child.type !== "file_descriptor" && child.type !== "ERROR");
  if (target) return { redirect: { op, target: resolveWord(target, env, walk) } };
  // `5<>/dev/tcp/…` can leave the target in an error node: read it from the text after the operator.
  const text = node.text;
  const after = text
    .slice(text.indexOf(op) + op.length)
    .trim()
    .split(/\s/)[0];
  return { redirect: { op, target: after ? literal(after, after) : undefined } };
}

function buildCommand(
  node: Node,
  env: Env,
  walk: Walk,
  extraRedirects: Redirect[] = [],
  stdinText?: string,
  redirectStart = -1,
): SimpleCommand {
  const words: Word[] = [];
  const assignments: [string, Word][] = [];
  const redirects: Redirect[] = [...extraRedirects];
  let stdin = stdinText;
  let lastWordEnd = -1;
  for (const child of children(node)) {
    if (child.type === "variable_assignment") {
      const name = child.namedChildren[0]?.text ?? "";
      const value = child.namedChildren[1];
      assignments.push([name, value ? resolveWord(value, env, walk) : literal("", "")]);
    } else if (child.type === "command_name") {
      const inner = child.namedChildren[0];
      if (inner) words.push(resolveWord(inner, env, walk));
    } else if (REDIRECT_TYPES.has(child.type)) {
      // `sh 0<&1`: tree-sitter-bash may read the descriptor as a word of its own; it belongs to the redirect.
      if (lastWordEnd === child.startIndex && /^\d+$/.test(words[words.length - 1]?.raw ?? "")) words.pop();
      const { redirect, stdinText: text } = redirectOf(child, env, walk);
      if (redirect) redirects.push(redirect);
      if (text !== undefined) stdin = text;
    } else if (child.isNamed && child.type !== "comment") {
      words.push(resolveWord(child, env, walk));
      lastWordEnd = child.endIndex;
    }
  }
  if (redirectStart !== -1 && lastWordEnd === redirectStart && /^\d+$/.test(words[words.length - 1]?.raw ?? "")) words.pop();
  return { words, assignments, redirects, stdinText: stdin, text: node.text, cwd: env.cwd };
}

function assign(env: Env, walk: Walk, name: string, value: Word): void {
  env.vars.set(name, value.dynamic ? null : (value.alternatives ?? [value.value]));
  if (value.dynamic && value.tainted) env.taint.set(name, value.tainted);
  else env.taint.delete(name);
  walk.script.assignments.push([name, value]);
}

/** Visit a statement; simple commands found are pushed to `out` (the current pipeline stage) and the script. */
function visit(node: Node, env: Env, walk: Walk, out: SimpleCommand[]): void {
  if (++walk.nodes > walk.maxNodes || walk.depth > MAX_NESTING) {
    walk.script.truncated = true;
    return;
  }
  walk.depth++;
  try {
    visitInner(node, env, walk, out);
  } finally {
    walk.depth--;
  }
}

function visitInner(node: Node, env: Env, walk: Walk, out: SimpleCommand[]): void {
  const script = walk.script;
  switch (node.type) {
    case "command": {
      const command = buildCommand(node, env, walk);
      script.commands.push(command);
      out.push(command);
      if (command.words[0]?.value === "cd") env.cwd = nextCwd(env.cwd, command.words[1]);
      return;
    }
    case "variable_assignment": {
      const name = node.namedChildren[0]?.text ?? "";
      const value = node.namedChildren[1];
      assign(env, walk, name, value ? resolveWord(value, env, walk) : literal("", ""));
      return;
    }
    case "declaration_command":
    case "unset_command": {
      const words: Word[] = [literal(children(node)[0]?.text ?? "", "")];
      for (const child of node.namedChildren) {
        if (!child) continue;
        if (child.type === "variable_assignment") {
          const name = child.namedChildren[0]?.text ?? "";
          const valueNode = child.namedChildren[1];
          const value = valueNode ? resolveWord(valueNode, env, walk) : literal("", "");
          assign(env, walk, name, value);
          words.push({ ...value, value: `${name}=${value.value}`, raw: child.text });
        } else words.push(resolveWord(child, env, walk));
      }
      const command: SimpleCommand = { words, assignments: [], redirects: [], text: node.text, cwd: env.cwd };
      script.commands.push(command);
      out.push(command);
      return;
    }
    case "pipeline": {
      const stages: SimpleCommand[][] = [];
      for (const child of children(node)) {
        if (!child.isNamed) continue;
        const stage: SimpleCommand[] = [];
        visit(child, env, walk, stage);
        stages.push(stage);
      }
      registerPipeline(script, stages, out);
      return;
    }
    case "redirected_statement": {
      const parts = children(node);
      const body = parts.find((child) => child.isNamed && !REDIRECT_TYPES.has(child.type));
      const redirects: Redirect[] = [];
      let stdinText: string | undefined;
      let continuation: Node | undefined;
      for (const child of parts) {
        if (!REDIRECT_TYPES.has(child.type)) continue;
        const found = redirectOf(child, env, walk);
        if (found.redirect) redirects.push(found.redirect);
        if (found.stdinText !== undefined) stdinText = found.stdinText;
        continuation ??= found.continuation;
      }
      if (!body) {
        script.bareRedirects.push(...redirects);
        return;
      }
      const local: SimpleCommand[] = [];
      if (body.type === "command") {
        const firstRedirect = parts.find((child) => REDIRECT_TYPES.has(child.type));
        const command = buildCommand(body, env, walk, redirects, stdinText, firstRedirect?.startIndex ?? -1);
        script.commands.push(command);
        local.push(command);
      } else {
        visit(body, env, walk, local);
        for (const command of local) (command.redirects as Redirect[]).push(...redirects);
      }
      if (!continuation) {
        out.push(...local);
        return;
      }
      // `cat <<EOF | sh`: tree-sitter nests the rest of the pipeline inside the heredoc redirect.
      const rest: SimpleCommand[] = [];
      visit(continuation, env, walk, rest);
      const tail = rest[0]?.pipeline?.stages ?? [rest];
      registerPipeline(script, [local, ...tail], out);
      return;
    }
    case "for_statement": {
      const parts = children(node);
      const variable = parts.find((child) => child.type === "variable_name")?.text;
      const body = parts.find((child) => child.type === "do_group");
      const values = parts
        .filter((child) => child.isNamed && child !== body && child.type !== "variable_name")
        .map((child) => resolveWord(child, env, walk));
      const inner = child(env);
      if (variable)
        inner.vars.set(variable, values.some((value) => value.dynamic) || values.length === 0 ? null : values.map((value) => value.value));
      if (body) visit(body, inner, walk, out);
      return;
    }
    case "function_definition": {
      const parts = children(node);
      const name = parts.find((child) => child.type === "word" || child.type === "identifier")?.text ?? "";
      const body = parts.find((child) => child.type === "compound_statement" || child.type === "subshell" || child.type === "if_statement");
      const commands: SimpleCommand[] = [];
      if (body) visit(body, child(env), walk, commands);
      const background = /(?<![&>|])&(?![&>])/.test(body?.text ?? "");
      const definition: FunctionDef = { name, commands, background, text: node.text };
      script.functions.push(definition);
      return;
    }
    case "subshell": {
      const inner = child(env);
      for (const child of children(node)) if (child.isNamed) visit(child, inner, walk, out);
      return;
    }
    case "comment":
    case "heredoc_body":
      return;
    default: {
      for (const child of children(node)) {
        if (!child.isNamed) continue;
        if (STATEMENT_TYPES.has(child.type) || child.type === "program") visit(child, env, walk, out);
        // Words outside commands (test conditions, case subjects) may still hide substitutions.
        else if (child.hasDescendantOfType(SUBSTITUTION_TYPES)) resolveWord(child, env, walk);
      }
    }
  }
}

function registerPipeline(script: Script, stages: SimpleCommand[][], out: SimpleCommand[]): void {
  const nonEmpty = stages.filter((stage) => stage.length > 0);
  if (nonEmpty.length >= 2) {
    const pipeline: Pipeline = { stages: nonEmpty };
    nonEmpty.forEach((stage, index) => {
      for (const command of stage) {
        command.pipeline = pipeline;
        command.stage = index;
      }
    });
    script.pipelines.push(pipeline);
  }
  for (const stage of nonEmpty) out.push(...stage);
}

/** Build the command model of a parsed script; `inherited` are variables of the script that runs it (`bash -c '…'`). */
export function buildScript(parsed: { readonly root: Node; readonly hasError: boolean }, maxNodes: number, inherited?: VarEnv): Script {
  const root = parsed.root;
  const script: Script = {
    commands: [],
    pipelines: [],
    functions: [],
    bareRedirects: [],
    assignments: [],
    hasError: parsed.hasError,
    truncated: false,
  };
  const walk: Walk = { script, nodes: 0, maxNodes, depth: 0, nested: buildNested };
  const env: Env = { vars: new Map(inherited?.vars), taint: new Map(inherited?.taint), cwd: undefined };
  visit(root, env, walk, []);
  // Only a script that assigned something carries variables (simple.ts builds the others exactly alike).
  if (env.vars.size > 0 || env.taint.size > 0) script.env = { vars: env.vars, taint: env.taint };
  if (root.text.includes("\n")) script.source = root.text;
  return script;
}
