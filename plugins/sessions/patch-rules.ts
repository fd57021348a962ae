/**
 * sessions.patch field rules (seed-gateway §2.2): each field is absent (keep), `null` (clear) or
 * a value normalised into its canonical set. Every field is validated before anything is touched,
 * so a rejected patch has no side effect (seed §8 item 10 created the session first).
 */
import { RpcError, isSubagentKey } from "@talon/sdk";
import { shapeRecord, type OverrideField, type SessionRecord } from "./entry.ts";
import { charLength, norm } from "./text.ts";

/** What a patch does to one stored field. */
export type FieldChange<T> = { op: "clear" } | { op: "set"; value: T };

/** A validated patch: only the fields the caller named. */
export interface PatchPlan {
  overrides: Partial<Record<OverrideField, FieldChange<string>>>;
  label?: FieldChange<string>;
  spawnedBy?: FieldChange<string>;
  spawnDepth?: FieldChange<number>;
}

type Raw = Record<string, unknown>;

function invalid(message: string): RpcError {
  return new RpcError("TALON_RPC_INVALID_PARAMS", message);
}

/** The raw value of `name` or its snake_case alias; `undefined` when neither is present. */
function rawField(params: Raw, name: string, alias?: string): unknown {
  const hasName = Object.hasOwn(params, name);
  const hasAlias = alias !== undefined && Object.hasOwn(params, alias);
  if (hasName && hasAlias) throw invalid(`${name} and ${alias} are the same field; send one`);
  if (hasName) return params[name];
  return hasAlias ? params[alias] : undefined;
}

/** A field whose value is one of a fixed map of synonyms (after `norm`). */
function enumField(
  params: Raw,
  name: string,
  alias: string,
  synonyms: Readonly<Record<string, string | null>>,
  allowed: string,
): FieldChange<string> | undefined {
  const raw = rawField(params, name, alias);
  if (raw === undefined) return undefined;
  if (raw === null) return { op: "clear" };
  if (typeof raw !== "string") throw invalid(`${name} must be string or null`);
  const key = norm(raw);
  if (!Object.hasOwn(synonyms, key)) throw invalid(`${name} must be ${allowed}|null`);
  const value = synonyms[key]!;
  return value === null ? { op: "clear" } : { op: "set", value };
}

/** A trimmed, non-empty free-text field with a character limit. */
function textField(params: Raw, name: string, alias: string | undefined, maxChars: number): FieldChange<string> | undefined {
  const raw = rawField(params, name, alias);
  if (raw === undefined) return undefined;
  if (raw === null) return { op: "clear" };
  if (typeof raw !== "string") throw invalid(`${name} must be string or null`);
  const value = raw.trim();
  if (value === "") throw invalid(`${name} cannot be empty`);
  if (charLength(value) > maxChars) throw invalid(`${name} too long (max ${maxChars})`);
  return { op: "set", value };
}

const same = (...values: string[]) => Object.fromEntries(values.map((value) => [value, value]));
const all = (value: string | null, ...inputs: string[]) => Object.fromEntries(inputs.map((input) => [input, value]));

const SEND_POLICY = same("allow", "deny");
const GROUP_ACTIVATION = same("mention", "always");
const QUEUE_MODE = same("followup", "steer", "collect");
const VERBOSE = {
  ...all("off", "off", "false", "no", "0"),
  ...all("full", "full", "all", "everything"),
  ...all("on", "on", "minimal", "true", "yes", "1"),
};
const REASONING = {
  ...all(null, "off", "false", "no", "0", "hide", "hidden", "disable", "disabled"),
  ...all("on", "on", "true", "yes", "1", "show", "visible", "enable", "enabled"),
  ...all("stream", "stream", "streaming", "draft", "live"),
};
const RESPONSE_USAGE = {
  ...all(null, "off"),
  ...all("tokens", "tokens", "token", "tok", "minimal", "min", "on", "true", "yes", "1", "enable", "enabled"),
  ...all("full", "full", "session"),
};
const ELEVATED = {
  ...all("off", "off", "false", "no", "0"),
  ...all("full", "full", "auto", "autoapprove", "auto-approve"),
  ...all("ask", "ask", "prompt", "approval", "approve"),
  ...all("on", "on", "true", "yes", "1"),
};
const EXEC_HOST = same("sandbox", "gateway", "node");
const EXEC_SECURITY = same("deny", "allowlist", "full");
const EXEC_ASK = same("off", "on-miss", "always");
/**
 * Thinking-level synonyms. Upstream 2026.9 also has `max` and `ultra` levels; the seed folds them
 * into `high` and Talon keeps the seed's six canonical values.
 */
