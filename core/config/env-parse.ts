/** How an environment variable's text becomes a config value (seed-defender §10.3 rules). */

export type Parser = (value: string) => { value: unknown } | { clear: true } | undefined;

/** One environment variable and the config key it sets. */
export interface EnvBinding {
  /** Variable name without the prefix. */
  name: string;
  /** Config path the value lands on. */
  path: string[];
  parse: Parser;
  /** Older spelling still read when `name` is unset. */
  fallback?: string;
}

export const verbatim: Parser = (value) => ({ value });

/** Trimmed; blank is ignored. */
export const trimmed: Parser = (value) => (value.trim() === "" ? undefined : { value: value.trim() });

/** Trimmed; blank clears the key. */
export const trimmedOrClear: Parser = (value) => (value.trim() === "" ? { clear: true } : { value: value.trim() });

/** Strict unsigned integer (optional `+`, digits only); anything else leaves the key unchanged. */
export function unsigned(floor = 0): Parser {
  return (value) => {
    if (!/^\+?\d+$/.test(value)) return undefined;
    const parsed = Number(value);
    return Number.isSafeInteger(parsed) ? { value: Math.max(parsed, floor) } : undefined;
  };
}

export function oneOf(aliases: Record<string, string>): Parser {
  return (value) => {
    const hit = aliases[value.trim().toLowerCase()];
    return hit === undefined ? undefined : { value: hit };
  };
}

export const truthy: Parser = (value) => ({ value: ["1", "true", "yes", "on"].includes(value.trim().toLowerCase()) });

export const commaList: Parser = (value) => ({
  value: value
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== ""),
});
