/**
 * What `talon eval` reports: per category and per file, how many cases were allowed, reviewed
 * and blocked; recall (malicious cases not allowed) and false positives (benign cases not
 * allowed); and every misjudged case. Pure functions over the judged cases.
 */
import { renderTable } from "@talon/sdk";
import type { EvalCase } from "./corpus.ts";

/** The verdict a case got; `undecided` when the pipeline gave none (ignored or superseded). */
export type EvalVerdict = "allow" | "review" | "block" | "undecided";

/** One case and what the pipeline made of it. */
export interface JudgedCase {
  readonly case: EvalCase;
  readonly verdict: EvalVerdict;
  readonly risk: number;
  readonly tags: readonly string[];
}

/** Counts over a set of cases with one label. */
export interface Tally {
  cases: number;
  allowed: number;
  reviewed: number;
  blocked: number;
  undecided: number;
  /** reviewed + blocked over cases: recall for malicious cases, the false-positive rate for benign ones. */
  notAllowedRate: number;
  blockRate: number;
  reviewRate: number;
}

/** One category of one label. */
export interface CategoryTally extends Tally {
  label: EvalCase["label"];
  cat: string;
}

/** A case the pipeline got wrong: a malicious one allowed, or a benign one reviewed or blocked. */
export interface Misjudged {
  file: string;
  line: number;
  label: EvalCase["label"];
  cat: string;
  role?: string;
  verdict: EvalVerdict;
  risk: number;
  tags: string[];
  excerpt: string;
}

/** The whole report (`--json` prints it as is). */
export interface EvalReport {
  files: { file: string; malicious: Tally; benign: Tally }[];
  /** The config file the deployment's settings came from, or null for built-in defaults. */
  config: string | null;
  malicious: Tally;
  benign: Tally;
  /** Headline figures: recall = malicious not allowed; falsePositiveRate = benign not allowed. */
  recall: number;
  falsePositiveRate: number;
  categories: CategoryTally[];
  misjudged: Misjudged[];
  durationMs: number;
}

const round = (value: number) => Math.round(value * 10000) / 10000;

function tally(judged: readonly JudgedCase[]): Tally {
  const counts = { cases: judged.length, allowed: 0, reviewed: 0, blocked: 0, undecided: 0 };
  for (const item of judged) {
    if (item.verdict === "allow") counts.allowed++;
    else if (item.verdict === "review") counts.reviewed++;
    else if (item.verdict === "block") counts.blocked++;
    else counts.undecided++;
  }
  const rate = (count: number) => (counts.cases === 0 ? 0 : round(count / counts.cases));
  return {
    ...counts,
    notAllowedRate: rate(counts.reviewed + counts.blocked),
    blockRate: rate(counts.blocked),
    reviewRate: rate(counts.reviewed),
  };
}

function isMisjudged(item: JudgedCase): boolean {
  const stopped = item.verdict === "review" || item.verdict === "block";
  return item.case.label === "malicious" ? !stopped : stopped;
}

function excerpt(text: string): string {
  // By code point, so an emoji is never cut in half.
  const points = Array.from(text.replace(/\s+/g, " ").trim());
  return points.length > 100 ? `${points.slice(0, 97).join("")}...` : points.join("");
}

/** Build the report from the judged cases (in corpus order). */
export function buildReport(
  judged: readonly JudgedCase[],
  files: readonly string[],
  config: string | null,
  durationMs: number,
): EvalReport {
  const byLabel = (label: EvalCase["label"], items: readonly JudgedCase[]) => tally(items.filter((item) => item.case.label === label));
  const groups = new Map<string, JudgedCase[]>();
  for (const item of judged) {
    const key = `${item.case.label}\0${item.case.cat}`;
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  const categories: CategoryTally[] = [...groups.entries()]
    .map(([key, items]) => {
      const [label, cat] = key.split("\0") as [EvalCase["label"], string];
      return { label, cat, ...tally(items) };
    })
    .sort((a, b) => (a.label === b.label ? a.cat.localeCompare(b.cat) : a.label === "malicious" ? -1 : 1));
  const malicious = byLabel("malicious", judged);
  const benign = byLabel("benign", judged);
  return {
    files: files.map((file) => {
      const items = judged.filter((item) => item.case.file === file);
      return { file, malicious: byLabel("malicious", items), benign: byLabel("benign", items) };
    }),
    config,
    malicious,
    benign,
    recall: malicious.notAllowedRate,
    falsePositiveRate: benign.notAllowedRate,
    categories,
    misjudged: judged.filter(isMisjudged).map((item) => ({
      file: item.case.file,
      line: item.case.line,
      label: item.case.label,
      cat: item.case.cat,
      ...(item.case.role !== undefined ? { role: item.case.role } : {}),
      verdict: item.verdict,
      risk: item.risk,
      tags: [...item.tags],
      excerpt: excerpt(item.case.value),
    })),
    durationMs: Math.round(durationMs),
  };
}

const percent = (rate: number) => `${(rate * 100).toFixed(1)} %`;

/** The report as text for a terminal. */
export function renderReport(report: EvalReport): string {
  const cases = report.malicious.cases + report.benign.cases;
  const lines: string[] = [
    `talon eval: ${cases} cases from ${report.files.length} file(s), config: ${report.config ?? "built-in defaults"}, ${report.durationMs} ms`,
    "",
    renderTable(
      ["LABEL", "CATEGORY", "CASES", "NOT ALLOWED", "BLOCKED", "REVIEWED"],
      report.categories.map((row) => [
        row.label,
        row.cat,
        String(row.cases),
        percent(row.notAllowedRate),
        percent(row.blockRate),
        percent(row.reviewRate),
      ]),
    ),
    "",
  ];
  if (report.malicious.cases > 0)
    lines.push(
      `malicious: ${report.malicious.cases} cases, recall (not allowed) ${percent(report.recall)}, blocked ${percent(report.malicious.blockRate)}, reviewed ${percent(report.malicious.reviewRate)}`,
    );
  if (report.benign.cases > 0)
    lines.push(
      `benign: ${report.benign.cases} cases, false positives (not allowed) ${percent(report.falsePositiveRate)}, blocked ${percent(report.benign.blockRate)}, reviewed ${percent(report.benign.reviewRate)}`,
    );
  if (report.misjudged.length > 0) {
    lines.push("", `misjudged (${report.misjudged.length}):`);
    for (const item of report.misjudged)
      lines.push(
        `  ${item.file}:${item.line} ${item.label}/${item.cat}${item.role ? ` (${item.role})` : ""} -> ${item.verdict} risk=${item.risk} [${item.tags.join(",")}]: ${item.excerpt}`,
      );
  }
  return lines.join("\n");
}
