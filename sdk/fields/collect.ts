/**
 * Collect every text value of a frame root as Action fields (fixes seed-defender §15 item 1: the
 * seed scanned only the first prompt-ish and command-ish value). Values under the seed's prompt,
 * command, url and file keys keep that kind; argument vectors become one command; every other
 * string leaf (except identifiers and routing) is a `text` field. Bounded by depth, node count
 * and field count; hitting a bound marks the result truncated. Each field carries the role of
 * its nearest enclosing object that declares one (role.ts), else the root's.
 */
import type { ActionField, ActionRole } from "../action.ts";
import { ACTION_MAX_FIELDS, EXTRACT_MAX_DEPTH, EXTRACT_MAX_NODES } from "../limits.ts";
import { isObject, pointerSegment, scalarText, sortedKeys } from "./json.ts";
import { FIELD_KIND_BY_KEY, NON_TEXT_KEYS } from "./keys.ts";
import { declaredRole, roleOfKey } from "./role.ts";

/** The fields of a frame root, and whether a bound cut any. */
export interface Collected {
  fields: ActionField[];
  truncated: boolean;
}

interface Walk {
  fields: ActionField[];
  nodes: number;
  truncated: boolean;
}

/** Collect the fields of `root` (an object or array); `role` is the root's (role.ts `rootRole`). */
export function collectFields(root: unknown, role: ActionRole = "user"): Collected {
  const walk: Walk = { fields: [], nodes: 0, truncated: false };
  visit(walk, root, "", 0, "text", role);
  return { fields: walk.fields, truncated: walk.truncated };
}

function push(walk: Walk, field: ActionField): void {
  if (walk.fields.length >= ACTION_MAX_FIELDS) {
    walk.truncated = true;
    return;
  }
  walk.fields.push(field);
}

function budget(walk: Walk, depth: number): boolean {
  if (++walk.nodes > EXTRACT_MAX_NODES || depth > EXTRACT_MAX_DEPTH) {
    walk.truncated = true;
    return false;
  }
  return true;
}

type Kind = ActionField["kind"];

/**
 * `inherited`: the kind of the nearest enclosing prompt/command/url/file key (`message.content` is
 * prompt text); `role`: the role of the nearest enclosing object or key that declares one.
 */
function visit(walk: Walk, node: unknown, path: string, depth: number, inherited: Kind, role: ActionRole): void {
  if (!budget(walk, depth)) return;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length && !walk.truncated; i++) {
      const child = node[i];
      if (typeof child === "object" && child !== null) visit(walk, child, `${path}/${i}`, depth + 1, inherited, role);
      else if (typeof child === "string" && child.trim() !== "") push(walk, { kind: inherited, path: `${path}/${i}`, value: child, role });
    }
    return;
  }
  if (!isObject(node)) return;
  const own = declaredRole(node) ?? role;
  for (const key of sortedKeys(node)) {
    if (walk.truncated) return;
    const value = node[key];
    const childPath = `${path}/${pointerSegment(key)}`;
    const kind = FIELD_KIND_BY_KEY.get(key);
    const childRole = roleOfKey(key) ?? own;
    if (kind !== undefined) {
      visitKnown(walk, kind, value, childPath, depth + 1, childRole);
    } else if (typeof value === "string") {
      if (!NON_TEXT_KEYS.has(key) && value.trim() !== "") push(walk, { kind: inherited, path: childPath, value, role: childRole });
    } else if (typeof value === "object" && value !== null && !NON_TEXT_KEYS.has(key)) {
      visit(walk, value, childPath, depth + 1, inherited, childRole);
    }
  }
}

/** A value under a prompt/command/url/file key. */
function visitKnown(walk: Walk, kind: Exclude<Kind, "text">, value: unknown, path: string, depth: number, role: ActionRole): void {
  const text = scalarText(value);
  if (text !== undefined) {
    push(walk, { kind, path, value: text, role });
    return;
  }
  if (Array.isArray(value) && kind === "command" && value.length > 0 && value.every((item) => typeof item === "string")) {
    // An argument vector is one command: `["rm","-rf","/"]` is scanned as `rm -rf /`.
    if (!budget(walk, depth)) return;
    push(walk, { kind, path, value: shellJoin(value as string[]), role });
    return;
  }
  if (Array.isArray(value)) {
    if (!budget(walk, depth)) return;
    for (let i = 0; i < value.length && !walk.truncated; i++) {
      const item = value[i];
      const itemText = scalarText(item);
      if (itemText !== undefined) push(walk, { kind, path: `${path}/${i}`, value: itemText, role });
      else if (typeof item === "object" && item !== null) visit(walk, item, `${path}/${i}`, depth + 1, kind, role);
    }
    return;
  }
  if (typeof value === "object" && value !== null) visit(walk, value, path, depth, kind, role);
}

/** Join an argument vector into one POSIX shell command line, quoting each argument that needs it. */
export function shellJoin(args: readonly string[]): string {
  return args.map((arg) => (arg !== "" && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`)).join(" ");
}
