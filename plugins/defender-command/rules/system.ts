/**
 * The machine itself: privilege escalation, tampering with accounts, sudo, PAM, boot and SSH
 * access, permission wipes, killing every process, switching off firewalls, audit and shell
 * history, destructive infrastructure and database operations, container escapes, listeners,
 * and what is written into crontabs and shell start-up files (read as scripts).
 */
import { PRIVILEGE_WRAPPERS, display, isOption, positionals, type Invocation } from "../commands.ts";
import type { Redirect, SimpleCommand, Word } from "../ir.ts";
import { deleteImpact, isCredentialPath, isProtectedFile, isShellStartupFile, normalizePath } from "../paths.ts";
import type { RuleContext } from "./context.ts";

const SECURITY_SERVICES =
  /^(?:firewalld|ufw|iptables|nftables|apparmor|auditd|selinux|fail2ban|falcon-sensor|crowdstrike|osqueryd|wazuh-agent|clamav-daemon|clamd|sshguard|aide)(?:\.service)?$/;
const LOG_OR_HISTORY =
  /^(?:~|\/root|\/home\/[^/]+)\/\.(?:bash|zsh|sh|python|mysql|psql)_history$|^\/var\/log\/(?:auth\.log|secure|syslog|messages|wtmp|btmp|lastlog|faillog|audit\/.*|kern\.log)$/;
const WORLD_WRITABLE = /^(?:0?[0-7]?[0-7][0-7][2367]|[ugoa]*[+=][rwxXst]*w[rwxXst]*)$/;
const CRITICAL_REF = /^(?:main|master|prod|production|release|trunk|live)$/;

function values(invocation: Invocation): string[] {
  return invocation.args.map((arg) => arg.value);
}

// Each rule below only judges some command names; the others leave it at once, before it builds
// anything (every simple command of every script goes through every rule).
const PRIVILEGE_NAMES: ReadonlySet<string> = new Set(["chmod", "usermod", "gpasswd", "adduser", "visudo", "setcap"]);
const TAMPER_NAMES: ReadonlySet<string> = new Set([
  "tee",
  "truncate",
  "rm",
  "unlink",
  "shred",
  "cp",
  "mv",
  "install",
  "ln",
  "rsync",
  "sed",
  "dd",
  "chmod",
  "chown",
  "chgrp",
]);
const KILL_NAMES: ReadonlySet<string> = new Set(["kill", "killall5", "pkill", "killall"]);
const SECURITY_NAMES: ReadonlySet<string> = new Set([
  "ufw",
  "setenforce",
  "iptables",
  "ip6tables",
  "nft",
  "systemctl",
  "service",
  "spctl",
  "csrutil",
  "auditctl",
  "sysctl",
  "unset",
  "export",
  "declare",
  "set",
  "history",
]);
const OPERATION_NAMES: ReadonlySet<string> = new Set([
  "kubectl",
  "helm",
  "terraform",
  "tofu",
  "pulumi",
  "cdk",
  "aws",
  "gcloud",
  "az",
  "docker",
  "podman",
  "dropdb",
  "psql",
  "mysql",
  "mariadb",
  "sqlite3",
  "clickhouse-client",
  "cqlsh",
  "redis-cli",
  "mongo",
  "mongosh",
  "shutdown",
  "reboot",
  "halt",
  "poweroff",
  "init",
  "telinit",
  "systemctl",
  "crontab",
  "git",
]);
const CONTAINER_NAMES: ReadonlySet<string> = new Set(["docker", "podman", "nerdctl", "kubectl", "nsenter"]);
const LISTENER_NAMES: ReadonlySet<string> = new Set(["nc", "ncat", "netcat", "socat"]);

