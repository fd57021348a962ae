/**
 * Secrets: reading credential files (SSH keys, cloud credentials, tokens, `.env`, password
 * hashes) is reviewed; sending them, an environment dump or an archive of a credential folder
 * over the network (as an upload argument, through a pipe, or inside `$(…)` of a network
 * command, DNS lookups included) is blocked.
 */
import type { Script, SimpleCommand, Word } from "../ir.ts";
import { deleteImpact, hostOf, isLocalHost, normalizePath } from "../paths.ts";
import { CAP, capabilitiesOf } from "../programs.ts";
import { isSecretDir as isCredentialDir, isSecretPath as isCredentialPath } from "../sensitive.ts";
import { display, isOption, positionals, type Invocation } from "../wrappers.ts";
import type { RuleContext } from "./context.ts";
import type { InvocationOf } from "./remote.ts";

/** Raw sockets: the bytes go to the peer as they are. */
const RAW_SENDERS: ReadonlySet<string> = new Set(["nc", "ncat", "netcat", "socat", "socket", "telnet", "openssl"]);

/** Tools that can send data over the network. */
const SENDERS: ReadonlySet<string> = new Set([
  "curl",
  "wget",
  "nc",
  "ncat",
  "netcat",
  "socat",
  "socket",
  "telnet",
  "scp",
  "sftp",
  "ftp",
  "tftp",
  "rsync",
  "ssh",
  "http",
  "https",
  "xh",
  "mail",
  "mailx",
  "sendmail",
  "openssl",
  "smbclient",
  "lftp",
]);

const READERS = new Set([
  "cat",
  "less",
  "more",
  "head",
  "tail",
  "bat",
  "batcat",
  "nl",
  "tac",
  "strings",
  "xxd",
  "od",
  "hexdump",
  "base64",
  "base32",
  "grep",
  "egrep",
  "fgrep",
  "rg",
  "ag",
  "ack",
  "awk",
  "gawk",
  "sed",
  "cut",
  "sort",
  "uniq",
  "cp",
  "tar",
  "zip",
  "7z",
  "gzip",
  "bzip2",
  "xz",
  "zstd",
  "jq",
  "yq",
  "dd",
  "scp",
  "rsync",
  "install",
  "split",
  "paste",
  "column",
]);
const COPIERS = new Set(["cp", "scp", "rsync", "install"]);
const ARCHIVERS = new Set(["tar", "zip", "7z", "gzip", "bzip2", "xz", "zstd"]);
const DNS_TOOLS = new Set(["dig", "nslookup", "host", "drill", "ping", "traceroute", "getent"]);
const ENV_DUMPS = new Set(["env", "printenv", "set", "declare", "export"]);
const SEARCHERS = new Set(["grep", "egrep", "rg", "ag", "ack"]);
const SECRET_VARIABLE = /\$\{?[A-Za-z0-9_]*(?:TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIALS?)[A-Za-z0-9_]*\}?/i;
const SEARCH_FOR_SECRETS = /pass(?:word|wd)?|secret|token|api.?key|private.?key|credential|BEGIN (?:RSA|OPENSSH|EC|PGP)/i;
const SENSITIVE_FILES = /^\/etc\/(?:passwd|group|hosts)$|^\/var\/log\/|^\/proc\/[^/]+\/environ$/;
const CURL_UPLOAD_FLAGS = new Set([
  "-d",
  "--data",
  "--data-binary",
  "--data-raw",
  "--data-urlencode",
  "--data-ascii",
  "-F",
  "--form",
  "--form-string",
  "-T",
  "--upload-file",
  "--json",
]);

/** Paths a reader reads (copy commands: only sources; dd: `if=`; openssl: `-in`). */
function readPaths(invocation: Invocation): Word[] {
  const { name, args } = invocation;
  if (name === "dd") return args.filter((arg) => arg.value.startsWith("if=")).map((arg) => ({ ...arg, value: arg.value.slice(3) }));
  if (name === "openssl") return args.filter((_arg, i) => args[i - 1]?.value === "-in");
  const items = positionals(args);
  if (COPIERS.has(name)) return items.slice(0, -1);
  return items;
}

