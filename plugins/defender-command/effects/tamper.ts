/**
 * Hiding activity and switching defences off: shell history (`history -c`, `unset HISTFILE`,
 * `HISTFILE=/dev/null`, `set +o history`), logs (`journalctl --vacuum-*`, `auditctl -D`),
 * security and monitoring agents stopped, disabled, masked or killed (auditd, falco, osquery,
 * CrowdStrike … from the capability table), firewalls and MAC switched off; and signals sent to
 * every process. Writes that truncate or delete history and log files are judged in files.ts.
 */
import { can } from "../programs.ts";
import type { Invocation } from "../wrappers.ts";
import type { RuleContext } from "./context.ts";

/** Services that are defences even when the table does not list them as agents. */
const SECURITY_SERVICE = /^(?:firewalld|ufw|iptables|ip6tables|nftables|apparmor|selinux|sshguard|fail2ban|clamav-freshclam)$/;

/** A unit or process name of a security or monitoring agent (`auditd.service`, `falcon-sensor`). */
function isSecurityAgent(value: string): boolean {
  const name = value
    .toLowerCase()
    .replace(/^.*\//, "")
    .replace(/\.(?:service|socket|timer|target)$/, "")
    .replace(/@.*$/, "");
  return (
    can(name, "agent") ||
    SECURITY_SERVICE.test(name) ||
    /^(?:falcon|crowdstrike|osquery|wazuh|ossec|sentinel|cbagent|carbonblack|sysmon|auditbeat|elastic-agent|splunk|datadog)/.test(name)
  );
}

const HISTORY_OFF = /^HIST(?:FILE=(?:\/dev\/null)?|SIZE=0|FILESIZE=0|IGNORE=['"]?\*['"]?)$/;
const NAMES: ReadonlySet<string> = new Set([
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
  "typeset",
  "set",
  "history",
  "journalctl",
  "kill",
  "killall",
  "killall5",
  "pkill",
  "rmmod",
  "modprobe",
  "launchctl",
  "update-rc.d",
  "chkconfig",
  "rc-service",
  "rc-update",
  "sv",
]);

function values(invocation: Invocation): readonly string[] {
  return invocation.values;
}

/** Tampering with history, logs, agents and defences, for one invocation. */
export function tamperRules(invocation: Invocation, ctx: RuleContext): void {
  const { name } = invocation;
  const initScript = /^\/etc\/(?:init\.d|rc\.d\/init\.d)\/(.+)$/.exec(invocation.nameWord.value)?.[1];
  if (!NAMES.has(name) && !initScript && !/^set-mppreference$/i.test(name)) {
    for (const [variable, value] of invocation.command.assignments)
      if (HISTORY_OFF.test(`${variable}=${value.value}`))
        ctx.hit("security_disable", "review", `${variable}=${value.value} switches shell history off`, invocation.command.text);
    return;
  }
  const args = values(invocation);
  const segment = invocation.command.text;
  const hit = (what: string) => ctx.hit("security_disable", "review", what, segment);
  if (initScript && isSecurityAgent(initScript) && args.some((value) => /^(?:stop|disable)$/.test(value))) hit(`${initScript} is stopped`);
  if (name === "ufw" && args[0] === "disable") hit("ufw disable turns the firewall off");
  if (name === "setenforce" && /^(?:0|permissive)$/i.test(args[0] ?? "")) hit("setenforce 0 turns SELinux enforcement off");
  if (
    (name === "iptables" || name === "ip6tables") &&
    args.some((value, i) => /^(?:-F|--flush|-X)$/.test(value) || (value === "-P" && args[i + 2] === "ACCEPT"))
  )
    hit(`${name} flushes or opens the firewall`);
  if (name === "nft" && args.join(" ").includes("flush ruleset")) hit("nft flush ruleset removes the firewall");
  const stopping = args.find((value) => /^(?:stop|disable|mask|kill|unload|bootout|remove|--now)$/.test(value));
  if (
    (name === "systemctl" ||
      name === "service" ||
      name === "launchctl" ||
      name === "rc-service" ||
      name === "sv" ||
      name === "update-rc.d" ||
      name === "chkconfig" ||
      name === "rc-update") &&
    stopping
  ) {
    const agent = args.find((value) => isSecurityAgent(value));
    if (agent) hit(`${name} ${stopping} ${agent}: a security or monitoring agent is stopped`);
  }
  if (
    (name === "kill" || name === "killall" || name === "pkill") &&
    args.some((value) => isSecurityAgent(value) || isSecurityAgent(/\$\(\s*(?:pidof|pgrep(?:\s+-\w+)*)\s+([\w.-]+)/.exec(value)?.[1] ?? ""))
  )
    hit(`${name} kills a security or monitoring agent (${args.filter((value) => !value.startsWith("-")).join(" ")})`);
  if (
    (name === "rmmod" || (name === "modprobe" && args.some((value) => value === "-r"))) &&
    args.some((value) => /^(?:apparmor|selinux|falco|tracee|sysdig)/i.test(value))
  )
    hit(`${name} unloads a security module`);
  if (name === "spctl" && args.includes("--master-disable")) hit("spctl --master-disable turns Gatekeeper off");
  if (name === "csrutil" && args[0] === "disable") hit("csrutil disable turns System Integrity Protection off");
  if (name === "auditctl" && (args.includes("-D") || /(?:^|\s)-e\s*0\b/.test(args.join(" ")))) hit("auditctl removes audit rules");
  if (name === "sysctl" && args.some((value) => /kernel\.randomize_va_space\s*=\s*0/.test(value)))
    hit("sysctl turns address-space randomisation off");
  if (name === "journalctl" && args.some((value) => /^--vacuum-(?:time|size|files)\b/.test(value)))
    hit(`journalctl ${args.join(" ")} deletes system logs`);
  if (name === "unset" && args.some((value) => /^HIST(?:FILE|SIZE|FILESIZE)$/.test(value))) hit("unset HISTFILE stops shell history");
  if ((name === "export" || name === "declare" || name === "typeset") && args.some((value) => HISTORY_OFF.test(value)))
    hit("shell history is switched off");
  if (name === "set" && /\+o\s+history/.test(args.join(" "))) hit("set +o history switches shell history off");
  // `history -w` alone saves the session to the history file (launder.ts judges `-w FILE`).
  if (name === "history" && args.some((value) => /^-\w*[cd]/.test(value))) hit(`history ${args.join(" ")} erases shell history`);
  if (/^set-mppreference$/i.test(name) && args.some((value) => /^-Disable/i.test(value)))
    hit("Defender real-time protection is switched off");
  killAll(invocation, args, ctx);
}

function killAll(invocation: Invocation, args: readonly string[], ctx: RuleContext): void {
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
  )
    ctx.hit("kill_all", "block", `${invocation.name} kills every process of root`, segment);
}
