/**
 * JSON helpers shared by the extractor: the seed's scalar-to-string rendering, bool-ish values,
 * key order and JSON pointers (seed-defender §0).
 */
import { compareCodePoints } from "../json.ts";

export { isObject } from "../json.ts";

/**
 * Render a JSON scalar as the seed did (seed §0.2): strings verbatim, booleans `true`/`false`,
 * numbers as serde_json prints them (`1e20`, not JS's `1e+20`). Objects, arrays and null: none.
 */
export function scalarText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number" && Number.isFinite(value)) return String(value).replace("e+", "e");
  return undefined;
}

/**
 * The seed's bool-ish reading (seed §0.3): JSON bool; an integer (non-zero is true); a string
 * `1 true yes on` / `0 false no off` (trimmed, any case). Anything else is `undefined`.
 */
export function boolish(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isInteger(value) ? value !== 0 : undefined;
  if (typeof value !== "string") return undefined;
  switch (value.trim().toLowerCase()) {
    case "1":
    case "true":
    case "yes":
    case "on":
      return true;
    case "0":
    case "false":
    case "no":
    case "off":
      return false;
    default:
      return undefined;
  }
}

/** Object keys in the seed's visiting order. */
export function sortedKeys(object: Record<string, unknown>): string[] {
  return Object.keys(object).sort(compareCodePoints);
}

/** One JSON pointer segment (RFC 6901). */
export function pointerSegment(key: string | number): string {
  const text = String(key);
  return text.includes("~") || text.includes("/") ? text.replaceAll("~", "~0").replaceAll("/", "~1") : text;
}

/** The first of `keys` present at the top level of `object` as a non-blank string, trimmed. */
export function firstTopLevelText(object: Record<string, unknown>, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = object[key];
    if (typeof value === "string" && value.trim() !== "") return value.trim();
  }
  return undefined;
}
