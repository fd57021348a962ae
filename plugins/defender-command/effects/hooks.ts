/**
 * Hooks: commands a program runs because a variable, an option or a setting names them
 * (`PAGER=… man`, `LD_PRELOAD=…`, `aria2c --on-download-error=CMD`, `tcpdump -z CMD`, `tar -I CMD`,
 * `rsync -e CMD`, `git -c core.pager=CMD`, `apt -o APT::Update::Pre-Invoke::=CMD`). What a hook
 * runs is analysed as a script. The hook itself is flagged when it opens a shell (a shell
 * escape), when what it runs does not fit its role (a pager that is not a pager,
 * `CRASHPAGER=/usr/bin/id crash`; a compressor that is not one), or when the command comes from a
 * variable the script filled (`-e $COMMAND`: assembled out of sight of a plain reading). Files
 * the script wrote and a hook runs are judged by run.ts (consumeWritten).
 */
import type { Word } from "../ir.ts";
import { programNameOf } from "../names.ts";
import { CAP, capabilitiesOf } from "../programs.ts";
import { classifyPath } from "../sensitive.ts";
import { isShell, isShellText } from "../shells.ts";
import { isOption, type Invocation } from "../wrappers.ts";
import type { RuleContext } from "./context.ts";
import { scriptVariable } from "./elevated.ts";
import { shellEscape } from "./exec.ts";

/** What a hook is expected to run. `command` hooks run anything: only a shell or a variable's content is flagged. */
type Role = "pager" | "editor" | "rsh" | "compress" | "askpass" | "command";

const PAGERS: ReadonlySet<string> = new Set([
  "less",
  "more",
  "most",
  "pg",
  "lv",
  "moar",
  "ov",
  "bat",
  "batcat",
  "delta",
  "diff-so-fancy",
  "diff-highlight",
  "colordiff",
  "ydiff",
  "riff",
  "col",
  "groff",
  "nroff",
  "man",
  "vim",
  "nvim",
  "view",
  "w3m",
  "cat",
  "tee",
  "tr",
]);
const EDITOR_HELPERS: ReadonlySet<string> = new Set(["true", "false", ":", "cat", "tee", "cp", "mv", "echo", "printf", "touch", "perl"]);
const EDITORS: ReadonlySet<string> = new Set([
  "code",
  "subl",
  "sublime_text",
  "atom",
  "zed",
  "gvim",
  "mvim",
  "kak",
  "ne",
  "xed",
  "mousepad",
  "emacsclient",
  "mate",
]);
const REMOTE_SHELLS: ReadonlySet<string> = new Set([
  "ssh",
  "rsh",
  "sshpass",
  "autossh",
  "plink",
  "dbclient",
  "tsh",
  "kubectl",
  "oc",
  "docker",
  "podman",
]);
const COMPRESSORS =
  /^(?:gzip|gunzip|pigz|unpigz|bzip2|bunzip2|pbzip2|lbzip2|xz|unxz|pixz|zstd|unzstd|pzstd|zstdmt|lz4|lzop|lzip|plzip|lzma|unlzma|brotli|compress|uncompress|zcat|7z|7za)$/;

/** Variables whose value a program runs as a command, and the role each expects. */
function variableRole(name: string): Role | undefined {
  if (/PAGER$/.test(name)) return "pager";
  if (/EDITOR$/.test(name) || name === "VISUAL") return "editor";
  if (/^(?:GIT_SSH(?:_COMMAND)?|RSYNC_RSH|CVS_RSH)$/.test(name)) return "rsh";
  if (/ASKPASS$/.test(name)) return "askpass";
  if (/^(?:BROWSER|SHELL|LESSOPEN|LESSCLOSE|PROMPT_COMMAND|BASH_ENV|ENV|PS[0-4])$|_COMMAND$/.test(name)) return "command";
  return undefined;
}

/** Does a program run this variable's value as a command (`PAGER`, `SYSTEMD_EDITOR`, `GIT_SSH_COMMAND`)? */
export function runsVariable(name: string): boolean {
  return variableRole(name) !== undefined;
}

