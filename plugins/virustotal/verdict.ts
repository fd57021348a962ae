/**
 * From a VirusTotal answer to a finding (seed-defender §4 mapping, seed tags and reasons), and
 * the findings for lookups that could not give an answer: those are never "clean".
 */
import type { Finding, Verdict } from "@talon/sdk";

/** `last_analysis_stats` counts Talon reads. */
export interface AnalysisStats {
  malicious: number;
  suspicious: number;
  harmless: number;
  undetected: number;
}

/** Scores of the answers; defaults are the seed's. */
export interface VerdictScores {
  readonly malicious: number;
  readonly suspicious: number;
  readonly unknownUrl: number;
  readonly unknownFile: number;
}

/** What happens when VirusTotal cannot answer: add `unknown` with a score, or force review / block. */
export type FailureMode = "unknown" | "review" | "block";

function count(value: unknown): number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : 0;
}

/** Read the stats from a parsed response; undefined when the shape is not VirusTotal's. */
export function statsOf(body: unknown): AnalysisStats | undefined {
  const stats = (body as { data?: { attributes?: { last_analysis_stats?: Record<string, unknown> } } } | null)?.data?.attributes
    ?.last_analysis_stats;
  if (!stats || typeof stats !== "object") return undefined;
  return {
    malicious: count(stats.malicious),
    suspicious: count(stats.suspicious),
    harmless: count(stats.harmless),
    undetected: count(stats.undetected),
  };
}

/** The finding for an answered lookup. `kind` is `url` or `file`; `subject` names what was looked up. */
export function answeredFinding(
  detector: string,
  kind: "url" | "file",
  stats: AnalysisStats,
  scores: VerdictScores,
  field: string,
  subject: string,
  cached: boolean,
): Finding {
  const prefix = `vt_${kind}`;
  const reason = `VirusTotal stats => malicious=${stats.malicious}, suspicious=${stats.suspicious}, harmless=${stats.harmless} (${subject}${cached ? ", cached" : ""})`;
  if (stats.malicious > 0)
    return { detector, score: scores.malicious, tags: [`${prefix}_malicious`], reasons: [reason], field, pattern: `${prefix}_malicious` };
  if (stats.suspicious > 0)
    return {
      detector,
      score: scores.suspicious,
      tags: [`${prefix}_suspicious`],
      reasons: [reason],
      field,
      pattern: `${prefix}_suspicious`,
    };
  if (stats.harmless > 0) return { detector, score: 0, tags: [`${prefix}_clean`], reasons: [reason], field, pattern: `${prefix}_clean` };
  const unknown = kind === "url" ? scores.unknownUrl : scores.unknownFile;
  return { detector, score: unknown, tags: [`${prefix}_unknown`, "unknown"], reasons: [reason], field, pattern: `${prefix}_unknown` };
}

/** VirusTotal has never seen it (404, cached too). */
export function notFoundFinding(
  detector: string,
  kind: "url" | "file",
  scores: VerdictScores,
  field: string,
  subject: string,
  cached: boolean,
): Finding {
  const what = kind === "url" ? `VirusTotal has no URL history for ${subject}` : `VirusTotal has no file history for ${subject}`;
  return {
    detector,
    score: kind === "url" ? scores.unknownUrl : scores.unknownFile,
    tags: [`vt_${kind}_unknown`, "unknown"],
    reasons: [cached ? `${what} (cached)` : what],
    field,
    pattern: `vt_${kind}_unknown`,
  };
}

/** A lookup that did not happen or did not answer: quota, timeout, bad response, refused file. */
export function failureFinding(
  detector: string,
  tag: string,
  reason: string,
  mode: FailureMode,
  unknownScore: number,
  field: string,
): Finding {
  const floor: Verdict | undefined = mode === "block" ? "block" : mode === "review" ? "review" : undefined;
  return { detector, score: unknownScore, tags: [tag, "unknown"], reasons: [reason], field, pattern: tag, ...(floor ? { floor } : {}) };
}
