/**
 * Classify every simple command of one script by its effects, in order: launchers unwrapped
 * (a launcher's own shell or command string handed on), each variant of the command (every
 * value of a `for` loop), then the classifiers (effects/*), the files the script writes and
 * later runs or installs, the interactive program the following lines are typed into, and the
 * script-wide flows (pipelines into shells, uploads, fork bombs).
 */
import type { Script, SimpleCommand } from "./ir.ts";
import { CAP, capabilitiesOf } from "./programs.ts";
import { classifyPath } from "./sensitive.ts";
import { isInteractiveShell, isInterpreter, stdinFed } from "./shells.ts";
import { literalOutput, stagesOutput } from "./static.ts";
import { variantsOf, WrittenFiles } from "./script-state.ts";
import { unwrap, positionals, type Invocation } from "./wrappers.ts";
import type { RuleContext } from "./effects/context.ts";
import { blockDeviceRedirect, destructiveRules } from "./effects/destroy.ts";
import { elevatedFiles } from "./effects/elevated.ts";
import { judgeCode, execRules, shellEscape } from "./effects/exec.ts";
import { exfilRules, networkFacts } from "./effects/exfil.ts";
import { hookRules } from "./effects/hooks.ts";
import { argumentTargets, cronJobs, fileRules, persistedContent, redirectRules, redirectTargets } from "./effects/files.ts";
import { operationRules } from "./effects/operations.ts";
import { launcherShell, privilegeRules } from "./effects/privilege.ts";
import { forkBombRules, obfuscation } from "./effects/shape.ts";
import { consumeWritten } from "./effects/written.ts";
import { launderRules } from "./effects/launder.ts";
import { parameterisedSession, typedUpload, uploadRules } from "./effects/uploads.ts";
import { remoteRules } from "./effects/remote.ts";
import { tamperRules } from "./effects/tamper.ts";
import { xargsRules } from "./effects/xargs.ts";

/** What running a script's classifiers found out for its caller. */
export interface ScriptResult {
  /** The script opens an interactive shell (directly or through what it hands on). */
  interactiveShell: boolean;
}

/** An interactive program whose prompt the next lines are typed into. */
interface Session {
  readonly program: string;
  readonly privileged: boolean;
  /** The opener named its host through a variable of the script (`sftp $RHOST`). */
  readonly parameterised?: boolean;
}

/** Run every classifier over a script. */
export function runScript(script: Script, ctx: RuleContext & { readonly interactive: boolean }): ScriptResult {
  const cache = new Map<SimpleCommand, Invocation | undefined>();
  const invocationOf = (command: SimpleCommand) => {
    if (!cache.has(command)) cache.set(command, unwrap(command).invocation);
    return cache.get(command);
  };
  const result: ScriptResult = { interactiveShell: false };
  const written = new WrittenFiles();
  let session: Session | undefined;
  let previous: Session | undefined;
  const commands = script.commands;
  for (let index = 0; index < commands.length; index++) {
    const command = commands[index]!;
    for (const redirect of command.redirects) {
      redirectRules(redirect, command, ctx);
      blockDeviceRedirect(redirect.target, redirect.op, command.text, ctx);
    }
    // `!/bin/sh`, `:!sh`, `:shell` as a line of their own are typed into the program before them.
    const escapeLine = isEscapeLine(command);
    const typedInto = session ?? (escapeLine ? previous : undefined);
    if (typedInto) typedLine(command, typedInto, ctx);
    const unwrapped = unwrap(command);
    if (unwrapped.script && !unwrapped.script.text.dynamic) {
      if (
        ctx.nested(unwrapped.script.text.value, `${unwrapped.script.via} -c`, { privileged: unwrapped.script.privileged }).interactiveShell
      )
        result.interactiveShell = true;
    }
    if (unwrapped.shell) {
      result.interactiveShell = true;
      launcherShell(unwrapped.shell.via, unwrapped.shell.privileged || ctx.privileged, command.text, ctx);
    }
    const base = unwrapped.invocation;
    if (!base) continue;
    cache.set(command, base);
    if (!escapeLine && commands.length > 1) previous = { program: base.name, privileged: base.privileged || ctx.privileged };
    const variants = variantsOf(command);
    if (!variants) {
      classify(base, ctx, invocationOf);
      if (isInteractiveShell(base)) result.interactiveShell = true;
    } else
      for (const variant of variants) {
        const invocation = unwrap(variant).invocation;
        if (!invocation) continue;
        classify(invocation, ctx, invocationOf);
        if (isInteractiveShell(invocation)) result.interactiveShell = true;
      }
    consumeWritten(base, written, ctx);
    recordWrites(command, base, written, ctx);
    // Only a command with lines after it can have lines typed into it.
    const opened = (index < commands.length - 1 || base.privileged || ctx.privileged) && opensSession(base);
    if (opened) {
      session = { program: base.name, privileged: base.privileged || ctx.privileged, parameterised: parameterisedSession(base, ctx) };
      // What follows is typed at the program's prompt, line by line: read those lines as one piece of code.
      const typed = linesAfter(script.source, command.text);
      if (typed !== undefined)
        judgeCode(typed, { program: session.program, typed: true, segment: typed.slice(0, 300), privileged: session.privileged }, ctx);
      if (session.privileged)
        ctx.hit(
          "privilege_escalation",
          "review",
          `${base.name} runs interactively as another user; its shell escape would give that user's shell`,
          command.text,
        );
    }
  }
  for (const redirect of script.bareRedirects) {
    redirectRules(redirect, undefined, ctx);
    blockDeviceRedirect(redirect.target, redirect.op, `${redirect.op} ${redirect.target?.raw ?? ""}`, ctx);
  }
  remoteRules(script, invocationOf, ctx);
  exfilRules(script, invocationOf, ctx);
  forkBombRules(script.functions, ctx, invocationOf);
  if (ctx.interactive) result.interactiveShell = true;
  return result;
}

