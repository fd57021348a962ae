/**
 * Session filters shared by sessions.list and sessions.resolve (seed-gateway §2.2): every filter
 * is ANDed, string comparisons are case-insensitive equality, entries lacking a filtered field
 * are dropped; order is most recently updated first, ties by key.
 */
import { RpcError } from "@talon/sdk";
import type { SessionState } from "./entry.ts";
import { charLength } from "./text.ts";

export interface SessionFilter {
  /** Keep sessions updated at or after this time (ms). */
  updatedSince?: number;
  includeGlobal: boolean;
  includeUnknown: boolean;
  /** Upstream: hide subagent sessions (`:subagent:` keys). */
  excludeSubagents?: boolean;
  /** Upstream: hide cron sessions. */
  excludeCron?: boolean;
  agentId?: string;
  label?: string;
  spawnedBy?: string;
  channel?: string;
  to?: string;
  accountId?: string;
  /** Lowercase substring of key, channel, agent id, label or spawnedBy. */
  search?: string;
}

/** A label filter: blank is no filter; over 64 characters is refused (seed wording). */
export function labelFilter(value: string | null | undefined): string | undefined {
  const label = value?.trim();
  if (!label) return undefined;
  if (charLength(label) > 64) throw new RpcError("TALON_RPC_INVALID_PARAMS", "label too long (max 64)");
  return label;
}

/** The filter with its strings lowercased once. */
export function compileFilter(filter: SessionFilter): SessionFilter {
  const lower = (value: string | undefined) => value?.toLowerCase();
  return {
    ...filter,
    agentId: lower(filter.agentId),
    label: lower(filter.label),
    spawnedBy: lower(filter.spawnedBy),
    channel: lower(filter.channel),
    to: lower(filter.to),
    accountId: lower(filter.accountId),
    search: lower(filter.search),
  };
}

function equal(value: string | null | undefined, wanted: string | undefined): boolean {
  return wanted === undefined || (value !== undefined && value !== null && value.toLowerCase() === wanted);
}

/** `key` is `global` in any case; only a 6-character key is lowered (no string per session). */
function isGlobalKey(key: string): boolean {
  return key.length === 6 && key.toLowerCase() === "global";
}

function contains(value: string | null | undefined, needle: string): boolean {
  return value !== undefined && value !== null && value.toLowerCase().includes(needle);
}

/** Does the session pass a compiled filter? */
export function matchesFilter(state: SessionState, filter: SessionFilter): boolean {
  const rec = state.rec;
  if (filter.updatedSince !== undefined && rec.updatedAtMs < filter.updatedSince) return false;
  if (!filter.includeUnknown && state.kind === "other") return false;
  if (!filter.includeGlobal && (state.kind === "main" || isGlobalKey(rec.key))) return false;
  if (filter.excludeSubagents && state.parsed.subagent) return false;
  if (filter.excludeCron && state.upstreamKind === "cron") return false;
  if (!equal(state.agentId, filter.agentId)) return false;
  if (!equal(rec.label, filter.label)) return false;
  if (!equal(rec.spawnedBy, filter.spawnedBy)) return false;
  if (!equal(rec.channel, filter.channel)) return false;
  if (!equal(rec.lastTo, filter.to)) return false;
  if (!equal(rec.lastAccountId, filter.accountId)) return false;
  const search = filter.search;
  if (search !== undefined) {
    if (
      !(
        contains(rec.key, search) ||
        contains(rec.channel, search) ||
        contains(state.agentId, search) ||
        contains(rec.label, search) ||
        contains(rec.spawnedBy, search)
      )
    ) {
      return false;
    }
  }
  return true;
}

/** Most recently updated first, then key ascending. */
export function byRecency(a: SessionState, b: SessionState): number {
  const diff = b.rec.updatedAtMs - a.rec.updatedAtMs;
  if (diff !== 0) return diff;
  return a.rec.key < b.rec.key ? -1 : a.rec.key > b.rec.key ? 1 : 0;
}

/** The matching sessions in order. */
export function selectSessions(all: Iterable<SessionState>, filter: SessionFilter): SessionState[] {
  const compiled = compileFilter(filter);
  const out: SessionState[] = [];
  for (const state of all) if (matchesFilter(state, compiled)) out.push(state);
  return out.sort(byRecency);
}

/** The `count` most recently updated sessions for health (one pass, no full sort). */
export function recentSessions(all: Iterable<SessionState>, count: number): { key: string; updatedAt: number; age: number }[] {
  const top: SessionState[] = [];
  for (const state of all) {
    if (top.length === count && byRecency(state, top[count - 1]!) >= 0) continue;
    top.push(state);
    top.sort(byRecency);
    if (top.length > count) top.pop();
  }
  const now = Date.now();
  return top.map((state) => ({ key: state.rec.key, updatedAt: state.rec.updatedAtMs, age: now - state.rec.updatedAtMs }));
}
