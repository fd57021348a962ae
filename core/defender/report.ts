/** The mutable risk report detectors add findings to. */
import { maxVerdict, type Action, type Finding, type RiskReport, type Verdict } from "@talon/sdk";

/** Scores are clamped to 0..255 per finding, as the seed's u8 arithmetic did. */
function clampScore(score: number): number {
  if (!Number.isFinite(score)) return 0;
  return Math.min(255, Math.max(0, Math.round(score)));
}

/** A report detectors add findings to; `freeze` ignores findings that arrive after the decision. */
export function createRiskReport(action: Action): RiskReport & { freeze(): void } {
  const findings: Finding[] = [];
  let risk = 0;
  let floor: Verdict = "allow";
  let frozen = false;
  return {
    action,
    findings,
    add(finding: Finding) {
      // Findings that arrive after the decision (a detector that outran the timeout) are ignored.
      if (frozen) return;
      const normalized: Finding = { ...finding, score: clampScore(finding.score), tags: [...(finding.tags ?? [])], reasons: [...(finding.reasons ?? [])] };
      findings.push(normalized);
      risk += normalized.score;
      if (normalized.floor) floor = maxVerdict(floor, normalized.floor);
    },
    get risk() {
      return risk;
    },
    get floor() {
      return floor;
    },
    freeze() {
      frozen = true;
    },
  };
}
