/**
 * Read methods (operator.read): sessions.list, sessions.preview, sessions.resolve and
 * session.status (alias sessions.status). None of them creates a session.
 */
import { z } from "zod";
import { RpcError, canonicalSessionKey, type MethodDefinition } from "@talon/sdk";
import { toDecisionState, toPreviewItem } from "../entry.ts";
import { labelFilter, selectSessions } from "../filters.ts";
import { keyShape, optBool, optString, optUint, paramsSchema, sessionKeyOf, sessionNotFound } from "../params.ts";
import { clamp, nameParam } from "../text.ts";
import { method, viewOf, type MethodDeps } from "./deps.ts";

const listParams = paramsSchema({
  limit: optUint(),
  offset: optUint(),
  activeMinutes: optUint(),
  includeGlobal: optBool(),
  includeUnknown: optBool(),
  excludeSubagents: optBool(),
  excludeCron: optBool(),
  includeDerivedTitles: optBool(),
  includeLastMessage: optBool(),
  label: optString(),
  spawnedBy: optString(),
  agentId: optString(),
  channel: optString(),
  to: optString(),
  accountId: optString(),
  search: optString(),
});

const previewParams = paramsSchema({ keys: z.array(z.string()).nullish(), limit: optUint(), maxChars: optUint() });

const resolveParams = paramsSchema({
  ...keyShape,
  sessionId: optString(),
  label: optString(),
  agentId: optString(),
  spawnedBy: optString(),
  channel: optString(),
  to: optString(),
  accountId: optString(),
  includeGlobal: optBool(),
  includeUnknown: optBool(),
  /** Upstream: answer `{ok:false}` instead of an error when nothing matches. */
  allowMissing: optBool(),
});

const statusParams = paramsSchema({ ...keyShape });

/** Route selectors shared by list and resolve; over-long values are refused (seed §8 item 14). */
function routeSelectors(
  params: { agentId?: string | null; spawnedBy?: string | null; channel?: string | null; to?: string | null; accountId?: string | null },
  spawnedByMax: number,
) {
  return {
    agentId: nameParam(params.agentId, "agentId", 64),
    spawnedBy: nameParam(params.spawnedBy, "spawnedBy", spawnedByMax),
    channel: nameParam(params.channel, "channel", 128),
    to: nameParam(params.to, "to", 256),
    accountId: nameParam(params.accountId, "accountId", 128),
  };
}

export function readMethods(deps: MethodDeps): MethodDefinition[] {
  const { registry } = deps;

  const status = (params: z.output<typeof statusParams>) => {
    const key = sessionKeyOf(params);
    if (!key) {
      let totalRequests = 0;
      for (const state of registry.byKey.values()) totalRequests += state.rec.totalRequests;
      return { summary: { totalSessions: registry.byKey.size, totalRequests, updatedAtMs: Date.now() } };
    }
    const state = registry.find(key);
    if (!state) throw sessionNotFound(key);
    return { session: viewOf(deps, state), decisionState: toDecisionState(state.rec) };
  };

  return [
    method({
      name: "sessions.list",
      scope: "operator.read",
      description: "List sessions, newest first, with filters and route selectors.",
      params: listParams,
      handler(params) {
        const now = Date.now();
        const limit = clamp(params.limit, 200, 1, 1000);
        const offset = params.offset ?? 0;
        const matched = selectSessions(registry.byKey.values(), {
          updatedSince:
            params.activeMinutes === undefined || params.activeMinutes === null ? undefined : now - params.activeMinutes * 60_000,
          includeGlobal: params.includeGlobal ?? true,
          includeUnknown: params.includeUnknown ?? true,
          excludeSubagents: params.excludeSubagents === true,
          excludeCron: params.excludeCron === true,
          label: labelFilter(params.label),
          search: nameParam(params.search, "search", 128),
          ...routeSelectors(params, 128),
        });
        const page = matched.slice(offset, offset + limit);
        const hints = { derivedTitle: params.includeDerivedTitles === true, lastMessage: params.includeLastMessage === true };
        const hasMore = offset + page.length < matched.length;
        return {
          ts: now,
          path: registry.path,
          count: page.length,
          totalCount: matched.length,
          limitApplied: limit,
          offset,
          nextOffset: hasMore ? offset + page.length : null,
          hasMore,
          defaults: { modelProvider: null, model: null, contextTokens: null },
          sessions: page.map((state) => viewOf(deps, state, hints)),
        };
      },
    }),

    method({
      name: "sessions.preview",
      scope: "operator.read",
      description: "The newest transcript items of up to 64 sessions.",
      params: previewParams,
      async handler(params) {
        const keys = (params.keys ?? [])
          .map((key) => key.trim())
          .filter((key) => key !== "")
          .slice(0, 64);
        const limit = clamp(params.limit, 12, 1, 256);
        const maxChars = clamp(params.maxChars, 240, 20, 4096);
        const previews = [];
        for (const requested of keys) {
          // The output key is the requested spelling; the lookup uses the canonical key.
          const state = registry.find(canonicalSessionKey(requested));
          if (!state) {
            previews.push({ key: requested, status: "missing", items: [] });
            continue;
          }
          const events = await registry.transcript(state);
          const items = events
            .slice(-limit)
            .reverse()
            .map((event) => toPreviewItem(event, maxChars));
          previews.push({ key: requested, status: items.length === 0 ? "empty" : "ok", items });
        }
        return { ts: Date.now(), previews };
      },
    }),

    method({
      name: "sessions.resolve",
      scope: "operator.read",
      description: "Find one session by key, session id, label or route (seed precedence).",
      params: resolveParams,
      handler(params) {
        const found = (state: { rec: { key: string; label?: string }; parsed: { agentId?: string } }) => ({
          ok: true,
          key: state.rec.key,
          ...(state.parsed.agentId !== undefined ? { agentId: state.parsed.agentId } : {}),
          ...(state.rec.label !== undefined ? { displayName: state.rec.label } : {}),
        });
        const missing = (what: string) => {
          if (params.allowMissing) return { ok: false };
          throw sessionNotFound(what, { selector: what });
        };
        const key = sessionKeyOf(params);
        if (key) {
          const state = registry.find(key, true);
          return state ? found(state) : missing(key);
        }
        const sessionId = params.sessionId?.trim();
        if (sessionId) {
          const state = registry.findBySessionId(sessionId);
          return state ? found(state) : missing(`sessionId ${sessionId}`);
        }
        const label = labelFilter(params.label);
        const routes = routeSelectors(params, 64);
        if (label === undefined && routes.channel === undefined && routes.to === undefined && routes.accountId === undefined) {
          throw new RpcError("TALON_RPC_INVALID_PARAMS", "sessionKey|key|sessionId or label is required");
        }
        const [first] = selectSessions(registry.byKey.values(), {
          includeGlobal: params.includeGlobal ?? true,
          includeUnknown: params.includeUnknown ?? true,
          label,
          ...routes,
        });
        return first ? found(first) : missing(label !== undefined ? `label ${label}` : "route selectors");
      },
    }),

    method({
      name: "session.status",
      scope: "operator.read",
      description: "One session's view and decision state, or a summary.",
      params: statusParams,
      handler: status,
    }),
    method({
      name: "sessions.status",
      scope: "operator.read",
      advertise: false,
      description: "Alias of session.status.",
      params: statusParams,
      handler: status,
    }),
  ];
}
