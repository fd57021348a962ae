/**
 * The seed's recursive key search (seed-defender §2.3): at each object level the listed keys are
 * tried in priority order (a scalar wins; null, objects and arrays are skipped); if none matched,
 * children are searched depth-first in code-point key order; arrays in index order.
 *
 * Every search visits the nodes in the same order (pre-order, the same child order), so several
 * searches run as one walk: at each object each search not yet answered tries its keys, and the
 * walk descends only while some search is unanswered. Each search gets exactly the first hit it
 * would get alone. Bounded by depth and by EXTRACT_MAX_NODES objects and arrays (as
 * `collectFields`), so a hostile frame can exhaust neither the stack nor the CPU; a walk cut
 * short reports `truncated`.
 */
import { EXTRACT_MAX_DEPTH, EXTRACT_MAX_NODES } from "@talon/sdk";
import { isObject, scalarText, sortedKeys } from "@talon/sdk";

/** One search: its keys in priority order; `accept` may reject a candidate (the search then goes on). */
export interface KeySearch {
  readonly keys: readonly string[];
  readonly accept?: (value: string, key: string) => boolean;
}

/** The first scalar of each search (`undefined` where none was found), and whether the node budget ran out. */
export interface SearchResult {
  readonly values: (string | undefined)[];
  readonly truncated: boolean;
}

interface Walk {
  readonly searches: readonly KeySearch[];
  readonly values: (string | undefined)[];
  open: number;
  nodes: number;
  truncated: boolean;
}

/** Run several searches over `root` in one walk. */
export function findFirstOf(root: unknown, searches: readonly KeySearch[]): SearchResult {
  const walk: Walk = { searches, values: searches.map(() => undefined), open: searches.length, nodes: 0, truncated: false };
  if (walk.open > 0) visit(walk, root, 0);
  return { values: walk.values, truncated: walk.truncated };
}

/** Find the first scalar under one of `keys`, the seed's way. */
export function findFirst(root: unknown, keys: readonly string[], accept?: (value: string, key: string) => boolean): string | undefined {
  return findFirstOf(root, [{ keys, accept }]).values[0];
}

/** Walk `node`; false once every search is answered or the budget ran out (the walk stops). */
function visit(walk: Walk, node: unknown, depth: number): boolean {
  if (depth > EXTRACT_MAX_DEPTH) return true;
  if (Array.isArray(node)) {
    if (!count(walk)) return false;
    for (let i = 0; i < node.length; i++) {
      const child = node[i];
      if (typeof child !== "object" || child === null) continue;
      if (!visit(walk, child, depth + 1)) return false;
    }
    return true;
  }
  if (!isObject(node)) return true;
  if (!count(walk)) return false;
  const { searches, values } = walk;
  for (let s = 0; s < searches.length; s++) {
    if (values[s] !== undefined) continue;
    const { keys, accept } = searches[s]!;
    for (const key of keys) {
      if (!Object.hasOwn(node, key)) continue;
      const text = scalarText(node[key]);
      if (text !== undefined && (!accept || accept(text, key))) {
        values[s] = text;
        walk.open--;
        break;
      }
    }
  }
  if (walk.open === 0) return false;
  for (const key of sortedKeys(node)) {
    const child = node[key];
    if (typeof child !== "object" || child === null) continue;
    if (!visit(walk, child, depth + 1)) return false;
  }
  return true;
}

function count(walk: Walk): boolean {
  if (++walk.nodes > EXTRACT_MAX_NODES) {
    walk.truncated = true;
    return false;
  }
  return true;
}
