/**
 * Methods that change sessions: sessions.patch (write, or admin for routing and exec fields),
 * sessions.send (write), sessions.reset, sessions.delete and sessions.compact (admin).
 * Each validates everything, then commits through the registry's writer: store first, memory after.
 */
import { RpcError, parseSessionKey, type MethodDefinition } from "@talon/sdk";
import { createRecord, shapeRecord, toHistoryRecord, type HistoryEvent, type SessionRecord, type SessionState } from "../entry.ts";
import { applyPatch, checkSpawnRules, parsePatch, patchScope } from "../patch-rules.ts";
import { keyShape, optBool, optString, optUint, paramsSchema, requireSessionKey } from "../params.ts";
import type { Change } from "../change.ts";
import { sendInput } from "../send-input.ts";
import { norm, optionalText } from "../text.ts";
import { method, viewOf, type MethodDeps } from "./deps.ts";

const patchParams = paramsSchema({ ...keyShape, expectedSessionId: optString() });
const resetParams = paramsSchema({ ...keyShape, reason: optString(), expectedSessionId: optString() });
const deleteParams = paramsSchema({ ...keyShape, deleteTranscript: optBool(), expectedSessionId: optString() });
const compactParams = paramsSchema({ ...keyShape, maxLines: optUint() });
const sendParams = paramsSchema({
  ...keyShape,
  message: optString(),
  text: optString(),
  prompt: optString(),
  input: optString(),
  command: optString(),
  requestId: optString(),
  source: optString(),
  channel: optString(),
  to: optString(),
  accountId: optString(),
});

/** The seed's exact refusal of `webchat` in sessions.send. */
export const WEBCHAT_MESSAGE =
  "unsupported channel: webchat (internal-only). Use `chat.send` for WebChat UI messages or choose a deliverable channel.";

/** Upstream's optimistic check: a stale `expectedSessionId` means someone reset the session. */
function checkExpected(key: string, current: SessionState | undefined, expected: string | null | undefined): void {
  const wanted = expected?.trim();
  if (!wanted) return;
  const actual = current?.rec.sessionId;
  if (actual === undefined || actual.toLowerCase() !== wanted.toLowerCase()) {
    throw new RpcError(
      "TALON_RPC_CONFLICT",
      `session ${key} changed: expected sessionId ${wanted}, found ${actual ?? "none"}; reload it and retry`,
      {
        details: { reason: "session-changed", expectedSessionId: wanted, sessionId: actual ?? null },
      },
    );
  }
}

/** What a reset starts over; label, overrides, channel, route and decision state are kept. */
const RESET_FIELDS = [
  "sessionId",
  "startedAtMs",
  "updatedAtMs",
  "totalRequests",
  "allowedCount",
  "reviewCount",
  "blockedCount",
  "lastAction",
  "lastRiskScore",
  "firstSeq",
  "nextSeq",
  "compactionCount",
  "days",
] as const satisfies readonly (keyof SessionRecord)[];

function resolvedOf(rec: SessionRecord) {
  return { modelProvider: rec.providerOverride ?? null, model: rec.modelOverride ?? null };
}

