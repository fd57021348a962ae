/**
 * Files the script wrote and a later command reads, runs, loads or installs (`echo … > $TF` then
 * `sh $TF`, `aria2c --on-download-error=$TF`, `SYSTEMD_EDITOR=$TF systemctl edit x`, `pip install
 * $TF`, `PATH=$TF:$PATH zypper x`): judged with the content the script gave them. A program told
 * to execute a file the script just wrote is running the script's own command, whatever program
 * it is; a program running as another user that loads such a file (a config, plugin or unit) is
 * reviewed even when its content says nothing (elevated.ts).
 */
import type { Word } from "../ir.ts";
import { CAP, capabilitiesOf } from "../programs.ts";
import type { WrittenFile, WrittenFiles } from "../script-state.ts";
import { isInterpreter, isShell } from "../shells.ts";
import type { Invocation } from "../wrappers.ts";
import type { RuleContext } from "./context.ts";
import { elevatedWrittenFile, elevation } from "./elevated.ts";
import { judgeCode, shellEscape } from "./exec.ts";
import { runsVariable } from "./hooks.ts";

/** Programs whose arguments name files they read as data or code (not run as scripts by a shell). */
const CONSUMES_QUIETLY = CAP.inspect | CAP.perm | CAP.reader;
/** Variables that name folders a program looks programs, plugins or libraries up in. */
const LOOKUP_VARIABLE = /^(?:PATH|\w*(?:_PATH|LIB|LIBDIR|_DIR|_HOME))$/;

interface Assigned {
  readonly name: string;
  readonly value: Word;
}

function assignments(invocation: Invocation): Assigned[] {
  const out: Assigned[] = invocation.command.assignments.map(([name, value]) => ({ name, value }));
  for (const word of invocation.assigned) {
    const at = word.value.indexOf("=");
    out.push({ name: word.value.slice(0, at), value: { ...word, value: word.value.slice(at + 1) } });
  }
  return out;
}

/**
 * `PATH=$TF:$PATH cmd`, `FACTERLIB=$TF facter`: a folder the script just filled is searched for
 * programs or plugins; `SYSTEMD_EDITOR=$TF`, `PAGER=$TF`: a file the script just wrote is run.
 */
function environmentFiles(invocation: Invocation, written: WrittenFiles, ctx: RuleContext): WrittenFile[] {
  const run: WrittenFile[] = [];
  const privileged = invocation.privileged || ctx.privileged;
  const cwd = invocation.command.cwd;
  for (const { name, value } of assignments(invocation)) {
    if (LOOKUP_VARIABLE.test(name)) {
      for (const folder of value.value.split(":").slice(0, 8)) {
        if (folder === "" || folder.startsWith("$")) continue;
        const inside = written
          .referencedBy([{ ...value, value: folder, dynamic: false }], cwd, true)
          .filter((file) => file.path !== folder);
        if (inside.length === 0) continue;
        ctx.hit(
          privileged ? "privilege_escalation" : "shell_escape",
          "review",
          `${invocation.name}${privileged ? ` runs ${elevation(invocation)} and` : ""} looks programs or plugins up in ${folder} ($${name}), where the script just put ${inside[0]!.path}`,
          invocation.command.text,
        );
        break;
      }
      continue;
    }
    const file = runsVariable(name) && !value.dynamic ? written.get(value.value, cwd) : undefined;
    if (file) run.push(file);
  }
  return run;
}

/** A command reads, runs or installs a file written earlier in the script: judge it with that content. */
export function consumeWritten(invocation: Invocation, written: WrittenFiles, ctx: RuleContext): void {
  if (written.size === 0) return;
  const privileged = invocation.privileged || ctx.privileged;
  const segment = invocation.command.text;
  for (const file of environmentFiles(invocation, written, ctx).slice(0, 4)) {
    shellEscape(invocation.name, `environment (it runs ${file.path}, written just before)`, privileged, segment, ctx);
    if (file.content !== undefined) ctx.nested(file.content, `${file.path} run by ${invocation.name}`, { privileged });
  }
  const caps = capabilitiesOf(invocation.name);
  if (caps & CONSUMES_QUIETLY && !(caps & CAP.code)) return;
  if (/^(?:rm|mv|cp|echo|printf|touch|mkdir|ln|install|tee|cd)$/.test(invocation.name)) return;
  const runsDirectly = written.get(invocation.nameWord.value, invocation.command.cwd);
  const files = runsDirectly ? [runsDirectly] : written.referencedBy(invocation.args, invocation.command.cwd, (caps & CAP.hooks) !== 0);
  if (privileged && !runsDirectly && files.length > 0 && !isShell(invocation.name)) elevatedWrittenFile(invocation, files[0]!.path, ctx);
  for (const file of files.slice(0, 4)) {
    if (file.content === undefined) continue;
    if (runsDirectly || isShell(invocation.name) || invocation.name === "source" || invocation.name === ".") {
      ctx.nested(file.content, `${file.path} (written earlier)`, { privileged });
      continue;
    }
    if (isInterpreter(invocation.name)) {
      judgeCode(file.content, { program: invocation.name, language: invocation.name, segment, privileged }, ctx);
      continue;
    }
    if (file.executable) {
      shellEscape(invocation.name, `options (it runs ${file.path}, a script written just before)`, privileged, segment, ctx);
      ctx.nested(file.content, `${file.path} run by ${invocation.name}`, { privileged });
      continue;
    }
    judgeCode(file.content, { program: invocation.name, data: true, segment, privileged }, ctx);
  }
}
