/**
 * Detection on labelled corpora through the real pipeline with the default config (what
 * `talon eval` runs): first the public development halves nobody on this project wrote
 * (Tensor Trust, GTFOBins, tldr-pages; read from TALON_PUBLIC_CORPUS, by default the nearest
 * `shared/corpus/public` above the checkout, never copied into the repository), then the
 * project's own role-aware sets (test/fixtures/detectors/user and indirect, dev and held-out
 * halves, so the gap between them shows overfitting).
 *
 * Run: npm run bench -- corpora     (TALON_PUBLIC_CORPUS=/path/to/public to point elsewhere)
 * The same figure for one file: node bin/talon.js eval FILE.jsonl
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readCorpus, type EvalCase } from "../../core/eval/corpus.ts";
import type { EvalReport } from "../../core/eval/report.ts";
import { runEval } from "../../core/eval/run.ts";
import { createSilentLogger } from "../../core/log.ts";
import { report } from "./stats.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PUBLIC_FILES = ["tensortrust.jsonl", "gtfobins.jsonl", "gtfobins-sensitive.jsonl", "tldr.jsonl"];
const OWN_FILES = ["user/dev.jsonl", "user/heldout.jsonl", "indirect/dev.jsonl", "indirect/heldout.jsonl"];

/** TALON_PUBLIC_CORPUS, else the first `shared/corpus/public` in the checkout's parent folders. */
function publicCorpusDir(): string | undefined {
  if (process.env.TALON_PUBLIC_CORPUS) return resolve(process.env.TALON_PUBLIC_CORPUS);
  for (let dir = resolve(ROOT, ".."); ; dir = dirname(dir)) {
    const candidate = join(dir, "shared", "corpus", "public");
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The headline figures of one file, with its categories and the count of misjudged cases. */
function figures(result: EvalReport) {
  const percent = (rate: number) => Math.round(rate * 1000) / 10;
  return {
    malicious: result.malicious.cases,
    notAllowedPercent: percent(result.recall),
    blockedPercent: percent(result.malicious.blockRate),
    benign: result.benign.cases,
    falsePositivePercent: percent(result.falsePositiveRate),
    benignBlockedPercent: percent(result.benign.blockRate),
    categories: Object.fromEntries(
      result.categories.map((row) => [
        `${row.label}/${row.cat}`,
        { cases: row.cases, notAllowed: percent(row.notAllowedRate), blocked: percent(row.blockRate) },
      ]),
    ),
    misjudged: result.misjudged.length,
    meanMsPerCase: Math.round((result.durationMs / Math.max(1, result.malicious.cases + result.benign.cases)) * 1000) / 1000,
  };
}

async function evaluate(path: string) {
  const cases: EvalCase[] = await readCorpus(path, ROOT);
  return figures(await runEval(cases, [cases[0]!.file], { inline: {}, env: {}, cwd: ROOT }, createSilentLogger()));
}

const dir = publicCorpusDir();
const publicResults: Record<string, unknown> = {};
for (const file of PUBLIC_FILES) {
  const path = dir ? join(dir, file) : undefined;
  publicResults[file] = path && existsSync(path) ? await evaluate(path) : { skipped: `not found (set TALON_PUBLIC_CORPUS)` };
}
const ownResults: Record<string, unknown> = {};
for (const file of OWN_FILES) ownResults[file] = await evaluate(join(ROOT, "test/fixtures/detectors", file));

for (const [name, result] of [...Object.entries(publicResults), ...Object.entries(ownResults)]) {
  const row = result as ReturnType<typeof figures> & { skipped?: string };
  process.stderr.write(
    row.skipped
      ? `${name}: ${row.skipped}\n`
      : `${name}: malicious ${row.malicious} not allowed ${row.notAllowedPercent} % (blocked ${row.blockedPercent} %), benign ${row.benign} false positives ${row.falsePositivePercent} %\n`,
  );
}
report({
  definition:
    "through the real pipeline with the default config (talon eval): not allowed = review or block; text lines as prompts with their role (default user), cmd lines as the exec tool",
  publicCorpus: dir ?? null,
  public: publicResults,
  own: ownResults,
});
