/**
 * A program running as another user (through sudo, doas, su -c …, or a setuid copy run as
 * `./NAME`), used in the shape that exercises what it can do beyond its purpose: a
 * file-handling program (reader, encoder, archiver, editor, permission tool, or a program that
 * loads lists and configs or writes outputs, see `fileread`/`filewrite` in programs.ts) given a
 * path held in a variable, so the script picks any file and the program reads or writes it with
 * root's rights; or a program handed a file the script wrote just before (a config, plugin or
 * script it loads). Everyday privileged work names its files literally (`sudo cat
 * /var/log/syslog`, `sudo tee /etc/apt/sources.list.d/x.list`) and stays allowed; sensitive
 * literal paths are judged by files.ts whoever runs the program.
 */
import type { VarEnv, Word } from "../ir.ts";
import { hostOf } from "../paths.ts";
import { CAP, capabilitiesOf } from "../programs.ts";
import type { Invocation } from "../wrappers.ts";
import type { RuleContext } from "./context.ts";

/** Programs whose arguments name files they read or write. */
const FILE_HANDLING = CAP.reader | CAP.decode | CAP.archive | CAP.editor | CAP.perm | CAP.fileread | CAP.filewrite;

/** Variables the environment sets (a user's home, name, temp folder): not a file the script chose. */
const ENVIRONMENT =
  /^(?:HOME|PWD|OLDPWD|USER|LOGNAME|UID|EUID|GID|GROUPS|SHELL|TMPDIR|TMP|TEMP|HOSTNAME|HOSTTYPE|OSTYPE|LANG|LC_\w+|TERM|PATH|SUDO_\w+|XDG_\w+|RANDOM|SECONDS|LINENO|BASHPID|PPID|IFS|DISPLAY|EDITOR|VISUAL|PAGER)$/;
const VARIABLE_REFERENCE = /\$\{?([A-Za-z_][A-Za-z0-9_]*)/g;

/** How the program came to run as another user, for reasons. */
export function elevation(invocation: Invocation): string {
  if (invocation.setuidCopy) return `as its owner (./${invocation.name} is a setuid copy)`;
  return invocation.wrappers.length > 0 ? `as another user (${invocation.wrappers.join(" ")})` : "as another user";
}

/**
 * The script variable a word expands (`"$LFILE"`, `--extra-opts=@$F`, `"Include $F"`), with the
 * value it holds; undefined for literal words, environment variables and text in single quotes.
 */
export function scriptVariable(word: Word, env: VarEnv | undefined): { name: string; value: string | undefined } | undefined {
  const raw = word.raw;
  if (raw.indexOf("$") === -1) return undefined;
  for (const match of raw.matchAll(VARIABLE_REFERENCE)) {
    const name = match[1]!;
    if (ENVIRONMENT.test(name)) continue;
    // Still written `$NAME` in a word that is not dynamic: it sat in single quotes and was never expanded.
    if (!word.dynamic && word.value.includes(match[0])) continue;
    const known = env?.vars.get(name);
    return { name, value: known ? known[0] : undefined };
  }
  return undefined;
}

/** Names that end like a host more than a file (`example.com`, `db.internal`): `x.po` or `notes` are files. */
const HOST_SUFFIX =
  /\.(?:com|net|org|io|dev|app|co|ai|cloud|info|biz|local|internal|lan|home|example|test|localhost|uk|de|fr|nl|eu|us|ca|au|jp|cn|ru|in|br)$/i;

/**
 * Could the value be a file? Not a URL, host, address, number, or text with spaces; not the
 * script's own scratch space (`mktemp`, `/tmp`) or a device stream. A variable the script did not
 * set (the caller's environment) is not a file the script chose.
 */
function fileLike(value: string | undefined): boolean {
  if (value === undefined) return false;
  const text = value.replace(/^@/, "").replace(/^file:\/\//i, "");
  if (text === "" || /\s/.test(text)) return false;
  if (/^\d+(?:[.:]\d+)*(?:\/\d+)?$/.test(text) || /^[^/@\s]+@[^/\s]+$/.test(text)) return false;
  if (hostOf(text) !== undefined && (text.includes("://") || HOST_SUFFIX.test(text.replace(/[:/].*$/, "")))) return false;
  return !/^\/(?:tmp|var\/tmp|dev\/(?:null|zero|stdin|stdout|stderr|tty\w*|fd\/\d+))(?:\/|$)/.test(text);
}

/** A file-handling program running as another user is given a file held in a variable. */
export function elevatedFiles(invocation: Invocation, ctx: RuleContext): void {
  if (!invocation.privileged && !ctx.privileged) return;
  if ((capabilitiesOf(invocation.name) & FILE_HANDLING) === 0) return;
  for (const word of invocation.args) {
    const variable = scriptVariable(word, ctx.env);
    if (!variable || !fileLike(variable.value)) continue;
    const held = `$${variable.name} (${variable.value})`;
    ctx.hit(
      "privilege_escalation",
      "review",
      `${invocation.name} runs ${elevation(invocation)} and is given the file in ${held}: it can read or write any file the script names`,
      invocation.command.text,
    );
    return;
  }
}

/** A program running as another user loads a file the script wrote just before (a config, plugin, unit or script). */
export function elevatedWrittenFile(invocation: Invocation, path: string, ctx: RuleContext): void {
  ctx.hit(
    "privilege_escalation",
    "review",
    `${invocation.name} runs ${elevation(invocation)} with ${path}, written just before (a config, plugin or script it loads)`,
    invocation.command.text,
  );
}