function classify(invocation: Invocation, ctx: RuleContext, invocationOf: (command: SimpleCommand) => Invocation | undefined): void {
  obfuscation(invocation, ctx);
  destructiveRules(invocation, ctx);
  privilegeRules(invocation, ctx);
  tamperRules(invocation, ctx);
  operationRules(invocation, ctx);
  fileRules(invocation, ctx);
  elevatedFiles(invocation, ctx);
  const piped = pipedNames(invocation, invocationOf);
  if (piped) {
    fileRules(piped, ctx);
    elevatedFiles({ ...piped, name: invocation.name }, ctx);
  }
  launcherFiles(invocation, ctx);
  execRules(invocation, ctx);
  hookRules(invocation, ctx);
  xargsRules(invocation, ctx, invocationOf);
  networkFacts(invocation, ctx);
  uploadRules(invocation, ctx);
  launderRules(invocation, ctx, invocationOf);
  persistenceSinks(invocation, ctx, invocationOf);
}

/** The source lines after the line holding `text` (undefined without a multi-line source). */
function linesAfter(source: string | undefined, text: string): string | undefined {
  if (source === undefined) return undefined;
  const at = source.indexOf(text);
  if (at === -1) return undefined;
  const end = source.indexOf("\n", at + text.length);
  return end === -1 ? undefined : source.slice(end + 1);
}

/** Pagers keep reading the keyboard when their input is piped (`echo x | less`, then `!sh`). */
const PAGERS: ReadonlySet<string> = new Set(["less", "more", "most", "pg", "man"]);
/** Arguments that open a program's own prompt (`terraform console`, `nmap --interactive`, `cdist shell`). */
const SESSION_ARGUMENT = /^(?:console|shell|repl|fsi|--interactive|volshell|interactive)$/;
/** Interpreters and database clients that run what they are given instead of a prompt. */
const BATCH_OPTION = /^(?:-c|-e|-E|-r|-x|--eval|--execute|--command|-f|--file|-batch|-b|-q|--quiet-batch)$/;

/** Does the command open an interactive prompt that the following lines are typed into? */
function opensSession(invocation: Invocation): boolean {
  const caps = capabilitiesOf(invocation.name);
  if (invocation.args.some((arg) => SESSION_ARGUMENT.test(arg.value))) return true;
  if (!(caps & CAP.interactive)) return invocation.name === "crontab" && invocation.args.some((arg) => arg.value === "-e");
  if (stdinFed(invocation) && !PAGERS.has(invocation.name)) return false;
  if (
    (isInterpreter(invocation.name) || /^(?:mysql|psql|sqlite3|gdb|lldb|nmap|hping3|top|htop|iftop)$/.test(invocation.name)) &&
    invocation.args.some((arg) => BATCH_OPTION.test(arg.value))
  )
    return false;
  if (
    isInterpreter(invocation.name) &&
    positionals(invocation.args).length > 0 &&
    !/^(?:gdb|lldb|pdb|irb|pry|byebug|ghci|msfconsole|mysql|psql|sqlite3)$/.test(invocation.name)
  )
    return false;
  if (/^(?:nmap|hping3|top|htop|iftop|screen|tmux)$/.test(invocation.name) && !invocation.privileged) return false;
  return true;
}