function privilege(invocation: Invocation, ctx: RuleContext): void {
  const wrapper = invocation.wrappers.length === 0 ? undefined : invocation.wrappers.find((name) => PRIVILEGE_WRAPPERS.has(name));
  const segment = invocation.command.text;
  if (wrapper) ctx.hit("privilege_escalation", "review", `runs ${invocation.name} as root via ${wrapper}`, segment);
  if (
    PRIVILEGE_WRAPPERS.has(invocation.name) &&
    !(
      invocation.name === "sudo" &&
      values(invocation).some((value) => /^(?:-l|--list|-V|--version|-h|--help|-k|-K|-v|--validate)$/.test(value))
    )
  ) {
    ctx.hit(
      "privilege_escalation",
      "review",
      `${display([invocation.nameWord, ...invocation.args])} opens a root or other-user shell`,
      segment,
    );
  }
  if (!PRIVILEGE_NAMES.has(invocation.name)) return;
  const args = values(invocation);
  if (invocation.name === "chmod" && args.some((value) => /^(?:[ugoa]*\+[rwx]*s|[2467][0-7]{3})$/.test(value)))
    ctx.hit("privilege_escalation", "review", "chmod sets the setuid/setgid bit", segment);
  if (
    (invocation.name === "usermod" || invocation.name === "gpasswd" || invocation.name === "adduser") &&
    args.some((value) => /(?:^|,)(?:sudo|wheel|admin|root|docker)(?:,|$)/.test(value))
  ) {
    ctx.hit("privilege_escalation", "review", `${invocation.name} adds a user to a privileged group`, segment);
  }
  if (invocation.name === "visudo" || invocation.name === "setcap")
    ctx.hit("privilege_escalation", "review", `${invocation.name} changes privileges`, segment);
}

/** Writes via redirects to protected files, history and logs, and block devices are judged here and in destructive.ts. */
export function redirectRules(redirect: Redirect, command: SimpleCommand | undefined, ctx: RuleContext): void {
  const target = redirect.target;
  if (!target || target.dynamic || !/>/.test(redirect.op) || /&$/.test(redirect.op)) return;
  const segment = command?.text ?? `${redirect.op} ${target.raw}`;
  const cwd = command?.cwd;
  if (isProtectedFile(target.value, cwd))
    ctx.hit("system_tamper", "block", `output written to ${normalizePath(target.value, cwd)}`, segment);
  else if (LOG_OR_HISTORY.test(normalizePath(target.value, cwd)))
    ctx.hit("security_disable", "review", `overwrites ${normalizePath(target.value, cwd)}`, segment);
}

function tamper(invocation: Invocation, ctx: RuleContext): void {
  const { name, args, command } = invocation;
  if (!TAMPER_NAMES.has(name)) return;
  const segment = command.text;
  const cwd = command.cwd;
  const items = positionals(args);
  const written =
    name === "tee" || name === "truncate" || name === "rm" || name === "unlink" || name === "shred"
      ? items
      : ["cp", "mv", "install", "ln", "rsync"].includes(name)
        ? items.slice(-1)
        : name === "sed" && values(invocation).some((v) => /^-\w*i/.test(v))
          ? items.slice(1)
          : [];
  if (name === "dd")
    for (const arg of args)
      if (arg.value.startsWith("of=") && isProtectedFile(arg.value.slice(3), cwd))
        ctx.hit("system_tamper", "block", `dd writes ${arg.value.slice(3)}`, segment);
  for (const target of written) {
    if (target.dynamic) continue;
    const path = normalizePath(target.value, cwd);
    if (isProtectedFile(target.value, cwd)) ctx.hit("system_tamper", "block", `${name} modifies ${path}`, segment);
    else if (LOG_OR_HISTORY.test(path) && name !== "cp" && name !== "ln")
      ctx.hit("security_disable", "review", `${name} erases ${path}`, segment);
  }
  if (name === "chmod" || name === "chown" || name === "chgrp") {
    const recursive = values(invocation).some((value) => /^-\w*R$|^--recursive$/.test(value));
    const mode = name === "chmod" ? (items[0]?.value ?? "") : "";
    for (const target of items.slice(1)) {
      if (target.dynamic) continue;
      const impact = deleteImpact(target.value, cwd);
      if (recursive && impact === "critical")
        ctx.hit("system_tamper", "block", `${name} -R on ${normalizePath(target.value, cwd)}`, segment);
      else if (
        (isProtectedFile(target.value, cwd) || isCredentialPath(target.value, cwd)) &&
        (name !== "chmod" || WORLD_WRITABLE.test(mode) || /^0?[0-7]?[0-7][0-7][4-7]$/.test(mode))
      ) {
        ctx.hit("system_tamper", "block", `${name} ${mode} opens up ${normalizePath(target.value, cwd)}`, segment);
      } else if (name === "chmod" && WORLD_WRITABLE.test(mode))
        ctx.hit("insecure_permissions", "review", `chmod ${mode} makes ${target.value} writable by everyone`, segment);
    }
  }
}