export function writeMethods(deps: MethodDeps): MethodDefinition[] {
  const { registry } = deps;
  const archiveOf = (current: SessionState, events: HistoryEvent[], reason: string, now: number) => {
    const id = registry.archiveId(current.rec.sessionId, reason, now);
    return {
      id,
      value: { id, reason, archivedAtMs: now, key: current.rec.key, sessionId: current.rec.sessionId, record: current.rec, events },
    };
  };

  return [
    method({
      name: "sessions.patch",
      scope: "operator.write",
      scopeFor: (params) => patchScope(params as Record<string, unknown>),
      description: "Set or clear session overrides, label and spawn metadata (creates the session).",
      params: patchParams,
      handler(params) {
        const key = requireSessionKey(params);
        const plan = parsePatch(params as Record<string, unknown>);
        return registry.commit(key, "sessions.patch", (current, now): Change<unknown> => {
          checkExpected(key, current, params.expectedSessionId);
          if (plan.label?.op === "set") {
            const owner = registry.labelOwner(plan.label.value);
            if (owner !== undefined && owner !== key)
              throw new RpcError("TALON_RPC_INVALID_PARAMS", `label already in use: ${plan.label.value}`, {
                details: { label: plan.label.value, sessionKey: owner },
              });
          }
          checkSpawnRules(key, current?.rec, plan);
          // applyPatch returns a copy: the live record is never touched before the write.
          const next = applyPatch(current ? current.rec : createRecord(key, registry.newSessionId(now), now), plan);
          next.updatedAtMs = now;
          return {
            next,
            result: (state) => {
              const view = viewOf(deps, state!);
              return { ok: true, path: registry.path, key, entry: view, resolved: resolvedOf(next), session: view };
            },
          };
        });
      },
    }),

    method({
      name: "sessions.send",
      scope: "operator.write",
      description: "Record a message in a session's transcript (creates the session).",
      params: sendParams,
      handler(params) {
        const key = requireSessionKey(params);
        const input = sendInput(
          { ...params, text: params.message ?? params.text ?? params.prompt ?? params.input },
          { defaultSource: "rpc", names: "refuse" },
        );
        if (input.text === undefined && input.command === undefined)
          throw new RpcError("TALON_RPC_INVALID_PARAMS", "message or command is required");
        if (input.channel === "webchat") throw new RpcError("TALON_RPC_INVALID_PARAMS", WEBCHAT_MESSAGE);
        return registry.commit(key, "sessions.send", (current, now): Change<unknown> => {
          const { next, event } = registry.buildSend(key, current, now, input);
          return {
            next,
            rows: [event],
            result: (state) => {
              const out: Record<string, unknown> = {
                ok: true,
                accepted: true,
                session: viewOf(deps, state!),
                recorded: toHistoryRecord(key, event),
              };
              if (event.text !== undefined) out.chunkCount = deps.chunkCount(event.text, event.channel);
              return out;
            },
          };
        });
      },
    }),

    method({
      name: "sessions.reset",
      scope: "operator.admin",
      description: "Start the session over: counters zeroed, transcript archived, new sessionId (creates the session).",
      params: resetParams,
      handler(params) {
        const key = requireSessionKey(params);
        const reason = norm(optionalText(params.reason, 16) ?? "reset");
        if (reason !== "new" && reason !== "reset") throw new RpcError("TALON_RPC_INVALID_PARAMS", "reason must be new|reset");
        return registry.commit(
          key,
          "sessions.reset",
          async (current, now): Promise<Change<unknown>> => {
            checkExpected(key, current, params.expectedSessionId);
            let next = createRecord(key, registry.newSessionId(now), now);
            let archive: Change<unknown>["archive"];
            if (current) {
              const old = current.rec;
              // Label, overrides, channel and last route are kept; counters and history are not.
              const fresh = next;
              next = shapeRecord(old);
              for (const field of RESET_FIELDS) (next as unknown as Record<string, unknown>)[field] = fresh[field];
              next.titleSend = next.titleAny = next.lastText = next.lastMessageId = undefined;
              const events = await registry.heldTranscript(current);
              if (events.length > 0) archive = archiveOf(current, events, "reset", now);
            }
            return {
              next,
              archive,
              dropTranscript: current?.rec.sessionId,
              result: (state) => {
                const view = viewOf(deps, state!);
                return {
                  ok: true,
                  key,
                  reset: true,
                  reason,
                  entry: view,
                  session: view,
                  resolved: resolvedOf(next),
                  archived: archive ? [registry.archivePath(archive.id)] : [],
                };
              },
            };
          },
          { exclusive: true },
        );
      },
    }),

    method({
      name: "sessions.delete",
      scope: "operator.admin",
      description: "Delete a session and its transcript; the transcript is archived unless deleteTranscript is false.",
      params: deleteParams,
      handler(params) {
        const key = requireSessionKey(params);
        if (parseSessionKey(key).kind === "main") throw new RpcError("TALON_RPC_INVALID_PARAMS", "cannot delete main session");
        const deleteTranscript = params.deleteTranscript ?? true;
        return registry.commit(
          key,
          "sessions.delete",
          async (current, now): Promise<Change<unknown>> => {
            checkExpected(key, current, params.expectedSessionId);
            const envelope = (deleted: boolean, archived: string[]) => ({ ok: true, path: registry.path, key, deleted, archived });
            if (!current) return { result: () => envelope(false, []) };
            // The transcript rows go either way: deleteTranscript only decides whether they are archived.
            if (!deleteTranscript) return { remove: true, dropTranscript: current.rec.sessionId, result: () => envelope(true, []) };
            const archive = archiveOf(current, await registry.heldTranscript(current), "deleted", now);
            return {
              remove: true,
              archive,
              dropTranscript: current.rec.sessionId,
              result: () => envelope(true, [registry.archivePath(archive.id)]),
            };
          },
          { exclusive: true },
        );
      },
    }),

    method({
      name: "sessions.compact",
      scope: "operator.admin",
      description: "Keep the newest maxLines transcript events; the rest are archived.",
      params: compactParams,
      handler(params) {
        const key = requireSessionKey(params);
        if (params.maxLines === 0) throw new RpcError("TALON_RPC_INVALID_PARAMS", "maxLines must be >= 1");
        const maxLines = Math.min(params.maxLines ?? deps.config().compactDefaultLines, 100_000);
        return registry.commit(
          key,
          "sessions.compact",
          async (current, now): Promise<Change<unknown>> => {
            const envelope = (fields: Record<string, unknown>) => ({ ok: true, path: registry.path, key, ...fields });
            if (!current)
              return { result: () => envelope({ compacted: false, kept: 0, removed: 0, reason: "missing session", archived: [] }) };
            const events = await registry.heldTranscript(current);
            if (events.length <= maxLines)
              return { result: () => envelope({ compacted: false, kept: events.length, removed: 0, reason: "below limit", archived: [] }) };
            const dropped = events.slice(0, events.length - maxLines);
            const next = shapeRecord(current.rec);
            next.firstSeq = events[events.length - maxLines]!.seq;
            next.updatedAtMs = now;
            next.compactionCount++;
            const archive = archiveOf(current, dropped, "compact", now);
            return {
              next,
              archive,
              result: () =>
                envelope({
                  compacted: true,
                  kept: maxLines,
                  removed: dropped.length,
                  reason: null,
                  archived: [registry.archivePath(archive.id)],
                }),
            };
          },
          { exclusive: true },
        );
      },
    }),
  ];
}
