/**
 * The one time limit helper: race work against a timer; the error names what timed out. Used for
 * plugin setup and stop, driver start/stop/logout, status sections, store connections and drains.
 */

/** Resolve with `work`, or reject with `onTimeout()` after `ms`. The timer is cleared either way. */
export async function withTimeout<T>(work: T | PromiseLike<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    // Not unref'd: a hanging plugin must still hit its limit rather than let the process exit.
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  try {
    return await Promise.race([Promise.resolve(work), limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** Wait for `work` to settle, but at most `ms` (drains at shutdown: never rejects, never waits longer). */
export async function settleWithin(work: PromiseLike<unknown>, ms: number): Promise<void> {
  await withTimeout(
    Promise.resolve(work).then(
      () => undefined,
      () => undefined,
    ),
    ms,
    () => new Error("drain time limit"),
  ).catch(() => undefined);
}
