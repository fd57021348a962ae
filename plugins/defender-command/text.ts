/**
 * Code inside text (prompts, messages, tool results): fenced shell blocks (```bash, sh, shell,
 * console, zsh, terminal …), inline `$ command` lines, fenced code of interpreters (python, js,
 * ruby, perl, php, powershell …) and interpreter calls anywhere in the text that run a command
 * (`os.system("…")`, `subprocess.run([...])`, `child_process.exec('…')`). The snippets go
 * through the same command model as a command field. Bounded: only the first `maxScan`
 * characters are searched, at most `maxBlocks` snippets and `maxBytes` characters are analysed.
 */

/** Limits of the search for code in one text. */
export interface TextCodeLimits {
  /** Most snippets analysed per text. */
  readonly maxBlocks: number;
  /** Most characters of code analysed per text, all snippets together. */
  readonly maxBytes: number;
  /** Most characters of a text searched for code. */
  readonly maxScan: number;
}

/** A piece of code found in text. */
export interface Snippet {
  /** `shell`: a script for the shell parser; otherwise the language of interpreter code. */
  readonly language: string;
  readonly code: string;
  /** Where it was found, for reasons. */
  readonly where: "fence" | "prompt line" | "call";
}

const SHELL_FENCES =
  /^(?:bash|sh|shell|zsh|ksh|fish|console|terminal|shell-session|sh-session|shellsession|cmd|command|command-line|commandline|session)$/i;
const CODE_FENCES: Readonly<Record<string, string>> = {
  python: "python",
  py: "python",
  python3: "python",
  javascript: "node",
  js: "node",
  node: "node",
  typescript: "node",
  ts: "node",
  ruby: "ruby",
  rb: "ruby",
  perl: "perl",
  pl: "perl",
  php: "php",
  powershell: "pwsh",
  ps1: "pwsh",
  pwsh: "pwsh",
  lua: "lua",
  awk: "awk",
  tcl: "tclsh",
};

// ``` or ~~~ fences, with an optional info string; the body ends at the matching fence or the end of the text.
const FENCE = /(^|\n)[ \t]{0,3}(`{3,}|~{3,})[ \t]*([\w+.#-]*)[^\n]*\n([\s\S]*?)(?:\n[ \t]{0,3}\2[ \t]*(?=\n|$)|$)/g;
// A shell prompt line outside fences: `$ curl … | sh`, `# rm -rf /` is not one (a heading or comment).
const PROMPT_LINE = /(?:^|\n)[ \t]*(?:[\w.-]+@[\w.-]+(?::[~\w/.-]*)?)?\$[ \t]+([^\n]{2,2000})/g;
// Interpreter calls that run a command, with their argument.
const CALL =
  /\b(?:os\.(?:system|popen|exec[lv]p?e?)|subprocess\.(?:run|call|Popen|check_output|check_call|getoutput)|child_process\.(?:exec|execSync|spawn|spawnSync|execFile)|(?:require\(\s*['"]child_process['"]\)\s*\.\s*)(?:exec|execSync|spawn|spawnSync)|\bshell_exec|\bpassthru|Runtime\.getRuntime\(\)\.exec|\bexecSync|\bIO\.popen|\bKernel\.system)\s*\(\s*([\s\S]{1,2000}?)\)/g;
const HINT = /```|~~~|\$ |system\s*\(|subprocess|child_process|exec(?:Sync)?\s*\(|popen|shell_exec|passthru|Runtime\.getRuntime/;

/** Strip prompts and output from a console transcript: keep the commands after `$ ` or `# `. */
function consoleCommands(body: string): string {
  const lines = body.split("\n");
  if (!lines.some((line) => /^\s*(?:[\w.-]+@[\w.-]+[^$#]*)?[$#]\s/.test(line))) return body;
  return lines
    .map((line) => /^\s*(?:[\w.-]+@[\w.-]+[^$#]*)?[$#]\s+(.*)$/.exec(line)?.[1])
    .filter((line): line is string => line !== undefined)
    .join("\n");
}

/** A call's first argument as a shell command: a string literal, or a list of string literals. */
function callCommand(argument: string): string | undefined {
  const list = /^\s*\[\s*((?:(['"])[^'"\n]*\2\s*,?\s*){1,40})\]/.exec(argument);
  if (list) {
    const items = [...list[1]!.matchAll(/(['"])([^'"\n]*)\1/g)].map((item) => item[2]!);
    return items.map((item) => (/[\s;&|]/.test(item) ? `'${item.replace(/'/g, "'\\''")}'` : item)).join(" ");
  }
  const string = /^\s*(?:f|r|b)?(['"`])((?:(?!\1)[^\\\n]|\\.){1,2000})\1/.exec(argument);
  return string ? string[2]!.replace(/\\(["'\\])/g, "$1") : undefined;
}

/** Find the code in a text. */
export function findCode(text: string, limits: TextCodeLimits): Snippet[] {
  const scanned = text.length > limits.maxScan ? text.slice(0, limits.maxScan) : text;
  if (!HINT.test(scanned)) return [];
  const out: Snippet[] = [];
  let budget = limits.maxBytes;
  const add = (snippet: Snippet) => {
    if (out.length >= limits.maxBlocks || budget <= 0 || snippet.code.trim() === "") return;
    const code = snippet.code.length > budget ? snippet.code.slice(0, budget) : snippet.code;
    budget -= code.length;
    out.push({ ...snippet, code });
  };
  let outside = "";
  let last = 0;
  for (const match of scanned.matchAll(FENCE)) {
    outside += scanned.slice(last, match.index);
    last = match.index + match[0].length;
    const info = match[3]!.toLowerCase();
    const body = match[4]!;
    if (SHELL_FENCES.test(info)) add({ language: "shell", code: consoleCommands(body), where: "fence" });
    else if (Object.hasOwn(CODE_FENCES, info)) add({ language: CODE_FENCES[info]!, code: body, where: "fence" });
    else if (info === "" && /^\s*(?:[\w.-]+@[\w.-]+[^$#\n]*)?\$\s/m.test(body))
      add({ language: "shell", code: consoleCommands(body), where: "fence" });
    else outside += body.includes("system") || body.includes("exec") || body.includes("popen") ? body : "";
    if (out.length >= limits.maxBlocks) return out;
  }
  outside += scanned.slice(last);
  for (const match of outside.matchAll(PROMPT_LINE)) add({ language: "shell", code: match[1]!, where: "prompt line" });
  for (const match of outside.matchAll(CALL)) {
    const command = callCommand(match[1]!);
    if (command) add({ language: "shell", code: command, where: "call" });
  }
  return out;
}
