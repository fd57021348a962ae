/**
 * Comparing secrets and recognising the local machine: shared by the gateway and by drivers that
 * check their own keys and signatures, so every check is constant-time and agrees on "loopback".
 */
import { createHash, timingSafeEqual } from "node:crypto";

/** Constant-time equality of two secrets of any length (both are hashed first, so lengths do not leak). */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/** True for 127.0.0.0/8, ::1 and their IPv4-mapped forms; false for a missing address. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const bare = address.startsWith("::ffff:") ? address.slice(7) : address;
  return bare === "::1" || bare.startsWith("127.");
}
