/**
 * The seed's recursive key search (seed-defender §2.3): at each object level the listed keys are
 * tried in priority order (a scalar wins; null, objects and arrays are skipped); if none matched,
 * children are searched depth-first in code-point key order; arrays in index order.
 * Bounded by depth, so a hostile frame cannot exhaust the stack.
 */
import { EXTRACT_MAX_DEPTH } from "../limits.ts";
import { isObject, pointerSegment, scalarText, sortedKeys } from "./json.ts";

/** A value found by the search, with its JSON pointer and the key that held it. */
export interface Hit {
  value: string;
  path: string;
  key: string;
}

/** Find the first scalar under one of `keys`, the seed's way. `accept` may reject a candidate (the search then goes on). */
export function findFirst(root: unknown, keys: readonly string[], accept?: (value: string, key: string, holder: Record<string, unknown>) => boolean): Hit | undefined {
  return search(root, keys, "", 0, accept);
}

function search(node: unknown, keys: readonly string[], path: string, depth: number, accept: ((value: string, key: string, holder: Record<string, unknown>) => boolean) | undefined): Hit | undefined {
  if (depth > EXTRACT_MAX_DEPTH) return undefined;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const child = node[i];
      if (typeof child !== "object" || child === null) continue;
      const hit = search(child, keys, `${path}/${i}`, depth + 1, accept);
      if (hit) return hit;
    }
    return undefined;
  }
  if (!isObject(node)) return undefined;
  for (const key of keys) {
    if (!Object.hasOwn(node, key)) continue;
    const text = scalarText(node[key]);
    if (text !== undefined && (!accept || accept(text, key, node))) return { value: text, path: `${path}/${pointerSegment(key)}`, key };
  }
  for (const key of sortedKeys(node)) {
    const child = node[key];
    if (typeof child !== "object" || child === null) continue;
    const hit = search(child, keys, `${path}/${pointerSegment(key)}`, depth + 1, accept);
    if (hit) return hit;
  }
  return undefined;
}
