/**
 * Text helpers of the seed's handlers (seed-gateway §0.1), measured in UTF-8 bytes like the Rust
 * original. Stored texts (history, titles, previews) are cut with `...`; parameters that name or
 * filter something are rejected when too long instead (seed §8 item 14: a cut id matches nothing).
 */
import { RpcError } from "@talon/sdk";

/** UTF-8 size of the code point `cp` (a lone surrogate counts 3, as its U+FFFD replacement). */
function utf8Size(cp: number): number {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/** UTF-8 length of `value`, computed from its code points (no allocation). */
export function byteLength(value: string): number {
  let bytes = 0;
  for (let i = 0; i < value.length; i++) {
    const cp = value.codePointAt(i)!;
    bytes += utf8Size(cp);
    if (cp > 0xffff) i++;
  }
  return bytes;
}

/**
 * Seed `trunc(s, N)`: over `maxBytes` bytes → cut at the largest code-point boundary of at most
 * `maxBytes` bytes and `...` appended; no trimming. A string of at most `maxBytes / 3` code units
 * never needs cutting (a code unit is at most 3 bytes); otherwise at most `maxBytes + 1` code
 * points are walked.
 */
export function truncate(value: string, maxBytes: number): string {
  if (value.length * 3 <= maxBytes) return value;
  let bytes = 0;
  for (let i = 0; i < value.length; i++) {
    const cp = value.codePointAt(i)!;
    bytes += utf8Size(cp);
    if (bytes > maxBytes) return `${value.slice(0, i)}...`;
    if (cp > 0xffff) i++;
  }
  return value;
}

/** Seed `text(s, N)`: trim; blank → undefined; over `maxBytes` → cut with `...`. */
export function optionalText(value: string | null | undefined, maxBytes: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  const trimmed = value.trim();
  if (trimmed === "") return undefined;
  return truncate(trimmed, maxBytes);
}

/**
 * A parameter that names or filters something: trimmed, blank → undefined, and over `maxBytes`
 * bytes a clear error rather than the seed's silent `...` cut.
 */
export function nameParam(value: string | null | undefined, name: string, maxBytes: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  const trimmed = value.trim();
  if (trimmed === "") return undefined;
  if (byteLength(trimmed) > maxBytes) {
    throw new RpcError("TALON_RPC_INVALID_PARAMS", `${name} too long (max ${maxBytes} bytes)`, { details: { field: name, maxBytes } });
  }
  return trimmed;
}

/** Seed `norm(s)`: trim, then ASCII-lowercase. */
export function norm(value: string): string {
  return value.trim().replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** Length in Unicode scalar values (label-style checks count chars, not bytes). */
export function charLength(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

/** `value` clamped to `[min, max]`, or `fallback` when absent. */
export function clamp(value: number | null | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || value === null) return fallback;
  return Math.min(max, Math.max(min, value));
}

/**
 * Message sanitising of chat.send (seed §2.6 step 4): NFC, NUL refused, other control characters
 * except tab, LF and CR removed, DEL removed.
 */
export function sanitizeMessage(message: string): string {
  const normalized = message.normalize("NFC");
  if (normalized.includes("\0")) throw new RpcError("TALON_RPC_INVALID_PARAMS", "message must not contain null bytes");
  return normalized.replace(/[\u0001-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "");
}
