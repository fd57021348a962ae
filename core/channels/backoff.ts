/**
 * Reconnect backoff, exactly the seed's `delay(policy, attempt)` (seed-defender §8.6): exponential
 * from `initialMs` by `factor`, capped at `maxMs`, plus a deterministic jitter derived from the
 * attempt number (a 64-bit mix), so restarts of many accounts spread out yet stay reproducible.
 */

/** A backoff policy. Values are sanitised as the seed does. */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** 0..1: share of the base delay added as jitter. */
  jitter: number;
}

const MASK64 = (1n << 64n) - 1n;

/** The seed's jitter fraction u(a) in [0, 1]. */
export function jitterFraction(attempt: number): number {
  let x = (BigInt(attempt) * 0x9e3779b97f4a7c15n) & MASK64;
  x ^= x >> 33n;
  x = (x * 0xff51afd7ed558ccdn) & MASK64;
  x ^= x >> 33n;
  return Number(x & 0xffffn) / 65535;
}

/**
 * Delay before attempt `attempt` (1-based; 0 counts as 1). With `minInitialMs` the seed's floor
 * of 250 ms on `initialMs` can be lowered (tests).
 */
export function backoffDelay(policy: BackoffPolicy, attempt: number, minInitialMs = 250): number {
  const initial = Math.max(policy.initialMs, minInitialMs);
  const max = Math.max(policy.maxMs, initial);
  const factor = Math.min(Math.max(policy.factor, 1.1), 10);
  const jitter = Math.min(Math.max(policy.jitter, 0), 1);
  const a = Math.max(attempt, 1);
  let base = initial;
  for (let i = 1; i < a && base < max; i++) base = Math.min(base * factor, max);
  const delay = Math.round(base + base * jitter * jitterFraction(a));
  return Math.min(Math.max(delay, initial), max);
}
