/**
 * Runs code: what a command hands to a shell or an interpreter, followed as nested scripts
 * (`sh -c`, `eval`, `ssh host …`, `watch`, `script -c`, heredocs and herestrings), code run by
 * interpreters (code.ts), commands hidden in other programs' arguments and hooks
 * (`--checkpoint-action=exec=/bin/sh`, `-I '/bin/sh …'`, `PAGER=… man`, `sed 1e`), and
 * libraries loaded into a process. A shell opened interactively from inside a program that is
 * not a shell (an awk `system("/bin/sh")`, vim's `:!sh`, a pager's `!/bin/sh`, `find -exec
 * /bin/sh`) is a shell escape: reviewed, blocked when the program runs as another user. A shell
 * wired to a socket or a listener in the same code is a reverse or bind shell (blocked).
 */
import { readCode, looksLikeCode } from "../code.ts";
import type { VarEnv, Word } from "../ir.ts";
import { deleteImpact } from "../paths.ts";
import { CAP, capabilitiesOf } from "../programs.ts";
import { classifyPath, sensitiveIn } from "../sensitive.ts";
import { inlineCodes, isInterpreter, isShell, isShellText, shellScriptArg } from "../shells.ts";
import { display, isOption, positionals, type Invocation } from "../wrappers.ts";
import type { RuleContext } from "./context.ts";

/** How code reached the program that runs it. */
export interface CodeSource {
  /** The program running the code. */
  readonly program: string;
  readonly language?: string;
  /** Typed into an interactive program or given as its command option (`!cmd` escapes count). */
  readonly typed?: boolean;
  /** Inline interpreter code (`python -c`): running commands from it is reviewed. */
  readonly inline?: boolean;
  /** Data the program reads (a playbook, package.json, a config file): a shell path in it means it runs a shell. */
  readonly data?: boolean;
  readonly segment: string;
  readonly privileged: boolean;
  /** Variables set for this command only (`S=/x node -e …`, `env S=/x python -c …`). */
  readonly vars?: readonly (readonly [string, string])[];
}

