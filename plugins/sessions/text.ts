/**
 * Text helpers of the seed's handlers (seed-gateway §0.1), measured in UTF-8 bytes like the Rust
 * original. Stored texts (history, titles, previews) are cut with `...`; parameters that name or
 * filter something are rejected when too long instead (seed §8 item 14: a cut id matches nothing).
 */
import { RpcError } from "@talon/sdk";

const encoder = new TextEncoder();

/** UTF-8 length of `value` without allocating for pure ASCII. */
export function byteLength(value: string): number {
  for (let i = 0; i < value.length; i++) {
    if (value.charCodeAt(i) > 0x7f) return encoder.encode(value).length;
  }
  return value.length;
}

/** Cut `value` at the largest code-point boundary of at most `maxBytes` UTF-8 bytes. */
function cutBytes(value: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const char of value) {
    const size = byteLength(char);
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += char.length;
  }
  return value.slice(0, end);
}

/** Seed `trunc(s, N)`: over `maxBytes` bytes → cut and `...` appended; no trimming. */
export function truncate(value: string, maxBytes: number): string {
  return byteLength(value) <= maxBytes ? value : `${cutBytes(value, maxBytes)}...`;
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