/** A line that only makes sense typed into another program's prompt: `!cmd`, `:!cmd`, `:shell`, `:sh`. */
function isEscapeLine(command: SimpleCommand): boolean {
  const first = command.words[0]?.value ?? "";
  const code = first.charCodeAt(0);
  // `!…`, `:…` or `v:…`-style lines only.
  if (code !== 33 && code !== 58 && first.charCodeAt(1) !== 58) return false;
  return (
    /^(?:\w?:)?!/.test(first) ||
    /^\w?:sh(?:ell)?$/.test(first) ||
    (first === ":set" && command.words.some((word) => /^shell=/.test(word.value)))
  );
}

/**
 * Names echoed into a program that reads file names from stdin (`echo /etc/shadow | cpio -o`,
 * `printf '%s\n' f | tar -T -`): judged as if they were its arguments.
 */
function pipedNames(invocation: Invocation, invocationOf: (command: SimpleCommand) => Invocation | undefined): Invocation | undefined {
  const { pipeline, stage } = invocation.command;
  if (!pipeline || !stage || pipeline.stages[stage - 1]!.length !== 1) return undefined;
  const producer = invocationOf(pipeline.stages[stage - 1]![0]!);
  if (!producer || (producer.name !== "echo" && producer.name !== "printf")) return undefined;
  const text = literalOutput(producer, true)?.text;
  if (!text || text.length > 4096) return undefined;
  // Each echoed word keeps how it was written (`echo "$LFILE" | cpio -p dir` names a file held in a variable).
  const spoken = producer.args.filter((arg) => !/^-[neE]+$/.test(arg.value));
  const names =
    producer.name === "echo" && spoken.length <= 16 && spoken.every((arg) => !/\s/.test(arg.value))
      ? spoken
      : text
          .split(/\s+/)
          .filter(Boolean)
          .slice(0, 16)
          .map((value) => ({ value, dynamic: false, substitutions: [], raw: value }));
  // Named through stdin: which way the data goes is unknown, so the program gets a name no table knows.
  return { ...invocation, name: `${invocation.name} (stdin)`, args: names };
}

/** Files named in a launcher's own options (`rlwrap -l LOG`, `strace -o OUT`, `time -o OUT`). */
function launcherFiles(invocation: Invocation, ctx: RuleContext): void {
  if (invocation.wrappers.length === 0) return;
  const words = invocation.command.words;
  const end = words.indexOf(invocation.nameWord);
  if (end <= 1) return;
  const launcher = unwrapName(words[0]!.value);
  fileRules({ ...invocation, name: launcher, nameWord: words[0]!, args: words.slice(1, end) }, ctx);
}

function unwrapName(value: string): string {
  return value.slice(value.lastIndexOf("/") + 1).toLowerCase();
}

/** A line typed into an interactive program (`!/bin/sh` in a pager, `system("/bin/sh")` in a REPL). */
function typedLine(command: SimpleCommand, session: Session, ctx: RuleContext): void {
  const text = command.text;
  typedUpload(command, session.program, session.parameterised === true, ctx);
  if (/^\s*\w?:sh(?:ell)?\s*$/.test(text)) shellEscape(session.program, "typed commands", session.privileged, text, ctx);
  else judgeCode(text, { program: session.program, typed: true, segment: text, privileged: session.privileged }, ctx);
}

