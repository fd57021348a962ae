/**
 * What runs: the command name as the shell resolves it (`\rm`, `/bin/rm`, `"rm"` are `rm`) after
 * unwrapping launchers (`sudo`, `env`, `timeout`, `nohup`, `xargs`, `busybox` …), plus the
 * tables the rules share: shells, interpreters and their inline-code flags, network tools.
 */
import type { SimpleCommand, Word } from "./ir.ts";

/** A command after unwrapping its launchers. */
export interface Invocation {
  /** Basename, lowercased (`/usr/bin/RM` → `rm`; macOS file systems ignore case). */
  readonly name: string;
  readonly nameWord: Word;
  readonly args: readonly Word[];
  readonly command: SimpleCommand;
  /** Launchers around it, outermost first (`sudo`, `env`, …). */
  readonly wrappers: readonly string[];
}

interface WrapperSpec {
  /** Options that take a value in the next word. */
  readonly valued?: readonly string[];
  /** Positional words to skip before the command (timeout's duration, chroot's dir). */
  readonly skip?: number;
  /** Skips `NAME=value` words (env). */
  readonly assignments?: boolean;
  /** Options after which there is no command to run (`command -v`, `sudo -l`). */
  readonly queries?: readonly string[];
}

const WRAPPERS: Readonly<Record<string, WrapperSpec>> = {
  sudo: {
    valued: [
      "-u",
      "-g",
      "-p",
      "-C",
      "-h",
      "-D",
      "-r",
      "-t",
      "-U",
      "-T",
      "--user",
      "--group",
      "--prompt",
      "--chdir",
      "--role",
      "--type",
      "--host",
      "--close-from",
      "--other-user",
      "--command-timeout",
    ],
    queries: ["-l", "--list", "-v", "--validate", "-V", "--version", "-h", "--help", "-k", "-K", "--reset-timestamp", "--remove-timestamp"],
  },
  doas: { valued: ["-u", "-C"] },
  pkexec: { valued: ["--user"] },
  env: { valued: ["-u", "-C", "--unset", "--chdir"], assignments: true },
  nice: { valued: ["-n", "--adjustment"] },
  ionice: { valued: ["-c", "-n", "-p", "-P", "-u", "--class", "--classdata"] },
  nohup: {},
  time: { valued: ["-f", "-o", "--format", "--output"] },
  command: { queries: ["-v", "-V"] },
  builtin: {},
  exec: { valued: ["-a"] },
  timeout: { valued: ["-s", "-k", "--signal", "--kill-after"], skip: 1 },
  stdbuf: { valued: ["-i", "-o", "-e"] },
  chroot: { valued: ["--userspec", "--groups"], skip: 1 },
  xargs: {
    valued: [
      "-I",
      "-n",
      "-P",
      "-d",
      "-a",
      "-L",
      "-s",
      "-E",
      "-e",
      "--max-args",
      "--max-procs",
      "--delimiter",
      "--arg-file",
      "--replace",
      "--max-lines",
      "--max-chars",
      "--eof",
    ],
  },
  flock: { valued: ["-w", "-E", "--timeout", "--conflict-exit-code"], skip: 1 },
  unbuffer: {},
  torsocks: {},
  proxychains: { valued: ["-f"] },
  proxychains4: { valued: ["-f"] },
  caffeinate: { valued: ["-t", "-w"] },
  strace: { valued: ["-e", "-o", "-p", "-s", "-u"] },
  ltrace: { valued: ["-e", "-o", "-p", "-s", "-u"] },
  busybox: {},
  catchsegv: {},
  setsid: {},
  chrt: { skip: 1 },
  taskset: { skip: 1 },
  faketime: { skip: 1 },
};

/** Launchers that run the next command with more privileges. */
export const PRIVILEGE_WRAPPERS: ReadonlySet<string> = new Set(["sudo", "doas", "pkexec", "su", "run0"]);

/** Shells that take `-c SCRIPT` and read a script from stdin otherwise. */
export const SHELLS: ReadonlySet<string> = new Set([
  "sh",
  "bash",
  "zsh",
  "dash",
  "ksh",
  "mksh",
  "ash",
  "fish",
  "tcsh",
  "csh",
  "yash",
  "rbash",
]);

/** Interpreters and the flags that take inline code. */
export const INTERPRETERS: Readonly<Record<string, readonly string[]>> = {
  python: ["-c"],
  python2: ["-c"],
  python3: ["-c"],
  pypy: ["-c"],
  pypy3: ["-c"],
  perl: ["-e", "-E"],
  ruby: ["-e"],
  node: ["-e", "--eval", "-p", "--print"],
  nodejs: ["-e", "--eval", "-p", "--print"],
  bun: ["-e", "--eval"],
  deno: ["eval"],
  php: ["-r"],
  lua: ["-e"],
  osascript: ["-e"],
  pwsh: ["-c", "-command", "-encodedcommand", "-ec"],
  powershell: ["-c", "-command", "-encodedcommand", "-ec"],
  jshell: [],
  R: ["-e"],
  Rscript: ["-e"],
};

