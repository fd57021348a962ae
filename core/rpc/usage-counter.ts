/**
 * Decision counts per UTC day, for `usage.status` and `usage.cost`. Talon makes no model calls,
 * so it has no token or cost figures; what it can count honestly is its verdicts. Counts start
 * with the process (`countedSinceMs`) and keep at most {@link MAX_DAYS} days.
 */
import type { Verdict } from "@talon/sdk";

/** Days of history kept; older days are forgotten first. */
export const MAX_DAYS = 400;

/** Counts per verdict. */
export interface VerdictCounts {
  allow: number;
  review: number;
  block: number;
}

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` (UTC) of an epoch-ms time. */
export function utcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Verdict counts in total and per UTC day (bounded). */
export class UsageCounter {
  readonly countedSinceMs = Date.now();
  readonly totals: VerdictCounts = { allow: 0, review: 0, block: 0 };
  readonly #days = new Map<string, VerdictCounts>();
  /** Day number (ms / DAY_MS) of `#current`: the date string is built once per day, not per decision. */
  #currentDay = Number.NaN;
  #current: VerdictCounts | undefined;

  /** Count one verdict at `now`. */
  record(verdict: Verdict, now = Date.now()): void {
    this.totals[verdict]++;
    const dayNumber = Math.floor(now / DAY_MS);
    let counts = this.#current;
    if (dayNumber !== this.#currentDay || counts === undefined) {
      const day = utcDate(now);
      counts = this.#days.get(day);
      if (!counts) {
        counts = { allow: 0, review: 0, block: 0 };
        this.#days.set(day, counts);
        if (this.#days.size > MAX_DAYS) this.#days.delete(this.#days.keys().next().value!);
      }
      this.#currentDay = dayNumber;
      this.#current = counts;
    }
    counts[verdict]++;
  }

  /** Counts of each day in `[startDate, endDate]` that had any, oldest first, and their sum. */
  range(startDate: string, endDate: string): { daily: (VerdictCounts & { date: string })[]; sum: VerdictCounts } {
    const daily: (VerdictCounts & { date: string })[] = [];
    const sum: VerdictCounts = { allow: 0, review: 0, block: 0 };
    for (const [date, counts] of [...this.#days].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (date < startDate || date > endDate) continue;
      daily.push({ date, ...counts });
      sum.allow += counts.allow;
      sum.review += counts.review;
      sum.block += counts.block;
    }
    return { daily, sum };
  }
}

/** Days from `startDate` to `endDate` inclusive (both `YYYY-MM-DD`). */
export function daysBetween(startDate: string, endDate: string): number {
  return Math.round((Date.parse(`${endDate}T00:00:00Z`) - Date.parse(`${startDate}T00:00:00Z`)) / DAY_MS) + 1;
}

/** The date `days - 1` days before `endDate`. */
export function startFor(endDate: string, days: number): string {
  return utcDate(Date.parse(`${endDate}T00:00:00Z`) - (days - 1) * DAY_MS);
}
