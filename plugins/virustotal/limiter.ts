/**
 * VirusTotal's public quota: 4 requests a minute and 500 a day (anchors §C3). A sliding minute
 * window in memory, a daily counter in the store (so a restart does not reset it and hosts that
 * share a store share it), and a pause after a 429 for as long as the server asked.
 */
import type { Store } from "@talon/sdk";

/** Quota settings. */
export interface RateSettings {
  readonly perMinute: number;
  readonly perDay: number;
}

const DAY_MS = 86_400_000;

export class RateLimiter {
  readonly #recent: number[] = [];
  readonly #store: Store;
  #settings: RateSettings;
  #pausedUntil = 0;
  /** Tail of the serialised daily-counter updates. */
  #daily: Promise<void> = Promise.resolve();

  constructor(store: Store, settings: RateSettings) {
    this.#store = store;
    this.#settings = settings;
  }

  configure(settings: RateSettings): void {
    this.#settings = settings;
  }

  /** Honour a 429: no calls before `until` (epoch ms). */
  pause(until: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, until);
  }

  /**
   * Take one request slot, or say why not. The minute slot is reserved synchronously, before any
   * await, so concurrent callers cannot all pass the check; the daily read-increment is serialised
   * through one promise chain so no update is lost. A refused daily quota gives the slot back.
   */
  async take(now = Date.now()): Promise<{ ok: true } | { ok: false; reason: string }> {
    if (now < this.#pausedUntil)
      return { ok: false, reason: `VirusTotal asked to wait (429) until ${new Date(this.#pausedUntil).toISOString()}` };
    while (this.#recent.length > 0 && now - this.#recent[0]! >= 60_000) this.#recent.shift();
    if (this.#recent.length >= this.#settings.perMinute)
      return { ok: false, reason: `VirusTotal quota of ${this.#settings.perMinute} lookups a minute reached` };
    this.#recent.push(now);
    const day = `quota:${new Date(now).toISOString().slice(0, 10)}`;
    const counted = this.#daily.then(async () => {
      const used = (await this.#store.get<number>(day)) ?? 0;
      if (used >= this.#settings.perDay) return false;
      await this.#store.set(day, used + 1, 2 * DAY_MS);
      return true;
    });
    // The chain continues whether this step succeeded or threw.
    this.#daily = counted.then(
      () => undefined,
      () => undefined,
    );
    let granted: boolean;
    try {
      granted = await counted;
    } catch (error) {
      this.#release(now);
      throw error;
    }
    if (!granted) {
      this.#release(now);
      return { ok: false, reason: `VirusTotal quota of ${this.#settings.perDay} lookups a day reached (resets 00:00 UTC)` };
    }
    return { ok: true };
  }

  /** Give back a minute slot reserved at `at`. */
  #release(at: number): void {
    const index = this.#recent.lastIndexOf(at);
    if (index >= 0) this.#recent.splice(index, 1);
  }
}
