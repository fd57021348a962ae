/**
 * Reads and writes of sensitive paths (sensitive.ts), found in every place a path can hide:
 * positional arguments, option values (`-o F`, `--output=F`, `--extra-opts=@F`, `of=F`),
 * paths inside longer strings (`\verbatiminput{F}`, `open("F")`), redirects, and text typed
 * into an interactive program. Which way the data goes depends on the program (capabilities
 * in programs.ts) and the argument's position: secrets read are reviewed (and recorded for the
 * exfiltration judge); writes to accounts, sudoers, `authorized_keys`, `ld.so.preload` and
 * system cron/profile files are blocked; writes to cron spools, units, autostart entries and git
 * hooks are persistence (reviewed, blocked when what they install is risky); shell and tool rc
 * files are judged by their content; truncating or deleting history and logs is reviewed.
 */
import type { Redirect, SimpleCommand, Word } from "../ir.ts";
import { CAP, capabilitiesOf } from "../programs.ts";
import { classifyPath, pathTokens, type Sensitive } from "../sensitive.ts";
import { display, isOption, positionals, type Invocation } from "../wrappers.ts";
import type { RuleContext } from "./context.ts";

/** Programs that use a key or credential file for its purpose (ssh -i KEY); naming one is not a read. */
const KEY_USERS: ReadonlySet<string> = new Set([
  "ssh",
  "scp",
  "sftp",
  "sshfs",
  "ssh-add",
  "ssh-copy-id",
  "ssh-keygen",
  "git",
  "gpg",
  "gpg2",
  "age",
  "sops",
  "openssl",
  "certbot",
  "kubectl",
  "helm",
  "docker",
  "aws",
  "gcloud",
  "az",
  "terraform",
  "ansible",
  "ansible-playbook",
  "mosh",
  "rsync",
  "vault",
  "op",
  "pass",
]);
/** Secrets no program needs for its purpose: password hashes and process environments. */
const SYSTEM_SECRET = /(?:^|\/)etc\/(?:g?shadow|master\.passwd|security\/opasswd)|^\/proc\//;
/** Data printers: their arguments are text, not files (unless piped somewhere, see analyze.ts). */
const TEXT_ONLY: ReadonlySet<string> = new Set([
  "echo",
  "printf",
  ":",
  "true",
  "false",
  "export",
  "declare",
  "local",
  "readonly",
  "typeset",
  "alias",
]);
/** Options whose value is a file the program writes. */
const OUTPUT_OPTION =
  /^(?:-o|-O|-w|-W|--output|--output-file|--output-document|--out|-out|--outfile|--outdir|--log-file|--logfile|--save|--target|-t|--to|--dump|--write|--result-file|-pidfile|--pid-file)$/;
const OUTPUT_INLINE =
  /^(?:--?(?:output|output-file|output-document|out|outfile|log-file|logfile|save|target|write|result-file|filename)|of)=(.+)$/;

/** Options whose value is a file read as a list or a database (`file -f LIST`, `file -m MAGIC`, `du --files0-from F`). */
function listInput(name: string, option: string): boolean {
  return /^--files0?-from$/.test(option) || (name === "file" && /^(?:-f|-m|--files-from|--magic-file)$/.test(option));
}

/** Where one argument's path sits: read, written, or unknown (the program may do either). */
type Role = "read" | "write" | "unknown" | "none";

interface Mention {
  readonly found: Sensitive;
  readonly role: Role;
}

/** The sensitive paths a word names: the word itself, a value after `=`/`@`, or paths inside a longer string (`inside`). */
function sensitiveOf(word: Word, cwd: string | undefined): { found: Sensitive; inside: boolean }[] {
  if (word.dynamic && !word.alternatives) return [];
  const out: { found: Sensitive; inside: boolean }[] = [];
  if (!word.alternatives && (word.value.length < 4 || !MAYBE_PATH.test(word.value))) return out;
  for (const value of word.alternatives ? [word.value, ...word.alternatives] : [word.value]) {
    const direct = /\s/.test(value) ? undefined : classifyPath(value.replace(/^[A-Za-z-]*=/, "").replace(/^@/, ""), cwd);
    if (direct) out.push({ found: direct, inside: false });
    else if (value.length > 2)
      for (const token of pathTokens(value)) {
        const found = classifyPath(token, cwd);
        if (found) out.push({ found, inside: true });
      }
  }
  return out;
}