const THINKING = {
  ...all("off", "off"),
  ...all("low", "on", "enable", "enabled", "low", "thinkhard", "think-hard", "think_hard"),
  ...all("minimal", "min", "minimal", "think"),
  ...all("medium", "mid", "med", "medium", "thinkharder", "think-harder", "harder"),
  ...all("high", "high", "ultra", "ultrathink", "thinkhardest", "highest", "max"),
};

function thinkingField(params: Raw): FieldChange<string> | undefined {
  const raw = rawField(params, "thinkingLevel", "thinking_level");
  if (raw === undefined) return undefined;
  if (raw === null) return { op: "clear" };
  if (typeof raw !== "string") throw invalid("thinkingLevel must be string or null");
  const key = norm(raw);
  const squashed = key.replace(/[\s_-]/g, "");
  if (squashed === "xhigh" || squashed === "extrahigh") return { op: "set", value: "xhigh" };
  if (!Object.hasOwn(THINKING, key)) throw invalid("thinkingLevel must be off|minimal|low|medium|high|xhigh|null");
  return { op: "set", value: THINKING[key]! };
}

function spawnDepthField(params: Raw): FieldChange<number> | undefined {
  const raw = rawField(params, "spawnDepth", "spawn_depth");
  if (raw === undefined) return undefined;
  if (raw === null) return { op: "clear" };
  if (typeof raw !== "number" || !Number.isInteger(raw) || raw < 0 || raw > 4294967295) {
    throw invalid("spawnDepth must be a non-negative integer or null");
  }
  return { op: "set", value: raw };
}

function modelField(params: Raw, plan: PatchPlan): void {
  const raw = rawField(params, "model");
  if (raw === undefined) return;
  if (raw === null) {
    plan.overrides.modelOverride = { op: "clear" };
    plan.overrides.providerOverride = { op: "clear" };
    return;
  }
  if (typeof raw !== "string") throw invalid("model must be string or null");
  const value = raw.trim();
  if (value === "") throw invalid("model cannot be empty");
  const slash = value.indexOf("/");
  if (slash < 0) {
    plan.overrides.modelOverride = { op: "set", value };
    plan.overrides.providerOverride = { op: "clear" };
    return;
  }
  const provider = value.slice(0, slash).trim();
  const model = value.slice(slash + 1).trim();
  if (provider === "" || model === "") throw invalid("model must be 'provider/model' or 'model'");
  plan.overrides.modelOverride = { op: "set", value: model };
  plan.overrides.providerOverride = { op: "set", value: provider };
}

