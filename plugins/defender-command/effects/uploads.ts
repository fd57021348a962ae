/**
 * Files sent to another host by any program that can send them: HTTP clients (`curl -T/-F/-d @`,
 * `wget --post-file`, `ab -p`), copy tools (`scp`, `rsync`, `rclone`, `aws s3 cp`), print and
 * backup servers (`lp -h`, `restic -r rest:…`), raw sockets and probes (`socat FILE:… TCP:…`,
 * `hping3 --file`), file content pasted into a request (`whois -h H "$(cat F)"`, `cancel -u
 * "$(cat F)"`), and `put` typed into or given to a file-transfer session (`sftp H` then `put F`,
 * `smbclient … -c 'put F'`). Uploads are ordinary work when a literal project file goes to a
 * literal destination; one is reviewed when the script parameterised it (the file or the
 * destination held in a variable it set), when the file sits in a private location (system
 * folders, dotfiles of a home), or when file content goes out through a channel that is not made
 * for files (whois, DNS, print jobs). Secrets sent anywhere are blocked by exfil.ts.
 */
import type { SimpleCommand, Word } from "../ir.ts";
import { hostOf, isLocalHost, normalizePath } from "../paths.ts";
import { CAP, capabilitiesOf } from "../programs.ts";
import { display, invocationOf, isOption, positionals, type Invocation } from "../wrappers.ts";
import type { RuleContext } from "./context.ts";
import { scriptVariable } from "./elevated.ts";

/** Where files are private: system configuration and state, other processes, a home's dotfiles. */
const PRIVATE = /^(?:\/(?:etc|root|proc|sys|boot)(?:\/|$)|\/var\/(?:log|lib|spool|mail|backups|db)(?:\/|$)|~\/?$|~\/\.[^/]|\/home\/?$)/;
/** Channels that carry text, not files: file content in them is laundered out. */
const NOT_FOR_FILES: ReadonlySet<string> = new Set(["whois", "cancel", "lp", "dig", "host", "nslookup", "drill", "ping", "finger"]);
/** Programs that print a file (their output pasted into a request is the file). */
const PRINTS_FILE = /^(?:cat|head|tail|tac|base64|base32|xxd|od|hexdump|strings|gzip|bzip2|xz|openssl)$/;
/** Commands typed into a file-transfer session that send a local file. */
const PUT = /^(?:put|mput|send|append|reput)$/i;

/** One file on its way out, and where it goes. */
interface Sent {
  readonly file: Word;
  readonly to?: Word;
}

function remoteWord(words: readonly Word[]): Word | undefined {
  return words.find((word) => {
    const host = hostOf(word.value.replace(/^rest:/, ""));
    return host !== undefined && !isLocalHost(host);
  });
}

/** Options of copy tools that take a value in the next word (`scp -i KEY`, `rsync -e CMD`). */
const VALUED_OPTIONS: Readonly<Record<string, RegExp>> = {
  scp: /^-[iPoFclSJD]$/,
  rsync:
    /^(?:-e|--rsh|-f|--filter|--exclude|--include|--exclude-from|--include-from|--files-from|--password-file|--port|-T|--temp-dir|--log-file|-M|--remote-option|--rsync-path|--chown|--chmod|-B|--block-size)$/,
  rclone:
    /^(?:--config|--exclude|--include|--filter|--filter-from|--exclude-from|--include-from|--files-from|--log-file|--transfers|--checkers|-[v]+)$/,
  restic: /^(?:-r|--repo|-p|--password-file|--exclude|-e|--exclude-file|--files-from|--tag|--host|--cache-dir|-o|--option)$/,
};

/** Positionals of a command, skipping the values of its valued options. */
function operands(args: readonly Word[], valued: RegExp): Word[] {
  const out: Word[] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (isOption(word)) {
      if (valued.test(word.value)) i++;
      continue;
    }
    out.push(word);
  }
  return out;
}

