/**
 * `npm run bench:detectors`: precision, recall and false-positive rate of each detector per split
 * and per category on the labelled corpus (test/fixtures/detectors), the same figures for the
 * seed's rules (seed-baseline.ts), and p50/p99 latency of each detector's own `score` tap
 * (measured through the plugin's real setup, see test/detectors/harness.ts). Prints one JSON
 * object as its last line.
 */
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ActionInput } from "@talon/sdk";
import defenderCommand from "../../plugins/defender-command/index.ts";
import defenderPrompt from "../../plugins/defender-prompt/index.ts";
import hostIntegrity from "../../plugins/host-integrity/index.ts";
import loopGuard from "../../plugins/loop-guard/index.ts";
import toolPolicy from "../../plugins/tool-policy/index.ts";
import virustotal from "../../plugins/virustotal/index.ts";
import { startFakeVirusTotal } from "../../plugins/virustotal/fake.ts";
import {
  createCommandJudge,
  evaluateCommands,
  evaluatePrompts,
  evaluateSeedCommands,
  evaluateSeedPrompts,
  loadCorpus,
  type CommandCase,
  type Evaluation,
  type PromptCase,
} from "../detectors/evaluate.ts";
import { actionOf, loadTaps, reportFor, type LoadedTaps } from "../detectors/harness.ts";
import { report } from "./stats.ts";

const WARMUP_PASSES = 3;
const PASSES = Number(process.env.BENCH_PASSES ?? 20);

function percentileUs(sorted: readonly number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round(sorted[index]! * 10_000) / 10;
}

/**
 * Time each call of the tap on each input (microseconds). `p50Us`/`p99Us` are over every call;
 * `p99CaseMedianUs` is the 99th percentile over inputs of each input's median call, which keeps
 * the per-input cost and drops one-off pauses (GC, other processes on a shared machine).
 */
async function latency(taps: LoadedTaps, inputs: readonly ActionInput[]) {
  const actions = inputs.map(actionOf);
  for (let pass = 0; pass < WARMUP_PASSES; pass++) for (const action of actions) await taps.score(action, reportFor(action));
  const samples: number[] = [];
  const perInput: number[][] = actions.map(() => []);
  for (let pass = 0; pass < PASSES; pass++) {
    for (let index = 0; index < actions.length; index++) {
      const action = actions[index]!;
      const report = reportFor(action);
      const started = performance.now();
      await taps.score(action, report);
      const elapsed = performance.now() - started;
      samples.push(elapsed);
      perInput[index]!.push(elapsed);
    }
  }
  samples.sort((a, b) => a - b);
  const medians = perInput.map((list) => [...list].sort((a, b) => a - b)[list.length >> 1]!).sort((a, b) => a - b);
  const mean = samples.reduce((sum, value) => sum + value, 0) / samples.length;
  return {
    p50Us: percentileUs(samples, 50),
    p99Us: percentileUs(samples, 99),
    p99CaseMedianUs: percentileUs(medians, 99),
    maxCaseMedianUs: percentileUs(medians, 100),
    meanUs: Math.round(mean * 10_000) / 10,
    samples: samples.length,
  };
}

function summary(evaluation: Evaluation): Evaluation["overall"] & Record<string, unknown> & { dangerousRecall?: number } {
  return {
    ...evaluation.overall,
    ...(evaluation.extra ?? {}),
    categories: evaluation.categories,
    misjudged: evaluation.errors.map((error) => `${error.id} ${error.label}/${error.category} -> ${error.verdict}`),
  };
}

const prompts = { dev: loadCorpus<PromptCase>("prompt", "dev"), heldout: loadCorpus<PromptCase>("prompt", "heldout") };
const commands = { dev: loadCorpus<CommandCase>("command", "dev"), heldout: loadCorpus<CommandCase>("command", "heldout") };
const allPrompts = [...prompts.dev, ...prompts.heldout];
const allCommands = [...commands.dev, ...commands.heldout];
const { judge: commandJudge } = await createCommandJudge();

const quality = {
  "defender-prompt": {
    dev: summary(evaluatePrompts(prompts.dev)),
    heldout: summary(evaluatePrompts(prompts.heldout)),
    all: summary(evaluatePrompts(allPrompts)),
  },
  "defender-command": {
    dev: summary(evaluateCommands(commands.dev, commandJudge)),
    heldout: summary(evaluateCommands(commands.heldout, commandJudge)),
    all: summary(evaluateCommands(allCommands, commandJudge)),
  },
};
const seed = {
  prompt: {
    dev: summary(evaluateSeedPrompts(prompts.dev)),
    heldout: summary(evaluateSeedPrompts(prompts.heldout)),
    all: summary(evaluateSeedPrompts(allPrompts)),
  },
  command: {
    dev: summary(evaluateSeedCommands(commands.dev)),
    heldout: summary(evaluateSeedCommands(commands.heldout)),
    all: summary(evaluateSeedCommands(allCommands)),
  },
};

