/**
 * Destroys data on wide targets: `rm` (every flag spelling, quoting and `--no-preserve-root`,
 * globs such as `/e*`, every value of a `for` loop, paths fed through `xargs`), `find … -delete`
 * / `-exec rm`, `shred`, `mv` of a critical folder, and disk wipes (`mkfs`, `dd of=`, `wipefs`,
 * redirects onto a block device). Fixes the seed's bypasses (`rm -fr /`, `rm -r -f /`,
 * `rm -rf "/"`, `rm -rf ~`, `find / -delete`), seed-defender §15 item 3.
 */
import type { Word } from "../ir.ts";
import { deleteImpact, isBlockDevice, normalizePath } from "../paths.ts";
import { display, isOption, positionals, type Invocation } from "../wrappers.ts";
import type { RuleContext } from "./context.ts";
import { shellEscape } from "./exec.ts";

/** The word xargs appends when it cannot tell what it reads (see exec.ts). */
export const XARGS_INPUT = "<paths read from stdin>";

const UNRESOLVED_ROOTISH = /^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?\/?\*?$/;
const FIND_FILTERS =
  /^-(?:name|iname|path|ipath|regex|iregex|type|mtime|mmin|atime|amin|ctime|cmin|size|newer|user|group|perm|empty|wholename|iwholename|links|inum|samefile)$/;

/** The values a word may take: its value and any alternatives. */
function valuesOf(word: Word): string[] {
  return word.alternatives ? [word.value, ...word.alternatives] : [word.value];
}

function rmFlags(args: readonly Word[]): { recursive: boolean; noPreserveRoot: boolean } {
  let recursive = false;
  let noPreserveRoot = false;
  for (const arg of args) {
    if (arg.value === "--") break;
    if (!isOption(arg)) continue;
    if (arg.value === "--recursive") recursive = true;
    else if (arg.value === "--no-preserve-root") noPreserveRoot = true;
    else if (!arg.value.startsWith("--") && /[rR]/.test(arg.value)) recursive = true;
  }
  return { recursive, noPreserveRoot };
}

/** Judge the targets of a delete; `what` names the operation in reasons. */
function judgeTargets(targets: readonly Word[], recursive: boolean, invocation: Invocation, ctx: RuleContext, what: string): void {
  const segment = invocation.command.text;
  for (const target of targets) {
    if (target.dynamic && !target.alternatives) {
      if (recursive && target.raw === XARGS_INPUT) {
        ctx.hit(
          "destructive_delete",
          "review",
          `${what} of paths read from stdin through xargs (${display([invocation.nameWord, ...invocation.args])})`,
          segment,
        );
        continue;
      }
      if (recursive && UNRESOLVED_ROOTISH.test(target.value)) {
        ctx.hit(
          "destructive_delete",
          "review",
          `${what} of ${target.raw}: if ${target.value.replace(/\/?\*?$/, "")} is empty or unset this deletes from /`,
          segment,
        );
      }
      continue;
    }
    for (const value of valuesOf(target)) {
      const impact = deleteImpact(value, invocation.command.cwd);
      const shown = normalizePath(value, invocation.command.cwd);
      if (impact === "critical" && (recursive || /\*$/.test(value)))
        ctx.hit("destructive_delete", "block", `${what} of ${shown} (${display([invocation.nameWord, ...invocation.args])})`, segment);
      else if (impact === "critical") ctx.hit("destructive_delete", "review", `${what} of ${shown}`, segment);
      else if (impact === "system" && recursive)
        ctx.hit("destructive_delete", "review", `${what} under a system directory: ${shown}`, segment);
      else if (impact === "workspace" && recursive)
        ctx.hit("destructive_delete", "review", `${what} of the whole working directory (${value})`, segment);
    }
  }
}

function rm(invocation: Invocation, ctx: RuleContext): void {
  const { recursive, noPreserveRoot } = rmFlags(invocation.args);
  if (noPreserveRoot) ctx.hit("destructive_delete", "block", "rm with --no-preserve-root", invocation.command.text);
  judgeTargets(positionals(invocation.args), recursive, invocation, ctx, recursive ? "recursive delete" : "delete");
}

