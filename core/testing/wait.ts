/** Waiting for a recorded item: the first past or future entry of `items` matching `predicate`. */

/** `waiters` are woken by the recorder after each new item. */
export function waitForMatch<T>(
  items: readonly T[],
  waiters: Set<() => void>,
  predicate: (item: T) => boolean,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const hit = items.find(predicate);
  if (hit) return Promise.resolve(hit);
  return new Promise((resolve, reject) => {
    const wake = () => {
      const found = items.find(predicate);
      if (!found) return;
      clearTimeout(timer);
      waiters.delete(wake);
      resolve(found);
    };
    const timer = setTimeout(() => {
      waiters.delete(wake);
      reject(new Error(`no ${what} matched within ${timeoutMs} ms (saw ${items.length})`));
    }, timeoutMs);
    waiters.add(wake);
  });
}
