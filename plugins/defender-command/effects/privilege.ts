/**
 * Privilege changes. Running a command through `sudo`, `doas`, `run0`, `runuser` … is not a
 * risk by itself: the inner command is judged as it is, and its risk counts for what it does
 * (an everyday `sudo apt update` is allowed). What is reviewed: an interactive shell as another
 * user (`sudo -i`, `sudo su`, `su -`, `sudo bash`, `run0`), shells kept privileged (`sh -p`),
 * setuid/setgid bits and file capabilities, joining privileged groups, editing sudoers, and the
 * kernel running a command as root on a crash (`kernel.core_pattern=|…`). A setuid bit or a
 * `cap_setuid` capability on a shell or an interpreter is a backdoor and blocked.
 */
import { commandName } from "../names.ts";
import { deleteImpact, normalizePath } from "../paths.ts";
import { classifyPath } from "../sensitive.ts";
import { isInterpreter, isInteractiveShell, isShell } from "../shells.ts";
import { display, positionals, type Invocation } from "../wrappers.ts";
import type { RuleContext } from "./context.ts";

const WORLD_WRITABLE = /^(?:0?[0-7]?[0-7][0-7][2367]|[ugoa]*[+=][rwxXst]*w[rwxXst]*)$/;
const WORLD_READABLE = /^0?[0-7]?[0-7][0-7][4-7]$/;
const SETUID_MODE = /^(?:[ugoa]*[+=][rwxXt]*s[rwxXst]*|0?[2467][0-7]{3})$/;
const PRIVILEGED_GROUP = /(?:^|,)(?:sudo|wheel|admin|root|docker|lxd|disk|shadow|adm|libvirt|kvm)(?:,|$)/;

function values(invocation: Invocation): readonly string[] {
  return invocation.values;
}

/** A shell or interpreter binary (`/bin/bash`, `/usr/bin/python3`), whose setuid copy is a root shell. */
function isShellBinary(path: string): boolean {
  const name = commandName({ value: path, dynamic: false, substitutions: [], raw: path });
  return isShell(name) || isInterpreter(name);
}

/** An interactive shell opened by a launcher itself (`sudo -i`, `su -`, `run0`). */
export function launcherShell(via: string, privileged: boolean, segment: string, ctx: RuleContext): void {
  if (privileged) ctx.hit("privilege_escalation", "review", `${via} opens an interactive shell as another user`, segment);
}

/**
 * Permissions opened on what must stay closed: `chmod -R`/`chown -R` on system folders, secrets
 * or account files made readable or writable by others, and world-writable files.
 */
function permissions(invocation: Invocation, ctx: RuleContext): void {
  const { name, command } = invocation;
  if (name !== "chmod" && name !== "chown" && name !== "chgrp") return;
  const items = positionals(invocation.args);
  const recursive = values(invocation).some((value) => /^-\w*R$|^--recursive$/.test(value));
  const mode = name === "chmod" ? (items[0]?.value ?? "") : "";
  for (const target of items.slice(1)) {
    if (target.dynamic && !target.alternatives) continue;
    const path = normalizePath(target.value, command.cwd);
    const found = classifyPath(target.value, command.cwd);
    const protectedPath = found !== undefined && (found.cls === "access" || (found.cls === "secret" && found.strong));
    if (recursive && deleteImpact(target.value, command.cwd) === "critical")
      ctx.hit("system_tamper", "block", `${name} -R on ${path}`, command.text);
    else if (protectedPath && (name !== "chmod" || WORLD_WRITABLE.test(mode) || WORLD_READABLE.test(mode)))
      ctx.hit("system_tamper", "block", `${name} ${mode} opens up ${path}`, command.text);
    else if (name === "chmod" && WORLD_WRITABLE.test(mode))
      ctx.hit("insecure_permissions", "review", `chmod ${mode} makes ${target.value} writable by everyone`, command.text);
  }
}

const LOCAL_PACKAGE = /\.(?:deb|rpm|snap|apk|ipk|whl|gem|pkg\.tar\.\w+|pkg|msi)$/;
const INSTALLERS = /^(?:dpkg|rpm|yum|dnf|apt|apt-get|snap|pacman|zypper|opkg|pkg|gem|pip|installer)$/;