function roleOf(invocation: Invocation, index: number, caps: number): Role {
  const { name, args } = invocation;
  const word = args[index]!;
  const previous = args[index - 1]?.value ?? "";
  if (OUTPUT_INLINE.test(word.value) || OUTPUT_OPTION.test(previous) || (name === "rlwrap" && previous === "-l")) return "write";
  if (name === "tee" || name === "truncate" || name === "shred" || name === "rm" || name === "unlink" || name === "srm") return "write";
  if (name === "dd") return word.value.startsWith("of=") ? "write" : word.value.startsWith("if=") ? "read" : "none";
  // The names of the pieces csplit and split write (`-b "%d/etc/x"` puts them there).
  if ((name === "csplit" || name === "split") && /^(?:-b|-f|--suffix-format|--prefix|--additional-suffix)$/.test(previous)) return "write";
  if (listInput(name, previous)) return "read";
  if (name === "sed" && args.some((arg) => /^-\w*i|^--in-place/.test(arg.value))) return "write";
  if (/^(?:cp|mv|install|ln|rsync|scp|cpio|dos2unix|unix2dos|iconv|csplit|split|sponge|xxd)$/.test(name)) {
    const items = positionals(args);
    return items[items.length - 1] === word && items.length > 1 ? "write" : "read";
  }
  if (caps & CAP.editor) return "write";
  if (caps & (CAP.reader | CAP.archive | CAP.decode)) return "read";
  return "unknown";
}

// Every sensitive path has a `/`, a leading `.` or `~`, or a `.pem`-like name; other words are skipped at once.
const MAYBE_PATH = /[/~]|^\.|\.(?:pem|key|p12|pfx|jks|keystore|ppk|kdbx|env)\b/;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Sensitive paths named by an invocation's arguments, with the way data goes. */
function mentions(invocation: Invocation): Mention[] {
  const { name, args, command } = invocation;
  if (TEXT_ONLY.has(name)) return [];
  const caps = capabilitiesOf(name);
  if (caps & (CAP.perm | CAP.account)) return [];
  // An inspector only looks at the paths it is given, except a list or magic file it reads (`file -f F`, `find -files0-from F`).
  const inspector = (caps & CAP.inspect) !== 0;
  const out: Mention[] = [];
  for (let index = 0; index < args.length && out.length < 16; index++) {
    if (inspector && !listInput(name, args[index - 1]?.value ?? "") && !listInput(name, args[index]!.value.split("=", 1)[0]!)) continue;
    for (const { found, inside } of sensitiveOf(args[index]!, command.cwd)) {
      let role = roleOf(invocation, index, caps);
      // A path inside a longer argument (`-b "%d/root/.ssh/authorized_keys"`, sed's `w FILE`) may be where it writes.
      if (inside && role === "read")
        role =
          name === "sed" && new RegExp(`\\bw\\s*${escapeRegExp(found.path.replace(/^~/, ""))}`).test(args[index]!.value)
            ? "write"
            : "unknown";
      out.push({ found, role });
    }
  }
  return out;
}

/** Secret reads, sensitive writes and log tampering named in an invocation's arguments. */
export function fileRules(invocation: Invocation, ctx: RuleContext): void {
  const segment = invocation.command.text;
  for (const { found, role } of mentions(invocation)) {
    const isSecret = found.cls === "secret" || (found.cls === "access" && found.strong);
    const forItsPurpose = KEY_USERS.has(invocation.name) && !SYSTEM_SECRET.test(found.path);
    if (isSecret && role !== "write" && !forItsPurpose && (found.strong || role === "read")) {
      ctx.hit(
        "credential_read",
        "review",
        `${invocation.name} reads ${found.path} (${display([invocation.nameWord, ...invocation.args])})`,
        segment,
      );
      ctx.fact("secret_read", found.path, segment);
    }
    if (role === "write" || role === "unknown") written(found, role, invocation.name, segment, ctx);
  }
}

/** A sensitive path written (or possibly written, by a program whose direction is unknown). */
function written(found: Sensitive, role: Role, by: string, segment: string, ctx: RuleContext): void {
  const sure = role === "write";
  if (found.cls === "access") {
    if (sure) ctx.hit("system_tamper", "block", `${by} writes ${found.path}`, segment);
    else if (!KEY_USERS.has(by)) ctx.hit("system_tamper", "review", `${by} is given ${found.path} and may modify it`, segment);
  } else if (found.cls === "persist" && !found.rc && (sure || !KEY_USERS.has(by)))
    ctx.hit("persistence", "review", `${by} ${sure ? "writes" : "is given"} ${found.path}, which runs later`, segment);
  else if (found.cls === "log" && sure) ctx.hit("security_disable", "review", `${by} erases or rewrites ${found.path}`, segment);
}