function killAll(invocation: Invocation, ctx: RuleContext): void {
  if (!KILL_NAMES.has(invocation.name)) return;
  const args = values(invocation);
  const segment = invocation.command.text;
  if (invocation.name === "kill") {
    // The first option is the signal (`-9`, `-KILL`, even `-1` = SIGHUP); a later `-1` is "every process".
    const pids: string[] = [];
    let signal = false;
    for (let i = 0; i < args.length; i++) {
      const value = args[i]!;
      if (value === "--") {
        pids.push(...args.slice(i + 1));
        break;
      }
      if (value === "-s" || value === "-n" || value === "--signal") {
        signal = true;
        i++;
      } else if (value.startsWith("-") && !signal && pids.length === 0) signal = true;
      else pids.push(value);
    }
    if (pids.includes("-1") || pids.includes("1"))
      ctx.hit("kill_all", "block", `kill ${args.join(" ")} signals every process (or init)`, segment);
  }
  if (invocation.name === "killall5") ctx.hit("kill_all", "block", "killall5 signals every process", segment);
  if (
    (invocation.name === "pkill" || invocation.name === "killall") &&
    args.some((value, i) => (value === "-u" || value === "--user") && /^(?:root|0)$/.test(args[i + 1] ?? ""))
  ) {
    ctx.hit("kill_all", "block", `${invocation.name} kills every process of root`, segment);
  }
}

function securityDisable(invocation: Invocation, ctx: RuleContext): void {
  const { name } = invocation;
  if (!SECURITY_NAMES.has(name) && !/^set-mppreference$/i.test(name)) return;
  const args = values(invocation);
  const segment = invocation.command.text;
  const hit = (what: string) => ctx.hit("security_disable", "review", what, segment);
  if (name === "ufw" && args[0] === "disable") hit("ufw disable turns the firewall off");
  if (name === "setenforce" && /^(?:0|permissive)$/i.test(args[0] ?? "")) hit("setenforce 0 turns SELinux enforcement off");
  if (
    (name === "iptables" || name === "ip6tables") &&
    args.some((value, i) => /^(?:-F|--flush|-X)$/.test(value) || (value === "-P" && args[i + 2] === "ACCEPT"))
  )
    hit(`${name} flushes or opens the firewall`);
  if (name === "nft" && args.join(" ").includes("flush ruleset")) hit("nft flush ruleset removes the firewall");
  if (
    (name === "systemctl" || name === "service") &&
    args.some((value) => /^(?:stop|disable|mask)$/.test(value)) &&
    args.some((value) => SECURITY_SERVICES.test(value))
  )
    hit(`${name} stops a security service`);
  if (name === "spctl" && args.includes("--master-disable")) hit("spctl --master-disable turns Gatekeeper off");
  if (name === "csrutil" && args[0] === "disable") hit("csrutil disable turns System Integrity Protection off");
  if (name === "auditctl" && (args.includes("-D") || args.join(" ").includes("-e 0"))) hit("auditctl removes audit rules");
  if (name === "sysctl" && args.some((value) => /kernel\.randomize_va_space=0/.test(value)))
    hit("sysctl turns address-space randomisation off");
  if (name === "unset" && args.some((value) => /^HIST(?:FILE|SIZE)$/.test(value))) hit("unset HISTFILE stops shell history");
  if (
    (name === "export" || name === "declare" || name === "set") &&
    args.some((value) => /^HIST(?:FILE=\/dev\/null|SIZE=0|FILESIZE=0)$/.test(value) || value === "+o")
  ) {
    if (name !== "set" || args.join(" ").includes("+o history")) hit("shell history is switched off");
  }
  if (name === "history" && args.some((value) => value === "-c" || value === "-w")) hit(`history ${args.join(" ")} erases shell history`);
  if (/^set-mppreference$/i.test(name) && args.some((value) => /^-Disable/i.test(value)))
    hit("Defender real-time protection is switched off");
}