/** As another user: a package from a local file (its scripts run as root) or another process's memory. */
function privilegedOnly(invocation: Invocation, ctx: RuleContext): void {
  if (!invocation.privileged && !ctx.privileged) return;
  const { name } = invocation;
  const args = values(invocation);
  const segment = invocation.command.text;
  if (
    INSTALLERS.test(name) &&
    (args.some((value) => LOCAL_PACKAGE.test(value)) || args.includes("--dangerous") || args.includes("--devmode"))
  )
    ctx.hit(
      "privilege_escalation",
      "review",
      `${name} installs a local package as another user; its install scripts run with those privileges`,
      segment,
    );
  if (
    name === "gcore" ||
    ((name === "gdb" || name === "strace" || name === "ltrace") && args.some((value) => /^(?:-p|--pid|attach)(?:=|$)/.test(value)))
  )
    ctx.hit("privilege_escalation", "review", `${name} reads another process's memory as another user`, segment);
}

/** Privilege rules for one invocation. */
export function privilegeRules(invocation: Invocation, ctx: RuleContext): void {
  permissions(invocation, ctx);
  privilegedOnly(invocation, ctx);
  const { name } = invocation;
  const segment = invocation.command.text;
  const privileged = invocation.privileged || ctx.privileged;
  if (isInteractiveShell(invocation)) {
    const via = invocation.wrappers.length > 0 ? `${invocation.wrappers.join(" ")} ${name}` : name;
    if (privileged) ctx.hit("privilege_escalation", "review", `${via} opens an interactive shell as another user`, segment);
    else if (values(invocation).some((value) => /^-[a-zA-Z]*p[a-zA-Z]*$/.test(value)))
      ctx.hit("privilege_escalation", "review", `${name} -p keeps the privileges of a setuid owner`, segment);
  }
  const args = values(invocation);
  switch (name) {
    case "chmod":
    case "install": {
      const mode =
        name === "chmod"
          ? args.find((value) => !value.startsWith("-") || /^-[rwxXst]+$/.test(value))
          : args[args.findIndex((value) => value === "-m" || value === "--mode") + 1];
      const inline = args.map((value) => /^--mode=(.+)$/.exec(value)?.[1]).find(Boolean);
      const effective = inline ?? mode;
      if (!effective || !SETUID_MODE.test(effective)) return;
      const targets = positionals(invocation.args).filter((word) => word.value !== effective);
      const shell = targets.find((word) => isShellBinary(word.value));
      if (shell)
        ctx.hit("privilege_escalation", "block", `${name} ${effective} makes ${shell.value} a setuid shell (a root backdoor)`, segment);
      else ctx.hit("privilege_escalation", "review", `${name} ${effective} sets the setuid/setgid bit (${display(targets)})`, segment);
      return;
    }
    case "setcap": {
      const caps = args.find((value) => /cap_/i.test(value)) ?? "";
      const target = positionals(invocation.args).find((word) => word.value !== caps);
      const dangerous =
        /cap_(?:setuid|setgid|sys_admin|dac_override|dac_read_search|sys_ptrace|sys_module|chown|fowner)/i.test(caps) &&
        /[+=]\w*[ep]/.test(caps);
      if (dangerous && target && isShellBinary(target.value))
        ctx.hit("privilege_escalation", "block", `setcap ${caps} lets ${target.value} become root`, segment);
      else ctx.hit("privilege_escalation", "review", `setcap ${caps} changes file capabilities`, segment);
      return;
    }
    case "usermod":
    case "gpasswd":
    case "adduser":
    case "addgroup":
    case "useradd":
      if (
        args.some((value) => PRIVILEGED_GROUP.test(value)) &&
        (name !== "useradd" || args.some((value) => /^-\w*G|^--groups/.test(value)))
      )
        ctx.hit("privilege_escalation", "review", `${name} adds a user to a privileged group`, segment);
      if (
        (name === "usermod" || name === "useradd") &&
        args.some((value, i) => (value === "-u" || value === "--uid") && args[i + 1] === "0")
      )
        ctx.hit("privilege_escalation", "review", `${name} gives an account uid 0`, segment);
      return;
    case "visudo":
      ctx.hit("privilege_escalation", "review", "visudo edits who may run commands as root", segment);
      return;
    case "sysctl": {
      const pattern = args.map((value) => /^kernel\.core_pattern\s*=\s*\|(.*)$/s.exec(value)?.[1]).find((value) => value !== undefined);
      if (pattern === undefined) return;
      ctx.hit(
        "privilege_escalation",
        privileged ? "block" : "review",
        "kernel.core_pattern pipes crash dumps to a command the kernel runs as root",
        segment,
      );
      ctx.nested(pattern, "kernel.core_pattern", { privileged: true });
      return;
    }
  }
}
