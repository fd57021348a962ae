/**
 * One path judged: resolved lexically, located, weighed by intent. Pure: the plugin turns the
 * verdicts into findings.
 */
import type { Intent } from "./intent.ts";
import { locate } from "./locations.ts";
import { isInside, resolvePath } from "./resolve.ts";
import type { PathPolicyConfig } from "./config.ts";

/** One reason a path is risky. */
export interface PathHit {
  tag: string;
  score: number;
  reason: string;
}

/** What the judge needs besides the path. */
export interface PathContext {
  intent: Intent;
  /** Workspace roots (resolved, absolute); empty: the outside-workspace rule is off. */
  roots: readonly string[];
  /** Base of relative paths. */
  workspace?: string;
  home?: string;
  /** `home` split into lower-case segments. */
  homeSegments?: readonly string[];
  allowed: readonly string[];
  scores: PathPolicyConfig["scores"];
}

const LABEL = { secret: "secret", persistence: "persistence location", system: "system location" } as const;

/** Judge `raw` (as written in the action). */
export function judgePath(raw: string, context: PathContext): { resolved: string; hits: PathHit[] } {
  const resolved = resolvePath(raw, { workspace: context.workspace, home: context.home });
  const hits: PathHit[] = [];
  const verb = context.intent === "write" ? "write to" : "read of";
  for (const location of locate(resolved.path, context.homeSegments)) {
    const score = context.scores[`${location.category}_${context.intent}`];
    if (score <= 0) continue;
    hits.push({
      tag: `path_${location.category}`,
      score,
      reason: `${verb} a ${LABEL[location.category]}: ${resolved.path} (${location.why})`,
    });
  }
  if (resolved.escapes && context.scores.escape > 0) {
    hits.push({ tag: "path_escape", score: context.scores.escape, reason: `relative path climbs above its base: ${raw}` });
  }
  const outside =
    context.roots.length > 0 &&
    !resolved.escapes &&
    (resolved.path.startsWith("/") || resolved.path.startsWith("~")) &&
    !context.roots.some((root) => isInside(resolved.path, root)) &&
    !context.allowed.some((root) => isInside(resolved.path, root));
  if (outside) {
    const score = context.scores[`outside_${context.intent}`];
    if (score > 0) hits.push({ tag: "path_outside_workspace", score, reason: `${verb} a path outside the workspace: ${resolved.path}` });
  }
  return { resolved: resolved.path, hits };
}
