/**
 * Code run inline by an interpreter (`python3 -c`, `node -e`, `perl -e`, `ruby -e`, `php -r`)
 * and shell fork bombs. Shell commands inside the code (`os.system('…')`, `execSync('…')`,
 * `subprocess.run(['rm', '-rf', '/'])`) are handed back to the analyser as nested scripts.
 */
import { display, inlineCode, type Invocation } from "../commands.ts";
import type { FunctionDef } from "../ir.ts";
import { deleteImpact } from "../paths.ts";
import type { RuleContext } from "./context.ts";

const RUNS_COMMANDS =
  /\bos\.(?:system|popen|exec[lv]p?e?|spawn\w*)\s*\(|\bsubprocess\.\w+\s*\(|\bpty\.spawn\s*\(|\bcommands\.getoutput\s*\(|child_process|\bexecSync\s*\(|\bspawnSync\s*\(|\bexecFileSync\s*\(|\bsystem\s*\(|\bexec\s*[("']|\bshell_exec\s*\(|\bpassthru\s*\(|\bproc_open\s*\(|\bpopen\s*\(|\bIO\.popen|\bKernel\.exec|\bOpen3\.|`[^`]+`|\bqx[{(\/]|%x[({]/;
const DECODES =
  /\bb64decode\s*\(|\bbase64\.\w*decode|\batob\s*\(|Buffer\.from\s*\([^)]*['"](?:base64|hex)['"]|\bbytes\.fromhex\s*\(|\bcodecs\.decode\s*\(|\bunpack\s*\(|\bpack\s*\(\s*["']H\*|decode_base64|Base64\.decode/;
const EVALUATES = /\bexec\s*\(|\beval\s*\(|\bsystem\s*\(|\bpopen\s*\(|subprocess|child_process|\bspawn\w*\s*\(|Function\s*\(/;
const SOCKETS =
  /\bsocket\s*\.|\bsocket\s*\(|\bTCPSocket\b|\bfsockopen\s*\(|\bnet\.(?:Socket|connect|createConnection)\b|IO::Socket|\bSocket\s*\(/;
const SHELL_HANDOFF = /subprocess|\bpty\b|dup2|\bexec\w*\s*[("]|\bspawn|\/bin\/(?:ba)?sh|\bsystem\s*\(|reopen|proc_open|popen/;
const FORK_LOOP =
  /\bfork\s+while\s+fork\b|while\s*[(:]?\s*(?:true|True|1)\s*\)?\s*[:{]?[^;\n]{0,60}?\bfork\s*\(|\bos\.fork\s*\(\s*\)[^\n]{0,80}\bwhile\b|\bwhile\b[^\n]{0,60}\bos\.fork\s*\(/;
const COMMAND_STRING =
  /\b(?:system|popen|exec(?:Sync)?|spawn(?:Sync)?|run|call|check_output|check_call|getoutput|getstatusoutput|shell_exec|passthru|Popen)\s*\(\s*(?:f|r|b)?(['"])((?:(?!\1)[^\\\n]|\\.){1,2000})\1/g;
const COMMAND_LIST =
  /\b(?:run|call|check_output|check_call|Popen|spawnSync|spawn|execFileSync)\s*\(\s*\[\s*((?:['"][^'"\n]{0,200}['"]\s*,?\s*){1,40})\]/g;
const LITERAL_B64 = /\bb64decode\s*\(\s*b?(['"])([A-Za-z0-9+/=_-]{8,4000})\1\s*\)|\batob\s*\(\s*(['"])([A-Za-z0-9+/=_-]{8,4000})\3\s*\)/g;
const LITERAL_HEX =
  /\bpack\s*\(\s*["']H\*["']\s*,\s*(['"])([0-9a-fA-F]{4,4000})\1\s*\)|\bbytes\.fromhex\s*\(\s*(['"])([0-9a-fA-F]{4,4000})\3\s*\)/g;
const DELETE_CALL =
  /\b(?:shutil\.rmtree|rmSync|rmdirSync|rm_rf|rm_r|FileUtils\.rm_rf|rimraf(?:\.sync)?|remove_dir_all)\s*\(\s*(['"])([^'"\n]{1,300})\1|\bshutil\.rmtree\s*\(\s*os\.path\.expanduser\s*\(\s*['"]~['"]\s*\)/g;

/** Inline interpreter code: commands it runs, decoded payloads it executes, sockets it hands a shell to, forks and deletes. */
export function inlineCodeRules(invocation: Invocation, ctx: RuleContext): void {
  const code = inlineCode(invocation);
  if (!code || code.dynamic) return;
  analyzeCode(code.value, invocation.name, invocation.command.text, ctx);
}

/** Analyse a piece of interpreter code (also used for heredocs fed to an interpreter). */
export function analyzeCode(text: string, language: string, segment: string, ctx: RuleContext): void {
  if (DECODES.test(text) && EVALUATES.test(text))
    ctx.hit("decode_exec", "block", `${language} code decodes a payload and executes it`, segment);
  if (SOCKETS.test(text) && SHELL_HANDOFF.test(text))
    ctx.hit("reverse_shell", "block", `${language} code connects a socket and hands it a shell`, segment);
  if (FORK_LOOP.test(text)) ctx.hit("fork_bomb", "block", `${language} code forks in an endless loop`, segment);
  for (const match of text.matchAll(DELETE_CALL)) {
    const path = match[2] ?? "~";
    if (deleteImpact(path) === "critical") ctx.hit("destructive_delete", "block", `${language} code deletes ${path} recursively`, segment);
  }
  if (!RUNS_COMMANDS.test(text)) return;
  ctx.hit("inline_code_exec", "review", `${language} code runs shell commands`, segment);
  for (const match of text.matchAll(COMMAND_STRING)) ctx.nested(match[2]!.replace(/\\(["'\\])/g, "$1"), `${language} code`);
  for (const match of text.matchAll(COMMAND_LIST)) {
    const items = [...match[1]!.matchAll(/['"]([^'"\n]*)['"]/g)].map((item) => item[1]!);
    ctx.nested(items.map((item) => (/[\s;&|]/.test(item) ? `'${item.replace(/'/g, "'\\''")}'` : item)).join(" "), `${language} code`);
  }
  for (const match of text.matchAll(LITERAL_B64))
    ctx.nested(Buffer.from(match[2] ?? match[4]!, "base64").toString("utf8"), `${language} base64-decoded`);
  for (const match of text.matchAll(LITERAL_HEX))
    ctx.nested(Buffer.from(match[2] ?? match[4]!, "hex").toString("utf8"), `${language} hex-decoded`);
}

/** `:(){ :|:& };:` and friends: a function that pipes into or backgrounds calls of itself. */
export function forkBombRules(
  functions: readonly FunctionDef[],
  ctx: RuleContext,
  invocationOf: (command: FunctionDef["commands"][number]) => Invocation | undefined,
): void {
  for (const definition of functions) {
    const calls = definition.commands.filter((command) => invocationOf(command)?.name === definition.name.toLowerCase());
    const piped = calls.some((command) => command.pipeline !== undefined);
    if (calls.length > 0 && (piped || definition.background)) {
      ctx.hit(
        "fork_bomb",
        "block",
        `function ${definition.name} calls itself ${piped ? "through a pipe" : "in the background"}: ${display(calls[0]!.words)}`,
        definition.text,
      );
    }
  }
}