/** What sensitive data this invocation reads, for reasons; undefined when none. */
function sensitiveRead(invocation: Invocation): string | undefined {
  const { name, args } = invocation;
  if (ENV_DUMPS.has(name) && positionals(args).length === 0 && !invocation.command.words.slice(1).some((word) => /=/.test(word.value)))
    return "the environment";
  if (name === "gpg" && args.some((arg) => /^--export-secret-(?:sub)?keys$/.test(arg.value))) return "GPG secret keys";
  if (name === "security" && args.some((arg) => /^find-(?:generic|internet)-password$/.test(arg.value))) return "a keychain password";
  if (name === "kubectl" && args.some((arg) => /^secrets?$/.test(arg.value)) && args.some((arg) => arg.value === "get"))
    return "Kubernetes secrets";
  if (!READERS.has(name)) return undefined;
  const cwd = invocation.command.cwd;
  for (const path of readPaths(invocation)) {
    if (path.dynamic) continue;
    if (isCredentialPath(path.value, cwd)) return normalizePath(path.value, cwd);
    if ((ARCHIVERS.has(name) || COPIERS.has(name)) && (isCredentialDir(path.value, cwd) || normalizePath(path.value, cwd) === "~"))
      return `${normalizePath(path.value, cwd)}/`;
  }
  if (
    name === "cat" &&
    invocation.command.redirects.some((redirect) => redirect.op === "<" && redirect.target && isCredentialPath(redirect.target.value, cwd))
  )
    return "a credential file";
  return undefined;
}

/** Files a network command uploads (`curl -d @f`, `-F x=@f`, `-T f`, `wget --post-file=f`, `scp f host:`), `-` for stdin. */
function uploads(invocation: Invocation): string[] {
  const { name, args } = invocation;
  const files: string[] = [];
  if (name === "curl") {
    for (let i = 0; i < args.length; i++) {
      const [flag, inline] = args[i]!.value.split(/=(.*)/s, 2) as [string, string | undefined];
      if (!CURL_UPLOAD_FLAGS.has(flag)) continue;
      const value = inline ?? args[i + 1]?.value ?? "";
      if (flag === "-T" || flag === "--upload-file") files.push(value);
      const at = /(?:^|=)[@<](.+)$/.exec(value);
      if (at) files.push(at[1]!);
    }
  }
  if (name === "wget")
    for (const arg of args) {
      const file = /^--(?:post|body)-file=(.+)$/.exec(arg.value);
      if (file) files.push(file[1]!);
    }
  if (name === "scp" || name === "rsync" || name === "sftp") {
    const items = positionals(args);
    const destination = items.at(-1);
    if (destination && hostOf(destination.value) && !isLocalHost(hostOf(destination.value)!))
      files.push(...items.slice(0, -1).map((item) => item.value));
  }
  for (const redirect of invocation.command.redirects) if (redirect.op === "<" && redirect.target) files.push(redirect.target.value);
  return files;
}

function destination(invocation: Invocation): string | undefined {
  for (const arg of positionals(invocation.args)) {
    const host = hostOf(arg.value);
    if (host) return host;
  }
  // nc host port
  const plain = positionals(invocation.args).find((arg) => /^[a-z0-9.-]+$/i.test(arg.value) && !/^\d+$/.test(arg.value));
  return plain?.value.toLowerCase();
}

function readsStdin(invocation: Invocation): boolean {
  const { name } = invocation;
  if (
    name === "nc" ||
    name === "ncat" ||
    name === "netcat" ||
    name === "telnet" ||
    name === "socat" ||
    name === "mail" ||
    name === "mailx" ||
    name === "sendmail"
  )
    return true;
  if (name === "ssh") return positionals(invocation.args).length >= 1;
  return uploads(invocation).includes("-");
}

function exfilHit(ctx: RuleContext, what: string, sender: Invocation, segment: string): void {
  const host = destination(sender);
  ctx.fact("secret_read", what, segment);
  if (host && isLocalHost(host)) ctx.hit("sensitive_upload", "review", `${what} is sent to ${host} (${sender.name})`, segment);
  else
    ctx.hit("credential_exfiltration", "block", `${what} is sent over the network by ${sender.name}${host ? ` to ${host}` : ""}`, segment);
}

/** Credential reads and exfiltration across a script. */
export function exfilRules(script: Script, invocationOf: InvocationOf, ctx: RuleContext): void {
  for (const command of script.commands) {
    const invocation = invocationOf(command);
    if (!invocation) continue;
    const read = sensitiveRead(invocation);
    if (read && read !== "the environment") {
      ctx.hit("credential_read", "review", `reads ${read} (${display([invocation.nameWord, ...invocation.args])})`, command.text);
      ctx.fact("secret_read", read, command.text);
    }
    secretSearch(invocation, ctx);
    if (SENDERS.has(invocation.name) || DNS_TOOLS.has(invocation.name)) senderRules(invocation, command, invocationOf, ctx);
  }
}

