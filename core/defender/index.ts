/**
 * The defender runtime behind `ctx.defender`: normalise an action, evaluate it through the
 * hooks, settle with an Evaluation. Frames reach it through `ingestFrame` (the `extract` hook).
 */
import type { ActionInput, ActionSink, DefenderApi, Evaluation, FrameContext, Logger, TalonConfig } from "@talon/sdk";
import type { HostHooks } from "../hooks.ts";
import { normalizeAction } from "./normalize.ts";
import { evaluateAction } from "./pipeline.ts";

export interface DefenderRuntime extends DefenderApi {
  /** Run the `extract` hook over a frame and evaluate every action found. */
  ingestFrame(frame: Record<string, unknown>, context: FrameContext): Promise<Evaluation[]>;
  /** Wait for running evaluations and observers (bounded by `timeoutMs`). */
  drain(timeoutMs: number): Promise<void>;
}

export function createDefender(deps: { hooks: HostHooks; config(): TalonConfig; log: Logger }): DefenderRuntime {
  const observers = new Set<Promise<unknown>>();
  const running = new Set<Promise<unknown>>();
  const pipeline = { ...deps, observers };

  const evaluate = async (input: ActionInput): Promise<Evaluation> => {
    const action = normalizeAction(input, { origin: input.origin ?? "rpc", source: input.source ?? "rpc" });
    const work = evaluateAction(pipeline, action);
    running.add(work);
    try {
      return { status: "decided", record: await work };
    } finally {
      running.delete(work);
    }
  };

  return {
    evaluate,
    decisionOf: (evaluation) => (evaluation.status === "decided" ? evaluation.record.decision : undefined),
    async ingestFrame(frame, context) {
      if (!deps.hooks.extract.isUsed()) return [];
      const actions: ActionInput[] = [];
      const sink: ActionSink = { push: (input) => void actions.push(input), actions };
      await deps.hooks.extract.promise({ frame, context }, sink);
      const origin = context.mode === "bridge" ? "bridge" : "standalone";
      const source = context.event ?? context.method ?? "gateway";
      return Promise.all(actions.map((input) => evaluate({ origin, source, ...input })));
    },
    async drain(timeoutMs) {
      const all = Promise.allSettled([...running, ...observers]);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([all, new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
      clearTimeout(timer);
    },
  };
}
