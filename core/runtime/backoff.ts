/**
 * Retry and reconnect delays, the seed's `delay(policy, attempt)` (seed-defender §8.6, with its
 * check vectors): exponential from `initialMs` by `factor` up to `maxMs`, plus a deterministic
 * jitter share, so many accounts restarting at once spread out yet stay reproducible. Used by the
 * bridge (1 s doubling to 30 s without jitter, reset after a healthy connection — the seed never
 * reset: seed-defender §15 item 21) and by channel accounts.
 */

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** Share of the delay added as jitter, 0..1. */
  jitter: number;
}

/** The bridge's reconnect policy for the given bounds. */
export function bridgeBackoff(initialMs: number, maxMs: number): BackoffPolicy {
  return { initialMs, maxMs, factor: 2, jitter: 0 };
}

const MASK_64 = (1n << 64n) - 1n;

/** The seed's per-attempt jitter unit in [0, 1] (a splitmix-style 64-bit hash of the attempt). */
export function jitterUnit(attempt: number): number {
  let x = (BigInt(attempt) * 0x9e3779b97f4a7c15n) & MASK_64;
  x ^= x >> 33n;
  x = (x * 0xff51afd7ed558ccdn) & MASK_64;
  x ^= x >> 33n;
  return Number(x & 0xffffn) / 65535;
}

/**
 * Delay before retry number `attempt` (1-based; 0 behaves as 1). `minInitialMs` lowers the seed's
 * 250 ms floor on `initialMs` (tests of channel accounts use it).
 */
export function backoffDelay(policy: BackoffPolicy, attempt: number, minInitialMs = 250): number {
  const initial = Math.max(minInitialMs, policy.initialMs);
  const max = Math.max(initial, policy.maxMs);
  const factor = Math.min(10, Math.max(1.1, policy.factor));
  const jitter = Math.min(1, Math.max(0, policy.jitter));
  const a = Math.max(1, Math.floor(attempt));
  let base = initial;
  for (let i = 1; i < a && base < max; i++) base = Math.min(base * factor, max);
  const delay = Math.round(base + base * jitter * jitterUnit(a));
  return Math.min(max, Math.max(initial, delay));
}