/** Options whose value a program runs, per program (`=` inline or the next word). */
const HOOK_OPTIONS: ReadonlyMap<string, readonly (readonly [RegExp, Role])[]> = (() => {
  const command = (pattern: RegExp): [RegExp, Role] => [pattern, "command"];
  const compilers: [RegExp, Role][] = [command(/^-wrapper$/)];
  const map = new Map<string, [RegExp, Role][]>([
    ["aria2c", [command(/^--on-(?:bt-)?download-(?:complete|error|start|pause|stop)$/)]],
    ["tcpdump", [command(/^-z$/)]],
    ["pidstat", [command(/^-e$/)]],
    ["wget", [[/^--use-askpass$/, "askpass"]]],
    ["scp", [[/^-S$/, "rsh"]]],
    ["rsync", [[/^(?:-e|--rsh)$/, "rsh"]]],
    ["cpio", [[/^--rsh-command$/, "rsh"]]],
    [
      "tar",
      [
        [/^(?:-I|--use-compress-program)$/, "compress"],
        [/^--rsh-command$/, "rsh"],
        command(/^(?:--to-command|--info-script|--new-volume-script|-F)$/),
      ],
    ],
    ["zip", [command(/^(?:-TT|--unzip-command)$/)]],
    ["certbot", [command(/^--(?:pre|post|deploy|renew|manual-auth|manual-cleanup)-hook$/)]],
    ["openvpn", [command(/^--(?:up|down|route-up|route-pre-down|ipchange|client-connect|client-disconnect|learn-address|tls-verify)$/)]],
    ["dmsetup", [command(/^--exec$/)]],
    ["scrot", [command(/^(?:-e|--exec)$/)]],
    ["split", [command(/^--filter$/)]],
    ["enscript", [command(/^(?:-I|--filter)$/)]],
    ["check_ssl_cert", [command(/^--(?:curl|openssl|file)-bin$/)]],
    ["man", [[/^(?:-P|--pager)$/, "pager"]]],
    ["gem", [[/^(?:-e|--editor)$/, "editor"]]],
    ["gcc", compilers],
    ["cc", compilers],
    ["c89", compilers],
    ["c99", compilers],
    ["g++", compilers],
    ["clang", compilers],
  ]);
  return map;
})();

/** Settings whose value runs (`git -c core.pager=…`, `apt -o Dpkg::Pre-Invoke::=…`). */
function settingRole(program: string, key: string): Role | undefined {
  if (program === "git") {
    if (/^(?:core\.pager|pager\.\w+)$/i.test(key)) return "pager";
    if (/^(?:core|sequence)\.editor$/i.test(key)) return "editor";
    if (/^core\.sshcommand$/i.test(key)) return "rsh";
    if (/^(?:core\.fsmonitor|diff\.external|credential\.helper|alias\.\w+|\w+\.textconv)$/i.test(key)) return "command";
  }
  if (/^(?:apt|apt-get|aptitude)$/.test(program) && /(?:Pre|Post)-Invoke(?:-Success)?|Pre-Install-Pkgs|Post-Invoke/i.test(key))
    return "command";
  return undefined;
}

const TOKEN = /(?:[^\s'"|;&]|'[^']*'|"(?:[^"\\]|\\.)*")+|[|;&\n]+/g;

function unquote(token: string): string {
  return token.replace(
    /'([^']*)'|"((?:[^"\\]|\\.)*)"/g,
    (_match, single: string | undefined, double: string | undefined) => single ?? double ?? "",
  );
}

/** Programs a hook's command line runs (through `sh -c '…'` too), bounded. */
function programsIn(text: string, depth = 0): string[] {
  const out: string[] = [];
  const tokens = text.slice(0, 2000).match(TOKEN) ?? [];
  let start = true;
  for (let i = 0; i < tokens.length && out.length < 16; i++) {
    const token = tokens[i]!;
    if (/^[|;&\n]+$/.test(token)) {
      start = true;
      continue;
    }
    if (!start || /^[A-Za-z_]\w*=/.test(token) || /^(?:exec|env|command|nohup|builtin)$/.test(token)) continue;
    start = false;
    const name = programNameOf(unquote(token));
    const script = tokens[i + 1] && /^-\w*c\w*$/.test(tokens[i + 1]!) ? tokens[i + 2] : undefined;
    if (isShell(name) && script && depth < 2) out.push(...programsIn(unquote(script), depth + 1));
    else out.push(name);
  }
  return out;
}

/** Does every program the hook runs fit its role? */
function fits(text: string, role: Role): boolean {
  if (role === "command") return true;
  const names = programsIn(text);
  if (names.length === 0) return true;
  return names.every((name) => {
    const caps = capabilitiesOf(name);
    if (role === "pager") return PAGERS.has(name) || (caps & CAP.reader) !== 0;
    if (role === "editor") return EDITORS.has(name) || EDITOR_HELPERS.has(name) || (caps & (CAP.editor | CAP.reader)) !== 0;
    if (role === "rsh") return REMOTE_SHELLS.has(name);
    if (role === "compress") return COMPRESSORS.test(name);
    return /askpass|pinentry|zenity|kdialog|secret-tool|^(?:pass|op|bw|gpg|echo|cat|printf)$/.test(name);
  });
}

