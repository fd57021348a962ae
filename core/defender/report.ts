/** The mutable risk report detectors add findings to. */
import { maxVerdict, type Action, type Finding, type RiskReport, type Verdict } from "@talon/sdk";

/** Scores are clamped to 0..255 per finding, as the seed's u8 arithmetic did. */
function clampScore(score: number): number {
  if (!Number.isFinite(score)) return 0;
  return Math.min(255, Math.max(0, Math.round(score)));
}

/**
 * A report detectors add findings to; `freeze` ignores findings that arrive after the decision.
 * A class (one allocation per evaluation, methods shared) rather than an object of closures.
 */
class Report implements RiskReport {
  readonly action: Action;
  readonly findings: Finding[] = [];
  #risk = 0;
  #floor: Verdict = "allow";
  #frozen = false;

  constructor(action: Action) {
    this.action = action;
  }

  add(finding: Finding): void {
    // Findings that arrive after the decision (a detector that outran the timeout) are ignored.
    if (this.#frozen) return;
    const normalized: Finding = {
      ...finding,
      score: clampScore(finding.score),
      tags: finding.tags ? [...finding.tags] : [],
      reasons: finding.reasons ? [...finding.reasons] : [],
    };
    this.findings.push(normalized);
    this.#risk += normalized.score;
    if (normalized.floor) this.#floor = maxVerdict(this.#floor, normalized.floor);
  }

  get risk(): number {
    return this.#risk;
  }

  get floor(): Verdict {
    return this.#floor;
  }

  freeze(): void {
    this.#frozen = true;
  }
}

/** A fresh report for `action`. */
export function createRiskReport(action: Action): RiskReport & { freeze(): void } {
  return new Report(action);
}