// A shell path anywhere in text handed to a program (data files, hooks), or a bare shell name
// as the whole text (`sh #`, `exec sh 1>&0`).
const SHELL_IN_TEXT =
  /\/bin\/(?:ba|da|z|k|c|tc|fi|a|mk|ya|po|r)?sh\b(?![.-])|^(?:exec\s+)?(?:ba|da|z|k|c|tc|a|mk|ya)?sh(?:\s*$|\s+[-#<>0-9]|;)/;
const BARE_SHELL_PATH = /^(?:\S*\/)?(?:ba|da|z|k|c|tc|fi|a|mk|ya|po|r)?sh$/;

/** Does the code name this variable (`$NAME`, `os.getenv("NAME")`, `process.env.NAME`, `$ENV{NAME}`, `$E:NAME`)? */
function mentions(text: string, name: string): boolean {
  if (!text.includes(name)) return false;
  // A one-letter name only counts where the language reads a variable.
  const lead =
    name.length === 1 ? String.raw`(?:\$\{?|env\.|env\[["']|getenv\(["']|ENV[\[{]["']?|\$E:|\$env:)` : String.raw`(?:^|[^A-Za-z0-9_])`;
  return new RegExp(`${lead}${name}(?:$|[^A-Za-z0-9_])`).test(text);
}

/** Values of known variables whose names the code mentions; `local` are the command's own (`S=… node -e …`). */
function mentionedValues(text: string, env: VarEnv | undefined, local: readonly (readonly [string, string])[] = []): string[] {
  const out: string[] = [];
  for (const [name, value] of local) if (value !== "" && mentions(text, name)) out.push(value);
  if (!env || env.vars.size === 0) return out;
  let checked = 0;
  for (const [name, values] of env.vars) {
    if (++checked > 64) break;
    if (values && mentions(text, name)) out.push(...values.slice(0, 4));
  }
  return out;
}

/** Judge code run by a program. */
export function judgeCode(text: string, source: CodeSource, ctx: RuleContext): void {
  if (text.trim() === "" || (!source.typed && !source.data && !source.inline && !looksLikeCode(text))) return;
  const facts = readCode(text, { typed: source.typed, language: source.language });
  const { program, segment } = source;
  const privileged = source.privileged || facts.setuid;
  let interactive = false;
  for (const command of facts.commands) {
    if (isShellText(command)) interactive = true;
    else if (ctx.nested(command, `${program} code`, { privileged }).interactiveShell) interactive = true;
  }
  if (facts.shellPath && facts.commands.length === 0) interactive = true;
  if (source.typed && isShellText(text.split("\n")[0] ?? "")) interactive = true;
  if (source.data && SHELL_IN_TEXT.test(text)) interactive = true;
  const network = facts.socket || facts.http;
  const remoteShell = (interactive || facts.dynamicSpawn || (facts.redirectsStreams && facts.spawns)) && (facts.socket || facts.listens);
  if (remoteShell)
    ctx.hit(
      facts.listens ? "bind_shell" : "reverse_shell",
      "block",
      `${program} code ${facts.listens ? "listens and hands connections" : "connects out and hands"} a shell or the commands it receives`,
      segment,
    );
  else if (interactive) shellEscape(program, "code", privileged, segment, ctx);
  if (facts.setuid && !interactive) ctx.hit("privilege_escalation", "review", `${program} code sets its user id to root`, segment);
  else if (source.privileged && !interactive && (facts.readsFile || facts.writesFile))
    ctx.hit("privilege_escalation", "review", `${program} code opens files while running as another user`, segment);
  if (facts.decodeRun) ctx.hit("decode_exec", "block", `${program} code decodes a payload and runs it`, segment);
  if (facts.fetchRun) ctx.hit("remote_code_exec", "block", `${program} code fetches code over HTTP and runs it`, segment);
  if (facts.forkLoop) ctx.hit("fork_bomb", "block", `${program} code forks in an endless loop`, segment);
  for (const path of facts.deletes)
    if (deleteImpact(path) === "critical") ctx.hit("destructive_delete", "block", `${program} code deletes ${path} recursively`, segment);
  for (const payload of facts.payloads) ctx.nested(payload, `${program} decoded payload`, { privileged });
  if (facts.library) ctx.hit("library_load", "review", `${program} code loads a shared library`, segment);
  if (facts.listens && !remoteShell) ctx.hit("network_listener", "review", `${program} code listens for network connections`, segment);
  if (network) ctx.fact("network_send", `${program} code opens the network`, segment);
  if (network && facts.readsFile && !remoteShell)
    ctx.hit("sensitive_upload", "review", `${program} code reads a file and sends data over the network`, segment);
  const mentioned = mentionedValues(text, ctx.env, source.vars);
  const found = sensitiveIn(mentioned.length > 0 ? `${text}\n${mentioned.join("\n")}` : text);
  for (const item of found.slice(0, 8)) {
    if (item.cls === "secret" || (item.cls === "access" && item.strong && !facts.writesFile)) {
      ctx.hit("credential_read", "review", `${program} code reads ${item.path}`, segment);
      ctx.fact("secret_read", item.path, segment);
    } else if (item.cls === "access" && facts.writesFile) ctx.hit("system_tamper", "block", `${program} code writes ${item.path}`, segment);
    else if (item.cls === "access") ctx.hit("system_tamper", "review", `${program} code names ${item.path}`, segment);
    else if (item.cls === "persist" && facts.writesFile && !item.rc)
      ctx.hit("persistence", "review", `${program} code writes ${item.path}, which runs later`, segment);
  }
  if (source.inline && facts.spawns && !interactive) ctx.hit("inline_code_exec", "review", `${program} code runs shell commands`, segment);
}

/** A program opens an interactive shell from inside itself. */
export function shellEscape(program: string, how: string, privileged: boolean, segment: string, ctx: RuleContext): void {
  if (privileged)
    ctx.hit("privilege_escalation", "block", `${program} opens a shell through its ${how} while running as another user`, segment);
  else ctx.hit("shell_escape", "review", `${program} opens an interactive shell through its ${how}`, segment);
}

const NON_POSIX: ReadonlySet<string> = new Set(["elvish", "fish", "pwsh", "powershell", "nu", "xonsh", "rc", "csh", "tcsh"]);

/** Programs whose arguments never hide a command (data printers, file inspectors, account tools). */
function neverRunsArguments(name: string, caps: number): boolean {
  return (
    (caps & (CAP.inspect | CAP.account | CAP.remote | CAP.perm)) !== 0 ||
    /^(?:echo|printf|grep|egrep|fgrep|rg|ag|cat|test|\[|export|alias|declare|local|readonly|which|type|apropos|whatis|tee)$/.test(name)
  );
}

/**
 * A shell named in a program's arguments. As an option value or inside a longer argument
 * (`exec=/bin/sh`, `-I '/bin/sh -c …'`, `'sh #'`) the program runs it: a shell escape. As a plain
 * positional (`taskset 1 /bin/sh`, `aoss /bin/sh`) the program launches it: an interactive shell,
 * risky only as another user.
 */
function embeddedShells(invocation: Invocation, ctx: RuleContext): void {
  const { name, args, command } = invocation;
  const caps = capabilitiesOf(name);
  if (isShell(name) || neverRunsArguments(name, caps)) return;
  // An interpreter's inline code is read by the code model (inlineCodeOf), not as a hook.
  const code = inlineCodes(invocation);
  const privileged = invocation.privileged || ctx.privileged;
  for (let index = 0; index < args.length; index++) {
    if (code.includes(args[index]!)) continue;
    const word = args[index]!;
    if (word.dynamic && !word.alternatives) continue;
    const value = word.value;
    if (value.length < 2 || value.length > 4096 || !/sh\b/.test(value)) continue;
    if (/^[A-Z_]*SHELL=/.test(value)) continue;
    if (!SHELL_IN_TEXT.test(value) && !SHELL_IN_TEXT.test(value.slice(value.indexOf("=") + 1))) continue;
    const bare = BARE_SHELL_PATH.test(value) && (value.includes("/") || !/^(?:rc|ash|csh|ksh)$/.test(value));
    const optionValue = index > 0 && isOption(args[index - 1]) && !bare;
    if (bare && !isOption(word)) {
      if (privileged) ctx.hit("privilege_escalation", "review", `${name} launches ${value} as another user`, command.text);
      continue;
    }
    if (!optionValue && !isOption(word) && !/[=:'"{};#!|]|^\S+\s/.test(value)) continue;
    // A network tool running a shell in its arguments (`socket -p '/bin/sh -i' host port`) hands it to the peer.
    if (caps & (CAP.raw | CAP.listen | CAP.connect) && caps & (CAP.raw | CAP.listen))
      ctx.hit(
        invocation.values.some((value) => /^-\w*l\w*$|^--listen$/.test(value)) ? "bind_shell" : "reverse_shell",
        "block",
        `${name} runs a shell for its network peer (${display([word])})`,
        command.text,
      );
    else shellEscape(name, `arguments (${display([word])})`, privileged, command.text, ctx);
    const inner = value.includes("=") && !/^\//.test(value) ? value.slice(value.lastIndexOf("=") + 1) : value;
    if (/^[\s\S]*?(?:\/bin\/)?sh\b/.test(inner) && inner.length < 2000)
      ctx.nested(inner.replace(/^(?:exec=|[!|:]+)/, ""), `${name} argument`, { privileged });
    return;
  }
}

// Code-looking arguments: a call, an import, a socket, a process spawn, a shell path, or TeX that reads, writes or runs.
const CODE_ARGUMENT =
  /\b(?:socket|spawn|system|popen|exec|import|require|subprocess|execute|Runtime|ProcessBuilder|fsockopen|TCPSocket)\b|\/bin\/(?:ba)?sh\b|\\(?:verbatim)?input\{|\\open(?:in|out)\b|\\directlua\b|\\(?:immediate\\)?write18\b/;

/**
 * Code given as an argument to a program that runs it without an inline-code option the table
 * knows (`gimp -b 'import socket …'`, a plugin's `--eval`): read with the code model.
 */
function codeArguments(invocation: Invocation, ctx: RuleContext): void {
  const caps = capabilitiesOf(invocation.name);
  if (isShell(invocation.name) || neverRunsArguments(invocation.name, caps) || inlineCodes(invocation).length > 0) return;
  let read = 0;
  for (const arg of invocation.args) {
    const value = arg.value;
    if (value.length < 16 || value.length > 32768 || !CODE_ARGUMENT.test(value) || !/[(;{]/.test(value)) continue;
    judgeCode(
      value,
      {
        program: invocation.name,
        segment: invocation.command.text,
        privileged: invocation.privileged || ctx.privileged,
        vars: localVariables(invocation),
      },
      ctx,
    );
    if (++read >= 4) return;
  }
}

/** `sed '1e id'`, `sed -n 'e sh'`: sed's `e` command runs a shell command. */
function sedExec(invocation: Invocation, ctx: RuleContext): void {
  if (invocation.name !== "sed") return;
  const script = invocation.args.find((arg, i) => !isOption(arg) && (i === 0 || invocation.args[i - 1]!.value !== "-f"))?.value ?? "";
  const run = /(?:^|[;\s\d/$])e(?:\s+([^;\n]+)|$)/.exec(script);
  if (!run) return;
  const command = run[1]?.trim();
  const privileged = invocation.privileged || ctx.privileged;
  if (!command || isShellText(command)) shellEscape("sed", "e command", privileged, invocation.command.text, ctx);
  else {
    ctx.hit(
      privileged ? "privilege_escalation" : "shell_escape",
      "review",
      `sed runs \`${command}\` through its e command`,
      invocation.command.text,
    );
    ctx.nested(command, "sed e command", { privileged });
  }
}

/** Libraries loaded by option: `ssh-keygen -D lib.so`, `openssl … -engine ./x.so`, `ldconfig -f conf`, `ld.so --preload`. */
const LIBRARY_LOADERS: ReadonlySet<string> = new Set(["ssh-keygen", "openssl", "ldconfig", "ld.so", "enable", "insmod", "kmod"]);

function libraryLoads(invocation: Invocation, ctx: RuleContext): void {
  const { name } = invocation;
  if (!LIBRARY_LOADERS.has(name)) return;
  const values = invocation.values;
  const so = (value: string | undefined) => value !== undefined && /\.(?:so(?:\.\d+)*|dylib|dll)$/.test(value);
  const hit = (what: string) =>
    ctx.hit("library_load", invocation.privileged || ctx.privileged ? "block" : "review", what, invocation.command.text);
  if (name === "ssh-keygen" && values.some((value, i) => (value === "-D" || value === "-K") && so(values[i + 1])))
    hit("ssh-keygen -D loads a PKCS#11 library");
  if (
    name === "openssl" &&
    values.some((value, i) => /^-(?:engine|provider)$/.test(value) && (so(values[i + 1]) || /\//.test(values[i + 1] ?? "")))
  )
    hit("openssl loads an engine library");
  if (name === "ldconfig" && values.includes("-f")) hit("ldconfig reads a library search configuration from a file");
  if (name === "ld.so" && values.some((value) => /^--(?:preload|audit)$/.test(value))) hit("ld.so preloads a library");
  if (name === "enable" && values.some((value) => /^-\w*f$/.test(value))) hit("enable -f loads a shell builtin from a shared library");
  if ((name === "insmod" || name === "kmod") && values.some((value) => /\.ko(?:\.\w+)?$/.test(value)))
    hit(`${name} loads a kernel module from a file`);
}

/** Options of interactive programs that take commands to type at their prompt (`lftp -c`, `ftp -e`). */
const TYPED_OPTIONS = /^(?:-c|-e|-x|--eval|--execute|--command|-ex|-cmd)$/;

/** Commands an interactive program without a known inline-code option gets through `-c`/`-e`. */
function typedOptions(invocation: Invocation): Word[] {
  const out: Word[] = [];
  invocation.args.forEach((arg, index) => {
    const [flag, inline] = arg.value.split(/=(.*)/s, 2) as [string, string | undefined];
    if (!TYPED_OPTIONS.test(flag)) return;
    const value = inline !== undefined ? { ...arg, value: inline } : invocation.args[index + 1];
    if (value && !isOption(value)) out.push(value);
  });
  return out;
}

/** Interactive launch: an interactive program's shell escape options (`vi -c ':!sh'`, `gdb -ex '!sh'`, `mysql -e '\\! sh'`). */
function inlineCodeOf(invocation: Invocation, ctx: RuleContext): void {
  const caps = capabilitiesOf(invocation.name);
  const interactive = (caps & CAP.interactive) !== 0 && !isInterpreter(invocation.name);
  const codes = interactive && inlineCodes(invocation).length === 0 ? typedOptions(invocation) : inlineCodes(invocation);
  for (const code of codes) {
    // Code with run-time parts (`$(tty)`) is still read: only its shape matters here.
    if (code.value.trim() === "") continue;
    judgeCode(
      code.value,
      {
        program: invocation.name,
        language: invocation.name,
        typed: interactive || /^(?:vi|vim|rvim|view|rview|vimdiff|nvim|ex|gdb|lldb|mysql|psql|sqlite3|dc)$/.test(invocation.name),
        inline: !interactive,
        segment: invocation.command.text,
        privileged: invocation.privileged || ctx.privileged,
        vars: localVariables(invocation),
      },
      ctx,
    );
  }
}

/** Variables set for one command (`S=/x node -e …`, `env S=/x python -c …`). */
function localVariables(invocation: Invocation): [string, string][] {
  const out: [string, string][] = invocation.command.assignments.map(([name, value]) => [name, value.value]);
  for (const word of invocation.assigned) {
    const at = word.value.indexOf("=");
    out.push([word.value.slice(0, at), word.value.slice(at + 1)]);
  }
  return out;
}

/** Scripts and code one command hands on. */
export function execRules(invocation: Invocation, ctx: RuleContext): void {
  const { name, args, command } = invocation;
  const privileged = invocation.privileged || ctx.privileged;
  const script = shellScriptArg(invocation);
  if (script && !script.dynamic) ctx.nested(script.value, `${name} -c`, { privileged });
  // Shells whose syntax is not POSIX (`elvish -c 'echo (slurp <$E:F)'`): also read as code for what it names.
  if (script && NON_POSIX.has(name)) judgeCode(script.value, { program: name, typed: true, segment: command.text, privileged }, ctx);
  if (name === "eval") {
    const dynamic = args.filter((arg) => arg.dynamic);
    if (dynamic.length === 0) ctx.nested(args.map((arg) => arg.value).join(" "), "eval", { privileged });
    else if (dynamic.some((arg) => arg.substitutions.length === 0 && !arg.tainted))
      ctx.hit("obfuscated_command", "review", `eval runs text only known at run time (${display(args)})`, command.text);
  }
  if (name === "ssh") {
    const items = positionals(args.filter((_arg, i) => !/^-[bcDEeFIiJLlmOopQRSWw]$/.test(args[i - 1]?.value ?? "")));
    const remote = items.slice(1);
    if (remote.length > 0 && !remote.some((arg) => arg.dynamic))
      ctx.nested(remote.map((arg) => arg.value).join(" "), `ssh ${items[0]!.value}`);
    const proxy = args.map((arg) => /^(?:ProxyCommand|LocalCommand)[=\s]+(.+)$/i.exec(arg.value)?.[1]).find(Boolean);
    if (proxy) ctx.nested(proxy, "ssh ProxyCommand", { privileged });
  }
  if (name === "watch") {
    const items = args.filter((arg, i) => !/^-/.test(arg.value) && !/^(?:-n|--interval|-d|--differences)$/.test(args[i - 1]?.value ?? ""));
    if (items.length > 0 && !items.some((arg) => arg.dynamic)) ctx.nested(items.map((arg) => arg.value).join(" "), "watch", { privileged });
  }
  if (name === "script" && args.some((arg) => arg.value === "-c" || arg.value === "--command")) {
    const body = args[args.findIndex((arg) => arg.value === "-c" || arg.value === "--command") + 1];
    if (body && !body.dynamic) ctx.nested(body.value, "script -c", { privileged });
  }
  // A heredoc or herestring: a shell's script, an interpreter's program, or lines typed into an interactive program.
  if (command.stdinText !== undefined && !command.pipeline) {
    const caps = capabilitiesOf(name);
    if ((isShell(name) || name === "source" || name === ".") && !script) ctx.nested(command.stdinText, `${name} stdin`, { privileged });
    else if (isInterpreter(name) || caps & CAP.interactive)
      judgeCode(
        command.stdinText,
        { program: name, language: name, typed: (caps & CAP.interactive) !== 0, segment: command.text, privileged },
        ctx,
      );
  }
  inlineCodeOf(invocation, ctx);
  codeArguments(invocation, ctx);
  embeddedShells(invocation, ctx);
  sedExec(invocation, ctx);
  libraryLoads(invocation, ctx);
}
