/**
 * chat.send, chat.history, chat.abort and chat.inject (seed-gateway §2.7) with upstream's `chat`
 * event (`{runId, sessionKey, seq, state, message?}`), so a WebChat client sees its transcript
 * and its runs settle. Params are strict like the seed's, over the union of the seed's and
 * upstream's fields (upstream wins for what a real client sends).
 */
import { z } from "zod";
import { RpcError, type MethodDefinition } from "@talon/sdk";
import { chatMessageId, type SessionRecord } from "../entry.ts";
import { method, type MethodDeps } from "../methods/deps.ts";
import { canonicalKeyParam, optString, optUint, paramsSchema, sessionNotFound } from "../params.ts";
import { clamp, nameParam, optionalText, sanitizeMessage } from "../text.ts";
import type { ChatRun } from "./runs.ts";

const any = () => z.unknown().optional();

/** Upstream chat.send fields Talon accepts and ignores (it runs no agent). */
const UPSTREAM_SEND_FIELDS = [
  "agentId",
  "sessionId",
  "mentions",
  "workContext",
  "intent",
  "fastMode",
  "fastAutoOnSeconds",
  "queueMode",
  "originatingChannel",
  "originatingTo",
  "originatingAccountId",
  "originatingThreadId",
  "replyToId",
  "toolBindings",
  "systemInputProvenance",
  "systemProvenanceReceipt",
  "suppressCommandInterpretation",
  "expectedLeafEntryId",
  "expectedSessionRoutingContract",
  "expectedPermissionMode",
  "expectedToolOverrides",
] as const;

const sendParams = paramsSchema(
  {
    sessionKey: z.string(),
    message: z.string(),
    idempotencyKey: z.string(),
    thinking: any(),
    deliver: any(),
    attachments: z.array(z.unknown()).nullish(),
    timeoutMs: optUint(),
    ...Object.fromEntries(UPSTREAM_SEND_FIELDS.map((name) => [name, any()])),
  },
  { strict: true },
);
const historyParams = paramsSchema({ sessionKey: z.string(), limit: optUint(), agentId: any(), maxChars: any() }, { strict: true });
const abortParams = paramsSchema({ sessionKey: z.string(), runId: optString(), agentId: any() }, { strict: true });
const injectParams = paramsSchema({ sessionKey: z.string(), message: z.string(), label: optString() }, { strict: true });

/** Store key prefix of remembered chat run ids, and how long they are remembered. */
const RUN_KEY_PREFIX = "run:";
const RUN_MEMORY_MS = 86_400_000;

/** Messages that stop the session's runs instead of starting one (seed step 4). */
const STOP_WORDS = new Set(["/stop", "stop", "abort", "interrupt", "interrupts"]);

function keyOrRefuse(value: string): string {
  const key = canonicalKeyParam(value, "sessionKey");
  if (!key) throw new RpcError("TALON_RPC_INVALID_PARAMS", "sessionKey is required");
  return key;
}

/** The `chat` event a run's end produces (upstream `final` or `aborted`). */
export function runSettledEvent(run: ChatRun): Record<string, unknown> {
  return { runId: run.runId, sessionKey: run.sessionKey, seq: 0, state: run.status === "aborted" ? "aborted" : "final" };
}

