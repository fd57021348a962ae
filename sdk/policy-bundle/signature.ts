/**
 * HMAC-SHA256 signatures of policy bundles (seed-defender §6): key = the trimmed key's UTF-8
 * bytes; signature = lowercase hex, optionally prefixed `sha256:`. Verification compares in
 * constant time.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { signedPayload } from "./canonical.ts";

/** Lowercase hex HMAC-SHA256 of the bundle's signed payload. */
export function signBundle(bundle: Record<string, unknown>, key: string): string {
  return createHmac("sha256", Buffer.from(key.trim(), "utf8")).update(signedPayload(bundle), "utf8").digest("hex");
}

/** The provided signature as compared: trimmed, ASCII-lowercased, `sha256:` stripped. */
function normalizeSignature(signature: string): string {
  const lower = signature.trim().replace(/[A-Z]/g, (c) => c.toLowerCase());
  return lower.startsWith("sha256:") ? lower.slice("sha256:".length) : lower;
}

/** Does `signature` sign `bundle` with `key`? Constant time in the signature's content. */
export function verifyBundleSignature(bundle: Record<string, unknown>, key: string, signature: string): boolean {
  const expected = Buffer.from(signBundle(bundle, key), "utf8");
  const provided = Buffer.from(normalizeSignature(signature), "utf8");
  if (provided.length !== expected.length) return false;
  return timingSafeEqual(provided, expected);
}