/** Validate every patch field in the seed's order; the first failing field's message is thrown. */
export function parsePatch(params: Raw): PatchPlan {
  const plan: PatchPlan = { overrides: {} };
  const put = (field: OverrideField, change: FieldChange<string> | undefined) => {
    if (change) plan.overrides[field] = change;
  };
  put("sendPolicy", enumField(params, "sendPolicy", "send_policy", SEND_POLICY, "allow|deny"));
  put("groupActivation", enumField(params, "groupActivation", "group_activation", GROUP_ACTIVATION, "mention|always"));
  put("queueMode", enumField(params, "queueMode", "queue_mode", QUEUE_MODE, "followup|steer|collect"));
  const label = textField(params, "label", undefined, 64);
  if (label) plan.label = label;
  const spawnedBy = textField(params, "spawnedBy", "spawned_by", 128);
  if (spawnedBy) plan.spawnedBy = spawnedBy;
  const spawnDepth = spawnDepthField(params);
  if (spawnDepth) plan.spawnDepth = spawnDepth;
  put("thinkingLevel", thinkingField(params));
  put("verboseLevel", enumField(params, "verboseLevel", "verbose_level", VERBOSE, "on|off|full"));
  put("reasoningLevel", enumField(params, "reasoningLevel", "reasoning_level", REASONING, "on|off|stream"));
  put("responseUsage", enumField(params, "responseUsage", "response_usage", RESPONSE_USAGE, "off|tokens|full|on"));
  put("elevatedLevel", enumField(params, "elevatedLevel", "elevated_level", ELEVATED, "on|off|ask|full"));
  put("execHost", enumField(params, "execHost", "exec_host", EXEC_HOST, "sandbox|gateway|node"));
  put("execSecurity", enumField(params, "execSecurity", "exec_security", EXEC_SECURITY, "deny|allowlist|full"));
  put("execAsk", enumField(params, "execAsk", "exec_ask", EXEC_ASK, "off|on-miss|always"));
  put("execNode", textField(params, "execNode", "exec_node", 64));
  modelField(params, plan);
  return plan;
}

/**
 * The spawnedBy/spawnDepth rules, checked against the session as it is (seed §2.2 steps 3-4):
 * only subagent sessions take them, and once set they can be neither cleared nor changed.
 */
export function checkSpawnRules(key: string, current: SessionRecord | undefined, plan: PatchPlan): void {
  const rules: [string, FieldChange<string | number> | undefined, string | number | undefined][] = [
    ["spawnedBy", plan.spawnedBy, current?.spawnedBy],
    ["spawnDepth", plan.spawnDepth, current?.spawnDepth],
  ];
  for (const [name, change, existing] of rules) {
    if (!change) continue;
    if (change.op === "clear") {
      if (existing !== undefined) throw invalid(`${name} cannot be cleared once set`);
      continue;
    }
    if (!isSubagentKey(key)) throw invalid(`${name} is only supported for subagent sessions`);
    const differs =
      typeof existing === "string"
        ? existing.toLowerCase() !== String(change.value).toLowerCase()
        : existing !== undefined && existing !== change.value;
    if (differs) throw invalid(`${name} cannot be changed once set`);
  }
}

/** Apply a validated plan to a copy of the record. */
export function applyPatch(rec: SessionRecord, plan: PatchPlan): SessionRecord {
  const next = shapeRecord(rec);
  for (const [field, change] of Object.entries(plan.overrides) as [OverrideField, FieldChange<string>][]) {
    next[field] = change.op === "clear" ? undefined : change.value;
  }
  const simple: [keyof Pick<SessionRecord, "label" | "spawnedBy" | "spawnDepth">, FieldChange<string | number> | undefined][] = [
    ["label", plan.label],
    ["spawnedBy", plan.spawnedBy],
    ["spawnDepth", plan.spawnDepth],
  ];
  for (const [field, change] of simple) {
    if (!change) continue;
    (next as unknown as Record<string, unknown>)[field] = change.op === "clear" ? undefined : change.value;
  }
  return next;
}

/** Patch fields upstream lets `operator.write` change; anything else needs `operator.admin`. */
const WRITE_SCOPE_FIELDS = new Set([
  "key",
  "sessionKey",
  "session_key",
  "agentId",
  "label",
  "autoLabel",
  "icon",
  "color",
  "category",
  "boardFace",
  "boardPresentation",
  "pinned",
  "archived",
  "unread",
  "model",
  "agentRuntime",
  "thinkingLevel",
  "thinking_level",
  "fastMode",
  "permissionMode",
]);

/** Upstream's dynamic scope of sessions.patch (upstream-protocol §2.1). */
export function patchScope(params: Raw): "operator.write" | "operator.admin" {
  for (const name of Object.keys(params)) {
    if (name.startsWith("expected")) continue;
    if (!WRITE_SCOPE_FIELDS.has(name)) return "operator.admin";
  }
  return params.permissionMode === "full" ? "operator.admin" : "operator.write";
}
