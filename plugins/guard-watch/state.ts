/**
 * What Talon knows about its OpenClaw guard, and the verdict on it. Three sources: upstream's
 * `health` (`plugins.loaded`, `plugins.errors`) read over the bridge, the guard's own heartbeats
 * over its connection to Talon, and time. Pure apart from the clock passed in.
 *
 * The guard is **missing** when upstream does not list it as loaded (`not_loaded`), lists it
 * among the plugins whose registration failed (`registration_failed`), or when heartbeats stopped
 * (`heartbeat_lost`) or never came although upstream lists it (`no_heartbeat`). It is **unknown**
 * while nothing could be read yet (no bridge, upstream unreachable) and no heartbeat arrived.
 */
import { LruMap } from "@talon/sdk";

/** One guard process (an OpenClaw process running the plugin), from its heartbeats. */
export interface GuardInstance {
  instanceId: string;
  guardId: string;
  version: string;
  openclawVersion?: string;
  pid?: number;
  hostname?: string;
  connectedSinceMs?: number;
  lastSeenMs: number;
  stats?: Record<string, number>;
}

export type GuardStatus = "present" | "missing" | "unknown";

/** A reason the guard is missing or unknown. */
export interface GuardReason {
  code: "not_loaded" | "registration_failed" | "heartbeat_lost" | "no_heartbeat" | "upstream_unreachable" | "no_bridge";
  detail: string;
}

/** The verdict. */
export interface GuardVerdict {
  status: GuardStatus;
  reasons: GuardReason[];
}

/** The last `health` reading. */
interface HealthReading {
  atMs: number;
  loaded?: boolean;
  error?: string;
  failure?: string;
}

export class GuardState {
  readonly #guardId: string;
  readonly #instances: LruMap<string, GuardInstance>;
  #health: HealthReading | undefined;
  #lastHeartbeatMs: number | undefined;
  /** When watching began (heartbeats are awaited from then on). */
  readonly #sinceMs: number;

  constructor(guardId: string, maxInstances: number, nowMs: number) {
    this.#guardId = guardId;
    this.#instances = new LruMap(maxInstances);
    this.#sinceMs = nowMs;
  }

  /** Record a `health` payload from upstream (or a failure to get one). */
  recordHealth(payload: unknown, nowMs: number, failure?: string): void {
    if (failure !== undefined) {
      this.#health = { atMs: nowMs, failure };
      return;
    }
    const plugins = (payload as { plugins?: { loaded?: unknown; errors?: unknown } } | null)?.plugins;
    const loaded = Array.isArray(plugins?.loaded) ? plugins.loaded.includes(this.#guardId) : undefined;
    let error: string | undefined;
    if (Array.isArray(plugins?.errors)) {
      for (const entry of plugins.errors) {
        const record = entry as { id?: unknown; pluginId?: unknown; error?: unknown; message?: unknown } | null;
        if (record?.id === this.#guardId || record?.pluginId === this.#guardId || entry === this.#guardId) {
          const text = record?.error ?? record?.message;
          error = typeof text === "string" ? text.slice(0, 500) : "registration failed";
        }
      }
    }
    this.#health = { atMs: nowMs, loaded: loaded ?? (plugins === undefined ? undefined : false), error };
  }

  /** Record a heartbeat. */
  recordHeartbeat(instance: Omit<GuardInstance, "lastSeenMs">, nowMs: number): void {
    this.#instances.set(instance.instanceId, { ...instance, lastSeenMs: nowMs });
    this.#lastHeartbeatMs = nowMs;
  }

  /** The verdict at `nowMs`; `heartbeatTimeoutMs` 0 ignores heartbeats; `bridge` says whether health can be read at all. */
  verdict(nowMs: number, heartbeatTimeoutMs: number, bridge: boolean): GuardVerdict {
    const reasons: GuardReason[] = [];
    const health = this.#health;
    let missing = false;
    let known = false;
    if (health?.failure !== undefined)
      reasons.push({ code: "upstream_unreachable", detail: `upstream health could not be read: ${health.failure}` });
    else if (health) {
      known = health.loaded !== undefined;
      if (health.error !== undefined) {
        missing = true;
        reasons.push({ code: "registration_failed", detail: `upstream could not register ${this.#guardId}: ${health.error}` });
      } else if (health.loaded === false) {
        missing = true;
        reasons.push({ code: "not_loaded", detail: `${this.#guardId} is not among upstream's loaded plugins` });
      }
    } else if (!bridge) reasons.push({ code: "no_bridge", detail: "not in bridge mode: upstream health is not read" });
    if (heartbeatTimeoutMs > 0) {
      const last = this.#lastHeartbeatMs;
      if (last !== undefined) {
        known = true;
        if (nowMs - last > heartbeatTimeoutMs) {
          missing = true;
          reasons.push({ code: "heartbeat_lost", detail: `no heartbeat from ${this.#guardId} for ${Math.round((nowMs - last) / 1000)} s` });
        }
      } else if (health?.loaded === true && nowMs - this.#sinceMs > heartbeatTimeoutMs) {
        missing = true;
        reasons.push({
          code: "no_heartbeat",
          detail: `upstream lists ${this.#guardId} but it has not reached Talon in ${Math.round((nowMs - this.#sinceMs) / 1000)} s (wrong url or token?)`,
        });
      }
    }
    return { status: missing ? "missing" : known ? "present" : "unknown", reasons };
  }

  /** Everything `status` shows. */
  snapshot(nowMs: number): Record<string, unknown> {
    const health = this.#health;
    return {
      guardId: this.#guardId,
      upstream:
        health === undefined
          ? null
          : {
              checkedAtMs: health.atMs,
              loaded: health.loaded ?? null,
              ...(health.error ? { error: health.error } : {}),
              ...(health.failure ? { failure: health.failure } : {}),
            },
      lastHeartbeatMs: this.#lastHeartbeatMs ?? null,
      instances: [...this.#instances.entries()].map(([, instance]) => ({ ...instance, ageMs: nowMs - instance.lastSeenMs })),
    };
  }
}
