/**
 * One call to the platform, paced and retried: wait for the account's (and chat's) token bucket,
 * call the driver, and on failure retry with p-retry, bounded in attempts and in total time.
 * A 429 pauses the bucket for the platform's retry-after, so every send of the account waits,
 * not only this one; a retry-after longer than the time left fails at once instead of waiting.
 * Credentials, permission, unknown targets and invalid requests are never retried.
 */
import pRetry from "p-retry";
import { DriverNetworkError, MAX_RETRY_AFTER_MS, isTalonError } from "@talon/sdk";
import type { ChannelAccount } from "./account.ts";

const NEVER_RETRY = new Set([
  "TALON_DRIVER_AUTH",
  "TALON_DRIVER_PERMISSION",
  "TALON_DRIVER_NOT_FOUND",
  "TALON_DRIVER_VALIDATION",
  "TALON_CHANNEL_NOT_SUPPORTED",
]);

/** The error's retry-after, clamped to 0..MAX_RETRY_AFTER_MS (a driver may pass a body's value unchecked). */
function retryAfterOf(error: unknown): number | undefined {
  const value = (error as { retryAfterMs?: unknown })?.retryAfterMs;
  return typeof value === "number" && Number.isFinite(value) ? Math.min(MAX_RETRY_AFTER_MS, Math.max(0, value)) : undefined;
}

/** Wrap a thrown non-Error (p-retry only retries Errors) so the failure is still reported. */
function asError(driver: string, error: unknown): Error {
  return error instanceof Error ? error : new DriverNetworkError(driver, `driver threw a non-error value: ${String(error)}`);
}

/** Run `call` against the platform for `account` (to `chatId` when given), paced and retried. */
export async function callPlatform<T>(account: ChannelAccount, chatId: string | undefined, call: () => Promise<T>): Promise<T> {
  const policy = account.settings.retry;
  const started = performance.now();
  const chatBucket = chatId === undefined ? undefined : account.chatBucket(chatId);
  return pRetry(
    async () => {
      const wait = account.bucket.take();
      if (wait) await wait;
      if (chatBucket) {
        const chatWait = chatBucket.take();
        if (chatWait) await chatWait;
      }
      try {
        return await call();
      } catch (error) {
        throw asError(account.driverId, error);
      }
    },
    {
      retries: policy.retries,
      minTimeout: policy.minDelayMs,
      maxTimeout: policy.maxDelayMs,
      factor: 2,
      maxRetryTime: policy.maxTotalMs,
      signal: account.signal,
      onFailedAttempt: ({ error }) => {
        const retryAfter = retryAfterOf(error);
        if (retryAfter !== undefined) {
          account.snapshot.counters.rateLimited++;
          account.snapshot.lastRateLimitAt = Date.now();
          account.snapshot.lastRetryAfterMs = retryAfter;
          account.bucket.pause(retryAfter);
          chatBucket?.pause(retryAfter);
        }
      },
      shouldRetry: ({ error }) => {
        if (isTalonError(error) && NEVER_RETRY.has(error.code)) return false;
        if (account.stopped) return false;
        const retryAfter = retryAfterOf(error);
        const left = policy.maxTotalMs - (performance.now() - started);
        if (retryAfter !== undefined && retryAfter > left) return false;
        account.snapshot.counters.retries++;
        return true;
      },
    },
  );
}