function senderRules(sender: Invocation, command: SimpleCommand, invocationOf: InvocationOf, ctx: RuleContext): void {
  const cwd = command.cwd;
  const sent = uploads(sender);
  const remote = destination(sender);
  if (sent.length > 0 && !(remote && isLocalHost(remote)))
    ctx.fact("network_send", `${sender.name} sends ${sent.join(", ")}`, command.text);
  for (const file of sent) {
    if (file === "-") continue;
    if (isCredentialPath(file, cwd) || isCredentialDir(file, cwd)) exfilHit(ctx, normalizePath(file, cwd), sender, command.text);
    else if (SENSITIVE_FILES.test(normalizePath(file, cwd)))
      ctx.hit("sensitive_upload", "review", `${normalizePath(file, cwd)} is uploaded by ${sender.name}`, command.text);
    // A raw socket carries the file as-is to whoever listens: no protocol, no record (HTTP and scp uploads are ordinary work).
    else if (RAW_SENDERS.has(sender.name) && !(remote && isLocalHost(remote)))
      ctx.hit("sensitive_upload", "review", `${sender.name} sends ${file} over a raw socket${remote ? ` to ${remote}` : ""}`, command.text);
  }
  // Piped in: `cat ~/.ssh/id_rsa | curl -d @- …`, `env | nc host 9000`, `tar czf - ~/.ssh | nc …`.
  const { pipeline, stage } = command;
  if (pipeline && stage !== undefined && stage > 0 && readsStdin(sender)) {
    for (const earlier of pipeline.stages.slice(Math.max(0, stage - 16), stage).flat()) {
      const source = invocationOf(earlier);
      const what = source ? sensitiveRead(source) : undefined;
      if (what) exfilHit(ctx, what, sender, `${earlier.text} | ... | ${command.text}`);
      else if (
        source &&
        (ARCHIVERS.has(source.name) || source.name === "tar") &&
        readPaths(source).some((path) => deleteImpact(path.value, cwd) === "critical")
      ) {
        exfilHit(ctx, `an archive of ${display(readPaths(source))}`, sender, command.text);
      }
    }
  }
  // Inside substitutions of the command's own words: `curl …?k=$(cat ~/.aws/credentials)`, `dig $(…).evil.example`.
  for (const word of sender.args) {
    for (const nested of word.substitutions) {
      for (const inner of nested.commands) {
        const source = invocationOf(inner);
        const what = source ? sensitiveRead(source) : undefined;
        if (what) exfilHit(ctx, what, sender, command.text);
      }
    }
  }
  if (sender.name === "curl") secretVariables(sender, command, ctx);
}

/** `curl -d "token=$GITHUB_TOKEN" https://elsewhere` puts a secret in a request body (headers and -u are normal use). */
function secretVariables(sender: Invocation, command: SimpleCommand, ctx: RuleContext): void {
  const host = destination(sender);
  if (host && isLocalHost(host)) return;
  const args = sender.args;
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i]!.value.split(/=(.*)/s, 2) as [string, string | undefined];
    if (!CURL_UPLOAD_FLAGS.has(flag)) continue;
    const value = inline !== undefined ? args[i]! : args[i + 1];
    const secret = value ? SECRET_VARIABLE.exec(value.raw) : null;
    if (secret) ctx.hit("sensitive_upload", "review", `${secret[0]} is sent in a request body to ${host ?? "a remote host"}`, command.text);
  }
}

/** `grep -r password ~/.config`: searching home or system folders for secrets. */
function secretSearch(invocation: Invocation, ctx: RuleContext): void {
  if (!SEARCHERS.has(invocation.name)) return;
  const items = positionals(invocation.args);
  const pattern = items[0];
  const recursive = invocation.name !== "grep" || invocation.args.some((arg) => isOption(arg) && /^-\w*[rR]|^--recursive$/.test(arg.value));
  if (!pattern || !recursive || !SEARCH_FOR_SECRETS.test(pattern.value)) return;
  const where = items.slice(1).find((item) => /^(?:~|\/)/.test(normalizePath(item.value)) && !/^\/tmp\//.test(item.value));
  if (where) ctx.hit("credential_read", "review", `searches ${where.value} for "${pattern.value}"`, invocation.command.text);
}

/**
 * A program that can send data to a remote host (an upload-capable client, a raw socket, an
 * interactive file-transfer session): recorded so that a secret read anywhere in the same action
 * makes it exfiltration (judge.ts). Plain fetches (curl/wget without a body) are not sends.
 */
export function networkFacts(invocation: Invocation, ctx: RuleContext): void {
  const caps = capabilitiesOf(invocation.name);
  if (!(caps & (CAP.upload | CAP.raw))) return;
  if ((invocation.name === "curl" || invocation.name === "wget") && uploads(invocation).length === 0) return;
  if (invocation.name === "openssl" && !invocation.args.some((arg) => /^(?:s_client|s_server|-connect)$/.test(arg.value))) return;
  const host = destination(invocation);
  if (host && isLocalHost(host)) return;
  if (host || caps & CAP.interactive)
    ctx.fact("network_send", `${invocation.name} can send data to ${host ?? "a remote host"}`, invocation.command.text);
}