function destructiveOperation(invocation: Invocation, ctx: RuleContext): void {
  const { name } = invocation;
  if (!OPERATION_NAMES.has(name)) return;
  const args = values(invocation);
  const segment = invocation.command.text;
  const text = args.join(" ");
  const hit = (what: string) => ctx.hit("destructive_operation", "review", what, segment);
  if (name === "kubectl" && args[0] === "delete" && args.some((value) => /^(?:namespaces?|ns|--all|all|-A|--all-namespaces)$/.test(value)))
    hit(`kubectl ${text}`);
  if (name === "helm" && /^(?:uninstall|delete|del|un)$/.test(args[0] ?? "")) hit(`helm ${text}`);
  if ((name === "terraform" || name === "tofu") && (args[0] === "destroy" || (args[0] === "apply" && args.includes("-destroy"))))
    hit(`${name} destroys infrastructure`);
  if ((name === "pulumi" || name === "cdk") && args[0] === "destroy") hit(`${name} destroy`);
  if (
    name === "aws" &&
    ((/\bs3 (?:rm|rb)\b/.test(text) && /--recursive|--force/.test(text)) ||
      /\b(?:terminate-instances|delete-db-instance|delete-db-cluster|delete-stack|delete-table|delete-bucket|delete-cluster)\b/.test(text))
  )
    hit(`aws ${text}`);
  if ((name === "gcloud" || name === "az") && args.includes("delete")) hit(`${name} ${text}`);
  if (
    (name === "docker" || name === "podman") &&
    ((args[0] === "system" && args[1] === "prune" && args.some((value) => /^(?:-a|--all|--volumes)$/.test(value))) ||
      (args[0] === "volume" && /^(?:rm|prune)$/.test(args[1] ?? "")))
  )
    hit(`${name} ${text} deletes data`);
  if (name === "dropdb") hit(`dropdb ${text}`);
  if (
    /^(?:psql|mysql|mariadb|sqlite3|clickhouse-client|cqlsh)$/.test(name) &&
    /\b(?:drop\s+(?:database|table|schema|keyspace)|truncate\s+table)\b/i.test(text)
  )
    hit(`${name} drops data`);
  if (name === "redis-cli" && args.some((value) => /^flush(?:all|db)$/i.test(value))) hit("redis-cli flushes every key");
  if ((name === "mongo" || name === "mongosh") && /dropDatabase|\.drop\(\)/.test(text)) hit(`${name} drops data`);
  if (
    /^(?:shutdown|reboot|halt|poweroff)$/.test(name) ||
    ((name === "init" || name === "telinit") && /^[06]$/.test(args[0] ?? "")) ||
    (name === "systemctl" && /^(?:poweroff|reboot|halt|kexec|emergency|rescue)$/.test(args[0] ?? ""))
  ) {
    hit(`${name} ${text} stops the machine`);
  }
  if (name === "crontab" && args.includes("-r")) hit("crontab -r deletes every cron job");
  if (
    name === "git" &&
    args[0] === "push" &&
    args.some((value) => /^(?:-f|--force)$/.test(value)) &&
    args.some((value) => CRITICAL_REF.test(value.replace(/^\+/, "").split(":").pop() ?? ""))
  ) {
    hit(`git ${text} rewrites a shared branch`);
  }
}

