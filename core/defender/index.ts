/**
 * The defender runtime behind `ctx.defender`: normalise an action, schedule it on its session's
 * lane, answer from the idempotency cache or evaluate it through the hooks, settle with an
 * Evaluation. Frames reach it through `ingestFrame` (the `extract` hook).
 */
import {
  errorMessage,
  type Action,
  type ActionInput,
  type ActionSink,
  type DefenderApi,
  type DecisionRecord,
  type Evaluation,
  type FrameContext,
  type Logger,
  type TalonConfig,
} from "@talon/sdk";
import type { HostHooks } from "../hooks.ts";
import { SessionScheduler } from "../scheduler/index.ts";
import { DeadlineClock } from "./deadline.ts";
import { collectFields } from "./extract/collect.ts";
import { IdempotencyCache } from "./idempotency.ts";
import { normalizeAction } from "./normalize.ts";
import {
  DECISION_SOURCE,
  MAX_OBSERVER_BACKLOG,
  evaluateAction,
  relieveObservers,
  settleWithout,
  type DecisionNote,
  type PipelineDeps,
} from "./pipeline.ts";

/** Tag and reason of a decision reused from the idempotency cache (seed-gateway §4.3). */
const IDEMPOTENCY_HIT = { tag: "idempotency_hit", reason: "decision reused from idempotency cache" } as const;
/** Tag of a decision for a request id reused with different content (evaluated afresh). */
const IDEMPOTENCY_ID_REUSED_TAG = "idempotency_id_reused";
/** Tag of a decision refused for capacity (`runtime.max_queue`). */
const CAPACITY_REFUSED_TAG = "capacity_refused";

/** `ctx.defender` plus what the host itself needs. */
export interface DefenderRuntime extends DefenderApi {
  /** Run the `extract` hook over a frame and evaluate every action found. */
  ingestFrame(frame: Record<string, unknown>, context: FrameContext): Promise<Evaluation[]>;
  /** Wait for queued and running evaluations and their observers (bounded by `timeoutMs`). */
  drain(timeoutMs: number): Promise<void>;
  /**
   * Forget every cached decision (config or policy-bundle reload): a decision reached under the
   * previous policy must not answer for the new one; evaluations running now are not cached.
   */
  clearIdempotency(): void;
  /** Scheduler and cache figures for `status`. */
  stats(): { lanes: number; pending: number; running: number; waiting: number; idempotencyEntries: number; observersRunning: number };
}

/** Build the defender runtime over the host's hooks and live config. */
export function createDefender(deps: { hooks: HostHooks; config(): TalonConfig; log: Logger }): DefenderRuntime {
  const observers = new Set<Promise<unknown>>();
  const cache = new IdempotencyCache();
  const pipeline: PipelineDeps = {
    ...deps,
    observers,
    clock: new DeadlineClock(),
  };

  /** Answer from the idempotency cache, or evaluate (the pipeline stores the result, `decided`). */
  const decide = (action: Action): Promise<DecisionRecord> | DecisionRecord => {
    const lookup = cache.lookup(action, Date.now());
    if (lookup.kind === "hit") {
      const cached = lookup.decision;
      const decision = { ...cached, reasons: [...cached.reasons, IDEMPOTENCY_HIT.reason], tags: [...cached.tags, IDEMPOTENCY_HIT.tag] };
      return settleWithout(pipeline, action, decision, { cached: true });
    }
    const note: DecisionNote | undefined =
      lookup.kind === "conflict"
        ? { tag: IDEMPOTENCY_ID_REUSED_TAG, reason: `request id ${action.id} was reused with different content; evaluated afresh` }
        : undefined;
    // Stored only if no reload cleared the cache while this evaluation ran (`generation`).
    const generation = cache.generation;
    return evaluateAction(pipeline, action, note, (record, reached) => {
      if (record.timedOut) return;
      const runtime = deps.config().runtime;
      cache.store(action, reached, Date.now(), runtime.idempotency_ttl_secs, runtime.idempotency_max_entries, generation);
    });
  };

  const run = (action: Action): Promise<DecisionRecord> | DecisionRecord => {
    if (observers.size > MAX_OBSERVER_BACKLOG) return relieveObservers(pipeline).then(() => decide(action));
    return decide(action);
  };

  const scheduler = new SessionScheduler({
    config: deps.config,
    log: deps.log,
    run,
    refuse(action, reason) {
      deps.log.warn(
        { code: "TALON_DEFENDER_CAPACITY", requestId: action.id, sessionKey: action.sessionKey, source: action.source },
        reason,
      );
      const verdict = deps.config().runtime.timeout_action;
      return settleWithout(
        pipeline,
        action,
        { action: verdict, risk_score: 0, reasons: [reason], tags: [CAPACITY_REFUSED_TAG], source: DECISION_SOURCE },
        { refused: true },
        () =>
          deps.log.warn(
            { code: "TALON_DEFENDER_CAPACITY", requestId: action.id },
            "decision observers are saturated; this refusal was only logged",
          ),
      );
    },
    fail(action, error) {
      deps.log.error({ err: error, requestId: action.id, sessionKey: action.sessionKey }, "evaluation failed; failing closed");
      const verdict = deps.config().runtime.hook_error_action;
      return settleWithout(pipeline, action, {
        action: verdict,
        risk_score: 0,
        reasons: [`evaluation failed: ${errorMessage(error)}`],
        tags: ["runtime_error"],
        source: DECISION_SOURCE,
      });
    },
  });

  const evaluate = (input: ActionInput): Promise<Evaluation> => {
    const action = normalizeAction(input, { origin: input.origin ?? "rpc", source: input.source ?? "rpc" });
    return scheduler.submit(action);
  };

  return {
    evaluate,
    decisionOf: (evaluation) => (evaluation.status === "decided" ? evaluation.record.decision : undefined),
    collectFields,
    async ingestFrame(frame, context) {
      if (!deps.hooks.extract.isUsed()) return [];
      const actions: ActionInput[] = [];
      const sink: ActionSink = { push: (input) => void actions.push(input), actions };
      await deps.hooks.extract.promise({ frame, context }, sink);
      if (actions.length === 0) return [];
      const origin = context.mode === "bridge" ? "bridge" : "standalone";
      const source = context.event ?? context.method ?? "gateway";
      return Promise.all(actions.map((input) => evaluate({ origin, source, ...input })));
    },
    async drain(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      const all = (async () => {
        await scheduler.idle();
        while (observers.size > 0) await Promise.allSettled([...observers]);
      })();
      await Promise.race([all, limit]);
      clearTimeout(timer);
    },
    clearIdempotency: () => cache.clear(),
    stats: () => ({ ...scheduler.stats(), idempotencyEntries: cache.size, observersRunning: observers.size }),
  };
}
