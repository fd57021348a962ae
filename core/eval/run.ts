/**
 * The runner behind `talon eval`: every case of a labelled corpus goes through the real pipeline
 * (a host built from the deployment's own config, every plugin it loads, the session lane, the
 * policy) exactly as `security.evaluate` would take it. Nothing the deployment owns is written:
 * the store is in memory, data and quarantine go to a temporary folder, no gateway listens and
 * no channel account starts.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ActionInput, Evaluation } from "@talon/sdk";
import type { ConfigSource } from "../config/load.ts";
import { createHost } from "../host.ts";
import type { HostLogger } from "../log.ts";
import type { EvalCase } from "./corpus.ts";
import { buildReport, type EvalReport, type EvalVerdict, type JudgedCase } from "./report.ts";

/** The action a case stands for: text as a prompt with its role, a command under its tool (`exec` by default). */
export function caseAction(item: EvalCase, index: number): ActionInput {
  const base: ActionInput = {
    // One id and one session per case: no idempotency hit, no loop-guard history across cases.
    id: `eval-${index + 1}`,
    sessionKey: `eval-${index + 1}`,
    origin: "rpc",
    source: "talon.eval",
    ...(item.role !== undefined ? { role: item.role } : {}),
  };
  return item.kind === "cmd"
    ? { ...base, command: item.value, tool: item.tool ?? "exec" }
    : { ...base, prompt: item.value, ...(item.tool ? { tool: item.tool } : {}) };
}

function judge(item: EvalCase, evaluation: Evaluation): JudgedCase {
  if (evaluation.status !== "decided" || evaluation.record.refused) return { case: item, verdict: "undecided", risk: 0, tags: [] };
  const { decision } = evaluation.record;
  return { case: item, verdict: decision.action as EvalVerdict, risk: decision.risk_score, tags: decision.tags };
}

/** Evaluate every case with the deployment's config (`source`, with serve's flag overrides applied). */
export async function runEval(
  cases: readonly EvalCase[],
  files: readonly string[],
  source: ConfigSource,
  log: HostLogger,
): Promise<EvalReport> {
  const scratch = await mkdtemp(join(tmpdir(), "talon-eval-"));
  const overrides = {
    ...source.overrides,
    data_dir: join(scratch, "data"),
    "state.url": "memory",
    "security.quarantine_dir": join(scratch, "quarantine"),
    "gateway.server.reload_interval_secs": 0,
  };
  const host = await createHost({ config: { ...source, overrides }, gateway: false, channels: false, log });
  const started = performance.now();
  try {
    await host.start();
    const judged: JudgedCase[] = [];
    // One at a time: the figures must not depend on queue limits or on how many cores are free.
    for (const [index, item] of cases.entries()) judged.push(judge(item, await host.defender.evaluate(caseAction(item, index))));
    const configFile = host.configFile ?? null;
    return buildReport(judged, files, configFile, performance.now() - started);
  } finally {
    await host.stop();
    await rm(scratch, { recursive: true, force: true });
  }
}