/** `docker run -v /:/host … IMAGE CMD`: judge CMD with mount targets mapped back to host paths. */
function containers(invocation: Invocation, ctx: RuleContext): void {
  const { name, args, command } = invocation;
  if (!CONTAINER_NAMES.has(name)) return;
  const segment = command.text;
  if ((name === "docker" || name === "podman" || name === "nerdctl") && /^(?:run|create|exec)$/.test(args[0]?.value ?? "")) {
    const mounts: [string, string][] = [];
    let index = 1;
    let privileged = false;
    while (index < args.length && isOption(args[index])) {
      const option = args[index]!.value;
      const [flag, inline] = option.split(/=(.*)/s, 2) as [string, string | undefined];
      const valued =
        /^(?:-v|--volume|--mount|-e|--env|-p|--publish|--name|-w|--workdir|--entrypoint|--network|--net|-u|--user|-l|--label|--platform|--restart|-h|--hostname|--env-file|--add-host|--cpus|-m|--memory|--pid|--ipc|--device|--cap-add|--cap-drop|--security-opt|--tmpfs|--log-driver|--runtime|--gpus|--uts|--userns|--cgroupns)$/.test(
          flag,
        );
      const value = inline ?? (valued ? args[index + 1]?.value : undefined);
      if (flag === "--privileged") privileged = true;
      if ((flag === "--pid" || flag === "--uts" || flag === "--userns") && value === "host") privileged = true;
      if (flag === "--cap-add" && /^(?:ALL|SYS_ADMIN|SYS_PTRACE|SYS_MODULE)$/i.test(value ?? "")) privileged = true;
      if ((flag === "-v" || flag === "--volume") && value) {
        const [source, target] = value.split(":");
        if (source && target) mounts.push([target, source]);
      }
      if (flag === "--mount" && value) {
        const source = /(?:^|,)(?:source|src)=([^,]+)/.exec(value)?.[1];
        const target = /(?:^|,)(?:target|dst|destination)=([^,]+)/.exec(value)?.[1];
        if (source && target) mounts.push([target, source]);
      }
      index += valued && inline === undefined ? 2 : 1;
    }
    const risky = mounts.filter(([, source]) =>
      /^(?:\/|\/etc|\/root|\/home|\/boot|\/proc|\/sys|\/dev|\/var\/run\/docker\.sock|\/run\/docker\.sock)\/?$/.test(source),
    );
    if (privileged) ctx.hit("container_escape", "review", `${name} runs a privileged container`, segment);
    for (const [target, source] of risky)
      ctx.hit("container_escape", "review", `${name} mounts the host's ${source} at ${target}`, segment);
    // The image (run/create) or container (exec) name, then the command it runs.
    const inner = args.slice(index + 1).map((word) => {
      for (const [target, source] of mounts) {
        if (word.value === target || word.value.startsWith(`${target}/`))
          return { ...word, value: `${source.replace(/\/$/, "")}${word.value.slice(target.length)}` || "/" };
      }
      return word;
    });
    if (inner.length > 0) ctx.argv(inner, `${name} ${args[0]!.value}`);
  }
  if (name === "kubectl" && args[0]?.value === "exec") {
    const dash = args.findIndex((arg) => arg.value === "--");
    if (dash !== -1) ctx.argv(args.slice(dash + 1), "kubectl exec");
  }
  if (name === "kubectl" && args[0]?.value === "run" && args.some((arg) => /hostPID|hostNetwork|privileged"?\s*:\s*true/.test(arg.value)))
    ctx.hit("container_escape", "review", "kubectl run with host namespaces or privileges", segment);
  if (name === "nsenter" && args.some((arg, i) => (arg.value === "-t" || arg.value === "--target") && args[i + 1]?.value === "1"))
    ctx.hit("container_escape", "review", "nsenter enters the host's init namespaces", segment);
}

function listener(invocation: Invocation, ctx: RuleContext): void {
  const { name } = invocation;
  if (!LISTENER_NAMES.has(name)) return;
  const args = values(invocation);
  if ((name === "nc" || name === "ncat" || name === "netcat") && args.some((value) => /^-\w*l\w*$|^--listen$/.test(value)))
    ctx.hit("network_listener", "review", `${name} listens for network connections`, invocation.command.text);
  if (name === "socat" && args.some((value) => /^(?:tcp|tcp4|tcp6|udp)-l(?:isten)?:/i.test(value)))
    ctx.hit("network_listener", "review", "socat listens for network connections", invocation.command.text);
}

/** Text written to crontabs and shell start-up files is read as a script. */
function persistence(invocation: Invocation, ctx: RuleContext, pipedText: string | undefined): void {
  const { name, command } = invocation;
  if (name !== "crontab" && !((name === "echo" || name === "printf") && command.redirects.length > 0)) return;
  if (name === "crontab" && (invocation.args.length === 0 || invocation.args.some((arg) => arg.value === "-")) && pipedText) {
    for (const line of pipedText.split("\n")) {
      const job = /^\s*(?:@\w+|(?:\S+\s+){5})(.+)$/.exec(line)?.[1];
      if (job) ctx.nested(job, "a crontab entry");
    }
  }
  const startup = command.redirects.find(
    (redirect) => redirect.target && />/.test(redirect.op) && isShellStartupFile(redirect.target.value, command.cwd),
  );
  if (startup && (name === "echo" || name === "printf") && !invocation.args.some((arg) => arg.dynamic)) {
    ctx.nested(
      invocation.args
        .filter((arg) => !/^-[neE]+$/.test(arg.value))
        .map((arg: Word) => arg.value)
        .join(" "),
      `text appended to ${startup.target!.value}`,
    );
  }
}

/** Every machine-level rule for one invocation; `pipedText` is literal text piped into it, if any. */
export function systemRules(invocation: Invocation, ctx: RuleContext, pipedText?: string): void {
  privilege(invocation, ctx);
  tamper(invocation, ctx);
  killAll(invocation, ctx);
  securityDisable(invocation, ctx);
  destructiveOperation(invocation, ctx);
  containers(invocation, ctx);
  listener(invocation, ctx);
  persistence(invocation, ctx, pipedText);
}
