/**
 * One evaluation: `score` (detectors, in parallel) → `decide` (policy waterfall) → decision,
 * then `decision` observers in the background.
 *
 * Fail-closed rules: a detector or policy tap that throws forces `runtime.hook_error_action`;
 * a draft no policy classified does too; an evaluation that exceeds `runtime.eval_timeout_ms`
 * is decided on the findings that did arrive, and gets at least `runtime.timeout_action`
 * (review by default) — a timeout never lowers a verdict a finished detector reached.
 */
import {
  maxVerdict,
  type Action,
  type Decision,
  type DecisionDraft,
  type DecisionRecord,
  type Finding,
  type Logger,
  type TalonConfig,
  type Verdict,
} from "@talon/sdk";
import type { HostHooks } from "../hooks.ts";
import { TIMED_OUT, type DeadlineClock } from "./deadline.ts";
import { createRiskReport } from "./report.ts";

/** What one evaluation needs from the defender. */
export interface PipelineDeps {
  readonly hooks: HostHooks;
  config(): TalonConfig;
  readonly log: Logger;
  /** Observer work still running, awaited on drain. */
  readonly observers: Set<Promise<unknown>>;
  /** The shared timer of every running evaluation's deadline. */
  readonly clock: DeadlineClock;
}

/** Seed classification, used only when the policy could not run (timeout inside `decide`). */
function fallbackClassify(risk: number, config: TalonConfig): Verdict {
  if (risk >= config.security.block_threshold) return "block";
  if (risk >= config.security.review_threshold) return "review";
  return "allow";
}

/** A tag and reason the caller appends to the decision (e.g. an idempotency conflict). */
export interface DecisionNote {
  tag: string;
  reason: string;
}

/** Every finding's reasons (or tags), in order. */
function collect(findings: readonly Finding[], key: "reasons" | "tags"): string[] {
  const out: string[] = [];
  for (const finding of findings) for (const item of finding[key]) out.push(item);
  return out;
}

/**
 * Evaluate one action through `score` and `decide`, notify the observers, return the record.
 * One deadline covers both stages (`runtime.eval_timeout_ms`), on the shared clock.
 */
export async function evaluateAction(
  deps: PipelineDeps,
  action: Action,
  note?: DecisionNote,
  decided?: (record: DecisionRecord, reached: Decision) => void,
): Promise<DecisionRecord> {
  const config = deps.config();
  const started = performance.now();
  const deadline = deps.clock.start(Math.max(config.runtime.eval_timeout_ms, 100));
  const report = createRiskReport(action);
  let timedOut = false;
  let draft: DecisionDraft;
  try {
    if (action.truncated) {
      // What was cut was not scanned: never allow it silently.
      report.add({
        detector: "talon",
        score: 0,
        tags: ["extraction_limit"],
        reasons: ["action exceeded the extraction limits; the excess was not scanned"],
        floor: "review",
      });
    }

    if (deps.hooks.score.isUsed()) {
      const scored = await deps.clock.race(deadline, deps.hooks.score.promise(action, report));
      if (scored === TIMED_OUT) {
        timedOut = true;
        report.freeze();
      }
    }

    draft = {
      action: report.floor,
      risk: report.risk,
      reasons: collect(report.findings, "reasons"),
      tags: collect(report.findings, "tags"),
      classified: false,
    };

    if (!timedOut) {
      const decided = await deps.clock.race(deadline, deps.hooks.decide.promise(draft, action, report));
      if (decided === TIMED_OUT) timedOut = true;
      else if (decided) draft = decided;
    }
    // Timed out in `score` or `decide`: the policy could not classify, the seed's thresholds do.
    if (timedOut) draft = { ...draft, action: maxVerdict(draft.action, fallbackClassify(draft.risk, config)), classified: true };
  } finally {
    deps.clock.finish(deadline);
  }
  report.freeze();

  if (!draft.classified) {
    draft = {
      ...draft,
      action: maxVerdict(draft.action, config.runtime.hook_error_action),
      reasons: [...draft.reasons, "no decision policy classified this action"],
      tags: [...draft.tags, "unclassified"],
    };
  }
  if (timedOut) {
    draft = {
      ...draft,
      action: maxVerdict(draft.action, config.runtime.timeout_action),
      reasons: [...draft.reasons, "defender timeout"],
      tags: [...draft.tags, "timeout"],
    };
  }

  // The verdict as reached, without the caller's one-off note (what `decided` gets).
  const reached: Decision = {
    action: draft.action,
    risk_score: Math.min(100, Math.max(0, Math.round(draft.risk))),
    reasons: draft.reasons,
    tags: draft.tags,
    source: DECISION_SOURCE,
  };
  const decision: Decision = note ? { ...reached, reasons: [...reached.reasons, note.reason], tags: [...reached.tags, note.tag] } : reached;
  const record: DecisionRecord = {
    action,
    decision,
    findings: report.findings,
    timedOut,
    cached: false,
    durationMs: performance.now() - started,
  };
  notifyObservers(deps, record);
  decided?.(record, reached);
  return record;
}

/** `decision.source` of every decision Talon makes. */
export const DECISION_SOURCE = "talon";

/** Settle an action with a decision reached without running detectors (cache hit, refusal, failure), and notify observers. */
export function settleWithout(
  deps: PipelineDeps,
  action: Action,
  decision: Decision,
  flags: { cached?: boolean; refused?: boolean; timedOut?: boolean } = {},
  onSkipped?: () => void,
): DecisionRecord {
  const record: DecisionRecord = {
    action,
    decision,
    findings: [],
    timedOut: flags.timedOut ?? false,
    cached: flags.cached ?? false,
    durationMs: 0,
    ...(flags.refused ? { refused: true } : {}),
  };
  // A refusal under overload must not add observer work without bound: it is logged only.
  if (!notifyObservers(deps, record, flags.refused === true)) onSkipped?.();
  return record;
}

/** Most decisions whose observers may still be running; beyond it evaluations wait (backpressure). */
export const MAX_OBSERVER_BACKLOG = 4096;

/**
 * Run `decision` observers without holding up the caller; drain waits for them. Returns false
 * when the backlog is full and `skipWhenFull` was asked (refusals under overload: logged only).
 */
function notifyObservers(deps: PipelineDeps, record: DecisionRecord, skipWhenFull = false): boolean {
  if (!deps.hooks.decision.isUsed()) return true;
  if (skipWhenFull && deps.observers.size >= MAX_OBSERVER_BACKLOG) return false;
  const work: Promise<unknown> = deps.hooks.decision.promise(record).then(
    () => deps.observers.delete(work),
    (error) => {
      deps.observers.delete(work);
      deps.log.error({ err: error }, "decision observers failed");
    },
  );
  deps.observers.add(work);
  return true;
}

/**
 * Wait while more than MAX_OBSERVER_BACKLOG decisions have observers running, so observers that
 * are slower than the detectors (a slow store) slow evaluation down instead of piling up.
 */
export async function relieveObservers(deps: PipelineDeps): Promise<void> {
  while (deps.observers.size > MAX_OBSERVER_BACKLOG) await Promise.race(deps.observers);
}
