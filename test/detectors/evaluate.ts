/**
 * Run the detectors and the seed's rules over the labelled corpus (test/fixtures/detectors) and
 * compute precision, recall and false-positive rate per detector, split and category. Shared by
 * the corpus tests (which assert the goals) and `npm run bench:detectors` (which prints them).
 *
 * A case counts as flagged when the decision policy (plugins/decision-policy, default
 * thresholds 35/65 and bonuses) reaches review or block on the detector's findings alone:
 * prompts without a tool or channel, commands as the `exec` tool (+20). Commands are also
 * judged on discord (+10), the worst channel for false positives.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { talonConfigSchema, type Action, type Finding, type Verdict } from "@talon/sdk";
import { analyzeCommand } from "../../plugins/defender-command/analyze.ts";
import { buildSettings as buildCommandSettings, configSchema as commandSchema } from "../../plugins/defender-command/config.ts";
import { toFindings } from "../../plugins/defender-command/findings.ts";
import { loadShellParser, type ShellParser } from "../../plugins/defender-command/parser.ts";
import { buildSettings as buildPromptSettings, configSchema as promptSchema } from "../../plugins/defender-prompt/config.ts";
import { scanPrompt } from "../../plugins/defender-prompt/scan.ts";
import { configSchema as policySchema } from "../../plugins/decision-policy/index.ts";
import { applyPolicy, normalizeChannelMap, normalizeToolMap, type PolicySettings } from "../../plugins/decision-policy/policy.ts";
import { createSeedCommandGuard, createSeedPromptGuard } from "../bench/seed-baseline.ts";

const FIXTURES = fileURLToPath(new URL("../fixtures/detectors/", import.meta.url));

/** A prompt case. */
export interface PromptCase {
  id: string;
  label: "injection" | "benign";
  category: string;
  text: string;
}

/** A command case. */
export interface CommandCase {
  id: string;
  label: "dangerous" | "risky" | "benign";
  category: string;
  command: string;
}

/** Split names. */
export type Split = "dev" | "heldout";

/** Read one split of a corpus. */
export function loadCorpus<T>(detector: "prompt" | "command", split: Split): T[] {
  return readFileSync(`${FIXTURES}${detector}/${split}.jsonl`, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as T);
}

/** Confusion counts and the rates derived from them. */
export interface Metrics {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  precision: number;
  recall: number;
  falsePositiveRate: number;
}

function metrics(tp: number, fp: number, tn: number, fn: number): Metrics {
  const round = (value: number) => Math.round(value * 10000) / 10000;
  return {
    tp,
    fp,
    tn,
    fn,
    precision: round(tp + fp === 0 ? 1 : tp / (tp + fp)),
    recall: round(tp + fn === 0 ? 1 : tp / (tp + fn)),
    falsePositiveRate: round(fp + tn === 0 ? 0 : fp / (fp + tn)),
  };
}

/** Per category: how many cases and how many were flagged (and blocked). */
export interface CategoryResult {
  label: string;
  cases: number;
  flagged: number;
  blocked: number;
  flaggedRate: number;
}

/** A detector's result on a set of cases. */
export interface Evaluation {
  overall: Metrics;
  categories: Record<string, CategoryResult>;
  /** Cases judged wrongly, for reading. */
  errors: { id: string; label: string; category: string; verdict: Verdict; text: string }[];
  extra?: Record<string, number>;
}

const policy: PolicySettings = (() => {
  const config = talonConfigSchema.parse({});
  const own = policySchema.parse({});
  return {
    reviewThreshold: config.security.review_threshold,
    blockThreshold: config.security.block_threshold,
    auditOnly: false,
    toolPolicies: normalizeToolMap(own.toolPolicies),
    toolRiskBonus: normalizeToolMap(own.toolRiskBonus),
    channelRiskBonus: normalizeChannelMap(own.channelRiskBonus),
  };
})();

/** The decision the default policy reaches on these findings, for an action with this tool and channel. */
export function verdictOf(
  findings: readonly Pick<Finding, "score" | "floor" | "reasons" | "tags">[],
  tool?: string,
  channel?: string,
): Verdict {
  let floor: Verdict = "allow";
  for (const finding of findings) if (finding.floor === "block" || (finding.floor === "review" && floor === "allow")) floor = finding.floor;
  const draft = {
    action: floor,
    risk: findings.reduce((sum, finding) => sum + finding.score, 0),
    reasons: [],
    tags: [],
    classified: false,
  };
  return applyPolicy(draft, { tool, channel } as unknown as Action, policy).action;
}

