/**
 * The tool policy matcher (seed-defender §7.1): a tool is allowed only if every step allows it —
 * the global profile, the provider rule's profile, the global allow/deny, the provider rule's
 * allow/deny. Deny wins within a step; `allow` narrows and never widens. Fixed against the seed:
 * aliases apply to every policy entry as well as the tool (`deny = ["bash"]` denies `exec`,
 * §15 item 5), `byProvider` keys are case-insensitive, and an unknown profile is an error.
 */
import { ConfigError, normalizeToolName } from "@talon/sdk";
import { TOOL_GROUPS, TOOL_PROFILES } from "./groups.ts";

/** A rule as written in config. */
export interface ToolRuleInput {
  profile?: string;
  allow?: readonly string[];
  deny?: readonly string[];
}

interface Step {
  readonly label: string;
  readonly allow: readonly string[];
  readonly deny: readonly string[];
}

/** One rule's steps, split for the seed's order (profiles first, then lists). */
interface RuleSteps {
  readonly profile: readonly Step[];
  readonly lists: readonly Step[];
}

/** A compiled policy. */
export interface ToolPolicy {
  /** Nothing is restricted (no profile, no lists, no provider rules). */
  readonly open: boolean;
  readonly global: RuleSteps;
  readonly byProvider: ReadonlyMap<string, RuleSteps>;
}

function expand(entries: readonly string[] | undefined): string[] {
  const out: string[] = [];
  for (const entry of entries ?? []) {
    const name = entry.trim().toLowerCase();
    if (name === "") continue;
    const group = TOOL_GROUPS[name];
    if (group) out.push(...group);
    else out.push(name.includes("*") ? name : normalizeToolName(name));
  }
  return out;
}

function profileStep(profile: string | undefined, keyPath: string, label: string): Step[] {
  if (profile === undefined || profile.trim() === "") return [];
  const name = profile.trim().toLowerCase();
  const allow = TOOL_PROFILES[name];
  if (!allow) {
    throw new ConfigError(
      "TALON_CONFIG_INVALID",
      `${keyPath}: unknown tool profile "${profile}"; use one of ${Object.keys(TOOL_PROFILES).join(", ")}`,
      { details: { path: keyPath } },
    );
  }
  return name === "full" ? [] : [{ label: `${label} profile ${name}`, allow: expand(allow), deny: [] }];
}

/** The rule's allow/deny step; `widen` (already expanded) is added to a non-empty allow list. */
function listStep(rule: ToolRuleInput, label: string, widen: readonly string[]): Step[] {
  const allow = expand(rule.allow);
  const deny = expand(rule.deny);
  if (allow.length === 0 && deny.length === 0) return [];
  return [{ label, allow: allow.length > 0 ? [...allow, ...widen] : allow, deny }];
}

/** Compile `security.tool_runtime_policy` (plus Talon's `alsoAllow`, which may widen a profile). */
export function compilePolicy(
  input: ToolRuleInput & { byProvider?: Readonly<Record<string, ToolRuleInput>> },
  alsoAllow: readonly string[] = [],
  keyPath = "security.tool_runtime_policy",
): ToolPolicy {
  const widen = expand(alsoAllow);
  const withWiden = (steps: Step[]) =>
    steps.map((step) => ({ ...step, allow: step.allow.length > 0 ? [...step.allow, ...widen] : step.allow }));
  const global: RuleSteps = {
    profile: withWiden(profileStep(input.profile, `${keyPath}.profile`, "global")),
    lists: listStep(input, "global allow/deny", widen),
  };
  const byProvider = new Map<string, RuleSteps>();
  for (const [key, rule] of Object.entries(input.byProvider ?? {})) {
    const name = key.trim().toLowerCase();
    const label = `byProvider.${key}`;
    byProvider.set(name, {
      profile: withWiden(profileStep(rule.profile, `${keyPath}.byProvider.${key}.profile`, label)),
      lists: listStep(rule, `${label} allow/deny`, widen),
    });
  }
  return { open: global.profile.length === 0 && global.lists.length === 0 && byProvider.size === 0, global, byProvider };
}

/** Glob with `*` only. */
export function wildcardMatch(pattern: string, value: string): boolean {
  if (pattern === "*") return true;
  if (!pattern.includes("*")) return pattern === value;
  const parts = pattern.split("*");
  if (!value.startsWith(parts[0]!)) return false;
  let position = parts[0]!.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const found = value.indexOf(parts[i]!, position);
    if (found === -1) return false;
    position = found + parts[i]!.length;
  }
  const last = parts[parts.length - 1]!;
  return value.length - position >= last.length && value.endsWith(last);
}

/** Why a step denies the tool, or undefined when it allows it. */
function stepDenies(step: Step, tool: string): string | undefined {
  const deny = step.deny.find((pattern) => wildcardMatch(pattern, tool));
  if (deny) return `${step.label} denies \`${deny}\``;
  if (step.allow.length === 0) return undefined;
  if (step.allow.some((pattern) => wildcardMatch(pattern, tool))) return undefined;
  // Seed rule: allowing exec also allows apply_patch.
  if (tool === "apply_patch" && step.allow.some((pattern) => wildcardMatch(pattern, "exec"))) return undefined;
  return `${step.label} does not allow it`;
}

/** The provider rule for a model: `provider/model` wins over `provider`; a model id with `/` is used as is. */
function providerRule(policy: ToolPolicy, provider: string | undefined, model: string | undefined): RuleSteps | undefined {
  const name = provider?.trim().toLowerCase();
  const id = model?.trim().toLowerCase();
  if (id) {
    const candidate = id.includes("/") ? id : name ? `${name}/${id}` : undefined;
    const rule = candidate ? policy.byProvider.get(candidate) : undefined;
    if (rule) return rule;
  }
  return name ? policy.byProvider.get(name) : undefined;
}

/** Why the tool is denied, or undefined when every step allows it. */
export function deniedBecause(policy: ToolPolicy, tool: string, provider?: string, model?: string): string | undefined {
  if (policy.open) return undefined;
  const name = normalizeToolName(tool);
  const provided = providerRule(policy, provider, model);
  // Seed order: global profile, provider profile, global lists, provider lists.
  for (const steps of [policy.global.profile, provided?.profile, policy.global.lists, provided?.lists]) {
    for (const step of steps ?? []) {
      const reason = stepDenies(step, name);
      if (reason) return reason;
    }
  }
  return undefined;
}
