/**
 * The bash parser: tree-sitter-bash compiled to WebAssembly, loaded once per process. Parsing is
 * bounded three ways: input bytes, number of pipes (pipelines parse superlinearly: 2,000 stages
 * take ~60 ms) and wall time (a progress callback cancels the parse). A refused or cancelled
 * parse returns a reason instead of a tree; the caller fails closed. The tree is handed back as
 * plain objects (syntax.ts) and the wasm tree is freed before `parse` returns.
 */
import { createRequire } from "node:module";
import { Language, Parser, type Tree } from "web-tree-sitter";
import { PluginLoadError } from "@talon/sdk";
import { readSyntaxTree, syntaxTables, type SyntaxNode } from "./syntax.ts";

/** Limits of one parse. */
export interface ParseLimits {
  /** Largest command parsed (UTF-8 bytes). */
  readonly maxBytes: number;
  /** Most `|` characters in a command before it is refused as too complex. */
  readonly maxPipes: number;
  /** Wall-time limit of one parse (ms). */
  readonly maxParseMs: number;
}

/** A parsed command (its tree, and whether the parser met a syntax error), or why it could not be parsed. */
export type ParseResult =
  | { readonly ok: true; readonly root: SyntaxNode; readonly hasError: boolean }
  | { readonly ok: false; readonly reason: string };

/** A loaded parser. `parse` is synchronous. */
export interface ShellParser {
  parse(text: string, limits: ParseLimits): ParseResult;
}

let loading: Promise<ShellParser> | undefined;

// Parsing is synchronous, so one deadline and one callback serve every parse (no closure per call).
let parseDeadline = 0;
// Returning true from the progress callback cancels the parse (web-tree-sitter 0.25).
const PARSE_OPTIONS = { progressCallback: cancelAfterDeadline as unknown as () => void };

function cancelAfterDeadline(): boolean {
  return performance.now() > parseDeadline;
}

function countPipes(text: string, limit: number): number {
  let count = 0;
  for (let index = text.indexOf("|"); index !== -1 && count <= limit; index = text.indexOf("|", index + 1)) count++;
  return count;
}

async function load(): Promise<ShellParser> {
  const require = createRequire(import.meta.url);
  let grammar: string;
  try {
    grammar = require.resolve("tree-sitter-bash/tree-sitter-bash.wasm");
  } catch (error) {
    throw new PluginLoadError("TALON_PLUGIN_IMPORT", "tree-sitter-bash.wasm is missing; reinstall Talon's dependencies (npm ci)", {
      cause: error,
      plugin: "defender-command",
    });
  }
  await Parser.init();
  const language = await Language.load(grammar);
  const parser = new Parser();
  parser.setLanguage(language);
  const tables = syntaxTables(language);
  return {
    parse(text, limits) {
      const bytes = Buffer.byteLength(text, "utf8");
      if (bytes > limits.maxBytes) return { ok: false, reason: `command is ${bytes} bytes, over the ${limits.maxBytes}-byte parse limit` };
      const pipes = countPipes(text, limits.maxPipes);
      if (pipes > limits.maxPipes) return { ok: false, reason: `command has more than ${limits.maxPipes} pipes` };
      parseDeadline = performance.now() + limits.maxParseMs;
      let tree: Tree | null;
      try {
        tree = parser.parse(text, null, PARSE_OPTIONS);
      } catch (error) {
        parser.reset();
        return { ok: false, reason: `the shell parser failed: ${(error as Error).message}` };
      }
      if (!tree) {
        // A cancelled parse is kept to be resumed by the next call, whatever text that call brings: drop it.
        parser.reset();
        return { ok: false, reason: `parsing took longer than ${limits.maxParseMs} ms` };
      }
      try {
        return { ok: true, root: readSyntaxTree(tree, text, tables), hasError: tree.rootNode.hasError };
      } catch (error) {
        return { ok: false, reason: `the shell parser failed: ${(error as Error).message}` };
      } finally {
        tree.delete();
      }
    },
  };
}

/** The process-wide parser, loaded on first use. */
export function loadShellParser(): Promise<ShellParser> {
  loading ??= load().catch((error) => {
    loading = undefined;
    throw error;
  });
  return loading;
}
