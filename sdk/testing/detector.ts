/**
 * `testDetector`: table-driven cases for a detector plugin, run through a real host (scheduler,
 * every `score` tap, the decision policy) so a case sees exactly what production would. A case
 * asserts on the detector's findings (score, tags, floor) and optionally the verdict, never on
 * the wording of reasons.
 *
 * @example
 * await testDetector({
 *   plugin: new URL("./index.ts", import.meta.url),
 *   cases: [{ name: "flags the word", input: { prompt: "say banana" }, expect: { tags: ["keyword"], minScore: 30 } }],
 * });
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { ActionInput, Finding, Verdict } from "../action.ts";
import type { TestHost, TestHostOptions } from "./test-host.ts";
import { createTestHost } from "./test-host.ts";

/** What one case expects of the detector's findings on its action. */
export interface DetectorExpectation {
  /** No finding at all from the detector. */
  none?: boolean;
  /** Tags that must appear among the detector's findings. */
  tags?: readonly string[];
  /** Tags that must not appear. */
  noTags?: readonly string[];
  /** Bounds on the sum of the detector's scores. */
  minScore?: number;
  maxScore?: number;
  /** The strongest floor the detector set (`review`, `block`). */
  floor?: Verdict;
  /** The final verdict (with the decision policy loaded). */
  verdict?: Verdict;
}

/** One row of the table. */
export interface DetectorCase {
  name: string;
  /** The action; `id` defaults to a unique one. */
  input: Omit<ActionInput, "id"> & { id?: string };
  expect: DetectorExpectation;
}

export interface DetectorTestOptions extends Omit<TestHostOptions, "plugins" | "autoStop"> {
  /** The detector plugin's module (path or file URL). */
  plugin: string | URL;
  /** The `detector` name its findings carry; default the plugin's name. */
  detector?: string;
  cases: readonly DetectorCase[];
}

const FLOOR_RANK: Record<Verdict, number> = { allow: 0, review: 1, block: 2 };

/** Check one case's findings; returns the problems (empty when it passes). */
export function checkFindings(findings: readonly Finding[], verdict: Verdict, expect: DetectorExpectation): string[] {
  const problems: string[] = [];
  const score = findings.reduce((sum, finding) => sum + finding.score, 0);
  const tags = new Set(findings.flatMap((finding) => finding.tags));
  const floor = findings.reduce<Verdict>(
    (strongest, finding) => (finding.floor && FLOOR_RANK[finding.floor] > FLOOR_RANK[strongest] ? finding.floor : strongest),
    "allow",
  );
  if (expect.none && findings.length > 0) problems.push(`expected no finding, got tags [${[...tags].join(", ")}] score ${score}`);
  for (const tag of expect.tags ?? []) if (!tags.has(tag)) problems.push(`tag ${tag} missing (got [${[...tags].join(", ")}])`);
  for (const tag of expect.noTags ?? []) if (tags.has(tag)) problems.push(`tag ${tag} present`);
  if (expect.minScore !== undefined && score < expect.minScore) problems.push(`score ${score} < ${expect.minScore}`);
  if (expect.maxScore !== undefined && score > expect.maxScore) problems.push(`score ${score} > ${expect.maxScore}`);
  if (expect.floor !== undefined && floor !== expect.floor) problems.push(`floor ${floor}, expected ${expect.floor}`);
  if (expect.verdict !== undefined && verdict !== expect.verdict) problems.push(`verdict ${verdict}, expected ${expect.verdict}`);
  return problems;
}

/** Register one test per case (await it at the top of the test file). */
export async function testDetector(options: DetectorTestOptions): Promise<void> {
  const { plugin, detector, cases, ...hostOptions } = options;
  let host: TestHost | undefined;
  let name = detector;
  describe(`detector ${detector ?? String(plugin)}`, () => {
    before(async () => {
      host = await createTestHost({ ...hostOptions, plugins: [plugin], autoStop: false });
      name ??= host
        .plugins()
        .find((record) => !["decision-policy", "frame-extract", ...(hostOptions.bundled ?? [])].includes(record.name))?.name;
    });
    after(() => host?.stop());
    let counter = 0;
    for (const item of cases) {
      test(item.name, async () => {
        const record = await host!.decide({ id: `case-${++counter}`, ...item.input } as ActionInput);
        const findings = record.findings.filter((finding) => finding.detector === name);
        assert.deepEqual(checkFindings(findings, record.decision.action, item.expect), [], JSON.stringify(findings));
      });
    }
  });
}
