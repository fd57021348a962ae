/**
 * Command detection on public data nobody on this project wrote (issue 10): the development
 * halves of GTFOBins (`gtfobins.jsonl`, `gtfobins-sensitive.jsonl`) and tldr-pages (`tldr.jsonl`),
 * read from `../shared/corpus/public/` (or `TALON_PUBLIC_CORPUS`), never copied into the repository.
 * Every command goes through a real host with the default config, as `security.evaluate`
 * receives it (origin `rpc`, no tool, no channel, one session per command so no command colours
 * another). Prints per-category allow/review/block rates and the headline figures of the issue's
 * goals as JSON. `TALON_BENCH_MISSES=1` also lists the misjudged commands on stderr (local
 * reading only; they are corpus lines, so they never go into a file of the repository).
 *
 * Run: npm run bench -- public-commands
 */
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Verdict } from "@talon/sdk";
import { startBenchHost } from "./bench-host.ts";
import { report } from "./stats.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CORPUS = process.env.TALON_PUBLIC_CORPUS ?? join(ROOT, "..", "..", "shared", "corpus", "public");
const SHOW_MISSES = process.env.TALON_BENCH_MISSES === "1";

interface Row {
  cmd: string;
  label: string;
  cat: string;
  bin?: string;
  approval?: string[];
}

function load(file: string): Row[] {
  const path = join(CORPUS, file);
  if (!existsSync(path)) throw new Error(`${path} is missing; set TALON_PUBLIC_CORPUS to the folder holding the public corpora`);
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Row);
}

interface Tally {
  cases: number;
  allow: number;
  review: number;
  block: number;
}

function tally(verdicts: readonly Verdict[]): Tally & { notAllowedRate: number; blockRate: number } {
  const t: Tally = { cases: verdicts.length, allow: 0, review: 0, block: 0 };
  for (const verdict of verdicts) t[verdict]++;
  const rate = (n: number) => (t.cases === 0 ? 0 : Math.round((n / t.cases) * 10000) / 10000);
  return { ...t, notAllowedRate: rate(t.review + t.block), blockRate: rate(t.block) };
}

const scratch = await mkdtemp(join(tmpdir(), "talon-public-bench-"));
const host = await startBenchHost(
  { data_dir: join(scratch, "data"), state: { url: "memory" }, security: { quarantine_dir: join(scratch, "quarantine") } },
  { cwd: scratch },
);

let n = 0;
async function judge(command: string): Promise<Verdict> {
  n++;
  const evaluation = await host.defender.evaluate({
    id: `pc-${n}`,
    sessionKey: `agent:main:bench:dm:u${n}`,
    origin: "rpc",
    source: "security.evaluate",
    command,
  });
  const decision = host.defender.decisionOf(evaluation);
  if (!decision) throw new Error(`command ${n} was not decided (${evaluation.status})`);
  return decision.action;
}

async function run(rows: readonly Row[]): Promise<{ row: Row; verdict: Verdict }[]> {
  const out: { row: Row; verdict: Verdict }[] = [];
  for (const row of rows) out.push({ row, verdict: await judge(row.cmd) });
  return out;
}

function byCategory(results: readonly { row: Row; verdict: Verdict }[]) {
  const groups = new Map<string, Verdict[]>();
  for (const { row, verdict } of results) {
    const list = groups.get(row.cat);
    if (list) list.push(verdict);
    else groups.set(row.cat, [verdict]);
  }
  return Object.fromEntries([...groups].sort(([a], [b]) => a.localeCompare(b)).map(([cat, verdicts]) => [cat, tally(verdicts)]));
}

const pick = (results: readonly { row: Row; verdict: Verdict }[], keep: (row: Row) => boolean) =>
  results.filter(({ row }) => keep(row)).map(({ verdict }) => verdict);

const started = performance.now();
const gtfobins = await run(load("gtfobins.jsonl"));
const sensitive = await run(load("gtfobins-sensitive.jsonl"));
const tldr = await run(load("tldr.jsonl"));
const elapsedMs = performance.now() - started;

const SUID_ONLY = new Set(["suid", "limited-suid"]);
const REVERSE = new Set(["reverse-shell", "non-interactive-reverse-shell"]);
const BIND = new Set(["bind-shell", "non-interactive-bind-shell"]);
const privilegedPage = (row: Row) => (row.approval?.length ?? 0) > 0;

if (SHOW_MISSES) {
  for (const { row, verdict } of [...gtfobins, ...sensitive])
    if (verdict === "allow") process.stderr.write(`MISS ${row.cat} ${row.bin}: ${JSON.stringify(row.cmd)}\n`);
  for (const { row, verdict } of tldr)
    if (verdict !== "allow")
      process.stderr.write(`FP ${verdict} ${privilegedPage(row) ? "priv" : "everyday"}: ${JSON.stringify(row.cmd)}\n`);
}

const tldrTally = (verdicts: Verdict[]) => {
  const t = tally(verdicts);
  return { cases: t.cases, flaggedRate: t.notAllowedRate, blockedRate: t.blockRate, flagged: t.review + t.block, blocked: t.block };
};

report({
  corpus: CORPUS,
  commands: n,
  elapsedMs: Math.round(elapsedMs),
  gtfobins: {
    notAllowed: tally(gtfobins.map((r) => r.verdict)),
    withoutShellAndSuidOnly: tally(pick(gtfobins, (row) => row.cat !== "shell" && !SUID_ONLY.has(row.cat))),
    reverseShells: tally(pick(gtfobins, (row) => REVERSE.has(row.cat))),
    bindShells: tally(pick(gtfobins, (row) => BIND.has(row.cat))),
    reverseAndBindShells: tally(pick(gtfobins, (row) => REVERSE.has(row.cat) || BIND.has(row.cat))),
    uploads: tally(pick(gtfobins, (row) => row.cat === "file-upload")),
    categories: byCategory(gtfobins),
  },
  gtfobinsSensitive: {
    all: tally(sensitive.map((r) => r.verdict)),
    secretReadsAndWrites: tally(pick(sensitive, (row) => row.cat.startsWith("file-read") || row.cat.startsWith("file-write"))),
    secretUploads: tally(pick(sensitive, (row) => row.cat.startsWith("file-upload"))),
    categories: byCategory(sensitive),
  },
  tldr: {
    all: tldrTally(tldr.map((r) => r.verdict)),
    outsidePrivilegedOrDestructive: tldrTally(pick(tldr, (row) => !privilegedPage(row))),
    privilegedOrDestructive: tldrTally(pick(tldr, privilegedPage)),
  },
});

await host.stop();
await rm(scratch, { recursive: true, force: true });