// Latency of each detector's own score tap.
const promptTaps = await loadTaps(defenderPrompt);
const commandTaps = await loadTaps(defenderCommand);
const policyTaps = await loadTaps(toolPolicy, {
  security: { tool_runtime_policy: { profile: "coding", deny: ["sessions_*"], byProvider: { openai: { deny: ["group:ui"] } } } },
});
const loopTaps = await loadTaps(loopGuard, { security: { tool_runtime_policy: { loop_detection: { enabled: true } } } });
const protectedFile = join(tmpdir(), `talon-bench-protected-${process.pid}.js`);
writeFileSync(protectedFile, "console.log('protected')\n".repeat(100));
const integrityTaps = await loadTaps(hostIntegrity, { security: { protect_paths: [protectedFile] } });
await integrityTaps.start();
const fakeVt = await startFakeVirusTotal();
const urls = Array.from({ length: 50 }, (_, i) => `https://site-${i}.example/page`);
for (const url of urls) fakeVt.urls.set(Buffer.from(url).toString("base64url"), { harmless: 60 });
const vtTaps = await loadTaps(virustotal, {}, { apiKey: fakeVt.apiKey, baseUrl: fakeVt.baseUrl, ratePerMinute: 1000 });
await vtTaps.start();

const tools = ["read", "write", "exec", "bash", "browser", "sessions_send", "session_status", "web_fetch", "message", "apply-patch"];
const timing = {
  "defender-prompt": await latency(
    promptTaps,
    allPrompts.map((item) => ({ prompt: item.text })),
  ),
  "defender-command": await latency(
    commandTaps,
    allCommands.map((item) => ({ tool: "exec", command: item.command })),
  ),
  "tool-policy": await latency(
    policyTaps,
    tools.flatMap((tool) => [
      { tool, prompt: "x" },
      { tool, prompt: "x", model: { provider: "openai", id: "gpt-5" } },
    ]),
  ),
  "loop-guard": await latency(
    loopTaps,
    Array.from({ length: 200 }, (_, i) => ({ tool: "exec", command: `echo ${i % 7}`, sessionKey: `agent:main:s${i % 20}` })),
  ),
  "host-integrity": await latency(integrityTaps, [{ prompt: "hello" }]),
  "virustotal (cache hit)": await latency(
    vtTaps,
    urls.map((url) => ({ url })),
  ),
};
await integrityTaps.stop();
await fakeVt.close();
rmSync(protectedFile, { force: true });

const GOALS = {
  promptRecall: 0.9,
  promptFalsePositiveRate: 0.05,
  commandDangerousRecall: 0.98,
  commandFalsePositiveRate: 0.03,
  localP99Us: 200,
};
const local = ["defender-prompt", "defender-command", "tool-policy", "loop-guard", "host-integrity"] as const;
const met = {
  promptRecall: quality["defender-prompt"].all.recall >= GOALS.promptRecall,
  promptFalsePositiveRate: quality["defender-prompt"].all.falsePositiveRate <= GOALS.promptFalsePositiveRate,
  commandDangerousRecall: (quality["defender-command"].all.dangerousRecall ?? 0) >= GOALS.commandDangerousRecall,
  commandFalsePositiveRate: quality["defender-command"].all.falsePositiveRate <= GOALS.commandFalsePositiveRate,
  localP99: Object.fromEntries(local.map((name) => [name, timing[name].p99Us <= GOALS.localP99Us])),
};

process.stderr.write(
  `prompt  talon: recall ${quality["defender-prompt"].all.recall} FPR ${quality["defender-prompt"].all.falsePositiveRate} | seed: recall ${seed.prompt.all.recall} FPR ${seed.prompt.all.falsePositiveRate}\n` +
    `command talon: dangerous recall ${quality["defender-command"].all.dangerousRecall} FPR ${quality["defender-command"].all.falsePositiveRate} | seed: dangerous recall ${seed.command.all.dangerousRecall} FPR ${seed.command.all.falsePositiveRate}\n` +
    `latency p50/p99 (p99 of per-input medians) µs: ${Object.entries(timing)
      .map(([name, value]) => `${name} ${value.p50Us}/${value.p99Us} (${value.p99CaseMedianUs})`)
      .join(", ")}\n`,
);
report({
  corpus: {
    prompt: { dev: prompts.dev.length, heldout: prompts.heldout.length },
    command: { dev: commands.dev.length, heldout: commands.heldout.length },
  },
  definition:
    "flagged = the default decision policy reaches review or block on the detector's findings alone (commands as the exec tool, +20)",
  detectors: quality,
  seed,
  latency: timing,
  goals: GOALS,
  met,
});
