/** Bound a driver call in time: a driver that hangs in start or stop must not hang the host. */
import { DriverNetworkError } from "@talon/sdk";

/** Resolve with `work`, or reject with a DriverNetworkError naming `what` after `ms`. */
export async function withDeadline<T>(work: T | Promise<T>, ms: number, driver: string, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DriverNetworkError(driver, `${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([Promise.resolve(work), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
