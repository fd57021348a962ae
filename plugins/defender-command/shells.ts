/**
 * Shells and interpreters: where a program's code comes from (`sh -c SCRIPT`, `python -c CODE`,
 * awk's program argument, a script file, stdin), and whether a shell is opened interactively
 * (`/bin/sh`, `bash -i`, `sh -p`, `exec zsh`), which is what a shell escape hands over.
 */
import type { Word } from "./ir.ts";
import { CAP, capabilitiesOf, inlineFlagsOf, valuedOptionsOf } from "./programs.ts";
import { isOption, positionals, type Invocation } from "./wrappers.ts";

/** A command shell. */
export function isShell(name: string): boolean {
  return (capabilitiesOf(name) & CAP.shell) !== 0;
}

/** An interpreter that takes inline code or a program on stdin. */
export function isInterpreter(name: string): boolean {
  return inlineFlagsOf(name) !== undefined || (capabilitiesOf(name) & CAP.code) !== 0;
}

/** Shell options that take a value in the next word. */
const SHELL_VALUED = new Set(["-o", "+o", "-O", "+O", "--rcfile", "--init-file"]);

/** The script of `sh -c SCRIPT` / `bash -lc SCRIPT`, if any. */
export function shellScriptArg(invocation: Invocation): Word | undefined {
  if (!isShell(invocation.name)) return undefined;
  const args = invocation.args;
  for (let i = 0; i < args.length; i++) {
    const value = args[i]!.value;
    if (value === "--") return undefined;
    if (/^-[a-zA-Z]*c[a-zA-Z]*$/.test(value) || value === "-command" || value === "-Command")
      return args.slice(i + 1).find((arg) => !isOption(arg));
    if (!isOption(args[i])) return undefined;
    if (SHELL_VALUED.has(value)) i++;
  }
  return undefined;
}

/** The terminal or a copy of another descriptor: a shell reading it is still interactive. */
const TERMINAL = /^(?:\/dev\/(?:tty\w*|pts\/\d+|stdin|stderr|stdout|fd\/[0-2])|\/proc\/self\/fd\/[0-2]|\$\(tty\)|`tty`)$/;

/** Does the command get a script on stdin: a pipe, heredoc, herestring or `<` from a file (not the terminal)? */
export function stdinFed(invocation: Invocation): boolean {
  const command = invocation.command;
  if (command.stdinText !== undefined) return true;
  if (command.pipeline && command.stage !== undefined && command.stage > 0) return true;
  return command.redirects.some(
    (redirect) =>
      (redirect.op === "<" || redirect.op === "<>") &&
      redirect.target !== undefined &&
      !TERMINAL.test(redirect.target.raw) &&
      !TERMINAL.test(redirect.target.value),
  );
}

/** The shell or interpreter reads its program from stdin (`curl … | sh`, `| python3 -`). */
export function readsProgramFromStdin(invocation: Invocation): boolean {
  const shell = isShell(invocation.name);
  const interpreter = isInterpreter(invocation.name);
  if (!shell && !interpreter)
    return (invocation.name === "source" || invocation.name === ".") && ["/dev/stdin", "-"].includes(invocation.args[0]?.value ?? "");
  if (shell && shellScriptArg(invocation)) return false;
  if (interpreter && inlineCode(invocation)) return false;
  if (shell && invocation.args.some((arg) => /^-[a-zA-Z]*s[a-zA-Z]*$/.test(arg.value))) return true;
  const first = programPositionals(invocation)[0];
  return first === undefined || first.value === "-" || first.value === "/dev/stdin";
}

/** Positionals of an interpreter, skipping the values of its valued options (`awk -F: '{…}'`). */
export function programPositionals(invocation: Invocation): Word[] {
  const valued = valuedOptionsOf(invocation.name);
  const out: Word[] = [];
  const args = invocation.args;
  let options = true;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (options && arg.value === "--") {
      options = false;
      continue;
    }
    if (options && isOption(arg)) {
      if (valued.includes(arg.value)) i++;
      continue;
    }
    out.push(arg);
  }
  return out;
}

/** Inline code passed to an interpreter (`python3 -c CODE`, `perl -ne CODE`, awk's program). */
export function inlineCode(invocation: Invocation): Word | undefined {
  const flags = inlineFlagsOf(invocation.name);
  if (flags === undefined) return undefined;
  if (flags === true) {
    // awk: the first positional is the program unless `-f FILE` names one.
    if (invocation.args.some((arg) => arg.value === "-f" || arg.value.startsWith("--file"))) return undefined;
    return programPositionals(invocation)[0];
  }
  const args = invocation.args;
  for (let i = 0; i < args.length; i++) {
    const value = args[i]!.value;
    const [flag, inline] = value.split(/=(.*)/s, 2) as [string, string | undefined];
    if (flags.includes(flag.toLowerCase()) || flags.includes(flag))
      return inline !== undefined ? { ...args[i]!, value: inline } : args[i + 1];
    // Combined short flags: `perl -ne CODE`, `ruby -rsocket -e CODE` is found by the loop.
    if (/^-[a-zA-Z]+$/.test(value) && flags.some((f) => f.length === 2 && value.endsWith(f[1]!))) return args[i + 1];
  }
  return undefined;
}

/** Every inline code argument (`vim -c CMD -c CMD`, `gdb -ex A -ex B`). */
export function inlineCodes(invocation: Invocation): Word[] {
  const flags = inlineFlagsOf(invocation.name);
  if (flags === undefined || flags === true) {
    const single = inlineCode(invocation);
    return single ? [single] : [];
  }
  const out: Word[] = [];
  const args = invocation.args;
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i]!.value.split(/=(.*)/s, 2) as [string, string | undefined];
    if (!flags.includes(flag) && !flags.includes(flag.toLowerCase())) {
      if (/^-[a-zA-Z]+$/.test(flag) && flags.some((f) => f.length === 2 && flag.endsWith(f[1]!)) && args[i + 1]) out.push(args[++i]!);
      continue;
    }
    if (inline !== undefined) out.push({ ...args[i]!, value: inline });
    else if (args[i + 1]) out.push(args[++i]!);
  }
  return out;
}

/**
 * The shell opens interactively: no `-c` script and no script file (or `-i`/`-s`/`-p`), and its
 * stdin is not a script fed to it. `sh -p` also keeps a SUID owner's privileges.
 */
export function isInteractiveShell(invocation: Invocation): boolean {
  if (!isShell(invocation.name) || shellScriptArg(invocation)) return false;
  const options = invocation.args.filter((arg) => isOption(arg)).map((arg) => arg.value);
  if (options.some((value) => /^-[a-zA-Z]*[ip][a-zA-Z]*$/.test(value))) return true;
  if (stdinFed(invocation)) return false;
  const script = positionals(invocation.args)[0];
  return script === undefined || script.value === "-";
}

/** Is this text, on its own, an interactive shell (`/bin/sh`, `sh -p`, `exec bash -i`, `reset; exec sh`)? */
export function isShellText(text: string): boolean {
  return /^(?:(?:reset|stty\s[^;]*|cd\s+\S+)\s*;\s*)*(?:exec\s+)?(?:\/usr)?(?:\/bin\/)?(?:ba|da|z|k|c|tc|fi|a|mk|ya|po|r)?sh(?:\s+-[a-zA-Z]+)*(?:\s+[0-9]?[<>]&?\S*)*\s*(?:#.*)?$/.test(
    text.trim(),
  );
}
