/**
 * What runs: a simple command after unwrapping its launchers (`sudo`, `doas`, `run0`,
 * `runuser`, `env` and `env -S`, `nice`, `timeout`, `stdbuf`, `busybox` …). The result says
 * which program runs, with which arguments, under which launchers, whether a launcher changed
 * user (privileged), and whether a launcher itself opens an interactive shell (`sudo -i`,
 * `su -`, `run0` alone, `chroot /`).
 */
import type { SimpleCommand, Word } from "./ir.ts";
import { WRAPPERS } from "./launchers.ts";
import { commandName } from "./names.ts";
import { CAP, capabilitiesOf } from "./programs.ts";

/** A command after unwrapping its launchers. */
export interface Invocation {
  /** Program name (names.ts: basename, lowercased, version dropped). */
  readonly name: string;
  readonly nameWord: Word;
  readonly args: readonly Word[];
  readonly command: SimpleCommand;
  /** Launchers around it, outermost first. */
  readonly wrappers: readonly string[];
  /** A launcher runs it as another user (root by default), or it is a setuid copy run from the working directory. */
  readonly privileged: boolean;
  /** `./NAME` where NAME is a system program (GTFOBins' SUID form: a copy with the setuid bit, run as its owner). */
  readonly setuidCopy?: boolean;
  /** `NAME=value` words given to launchers (`env PAGER=… man`, `sudo LD_PRELOAD=… cmd`). */
  readonly assigned: readonly Word[];
  /** The arguments' values (computed once: every classifier reads them). */
  readonly values: readonly string[];
}

/** Launchers that run the next command as another user. */
export function isPrivilegeWrapper(name: string): boolean {
  return WRAPPERS.get(name)?.privileged === true;
}

/** Is this word an option (`-x`, `--long`)? */
export function isOption(word: Word | undefined): boolean {
  return word !== undefined && !word.dynamic && word.value.startsWith("-") && word.value.length > 1;
}

/** Positional arguments (skips `-x` words; values of valued options are the caller's job). */
export function positionals(args: readonly Word[]): Word[] {
  const out: Word[] = [];
  let options = true;
  for (const arg of args) {
    if (options && arg.value === "--") {
      options = false;
      continue;
    }
    if (options && isOption(arg)) continue;
    out.push(arg);
  }
  return out;
}

function literal(value: string): Word {
  return { value, dynamic: false, substitutions: [], raw: value };
}

/** What a launcher hands on: the words it runs, or a command string, or an interactive shell. */
export interface Unwrapped {
  readonly invocation: Invocation | undefined;
  /** A command string a launcher runs through a shell (`su -c '…'`, `runuser -c '…'`). */
  readonly script?: { readonly text: Word; readonly via: string; readonly privileged: boolean };
  /** A launcher opens an interactive shell itself (`sudo -i`, `su -`, `chroot /`). */
  readonly shell?: { readonly via: string; readonly privileged: boolean };
}

const NONE: readonly never[] = [];