export function chatMethods(deps: MethodDeps): MethodDefinition[] {
  const { registry, runs } = deps;
  let messageSeq = 0;

  return [
    method({
      name: "chat.send",
      scope: "operator.write",
      description: "Send a WebChat message into a session; the run settles with a chat event.",
      params: sendParams,
      async handler(params) {
        const key = keyOrRefuse(params.sessionKey);
        const runId = nameParam(params.idempotencyKey, "idempotencyKey", 256);
        if (!runId) throw new RpcError("TALON_RPC_INVALID_PARAMS", "idempotencyKey is required");
        const sanitized = sanitizeMessage(params.message);
        const stop = STOP_WORDS.has(sanitized.trim().toLowerCase());
        const message = optionalText(sanitized, 12_000);
        const attachments = (params.attachments ?? []).length > 0;
        if (message === undefined && !attachments) throw new RpcError("TALON_RPC_INVALID_PARAMS", "message or attachment required");
        if (stop) {
          const runIds = runs.abortSession(key);
          return { ok: true, aborted: runIds.length > 0, runIds };
        }
        const known = () => {
          const existing = runs.get(runId);
          return existing && { runId, status: existing.status === "completed" ? "ok" : existing.status };
        };
        const seen = known();
        if (seen) return seen;
        // Idempotency survives a restart: a run id is remembered in the store for a day.
        const stored = await deps.store.get(`${RUN_KEY_PREFIX}${runId}`);
        const seenMeanwhile = known();
        if (seenMeanwhile) return seenMeanwhile;
        if (stored !== undefined) return { runId, status: "ok" };
        const settleMs = Math.min(deps.config().chatRunMs, Math.max(params.timeoutMs ?? 30_000, 1));
        // Claimed now so a duplicate sent meanwhile finds it; armed once the message is written,
        // released (no event, nothing recorded) if the write fails.
        const run = runs.reserve(runId, key);
        try {
          return await registry.commit(key, "chat.send", (current, now) => {
            const { next, event } = registry.buildSend(key, current, now, {
              text: message ?? "[attachment]",
              requestId: runId,
              source: "chat",
              channel: "webchat",
              replaceChannel: false,
            });
            return {
              next,
              rows: [event],
              extra: [{ key: `${RUN_KEY_PREFIX}${runId}`, value: { sessionKey: key, startedAt: now }, ttlMs: RUN_MEMORY_MS }],
              result: () => {
                runs.arm(run, settleMs);
                return { runId, status: "started" };
              },
            };
          });
        } catch (error) {
          runs.release(run);
          throw error;
        }
      },
    }),

    method({
      name: "chat.history",
      scope: "operator.read",
      description: "A session's chat messages, oldest first, chained by parentId.",
      params: historyParams,
      async handler(params) {
        const key = keyOrRefuse(params.sessionKey);
        const limit = clamp(params.limit, 200, 1, 1000);
        const state = registry.find(key);
        // A chat client opens a new session by reading its (empty) history: not an error.
        if (!state) return { sessionKey: key, sessionId: null, messages: [], thinkingLevel: null, verboseLevel: null };
        const events = (await registry.transcript(state)).slice(-limit);
        const messages: Record<string, unknown>[] = [];
        let parentId: string | null = null;
        for (const event of events) {
          if (event.kind !== "send") continue;
          const text = optionalText(event.text ?? event.command, 12_000);
          if (text === undefined) continue;
          const id = chatMessageId(event);
          messages.push({
            id,
            parentId,
            role: event.source?.toLowerCase() === "chat.inject" ? "assistant" : "user",
            timestamp: event.atMs,
            content: text,
          });
          parentId = id;
        }
        const rec: SessionRecord = state.rec;
        return {
          sessionKey: rec.key,
          sessionId: rec.sessionId,
          messages,
          thinkingLevel: rec.thinkingLevel ?? null,
          verboseLevel: rec.verboseLevel ?? null,
        };
      },
    }),

    method({
      name: "chat.abort",
      scope: "operator.write",
      description: "Abort one run, or every run of a session.",
      params: abortParams,
      handler(params) {
        const key = keyOrRefuse(params.sessionKey);
        const runId = nameParam(params.runId, "runId", 256);
        if (runId === undefined) {
          const runIds = runs.abortSession(key);
          return { ok: true, aborted: runIds.length > 0, runIds };
        }
        const run = runs.get(runId);
        if (!run) return { ok: true, aborted: false, runIds: [] };
        if (run.sessionKey.toLowerCase() !== key.toLowerCase())
          throw new RpcError("TALON_RPC_INVALID_PARAMS", "runId does not match sessionKey");
        const aborted = runs.abort(run);
        return { ok: true, aborted, runIds: aborted ? [runId] : [] };
      },
    }),

    method({
      name: "chat.inject",
      scope: "operator.admin",
      advertise: false,
      description: "Add an assistant message to an existing session's chat and announce it.",
      params: injectParams,
      handler(params) {
        const requested = keyOrRefuse(params.sessionKey);
        const found = registry.find(requested, true);
        if (!found) throw sessionNotFound(requested);
        const key = found.rec.key;
        const message = optionalText(params.message, 12_000);
        if (message === undefined) throw new RpcError("TALON_RPC_INVALID_PARAMS", "message is required");
        const label = optionalText(params.label, 64);
        const rendered = label === undefined ? message : `[${label}] ${message}`;
        return registry.commit(key, "chat.inject", (current, now) => {
          if (!current) throw sessionNotFound(key);
          const messageId = `msg-${now}-${++messageSeq}`;
          const runId = `inject-${messageId}`;
          // The parent is the previous chat message, never a decision (seed §8 item 17).
          const parentId = current.rec.lastMessageId ?? null;
          const { next, event } = registry.buildSend(key, current, now, {
            text: rendered,
            requestId: runId,
            source: "chat.inject",
            channel: "webchat",
            replaceChannel: false,
          });
          return {
            next,
            rows: [event],
            result: (state) => {
              deps.emit("chat", {
                runId,
                sessionKey: key,
                ...(state?.parsed.agentId !== undefined ? { agentId: state.parsed.agentId } : {}),
                seq: 0,
                state: "final",
                message: { id: runId, parentId, role: "assistant", content: rendered, timestamp: now },
              });
              return { ok: true, messageId };
            },
          };
        });
      },
    }),
  ];
}
