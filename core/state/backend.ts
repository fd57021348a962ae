/**
 * The one store behind every plugin's namespace. Keyv does single-key reads and writes and the
 * value format; each backend adds what Keyv lacks and Talon needs: atomic multi-key writes and
 * a fast prefix scan (sessions load 10,000 entries at start-up).
 */
import type Keyv from "keyv";

export interface RawEntry {
  key: string;
  value: unknown;
  ttlMs?: number;
}

export interface StoreBackend {
  readonly kind: "sqlite" | "memory" | "redis";
  /** Where the data lives, safe to print (no credentials). */
  readonly location: string;
  readonly keyv: Keyv;
  /** Write every entry or none. Keys are full keys (namespace included). */
  setMany(entries: readonly RawEntry[]): Promise<void>;
  deleteMany(keys: readonly string[]): Promise<void>;
  /** Every unexpired entry whose key starts with `prefix`, values deserialised. */
  scan(prefix: string): AsyncIterable<[string, unknown]>;
  /** Delete every key starting with `prefix`. */
  clearPrefix(prefix: string): Promise<void>;
  close(): Promise<void>;
}

/** Keyv's stored envelope. */
export interface Envelope {
  value: unknown;
  expires?: number | null;
}

export function expiresAt(ttlMs: number | undefined): number | null {
  return typeof ttlMs === "number" && ttlMs > 0 ? Date.now() + ttlMs : null;
}

export function isExpired(envelope: Envelope | undefined): boolean {
  return typeof envelope?.expires === "number" && envelope.expires < Date.now();
}