/** Value of an option (`-T F`, `--upload-file=F`), with its word. */
function optionValues(args: readonly Word[], flags: RegExp): Word[] {
  const out: Word[] = [];
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i]!.value.split(/=(.*)/s, 2) as [string, string | undefined];
    if (!flags.test(flag)) continue;
    const value = inline !== undefined ? { ...args[i]!, value: inline } : args[i + 1];
    if (value) out.push(value);
  }
  return out;
}

/** `@F`, `name=@F`, `<F` inside a form or data value. */
function attached(word: Word): Word | undefined {
  const at = /(?:^|=)[@<]([^;,]+)/.exec(word.value);
  return at ? { ...word, value: at[1]! } : undefined;
}

/** Files an invocation sends and their destination (empty for programs that send none). */
function sentFiles(invocation: Invocation): Sent[] {
  const { name, args } = invocation;
  const to = remoteWord(positionals(args)) ?? remoteWord(args);
  const files: Word[] = [];
  switch (name) {
    case "curl":
      files.push(...optionValues(args, /^(?:-T|--upload-file)$/));
      for (const value of optionValues(args, /^(?:-d|--data|--data-binary|--data-raw|--data-urlencode|--data-ascii|-F|--form|--json)$/)) {
        const file = attached(value);
        if (file) files.push(file);
      }
      break;
    case "wget":
      files.push(...optionValues(args, /^--(?:post|body)-file$/));
      break;
    case "ab":
      files.push(...optionValues(args, /^-[pu]$/));
      break;
    case "hping3":
      files.push(...optionValues(args, /^(?:-E|--file)$/));
      break;
    case "lp":
    case "lpr": {
      // A print server elsewhere (`-h host`): the job's files go there.
      const server = optionValues(args, /^-[hHdPU]$/);
      const target = optionValues(args, /^-[hH]$/)[0];
      if (!target) return [];
      return positionals(args)
        .filter((word) => !server.includes(word))
        .map((file) => ({ file, to: target }));
    }
    case "scp":
    case "rsync":
    case "rclone":
    case "restic": {
      const items = operands(args, VALUED_OPTIONS[name]!).filter((word) => !/^(?:backup|copy|sync|move|copyto)$/.test(word.value));
      const target = name === "restic" ? optionValues(args, /^(?:-r|--repo)$/)[0] : items.at(-1);
      if (!target || !hostOf(target.value.replace(/^rest:/, ""))) return [];
      return (name === "restic" ? items : items.slice(0, -1)).map((file) => ({ file, to: target }));
    }
    case "aws":
    case "gsutil": {
      const items = positionals(args).filter((word) => !/^(?:s3|cp|sync|mv|rsync)$/.test(word.value));
      const target = items.at(-1);
      if (!target || !/^(?:s3|gs):\/\//.test(target.value)) return [];
      return items.slice(0, -1).map((file) => ({ file, to: target }));
    }
    case "socat":
      for (const word of args) {
        const file = /^(?:FILE|OPEN|GOPEN|CREATE)?:?([^,!]+)/i.exec(word.value);
        if (/^(?:file|open|gopen):/i.test(word.value) && file) files.push({ ...word, value: file[1]! });
      }
      break;
  }
  return files.map((file) => ({ file, to }));
}

/** Why a file going out is worth a look; undefined for a literal project file to a literal place. */
function concern(sent: Sent, ctx: RuleContext, cwd?: string): string | undefined {
  const file = scriptVariable(sent.file, ctx.env);
  if (file?.value !== undefined && !/^\/(?:tmp|var\/tmp)\//.test(file.value) && file.value !== "-")
    return `the file in $${file.name} (${file.value})`;
  const path = normalizePath(sent.file.value, cwd).replace(/^\/home\/[^/]+(?=\/|$)/, "~");
  if (!sent.file.dynamic && PRIVATE.test(path)) return `${path}, from a private location`;
  const to = sent.to ? scriptVariable(sent.to, ctx.env) : undefined;
  if (to?.value !== undefined && sent.file.value !== "-") return `${sent.file.value} to the destination in $${to.name} (${to.value})`;
  return undefined;
}

function flag(invocation: Invocation, what: string, ctx: RuleContext): void {
  ctx.hit("sensitive_upload", "review", `${invocation.name} sends ${what} off the machine`, invocation.command.text);
}

/** Files pasted into a request: `whois -h H "$(cat F)"`, `curl -d "$(cat $F)" …`. */
function pastedFiles(invocation: Invocation, ctx: RuleContext): void {
  const caps = capabilitiesOf(invocation.name);
  const textChannel = NOT_FOR_FILES.has(invocation.name);
  if (!textChannel && !(caps & (CAP.upload | CAP.raw))) return;
  for (const word of invocation.args) {
    for (const script of word.substitutions) {
      for (const command of script.commands.slice(0, 8)) {
        const inner = invocationOf(command);
        if (!inner || !PRINTS_FILE.test(inner.name)) continue;
        for (const file of positionals(inner.args).slice(0, 4)) {
          const reason = textChannel ? `the content of ${file.value}` : concern({ file }, ctx, invocation.command.cwd);
          if (reason) {
            flag(invocation, textChannel ? `${reason} inside ${display([word])}` : `the content of ${reason}`, ctx);
            return;
          }
        }
      }
    }
  }
}

/** Uploads of one invocation. */
export function uploadRules(invocation: Invocation, ctx: RuleContext): void {
  const caps = capabilitiesOf(invocation.name);
  if (!(caps & (CAP.upload | CAP.raw | CAP.connect)) && !NOT_FOR_FILES.has(invocation.name)) return;
  pastedFiles(invocation, ctx);
  const sent = sentFiles(invocation);
  // Any file fed to a sender's stdin (`nc host port < F`, `openssl s_client … < F`).
  for (const redirect of invocation.command.redirects)
    if (redirect.op === "<" && redirect.target && caps & (CAP.upload | CAP.raw))
      sent.push({ file: redirect.target, to: remoteWord(invocation.args) });
  for (const item of sent.slice(0, 16)) {
    if (!item.to && !(caps & CAP.raw)) continue;
    const reason = concern(item, ctx, invocation.command.cwd);
    if (reason) {
      flag(invocation, reason, ctx);
      return;
    }
  }
  sessionOption(invocation, ctx);
}

/** `smbclient //h/s -c 'put F'`, `lftp -c 'open h; put F'`: commands given to a transfer session as an option. */
function sessionOption(invocation: Invocation, ctx: RuleContext): void {
  if (!(capabilitiesOf(invocation.name) & CAP.interactive) || !(capabilitiesOf(invocation.name) & CAP.upload)) return;
  const host = invocation.args.find((word) => !isOption(word) && /^(?:\/\/|\\\\|[\w.-]+@|[a-z]+:\/\/)/i.test(word.value));
  for (const value of optionValues(invocation.args, /^(?:-c|--command|-e)$/)) {
    for (const line of value.value.split(/[;\n]/).slice(0, 16)) {
      const words = line.trim().split(/\s+/);
      if (!PUT.test(words[0] ?? "") || !words[1]) continue;
      const reason = concern({ file: { ...value, value: words[1] }, to: host }, ctx, invocation.command.cwd);
      if (reason) flag(invocation, reason, ctx);
    }
  }
}

/** The opener of a transfer session named its host through a variable of the script (`sftp $RHOST`). */
export function parameterisedSession(invocation: Invocation, ctx: RuleContext): boolean {
  if (!(capabilitiesOf(invocation.name) & CAP.upload)) return false;
  return positionals(invocation.args).some((word) => scriptVariable(word, ctx.env)?.value !== undefined);
}

/** `put F` typed into a file-transfer session. */
export function typedUpload(command: SimpleCommand, program: string, parameterised: boolean, ctx: RuleContext): void {
  if (!(capabilitiesOf(program) & CAP.upload) || !PUT.test(command.words[0]?.value ?? "")) return;
  const file = command.words[1];
  if (!file) return;
  const reason = concern({ file }, ctx, command.cwd) ?? (parameterised ? `${file.value} to a host held in a variable` : undefined);
  if (reason) ctx.hit("sensitive_upload", "review", `put in a ${program} session sends ${reason}`, command.text);
}
