/**
 * Usage and history reads (operator.read): sessions.usage, sessions.usage.timeseries,
 * sessions.usage.logs and sessions.history. A key that names no session is refused the same way
 * by all of them (seed §8 item 11: history used to answer an empty list instead).
 */
import { RpcError, type MethodDefinition } from "@talon/sdk";
import { toHistoryRecord, type HistoryEvent, type SessionState } from "../entry.ts";
import { byRecency } from "../filters.ts";
import { keyShape, optBool, optString, optUint, paramsSchema, requireSessionKey, sessionKeyOf, sessionNotFound } from "../params.ts";
import { clamp } from "../text.ts";
import { dateOf, dateWindow, emptyTotals, timeseries, toUsageRow, usageInWindow, type UsageRow } from "../usage.ts";
import { method, type MethodDeps } from "./deps.ts";

const usageParams = paramsSchema({
  ...keyShape,
  limit: optUint(),
  startDate: optString(),
  endDate: optString(),
  days: optUint(),
  includeContextWeight: optBool(),
});
const timeseriesParams = paramsSchema({ ...keyShape, maxPoints: optUint() });
const logsParams = paramsSchema({ ...keyShape, limit: optUint() });
const historyParams = paramsSchema({ ...keyShape, sessionId: optString(), limit: optUint() });

export function usageMethods(deps: MethodDeps): MethodDefinition[] {
  const { registry } = deps;
  const existing = (key: string): SessionState => {
    const state = registry.find(key);
    if (!state) throw sessionNotFound(key);
    return state;
  };
  const newestFirst = (key: string, events: readonly HistoryEvent[], limit: number) =>
    events
      .slice(-limit)
      .reverse()
      .map((event) => toHistoryRecord(key, event));

  return [
    method({
      name: "sessions.usage",
      scope: "operator.read",
      advertise: false,
      description: "Decision and message counts per session inside a date window.",
      params: usageParams,
      handler(params) {
        const now = Date.now();
        const key = sessionKeyOf(params);
        const window = dateWindow(params.startDate, params.endDate, params.days, now);
        const candidates = key ? [existing(key)] : [...registry.byKey.values()];
        candidates.sort((a, b) => b.rec.totalRequests - a.rec.totalRequests || b.rec.updatedAtMs - a.rec.updatedAtMs);
        const limit = clamp(params.limit, 100, 1, 1000);
        const rows: UsageRow[] = [];
        for (const state of candidates) {
          const row = usageInWindow(state, window);
          if (!key && row.allow + row.review + row.block + row.sends === 0) continue;
          rows.push(row);
          if (rows.length >= limit) break;
        }
        const shaped = rows.map((row) => toUsageRow(row, params.includeContextWeight === true));
        const total = rows.reduce((sum, row) => sum + row.allow + row.review + row.block, 0);
        const group = (pick: (row: UsageRow) => string | null | undefined, name: string) => {
          const sums = new Map<string, number>();
          for (const row of rows) {
            const id = pick(row);
            if (id) sums.set(id, (sums.get(id) ?? 0) + row.allow + row.review + row.block);
          }
          return [...sums].map(([id, count]) => ({ [name]: id, totals: emptyTotals(count) }));
        };
        const daily = new Map<number, number>();
        for (const row of rows) {
          for (const day of row.state.rec.days) {
            if (day.day >= window.startDay && day.day <= window.endDay)
              daily.set(day.day, (daily.get(day.day) ?? 0) + day.allow + day.review + day.block + day.sends);
          }
        }
        return {
          updatedAt: now,
          generatedAtMs: now,
          sessionKey: key ?? null,
          startDate: window.startDate,
          endDate: window.endDate,
          range: { startDate: window.startDate, endDate: window.endDate, days: window.days },
          totals: emptyTotals(total),
          aggregates: {
            messages: { total, user: 0, assistant: 0, toolCalls: 0, toolResults: 0, errors: 0 },
            tools: { totalCalls: 0, uniqueTools: 0, tools: [] },
            byModel: [],
            byProvider: [],
            byAgent: group((row) => row.state.parsed.agentId, "agentId"),
            byChannel: group((row) => row.state.rec.channel, "channel"),
            daily: [...daily]
              .sort((a, b) => a[0] - b[0])
              .map(([day, messages]) => ({ date: dateOf(day), tokens: 0, cost: 0, messages, toolCalls: 0, errors: 0 })),
          },
          actions: {
            allow: rows.reduce((sum, row) => sum + row.allow, 0),
            review: rows.reduce((sum, row) => sum + row.review, 0),
            block: rows.reduce((sum, row) => sum + row.block, 0),
          },
          sessions: shaped,
          count: shaped.length,
        };
      },
    }),

    method({
      name: "sessions.usage.timeseries",
      scope: "operator.read",
      advertise: false,
      description: "Per-day event counts of one session.",
      params: timeseriesParams,
      handler(params) {
        const key = requireSessionKey(params);
        const points = timeseries(existing(key), clamp(params.maxPoints, 200, 1, 1000));
        return { key, points, count: points.length };
      },
    }),

    method({
      name: "sessions.usage.logs",
      scope: "operator.read",
      advertise: false,
      description: "The newest transcript events of one session, newest first.",
      params: logsParams,
      async handler(params) {
        const key = requireSessionKey(params);
        const logs = newestFirst(key, await registry.transcript(existing(key)), clamp(params.limit, 200, 1, 1000));
        return { key, logs, count: logs.length };
      },
    }),

    method({
      name: "sessions.history",
      scope: "operator.read",
      description: "Transcript events of one session (by key or sessionId) or of all, newest first.",
      params: historyParams,
      async handler(params) {
        const limit = clamp(params.limit, 100, 1, 1000);
        const named = params.sessionKey !== undefined && params.sessionKey !== null ? params.sessionKey : params.key;
        if (named !== undefined && named !== null) {
          const key = sessionKeyOf(params);
          if (!key) throw new RpcError("TALON_RPC_INVALID_PARAMS", "sessionKey|key cannot be empty");
          const history = newestFirst(key, await registry.transcript(existing(key)), limit);
          return { sessionKey: key, history, count: history.length };
        }
        const sessionId = params.sessionId?.trim();
        if (sessionId) {
          const state = registry.findBySessionId(sessionId);
          if (!state) throw sessionNotFound(`sessionId ${sessionId}`, { sessionId });
          const history = newestFirst(state.rec.key, await registry.transcript(state), limit);
          return { sessionKey: state.rec.key, history, count: history.length };
        }
        // Merged across sessions. Newest sessions first; stop once no older session can beat the
        // current cut (an event is never newer than its session's updatedAtMs).
        const merged: { key: string; event: HistoryEvent }[] = [];
        for (const state of [...registry.byKey.values()].sort(byRecency)) {
          if (merged.length >= limit && state.rec.updatedAtMs < merged[limit - 1]!.event.atMs) break;
          for (const event of (await registry.transcript(state)).slice(-limit)) merged.push({ key: state.rec.key, event });
          merged.sort((a, b) => b.event.atMs - a.event.atMs);
          merged.length = Math.min(merged.length, limit);
        }
        const history = merged.map(({ key, event }) => toHistoryRecord(key, event));
        return { sessionKey: null, history, count: history.length };
      },
    }),
  ];
}
