/**
 * Secret redaction for quarantine records: values under secret-looking keys, well-known token
 * shapes (API keys, JWTs, private keys, credentials in URLs, `password=` pairs, Authorization
 * headers) and the host's own configured secrets are replaced by `[REDACTED]`. Pure.
 */

/** What a redacted secret becomes. */
export const REDACTED = "[REDACTED]";

/** Keys whose values are secrets whatever they look like. */
const SECRET_KEY =
  /pass(?:word|wd|phrase)?$|secret|token(?!s)|api[-_]?key|apikey|authorization|cookie|credential|private[-_]?key|access[-_]?key|signature$/i;

/** Token shapes, each replaced whole or after its captured prefix (group 1). */
const SECRET_VALUES: readonly RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  /\b(?:sk|rk|pk)-(?:proj-|ant-|live-|test-)?[A-Za-z0-9_-]{16,}/g,
  /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}/g,
  /\bgh[pousr]_[A-Za-z0-9]{30,}/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}/g,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\bAIza[0-9A-Za-z_-]{35}\b/g,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
  /\b\d{8,10}:[A-Za-z0-9_-]{35}\b/g,
];

/** Patterns that keep a prefix (group 1) and redact what follows; the second item is appended after the mark. */
const SECRET_AFTER: readonly (readonly [RegExp, string])[] = [
  [/(authorization\s*[:=]\s*(?:bearer|basic|token)?\s*)[^\s'"]+/gi, ""],
  [/(\bbearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, ""],
  [
    /(\b(?:password|passwd|pwd|secret|token|api[-_]?key|apikey|access[-_]?key|client[-_]?secret)\s*[=:]\s*)(?:"[^"]*"|'[^']*'|[^\s&'",;]+)/gi,
    "",
  ],
  [/([?&](?:token|key|api_key|apikey|secret|password|sig|signature|access_token|auth)=)[^&\s#'"]+/gi, ""],
  // Credentials in a URL: keep the scheme and the `@` so the host stays readable.
  [/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+:[^/\s@]+@/gi, "@"],
];

/** Redact secrets inside one string. `known` are exact secret values (the host's own). */
export function redactText(text: string, known: readonly string[] = []): string {
  let out = text;
  for (const secret of known) if (secret.length >= 6 && out.includes(secret)) out = out.split(secret).join(REDACTED);
  for (const pattern of SECRET_VALUES) out = out.replace(pattern, REDACTED);
  for (const [pattern, suffix] of SECRET_AFTER) out = out.replace(pattern, (_match, prefix: string) => `${prefix}${REDACTED}${suffix}`);
  return out;
}

/**
 * Exact secret values in a config tree (the host's config, `plugins.entries.*.config` included):
 * strings, or strings in an array, under a key that names a secret; plus `also`. Blank values are
 * dropped (the length bound is `redactText`'s); longest first, so a secret that contains another
 * is redacted whole. Bounded by depth.
 */
export function secretsInConfig(config: unknown, also: readonly unknown[] = []): string[] {
  const found = new Set<string>();
  const add = (value: unknown) => {
    if (typeof value === "string" && value.trim() !== "") found.add(value);
  };
  const walk = (value: unknown, depth: number) => {
    if (typeof value !== "object" || value === null || depth > 64) return;
    if (Array.isArray(value)) {
      for (const item of value) walk(item, depth + 1);
      return;
    }
    for (const [key, item] of Object.entries(value)) {
      if (SECRET_KEY.test(key) && typeof item === "string") add(item);
      else if (SECRET_KEY.test(key) && Array.isArray(item) && item.every((entry) => typeof entry === "string")) item.forEach(add);
      else walk(item, depth + 1);
    }
  };
  walk(config, 0);
  also.forEach(add);
  return [...found].sort((a, b) => b.length - a.length);
}

/** Redact a JSON value: secret-named keys lose their value, every string is scanned. Bounded by depth. */
export function redactValue(value: unknown, known: readonly string[] = [], depth = 0): unknown {
  if (typeof value === "string") return redactText(value, known);
  if (typeof value !== "object" || value === null) return value;
  if (depth > 64) return REDACTED;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, known, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) && item !== null && item !== "" ? REDACTED : redactValue(item, known, depth + 1);
  }
  return out;
}