/** Redirects: `> /etc/sudoers`, `>> ~/.ssh/authorized_keys`, `> ~/.bash_history`, `< /etc/shadow`. */
export function redirectRules(redirect: Redirect, command: SimpleCommand | undefined, ctx: RuleContext): void {
  const target = redirect.target;
  if (!target || (target.dynamic && !target.alternatives) || /&$/.test(redirect.op)) return;
  const segment = command?.text ?? `${redirect.op} ${target.raw}`;
  const found = classifyPath(target.value, command?.cwd);
  if (!found) return;
  if (/</.test(redirect.op) && !/>/.test(redirect.op)) {
    if (found.cls === "secret" || (found.cls === "access" && found.strong)) {
      ctx.hit("credential_read", "review", `reads ${found.path} through a redirect`, segment);
      ctx.fact("secret_read", found.path, segment);
    }
    return;
  }
  const by = command?.words[0]?.value ?? "a redirect";
  if (found.cls === "access") ctx.hit("system_tamper", "block", `output written to ${found.path}`, segment);
  else if (found.cls === "persist" && !found.rc)
    ctx.hit("persistence", "review", `output written to ${found.path}, which runs later`, segment);
  else if (found.cls === "log") ctx.hit("security_disable", "review", `${by} overwrites ${found.path}`, segment);
}

/** Paths a command writes through its redirects (`> F`, `>> F`, `&> F`). */
export function redirectTargets(command: SimpleCommand): Word[] {
  return command.redirects
    .filter((redirect) => redirect.target && />/.test(redirect.op) && !/&$/.test(redirect.op))
    .map((redirect) => redirect.target!);
}

const WRITERS =
  /^(?:tee|truncate|shred|rm|unlink|srm|dd|sed|cp|mv|install|ln|rsync|scp|cpio|dos2unix|unix2dos|iconv|csplit|split|sponge|xxd|rlwrap)$/;

/** Paths a command writes through its arguments (tee, cp/mv/install dest, dd of=, -o F). */
export function argumentTargets(invocation: Invocation): Word[] {
  if (
    !WRITERS.test(invocation.name) &&
    !invocation.values.some((value) => value.charCodeAt(0) === 45 /* - */ && (OUTPUT_OPTION.test(value) || OUTPUT_INLINE.test(value)))
  )
    return [];
  const caps = capabilitiesOf(invocation.name);
  const out: Word[] = [];
  invocation.args.forEach((word, index) => {
    if (isOption(word) && !OUTPUT_INLINE.test(word.value)) return;
    if (roleOf(invocation, index, caps) === "write" && !(caps & CAP.editor)) {
      const inline = OUTPUT_INLINE.exec(word.value)?.[1];
      out.push(inline !== undefined ? { ...word, value: inline } : word);
    }
  });
  return out;
}

/**
 * Text written to a start-up file, crontab, unit, hook or autostart entry: judged as what will run.
 * Cron lines lose their schedule, units keep their Exec lines, anything else is a script.
 */
export function persistedContent(found: Sensitive, content: string, ctx: RuleContext): void {
  const via = `text written to ${found.path}`;
  if (/cron/.test(found.path)) {
    cronJobs(content, /^\/etc\/cron(?:tab$|\.d\/)/.test(found.path), via, ctx);
    return;
  }
  if (/systemd|\.service$|\.timer$|\.desktop$|\.plist$/.test(found.path)) {
    for (const match of content.matchAll(/^\s*(?:Exec\w*|ExecStart(?:Pre|Post)?|Exec)\s*=\s*[-@+!:]*(.+)$/gm)) ctx.nested(match[1]!, via);
    for (const match of content.matchAll(/<string>([^<]{1,500})<\/string>/g)) if (/\s|\//.test(match[1]!)) ctx.nested(match[1]!, via);
    return;
  }
  ctx.nested(content, via);
}

/** The commands of crontab lines (`m h dom mon dow [user] command`, `@reboot command`). */
export function cronJobs(content: string, withUser: boolean, via: string, ctx: RuleContext): void {
  const schedule = withUser ? /^\s*(?:@\w+\s+|(?:\S+\s+){5})\S+\s+(.+)$/ : /^\s*(?:@\w+\s+|(?:\S+\s+){5})(.+)$/;
  let lines = 0;
  for (const line of content.split("\n")) {
    if (line.trim().startsWith("#") || /^\s*[A-Z_]+=/.test(line) || ++lines > 64) continue;
    const job = schedule.exec(line)?.[1];
    if (job) ctx.nested(job, via);
  }
}