/** Text piped into `crontab -` or `at`, or a crontab file: the jobs it installs. */
function persistenceSinks(
  invocation: Invocation,
  ctx: RuleContext,
  invocationOf: (command: SimpleCommand) => Invocation | undefined,
): void {
  const { name, args, command } = invocation;
  if (name !== "crontab" && name !== "at" && name !== "batch") return;
  if (name === "crontab" && args.some((arg) => /^-[elr]$/.test(arg.value))) return;
  const piped = pipedText(command, invocationOf) ?? command.stdinText;
  const file = name === "crontab" ? positionals(args).find((arg) => arg.value !== "-") : undefined;
  const fed = piped !== undefined || stdinFed(invocation);
  if (!fed && (name !== "crontab" || !file)) return;
  ctx.hit("persistence", "review", name === "crontab" ? "installs cron jobs" : `schedules a job with ${name}`, command.text);
  if (piped !== undefined) {
    if (name === "crontab") cronJobs(piped, false, "a crontab entry", ctx);
    else ctx.nested(piped, `a job for ${name}`, { privileged: invocation.privileged || ctx.privileged });
  }
}

/**
 * The literal text earlier pipeline stages write into this command: every stage known, or (for
 * `(crontab -l; echo '…') | crontab -`) the known parts of a stage of several commands.
 */
function pipedText(command: SimpleCommand, invocationOf: (command: SimpleCommand) => Invocation | undefined): string | undefined {
  const { pipeline, stage } = command;
  if (!pipeline || !stage) return undefined;
  const whole = stagesOutput(pipeline.stages.slice(0, stage), true)?.text;
  if (whole !== undefined || stage !== 1) return whole;
  const parts: string[] = [];
  for (const producer of pipeline.stages[0]!) {
    const invocation = invocationOf(producer);
    const text = invocation ? literalOutput(invocation, true)?.text : undefined;
    if (text !== undefined) parts.push(text);
  }
  return parts.length > 0 ? parts.join("\n") : undefined;
}

/** Content a command writes (its pipeline's known output, or its own literal output). */
function contentOf(command: SimpleCommand): string | undefined {
  const stages = command.pipeline && command.stage !== undefined ? command.pipeline.stages.slice(0, command.stage + 1) : [[command]];
  return stagesOutput(stages, true)?.text;
}

/** Remember what the command writes, and judge writes into sensitive places by their content. */
function recordWrites(command: SimpleCommand, invocation: Invocation, written: WrittenFiles, ctx: RuleContext): void {
  if (invocation.name === "chmod" && invocation.args.some((arg) => /^[ugoa]*\+[rw]*x|^0?[0-7]?[1357][0-7]{2}$/.test(arg.value)))
    for (const target of positionals(invocation.args).slice(1)) written.markExecutable(target.value, command.cwd);
  const targets = argumentTargets(invocation);
  if (command.redirects.length > 0)
    for (const target of redirectTargets(command)) if (!target.value.startsWith("/dev/")) targets.push(target);
  if (targets.length === 0) return;
  let content = invocation.name === "tee" ? pipedTextOf(command) : contentOf(command);
  if ((invocation.name === "cp" || invocation.name === "mv" || invocation.name === "install") && content === undefined) {
    const source = positionals(invocation.args)[0];
    content = source ? written.get(source.value, command.cwd)?.content : undefined;
  }
  const append = command.redirects.some((redirect) => redirect.op === ">>") || invocation.args.some((arg) => arg.value === "-a");
  for (const target of targets) {
    if (target.dynamic && !target.alternatives) continue;
    written.record(target.value, command.cwd, content, append);
    const found = classifyPath(target.value, command.cwd);
    if (!found || content === undefined) continue;
    // Only files that hold commands are read as scripts (not sudoers lines or keys).
    if (found.cls !== "persist" && !(found.cls === "access" && /cron|profile|bashrc|zshrc|environment/.test(found.path))) continue;
    // A tool's rc file (toprc, .rtorrent.rc, .vimrc) is data the tool acts on; a shell's is a script.
    if (
      found.rc &&
      !/\/\.(?:bash|zsh|ksh|csh|tcsh)?(?:rc|_profile|_login|profile|zshenv|zprofile|zlogin)$|fish\/config\.fish$/.test(found.path)
    )
      judgeCode(
        content,
        {
          program: `the program reading ${found.path}`,
          data: true,
          segment: command.text,
          privileged: invocation.privileged || ctx.privileged,
        },
        ctx,
      );
    else persistedContent(found, content, ctx);
  }
}

function pipedTextOf(command: SimpleCommand): string | undefined {
  const { pipeline, stage } = command;
  if (!pipeline || !stage) return command.stdinText;
  return stagesOutput(pipeline.stages.slice(0, stage), true)?.text;
}
