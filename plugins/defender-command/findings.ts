/**
 * Turn rule hits into findings: one finding per rule (the strongest hit, with a count of the
 * others), block-level rules adding the block score and the seed's `blocked_command_pattern`
 * tag, review-level ones adding the review score and a review floor. Per-rule switches and
 * severities come from config.
 */
import type { Finding } from "@talon/sdk";
import { RULES, type Hit, type RuleId, type Severity } from "./effects/context.ts";

/** Config of one rule. */
export interface RuleOverride {
  readonly enabled?: boolean;
  readonly severity?: Severity;
}

/** How hits become findings. */
export interface FindingSettings {
  readonly detector: string;
  readonly blockScore: number;
  readonly reviewScore: number;
  readonly rules: Readonly<Partial<Record<RuleId, RuleOverride>>>;
}

function excerpt(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 100 ? `${line.slice(0, 97)}...` : line;
}

/** Findings for the hits on one field. */
export function toFindings(hits: readonly Hit[], field: string, settings: FindingSettings): Finding[] {
  if (hits.length === 0) return [];
  const byRule = new Map<RuleId, Hit[]>();
  for (const hit of hits) {
    const list = byRule.get(hit.rule);
    if (list) list.push(hit);
    else byRule.set(hit.rule, [hit]);
  }
  const findings: Finding[] = [];
  for (const [rule, list] of byRule) {
    const override = settings.rules[rule];
    if (override?.enabled === false) continue;
    const strongest = list.find((hit) => hit.severity === "block") ?? list[0]!;
    const severity = override?.severity ?? strongest.severity;
    const others = new Set(list.map((hit) => hit.reason)).size - 1;
    const reason = `${strongest.reason} [${excerpt(strongest.segment)}]${others > 0 ? ` (+${others} more)` : ""}`;
    const tag = RULES[rule].tag;
    if (severity === "block") {
      findings.push({
        detector: settings.detector,
        score: settings.blockScore,
        tags: tag === "blocked_command_pattern" ? [tag] : [tag, "blocked_command_pattern"],
        reasons: [reason],
        field,
        pattern: rule,
      });
    } else {
      findings.push({
        detector: settings.detector,
        score: settings.reviewScore,
        tags: [tag],
        reasons: [reason],
        field,
        pattern: rule,
        floor: "review",
      });
    }
  }
  return findings.sort((a, b) => b.score - a.score);
}

/**
 * Findings for code found inside a text field: only what would block as a command counts (an
 * everyday snippet in a question stays allowed), reported at `severity` (review by default)
 * with the `code_in_text` tag.
 */
export function toTextFindings(
  hits: readonly Hit[],
  field: string,
  settings: FindingSettings,
  severity: Severity,
  where: string,
): Finding[] {
  const strong = hits.filter((hit) => hit.severity === "block" && hit.rule !== "blocked_command_pattern");
  return toFindings(
    strong.map((hit) => ({ ...hit, severity, reason: `code in text (${where}): ${hit.reason}` })),
    field,
    settings,
  ).map((finding) => ({ ...finding, tags: [...finding.tags, "code_in_text"] }));
}

/**
 * Allow-list prefixes judged per top-level command and on whole words (`ls` allows `ls -la`,
 * not `lsblk`; `git status; rm -rf ~` has an unlisted second command), fixing seed §15 item 4.
 * Returns the commands no prefix allows.
 */
export function unlistedCommands(segments: readonly (readonly string[])[], prefixes: readonly string[]): string[] {
  const allowed = prefixes.map((prefix) => prefix.trim().split(/\s+/).join(" ")).filter((prefix) => prefix !== "");
  const out: string[] = [];
  for (const words of segments) {
    const text = words.join(" ");
    if (!allowed.some((prefix) => text === prefix || text.startsWith(`${prefix} `))) out.push(text);
  }
  return out;
}