function evaluate<C extends { id: string; label: string; category: string }>(
  cases: readonly C[],
  positive: (item: C) => boolean,
  judge: (item: C) => Verdict,
  text: (item: C) => string,
): Evaluation {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  const categories: Record<string, CategoryResult> = {};
  const errors: Evaluation["errors"] = [];
  for (const item of cases) {
    const verdict = judge(item);
    const flagged = verdict !== "allow";
    const isPositive = positive(item);
    if (isPositive && flagged) tp++;
    else if (isPositive) fn++;
    else if (flagged) fp++;
    else tn++;
    if (isPositive !== flagged)
      errors.push({ id: item.id, label: item.label, category: item.category, verdict, text: text(item).slice(0, 160) });
    const key = `${item.label}/${item.category}`;
    const entry = (categories[key] ??= { label: item.label, cases: 0, flagged: 0, blocked: 0, flaggedRate: 0 });
    entry.cases++;
    if (flagged) entry.flagged++;
    if (verdict === "block") entry.blocked++;
    entry.flaggedRate = Math.round((entry.flagged / entry.cases) * 10000) / 10000;
  }
  return { overall: metrics(tp, fp, tn, fn), categories, errors };
}

/** Talon's prompt detector with default config. */
export function createPromptJudge(): (text: string) => Finding[] {
  const settings = buildPromptSettings("defender-prompt", promptSchema.parse({}));
  return (text) => scanPrompt([{ path: "/prompt", value: text }], settings);
}

/** Talon's command detector with default config. */
export async function createCommandJudge(): Promise<{ parser: ShellParser; judge: (command: string) => Finding[] }> {
  const parser = await loadShellParser();
  const settings = buildCommandSettings("defender-command", commandSchema.parse({}));
  return { parser, judge: (command) => toFindings(analyzeCommand(parser, command, settings.analyzer).hits, "/command", settings.findings) };
}

/** Talon's prompt detector on prompt cases. */
export function evaluatePrompts(cases: readonly PromptCase[], judge = createPromptJudge()): Evaluation {
  return evaluate(
    cases,
    (item) => item.label === "injection",
    (item) => verdictOf(judge(item.text)),
    (item) => item.text,
  );
}

/** The seed's prompt guard on the same cases (§3.4; no bonuses apply to a bare prompt). */
export function evaluateSeedPrompts(cases: readonly PromptCase[]): Evaluation {
  const guard = createSeedPromptGuard();
  return evaluate(
    cases,
    (item) => item.label === "injection",
    (item) => verdictOf([{ score: guard(item.text).score, reasons: [], tags: [] }]),
    (item) => item.text,
  );
}

/**
 * Command cases: positives are dangerous and risky commands. `extra` adds the share of dangerous
 * commands that reach block and the false-positive rate on discord.
 */
export function evaluateCommands(
  cases: readonly CommandCase[],
  judge: (command: string) => Pick<Finding, "score" | "floor" | "reasons" | "tags">[],
): Evaluation {
  const verdicts = new Map(cases.map((item) => [item.id, judge(item.command)]));
  const result = evaluate(
    cases,
    (item) => item.label !== "benign",
    (item) => verdictOf(verdicts.get(item.id)!, "exec"),
    (item) => item.command,
  );
  const dangerous = cases.filter((item) => item.label === "dangerous");
  const benign = cases.filter((item) => item.label === "benign");
  const dangerousFlagged = dangerous.filter((item) => verdictOf(verdicts.get(item.id)!, "exec") !== "allow").length;
  const blocked = dangerous.filter((item) => verdictOf(verdicts.get(item.id)!, "exec") === "block").length;
  const benignOnDiscord = benign.filter((item) => verdictOf(verdicts.get(item.id)!, "exec", "discord") !== "allow").length;
  const round = (value: number) => Math.round(value * 10000) / 10000;
  result.extra = {
    dangerousRecall: round(dangerous.length ? dangerousFlagged / dangerous.length : 1),
    dangerousBlockedRate: round(dangerous.length ? blocked / dangerous.length : 1),
    benignFalsePositiveRateOnDiscord: round(benign.length ? benignOnDiscord / benign.length : 0),
  };
  return result;
}

/** The seed's command guard (§3.5) on the same cases. */
export function evaluateSeedCommands(cases: readonly CommandCase[]): Evaluation {
  const guard = createSeedCommandGuard();
  return evaluateCommands(cases, (command) => [{ score: guard(command).score, reasons: [], tags: [] }]);
}