/** Unwrap launchers. */
export function unwrap(command: SimpleCommand): Unwrapped {
  // Most commands have no launcher: answer without the bookkeeping.
  const first = command.words[0];
  if (!first) return { invocation: undefined };
  const firstName = commandName(first);
  if (!WRAPPERS.has(firstName) && firstName !== "capsh")
    return { invocation: asInvocation(command.words, command, NONE, false, NONE, firstName) };
  let words: readonly Word[] = command.words;
  const wrappers: string[] = [];
  const assigned: Word[] = [];
  let privileged = false;
  for (let depth = 0; depth < 8 && words.length > 0; depth++) {
    const name = commandName(words[0]);
    // capsh runs bash with whatever follows `--` (`capsh --` alone is an interactive bash).
    if (name === "capsh") {
      const dash = words.findIndex((word) => word.value === "--");
      if (dash === -1) break;
      const via = [...wrappers, name].join(" ");
      if (dash === words.length - 1) return { invocation: undefined, shell: { via, privileged } };
      wrappers.push(name);
      words = [literal("bash"), ...words.slice(dash + 1)];
      continue;
    }
    const spec = WRAPPERS.get(name);
    if (!spec) break;
    let index = 1;
    let query = false;
    let shellOption = false;
    let skip = spec.skip ?? 0;
    let script: Word | undefined;
    // su-like launchers take one user (and `-`) before the shell's own arguments.
    let userSlot = spec.userSlot === true;
    while (index < words.length) {
      const word = words[index]!;
      if (word.value === "--") {
        index++;
        break;
      }
      if (isOption(word)) {
        const [flag, inline] = word.value.split(/=(.*)/s, 2) as [string, string | undefined];
        if (spec.queries?.includes(flag)) query = true;
        if (spec.shellOptions?.includes(flag) || (spec.shellOptions && /^-[a-zA-Z]*[is][a-zA-Z]*$/.test(flag) && name === "sudo"))
          shellOption = true;
        // `env -S 'cmd args'` splits the string with quotes honoured, as a shell would: read it as a script.
        if (spec.splitOptions?.includes(flag)) {
          const value = inline !== undefined ? { ...word, value: inline } : words[index + 1];
          const rest = words.slice(index + (inline === undefined ? 2 : 1)).map((item) => item.value);
          if (value)
            return {
              invocation: undefined,
              script: { text: { ...value, value: [value.value, ...rest].join(" ") }, via: [...wrappers, name].join(" "), privileged },
            };
          index += 1;
          break;
        }
        if (spec.commandOptions?.includes(flag)) {
          script = inline !== undefined ? { ...word, value: inline } : words[index + 1];
          index += inline === undefined ? 2 : 1;
          continue;
        }
        // `-u root` takes the next word; `--user=root` and `-uroot` carry their value.
        if (flag === "-u" || flag === "--user") userSlot = false;
        index += spec.valued?.includes(flag) && inline === undefined ? 2 : 1;
        continue;
      }
      if (spec.assignments && /^[A-Za-z_][A-Za-z0-9_]*=/.test(word.value)) {
        assigned.push(word);
        index++;
        continue;
      }
      // `su - root`, `runuser -l bob -c …`: the user (and `-`) come before the shell's arguments.
      if (userSlot && word.value === "-") {
        index++;
        continue;
      }
      if (userSlot && /^[a-z_][\w.-]*$/i.test(word.value)) {
        userSlot = false;
        index++;
        continue;
      }
      if (skip > 0) {
        skip--;
        index++;
        continue;
      }
      break;
    }
    const via = [...wrappers, name].join(" ");
    // A setuid copy of a launcher (`./env /bin/sh -p`) runs what follows as its owner.
    const nowPrivileged: boolean = privileged || spec.privileged === true || isSetuidCopy(words[0]!, name);
    if (query) return { invocation: asInvocation(words, command, wrappers, privileged, assigned) };
    if (script) return { invocation: undefined, script: { text: script, via, privileged: nowPrivileged } };
    if (shellOption && index >= words.length) return { invocation: undefined, shell: { via, privileged: nowPrivileged } };
    if (index >= words.length) {
      if (spec.shellWhenBare) return { invocation: undefined, shell: { via, privileged: nowPrivileged } };
      break;
    }
    wrappers.push(name);
    privileged = nowPrivileged;
    words = words.slice(index);
  }
  return { invocation: asInvocation(words, command, wrappers, privileged, assigned) };
}

function asInvocation(
  words: readonly Word[],
  command: SimpleCommand,
  wrappers: readonly string[],
  privileged: boolean,
  assigned: readonly Word[],
  name?: string,
): Invocation | undefined {
  if (words.length === 0) return undefined;
  const args = words.slice(1);
  const values: string[] = new Array(args.length);
  for (let i = 0; i < args.length; i++) values[i] = args[i]!.value;
  const program = name ?? commandName(words[0]);
  const setuidCopy = isSetuidCopy(words[0]!, program);
  return {
    name: program,
    nameWord: words[0]!,
    args,
    command,
    wrappers,
    privileged: privileged || setuidCopy,
    assigned,
    values,
    setuidCopy: setuidCopy || undefined,
  };
}

/** What a setuid copy of a program could do for its owner: anything beyond inspecting, accounts or agents. */
const SETUID_ABUSE = ~(CAP.inspect | CAP.account | CAP.agent | CAP.privilege);
/** Names a project's own scripts often have (`./install`, `./make`, `./test`): not read as a copy of the system program. */
const PROJECT_SCRIPT_NAMES: ReadonlySet<string> = new Set([
  "install",
  "make",
  "task",
  "test",
  "script",
  "watch",
  "time",
  "run",
  "build",
  "setup",
  "start",
  "deploy",
  "configure",
  "bootstrap",
]);

/**
 * `./find …`, `./python -c …`: a system program's copy run from the working directory, which is
 * how a setuid copy is used (GTFOBins' SUID form). It runs as the file's owner, so it is judged
 * as a privileged program. A project's scripts (`./configure`, `./gradlew`) have other names.
 */
function isSetuidCopy(word: Word, name: string): boolean {
  const value = word.value;
  if (word.dynamic || value.charCodeAt(0) !== 46 || value.charCodeAt(1) !== 47 || value.indexOf("/", 2) !== -1) return false;
  return !PROJECT_SCRIPT_NAMES.has(name) && (capabilitiesOf(name) & SETUID_ABUSE) !== 0;
}

/** The innermost invocation, or undefined (a launcher that runs a string or a shell itself). */
export function invocationOf(command: SimpleCommand): Invocation | undefined {
  return unwrap(command).invocation;
}

/** Text of a word list, for reasons. */
export function display(words: readonly Word[]): string {
  const text = words
    .slice(0, 24)
    .map((word) => word.value)
    .join(" ");
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