/** Tools that fetch from the network. */
export const FETCHERS: ReadonlySet<string> = new Set([
  "curl",
  "wget",
  "fetch",
  "aria2c",
  "http",
  "https",
  "xh",
  "lwp-download",
  "axel",
  "get",
  "lwp-request",
]);

/** Tools that can send data over the network. */
export const SENDERS: ReadonlySet<string> = new Set([
  "curl",
  "wget",
  "nc",
  "ncat",
  "netcat",
  "socat",
  "telnet",
  "scp",
  "sftp",
  "ftp",
  "rsync",
  "ssh",
  "http",
  "https",
  "xh",
  "mail",
  "mailx",
  "sendmail",
  "openssl",
]);

/** Basename, lowercased. */
export function commandName(word: Word | undefined): string {
  if (!word) return "";
  const value = word.value.trim();
  const base = value.slice(value.lastIndexOf("/") + 1);
  return base.toLowerCase();
}

/** Is this word an option (`-x`, `--long`)? */
export function isOption(word: Word | undefined): boolean {
  return word !== undefined && !word.dynamic && word.value.startsWith("-") && word.value.length > 1;
}

/** Positional arguments (options and their values excluded is the caller's job; this skips `-x` words). */
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

/** Unwrap launchers; returns the innermost invocation (or the launcher itself when it runs nothing). */
export function invocationOf(command: SimpleCommand): Invocation | undefined {
  let words = command.words;
  const wrappers: string[] = [];
  for (let depth = 0; depth < 8 && words.length > 0; depth++) {
    const name = commandName(words[0]);
    const spec = WRAPPERS[name];
    if (!spec) break;
    let index = 1;
    let query = false;
    let skip = spec.skip ?? 0;
    // busybox's first argument is the applet: `busybox rm -rf /` runs rm.
    while (index < words.length) {
      const word = words[index]!;
      if (word.value === "--") {
        index++;
        break;
      }
      if (isOption(word)) {
        if (spec.queries?.includes(word.value)) query = true;
        // `-u root` takes the next word; `--user=root` and `-I{}` carry their value.
        index += spec.valued?.includes(word.value) ? 2 : 1;
        continue;
      }
      if (spec.assignments && /^[A-Za-z_][A-Za-z0-9_]*=/.test(word.value)) {
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
    if (query || index >= words.length) break;
    wrappers.push(name);
    words = words.slice(index);
  }
  if (words.length === 0) return undefined;
  return { name: commandName(words[0]), nameWord: words[0]!, args: words.slice(1), command, wrappers };
}

/** The script of `sh -c SCRIPT` / `bash -lc SCRIPT`, if any. */
export function shellScriptArg(invocation: Invocation): Word | undefined {
  if (!SHELLS.has(invocation.name)) return undefined;
  const args = invocation.args;
  for (let i = 0; i < args.length; i++) {
    const value = args[i]!.value;
    if (value === "--") return undefined;
    if (/^-[a-zA-Z]*c[a-zA-Z]*$/.test(value)) return args.slice(i + 1).find((arg) => !isOption(arg));
    if (!isOption(args[i])) return undefined;
    if (value === "-o" || value === "+o" || value === "-O") i++;
  }
  return undefined;
}

/** The shell or interpreter reads its program from stdin (`curl … | sh`, `| python3 -`). */
export function readsProgramFromStdin(invocation: Invocation): boolean {
  const isShell = SHELLS.has(invocation.name);
  const inline = INTERPRETERS[invocation.name];
  if (!isShell && !inline)
    return (invocation.name === "source" || invocation.name === ".") && ["/dev/stdin", "-"].includes(invocation.args[0]?.value ?? "");
  if (isShell && shellScriptArg(invocation)) return false;
  if (inline && invocation.args.some((arg) => inline.includes(arg.value.toLowerCase()))) return false;
  if (isShell && invocation.args.some((arg) => /^-[a-zA-Z]*s[a-zA-Z]*$/.test(arg.value))) return true;
  const first = positionals(invocation.args)[0];
  return first === undefined || first.value === "-" || first.value === "/dev/stdin";
}

/** Inline code passed to an interpreter (`python3 -c CODE`, `node -e CODE`, `perl -e CODE`). */
export function inlineCode(invocation: Invocation): Word | undefined {
  const flags = INTERPRETERS[invocation.name];
  if (!flags || flags.length === 0) return undefined;
  const args = invocation.args;
  for (let i = 0; i < args.length; i++) {
    const value = args[i]!.value;
    const lower = value.toLowerCase();
    if (flags.includes(lower)) return args[i + 1];
    // Combined short flags: `perl -ne CODE`, `ruby -rsocket -e CODE` is handled by the loop.
    if (/^-[a-zA-Z]+$/.test(value) && flags.some((flag) => flag.length === 2 && value.endsWith(flag[1]!))) return args[i + 1];
  }
  return undefined;
}

/** Text of a word list, as written, for reasons. */
export function display(words: readonly Word[]): string {
  const text = words
    .slice(0, 24)
    .map((word) => word.value)
    .join(" ");
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