function find(invocation: Invocation, ctx: RuleContext): void {
  const args = invocation.args;
  const roots: Word[] = [];
  let index = 0;
  while (index < args.length && !/^[-(!)]/.test(args[index]!.value)) roots.push(args[index++]!);
  if (roots.length === 0) roots.push({ value: ".", dynamic: false, substitutions: [], raw: "." });
  const expression = args.slice(index);
  const filtered = expression.some((arg) => FIND_FILTERS.test(arg.value));
  if (expression.some((arg) => arg.value === "-delete")) {
    for (const root of roots) {
      const impact = root.dynamic ? "none" : deleteImpact(root.value, invocation.command.cwd);
      if (impact === "critical")
        ctx.hit(
          "destructive_delete",
          "block",
          `find ${root.value} -delete deletes everything it finds under ${root.value}`,
          invocation.command.text,
        );
      else if (impact === "system" || (impact === "workspace" && !filtered))
        ctx.hit("destructive_delete", "review", `find ${root.value} -delete`, invocation.command.text);
    }
  }
  for (let i = 0; i < expression.length; i++) {
    if (!/^-(?:exec|execdir|ok|okdir)$/.test(expression[i]!.value)) continue;
    const end = expression.findIndex((arg, j) => j > i && (arg.value === ";" || arg.value === "+"));
    const inner = expression.slice(i + 1, end === -1 ? undefined : end);
    // `{}` is each file found. Under a critical root any filter may match everything, so judge
    // it as the root; elsewhere a filtered search names files below the root.
    for (const root of roots) {
      const critical = !root.dynamic && deleteImpact(root.value, invocation.command.cwd) === "critical";
      const stand = critical ? `${root.value.replace(/\/$/, "")}/*` : filtered ? `${root.value.replace(/\/$/, "")}/found` : root.value;
      const result = ctx.argv(
        inner.map((word) => (word.value.includes("{}") ? { ...word, value: word.value.replace("{}", stand) } : word)),
        `find ${expression[i]!.value}`,
        invocation.command.cwd,
        { privileged: invocation.privileged || ctx.privileged },
      );
      if (result.interactiveShell) {
        shellEscape("find", expression[i]!.value, invocation.privileged || ctx.privileged, invocation.command.text, ctx);
        break;
      }
    }
    i = end === -1 ? expression.length : end;
  }
}

function moveAway(invocation: Invocation, ctx: RuleContext): void {
  const args = positionals(invocation.args);
  for (const source of args.slice(0, -1)) {
    if (
      !source.dynamic &&
      deleteImpact(source.value, invocation.command.cwd) === "critical" &&
      /^(?:\/|~)/.test(normalizePath(source.value, invocation.command.cwd))
    ) {
      ctx.hit("destructive_delete", "block", `mv moves ${normalizePath(source.value)} away`, invocation.command.text);
    }
  }
}

function shred(invocation: Invocation, ctx: RuleContext): void {
  const targets = positionals(invocation.args);
  for (const target of targets) {
    if (isBlockDevice(target.value))
      ctx.hit("disk_wipe", "block", `shred overwrites the block device ${target.value}`, invocation.command.text);
  }
  judgeTargets(
    targets.filter((target) => !isBlockDevice(target.value)),
    false,
    invocation,
    ctx,
    "shred",
  );
}

const MKFS = /^(?:mkfs(?:\.\w+)?|mke2fs|mkswap|mkdosfs|mkntfs|mkexfatfs|wipefs|blkdiscard|badblocks|ddrescue)$/;
const PARTITIONERS = /^(?:sgdisk|sfdisk|fdisk|gdisk|parted)$/;

function disk(invocation: Invocation, ctx: RuleContext): void {
  const { name, args } = invocation;
  const segment = invocation.command.text;
  if (MKFS.test(name)) {
    if (name === "badblocks" && !args.some((arg) => /^-\w*w/.test(arg.value))) return;
    for (const target of positionals(args))
      if (isBlockDevice(target.value)) ctx.hit("disk_wipe", "block", `${name} on the block device ${target.value}`, segment);
    return;
  }
  if (name === "dd") {
    for (const arg of args) {
      const of = /^of=(.+)$/.exec(arg.value);
      if (of && isBlockDevice(of[1]!)) ctx.hit("disk_wipe", "block", `dd writes to the block device ${of[1]}`, segment);
    }
    return;
  }
  if (PARTITIONERS.test(name)) {
    const destructive =
      args.some((arg) => /^(?:--zap-all|--zap|-Z|-o|--clear|--delete|-d|mklabel|rm|mkpart)$/.test(arg.value)) ||
      (name === "sfdisk" && invocation.command.stdinText !== undefined);
    const device = positionals(args).find((arg) => isBlockDevice(arg.value));
    if (destructive && device) ctx.hit("disk_wipe", "block", `${name} rewrites the partition table of ${device.value}`, segment);
    return;
  }
  if (name === "tee" || name === "cp" || name === "install" || name === "pv") {
    const targets = positionals(args);
    const written = name === "tee" ? targets : targets.slice(-1);
    for (const target of written)
      if (isBlockDevice(target.value)) ctx.hit("disk_wipe", "block", `${name} writes to the block device ${target.value}`, segment);
  }
}

/** Writes through redirects: `> /dev/sda`, `cat /dev/zero > /dev/nvme0n1`. */
export function blockDeviceRedirect(target: Word | undefined, op: string, segment: string, ctx: RuleContext): void {
  if (!target || !/>/.test(op) || /&$/.test(op)) return;
  if (isBlockDevice(target.value)) ctx.hit("disk_wipe", "block", `output redirected onto the block device ${target.value}`, segment);
}

/** Every deletion and wipe rule, for one invocation. */
export function destructiveRules(invocation: Invocation, ctx: RuleContext): void {
  switch (invocation.name) {
    case "rm":
    case "unlink":
      rm(invocation, ctx);
      return;
    case "find":
      find(invocation, ctx);
      return;
    case "mv":
      moveAway(invocation, ctx);
      return;
    case "shred":
    case "srm":
      shred(invocation, ctx);
      return;
    default:
      disk(invocation, ctx);
  }
}