/** Judge one hook value: a shell, a command that does not fit, or one held in a variable of the script. */
function judgeHook(invocation: Invocation, how: string, value: Word, role: Role, ctx: RuleContext): void {
  const text = value.value;
  if (text === "" || (value.dynamic && !value.alternatives) || text.length > 4096) return;
  const privileged = invocation.privileged || ctx.privileged;
  const segment = invocation.command.text;
  if (isShellText(text) || ctx.nested(text, `${how} of ${invocation.name}`, { privileged }).interactiveShell) {
    shellEscape(invocation.name, how, privileged, segment, ctx);
    return;
  }
  const variable = scriptVariable(value, ctx.env);
  const rule = privileged ? "privilege_escalation" : "shell_escape";
  if (!fits(text, role))
    ctx.hit(rule, "review", `${how} makes ${invocation.name} run \`${text.slice(0, 80)}\`, which is not a ${ROLE_WORDS[role]}`, segment);
  else if (variable && variable.value !== undefined && role === "command")
    ctx.hit(rule, "review", `${invocation.name} runs the command held in $${variable.name} (${text.slice(0, 80)}) through ${how}`, segment);
}

const ROLE_WORDS: Readonly<Record<Role, string>> = {
  pager: "pager",
  editor: "text editor",
  rsh: "remote shell",
  compress: "compressor",
  askpass: "password prompt",
  command: "command",
};

const LIBRARY_VARIABLE = /^(?:LD_PRELOAD|LD_AUDIT|LD_LIBRARY_PATH|DYLD_INSERT_LIBRARIES|DYLD_LIBRARY_PATH)$/;

function splitAssignment(word: Word): { name: string; value: Word } {
  const at = word.value.indexOf("=");
  return { name: word.value.slice(0, at), value: { ...word, value: word.value.slice(at + 1) } };
}

/** `PAGER='sh -c …' man x`, `CRASHPAGER=/usr/bin/id crash`, `LD_PRELOAD=./x.so cmd`: variables that make a program run code. */
function environmentHooks(invocation: Invocation, ctx: RuleContext): void {
  if (invocation.command.assignments.length === 0 && invocation.assigned.length === 0) return;
  const words = [...invocation.command.assignments.map(([name, value]) => ({ name, value })), ...invocation.assigned.map(splitAssignment)];
  const privileged = invocation.privileged || ctx.privileged;
  for (const { name, value } of words) {
    if (LIBRARY_VARIABLE.test(name) && value.value !== "")
      ctx.hit(
        "library_load",
        privileged ? "block" : "review",
        `${name}=${value.value} loads a library into ${invocation.name}`,
        invocation.command.text,
      );
    const role = variableRole(name);
    if (!role) continue;
    // `SHELL=/bin/zsh cmd` names the user's shell, not a command to run now.
    if (name === "SHELL" && classifyPath(value.value) === undefined && isShellText(value.value)) continue;
    // less's input preprocessor is written `|cmd %s` or `||cmd %s`, a `-` asking for it on piped input too.
    const command = /^LESS(?:OPEN|CLOSE)$/.test(name) ? { ...value, value: value.value.replace(/^\|{0,2}-?\s*/, "") } : value;
    judgeHook(invocation, `$${name}`, command, role, ctx);
  }
}

/** Hook options (`--on-download-error=CMD`, `-z CMD`, `-I CMD`) and run-time settings (`git -c`, `apt -o`). */
function optionHooks(invocation: Invocation, ctx: RuleContext): void {
  const { name, args } = invocation;
  const options = HOOK_OPTIONS.get(name);
  const settings = name === "git" || name === "apt" || name === "apt-get" || name === "aptitude";
  if (!options && !settings) return;
  for (let index = 0; index < args.length; index++) {
    const word = args[index]!;
    if (!isOption(word)) continue;
    const [flag, inline] = word.value.split(/=(.*)/s, 2) as [string, string | undefined];
    const next = inline === undefined ? args[index + 1] : undefined;
    const value: Word | undefined = inline !== undefined ? { ...word, value: inline } : next;
    if (!value) continue;
    const role = options?.find(([pattern]) => pattern.test(flag))?.[1];
    if (role) {
      // gcc's `-wrapper prog,arg` lists the wrapper's argv with commas.
      const text = flag === "-wrapper" ? value.value.replace(/,/g, " ") : value.value;
      judgeHook(invocation, flag, { ...value, value: text }, role, ctx);
      continue;
    }
    if (settings && (flag === "-c" || flag === "-o") && next) {
      const at = next.value.indexOf("=");
      if (at <= 0) continue;
      const key = next.value.slice(0, at).replace(/:+$/, "");
      const setting = settingRole(name, key);
      if (setting) judgeHook(invocation, `${flag} ${key}`, { ...next, value: next.value.slice(at + 1) }, setting, ctx);
    }
  }
}

/** Every hook of one invocation. */
export function hookRules(invocation: Invocation, ctx: RuleContext): void {
  environmentHooks(invocation, ctx);
  optionHooks(invocation, ctx);
}
