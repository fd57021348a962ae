/**
 * The signed form of a policy bundle (seed-defender §6): the root object without `signature`,
 * object keys sorted recursively by code point (arrays keep their order), serialised as compact
 * JSON the way serde_json prints it (non-ASCII unescaped, control characters escaped).
 */
import { compareCodePoints } from "../json.ts";

/** Compact, recursively key-sorted JSON of `value`. */
export function canonicalJson(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "string" || typeof value === "boolean") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError("policy bundles cannot contain NaN or Infinity");
    // serde_json prints exponents without `+` (1e20, not 1e+20).
    return String(value).replace("e+", "e");
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object") {
    const object = value as Record<string, unknown>;
    const keys = Object.keys(object)
      .filter((key) => object[key] !== undefined)
      .sort(compareCodePoints);
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(object[key])}`).join(",")}}`;
  }
  throw new TypeError(`policy bundles cannot contain a ${typeof value}`);
}

/** The bundle minus its `signature` member, canonicalised: the bytes the HMAC covers. */
export function signedPayload(bundle: Record<string, unknown>): string {
  const { signature: _signature, ...rest } = bundle;
  return canonicalJson(rest);
}
