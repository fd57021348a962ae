/**
 * Tool-loop detection (seed-defender §7.2, upstream's loop detection): per session a bounded
 * history of call fingerprints; after each call, the identical streak at the tail, an A-B-A-B
 * ping-pong at the tail, and how often the same call fills the window. Sessions are bounded
 * (least recently used evicted) and idle ones pruned, fixing the seed's unbounded map (§15 item 28).
 */
import { LruMap } from "@talon/sdk";

/** Thresholds and bounds. */
export interface LoopSettings {
  readonly historySize: number;
  readonly warningThreshold: number;
  readonly criticalThreshold: number;
  /** Most sessions tracked; the least recently active is forgotten first. */
  readonly maxSessions: number;
  /** Sessions idle longer than this are forgotten (ms). */
  readonly idleMs: number;
}

/** What the guard concluded about the latest call. */
export interface LoopVerdict {
  readonly level: "warning" | "critical";
  readonly kind: "repeat" | "ping-pong" | "no-progress";
  readonly count: number;
}

interface History {
  readonly calls: string[];
  lastSeen: number;
}

/** Prune idle sessions once per this many observations. */
const PRUNE_EVERY = 256;

export class LoopGuard {
  #settings: LoopSettings;
  #sessions: LruMap<string, History>;
  #observations = 0;

  constructor(settings: LoopSettings) {
    this.#settings = settings;
    this.#sessions = new LruMap(settings.maxSessions);
  }

  /** Sessions currently tracked. */
  get sessions(): number {
    return this.#sessions.size;
  }

  /** New thresholds (config reload): histories are kept, trimmed to the new size. */
  configure(settings: LoopSettings): void {
    const sessions = new LruMap<string, History>(settings.maxSessions);
    for (const [key, history] of this.#sessions.entries()) {
      history.calls.splice(0, Math.max(0, history.calls.length - settings.historySize));
      sessions.set(key, history);
    }
    this.#settings = settings;
    this.#sessions = sessions;
  }

  /** Record a call and judge it. */
  observe(session: string, fingerprint: string, now: number): LoopVerdict | undefined {
    const settings = this.#settings;
    if (++this.#observations % PRUNE_EVERY === 0) this.#sessions.prune((_key, history) => now - history.lastSeen > settings.idleMs);
    let history = this.#sessions.get(session);
    if (!history) {
      history = { calls: [], lastSeen: now };
      this.#sessions.set(session, history);
    }
    history.lastSeen = now;
    const calls = history.calls;
    calls.push(fingerprint);
    if (calls.length > settings.historySize) calls.splice(0, calls.length - settings.historySize);
    return judge(calls, settings);
  }
}

function judge(calls: readonly string[], settings: LoopSettings): LoopVerdict | undefined {
  const last = calls.length - 1;
  let streak = 1;
  while (streak <= last && calls[last - streak] === calls[last]) streak++;
  // A-B-A-B: each call equals the one two back and differs from the one before.
  let alternation = 0;
  if (last >= 1 && calls[last] !== calls[last - 1]) {
    alternation = 2;
    while (alternation <= last && calls[last - alternation] === calls[last - alternation + 2]) alternation++;
  }
  let same = 0;
  for (const call of calls) if (call === calls[last]) same++;
  const { warningThreshold: warning, criticalThreshold: critical } = settings;
  if (streak >= critical) return { level: "critical", kind: "repeat", count: streak };
  if (alternation >= Math.max(4, critical)) return { level: "critical", kind: "ping-pong", count: alternation };
  if (same >= critical) return { level: "critical", kind: "no-progress", count: same };
  if (streak >= warning) return { level: "warning", kind: "repeat", count: streak };
  if (alternation >= Math.max(4, warning)) return { level: "warning", kind: "ping-pong", count: alternation };
  return undefined;
}
