/**
 * The integrity monitor: a baseline of the protected paths kept in the store (so a restart never
 * re-baselines a tampered file, seed §15 item 10), checks that re-read the baseline each time
 * (so `talon integrity rebaseline` from another process takes effect), and the current alerts,
 * which stay until the files match again or an operator rebaselines.
 */
import type { Logger, Store } from "@talon/sdk";
import { compare, snapshot, type Snapshot, type SnapshotLimits } from "./snapshot.ts";

/** A protected path as configured and resolved. */
export interface ProtectedPath {
  readonly configured: string;
  readonly absolute: string;
}

/** What is stored under `baseline`. */
export interface Baseline {
  readonly version: 1;
  readonly takenAt: number;
  readonly paths: Readonly<Record<string, { readonly configured: string; readonly takenAt: number; readonly snapshot: Snapshot }>>;
}

/** The monitor's current view. */
export interface IntegrityState {
  readonly alerts: readonly string[];
  readonly errors: readonly string[];
  readonly checkedAt: number | undefined;
}

const KEY = "baseline";

export class IntegrityMonitor {
  readonly #store: Store;
  readonly #log: Logger;
  #limits: SnapshotLimits;
  #paths: readonly ProtectedPath[];
  #state: IntegrityState = { alerts: [], errors: [], checkedAt: undefined };
  #queue: Promise<unknown> = Promise.resolve();
  /** A check queued but not yet started: every caller until it starts shares it. */
  #queuedCheck: Promise<IntegrityState> | undefined;

  constructor(store: Store, log: Logger, paths: readonly ProtectedPath[], limits: SnapshotLimits) {
    this.#store = store;
    this.#log = log;
    this.#paths = paths;
    this.#limits = limits;
  }

  get state(): IntegrityState {
    return this.#state;
  }

  get paths(): readonly ProtectedPath[] {
    return this.#paths;
  }

  configure(paths: readonly ProtectedPath[], limits: SnapshotLimits): void {
    this.#paths = paths;
    this.#limits = limits;
  }

  /** One operation at a time: checks and rebaselines never interleave. */
  #serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(work, work);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #load(): Promise<Baseline> {
    const stored = await this.#store.get<Baseline>(KEY);
    return stored?.version === 1 ? stored : { version: 1, takenAt: Date.now(), paths: {} };
  }

  /** Baseline paths seen for the first time; forget paths no longer configured. Existing entries are never replaced. */
  ensureBaseline(): Promise<Baseline> {
    return this.#serial(async () => {
      const baseline = await this.#load();
      const paths: Record<string, Baseline["paths"][string]> = {};
      let changed = false;
      for (const path of this.#paths) {
        const existing = baseline.paths[path.absolute];
        if (existing) paths[path.absolute] = existing;
        else {
          paths[path.absolute] = {
            configured: path.configured,
            takenAt: Date.now(),
            snapshot: await snapshot(path.absolute, this.#limits),
          };
          changed = true;
          this.#log.info(
            { path: path.absolute, kind: paths[path.absolute]!.snapshot.kind },
            "integrity baseline taken for a new protected path",
          );
        }
      }
      if (Object.keys(baseline.paths).some((key) => !(key in paths))) changed = true;
      const next: Baseline = { version: 1, takenAt: baseline.takenAt, paths };
      if (changed) await this.#store.set(KEY, next);
      return next;
    });
  }

  /**
   * Compare every protected path with its baseline (read fresh from the store). Checks coalesce:
   * callers that arrive while one is queued share it, so at most one runs and one waits however
   * often this is called; each caller still gets a check that started after it asked.
   */
  check(): Promise<IntegrityState> {
    if (this.#queuedCheck) return this.#queuedCheck;
    const queued = this.#serial(async () => {
      if (this.#queuedCheck === queued) this.#queuedCheck = undefined;
      const baseline = await this.#load();
      const alerts: string[] = [];
      const errors: string[] = [];
      for (const path of this.#paths) {
        const entry = baseline.paths[path.absolute];
        if (!entry) continue;
        const result = compare(path.configured, entry.snapshot, await snapshot(path.absolute, this.#limits));
        alerts.push(...result.alerts);
        errors.push(...result.errors);
      }
      const previous = this.#state;
      this.#state = { alerts, errors, checkedAt: Date.now() };
      if (alerts.join() !== previous.alerts.join()) {
        if (alerts.length > 0)
          this.#log.warn(
            { alerts },
            "host integrity mismatch; every action gets +risk until the files match or `talon integrity rebaseline` runs",
          );
        else this.#log.info({}, "host integrity restored");
      }
      return this.#state;
    });
    this.#queuedCheck = queued;
    return queued;
  }

  /** Take a new baseline of the configured paths (or only `only`), then check. */
  async rebaseline(only?: readonly string[]): Promise<{ rebaselined: string[]; state: IntegrityState }> {
    const rebaselined = await this.#serial(async () => {
      const baseline = await this.#load();
      const paths: Record<string, Baseline["paths"][string]> = {};
      const done: string[] = [];
      for (const path of this.#paths) {
        const selected = !only || only.includes(path.configured) || only.includes(path.absolute);
        if (selected || !baseline.paths[path.absolute]) {
          paths[path.absolute] = {
            configured: path.configured,
            takenAt: Date.now(),
            snapshot: await snapshot(path.absolute, this.#limits),
          };
          done.push(path.configured);
        } else paths[path.absolute] = baseline.paths[path.absolute]!;
      }
      await this.#store.set(KEY, { version: 1, takenAt: Date.now(), paths } satisfies Baseline);
      this.#log.info({ paths: done }, "integrity baseline retaken by an operator");
      return done;
    });
    return { rebaselined, state: await this.check() };
  }

  /** The stored baseline, for `status`. */
  baseline(): Promise<Baseline> {
    return this.#load();
  }
}
