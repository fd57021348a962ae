/**
 * Reading and verifying a signed policy bundle (seed-defender §6). A bundle overrides up to eight
 * of the seed's `security.*` keys: the host's thresholds and, through the host's table of seed
 * keys, the plugin keys they became (command prefixes and patterns, prompt patterns, tool
 * policies, tool and channel bonuses). The host applies it (core/config/policy-bundle.ts); the
 * `talon policy` commands sign and check it.
 *
 * One seed defect is fixed (seed §15 item 14): list entries are no longer trimmed, so a prefix
 * `"git "` stays `"git "` (the seed made it `"git"`, which also matches `gitk`) and a pattern's
 * whitespace is kept. Entries that are blank are dropped, as before.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { TalonError } from "../errors.ts";
import { verifyBundleSignature } from "./signature.ts";

const u8 = z.number().int().min(0).max(255);
const verdict = z.enum(["allow", "review", "block"]);

/** Members under their camelCase names (snake_case aliases are mapped first); `null` means not provided. */
const policySchema = z
  .object({
    reviewThreshold: u8.nullish(),
    blockThreshold: u8.nullish(),
    allowedCommandPrefixes: z.array(z.string()).nullish(),
    blockedCommandPatterns: z.array(z.string()).nullish(),
    promptInjectionPatterns: z.array(z.string()).nullish(),
    toolPolicies: z.record(z.string(), verdict).nullish(),
    toolRiskBonus: z.record(z.string(), u8).nullish(),
    channelRiskBonus: z.record(z.string(), u8).nullish(),
  })
  .loose();

const ALIASES: Record<string, string> = {
  review_threshold: "reviewThreshold",
  block_threshold: "blockThreshold",
  allowed_command_prefixes: "allowedCommandPrefixes",
  blocked_command_patterns: "blockedCommandPatterns",
  prompt_injection_patterns: "promptInjectionPatterns",
  tool_policies: "toolPolicies",
  tool_risk_bonus: "toolRiskBonus",
  channel_risk_bonus: "channelRiskBonus",
  bundle_id: "bundleId",
  signed_at: "signedAt",
};

/** Rename snake_case aliases to camelCase; the camelCase name wins when both are present. */
function unalias(value: unknown): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [alias, name] of Object.entries(ALIASES)) {
    if (alias in out) {
      if (!(name in out) || out[name] === null) out[name] = out[alias];
      delete out[alias];
    }
  }
  return out;
}

const bundleSchema = z
  .object({
    version: z.number().int().min(0).max(0xffffffff).default(1),
    bundleId: z.string().nullish(),
    signedAt: z.string().nullish(),
    policy: z.preprocess(unalias, policySchema).nullish(),
  })
  .loose();

/** The `security.*` keys a bundle may override, in the seed's `overridden_fields` order. */
export const BUNDLE_FIELDS = [
  "review_threshold",
  "block_threshold",
  "allowed_command_prefixes",
  "blocked_command_patterns",
  "prompt_injection_patterns",
  "tool_policies",
  "tool_risk_bonus",
  "channel_risk_bonus",
] as const;

/** What a verified bundle changes. */
export interface PolicyOverrides {
  review_threshold?: number;
  block_threshold?: number;
  allowed_command_prefixes?: string[];
  blocked_command_patterns?: string[];
  prompt_injection_patterns?: string[];
  tool_policies?: Record<string, "allow" | "review" | "block">;
  tool_risk_bonus?: Record<string, number>;
  channel_risk_bonus?: Record<string, number>;
}

/** A verified, parsed bundle. */
export interface VerifiedBundle {
  path: string;
  version: number;
  bundleId?: string;
  signedAt?: string;
  overrides: PolicyOverrides;
  /** The seed's `overridden_fields`: applied keys, then `signed_at` when signedAt is set. */
  fields: string[];
}

function invalid(message: string, options: { cause?: unknown; hint?: string; path?: string } = {}): TalonError {
  return new TalonError("TALON_POLICY_BUNDLE_INVALID", message, {
    cause: options.cause,
    hint: options.hint ?? "fix the bundle or its key, then sign it again with `talon policy sign FILE --key K`",
    details: options.path ? { path: options.path } : undefined,
  });
}

/** Entries kept verbatim; blank ones dropped (seed §15 item 14: the seed trimmed them). */
function keepNonBlank(list: string[]): string[] {
  return list.filter((entry) => entry.trim() !== "");
}

/** Map keys trimmed and lowercased; blank keys dropped (seed §6). */
function lowerKeys<T>(map: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [key, value] of Object.entries(map)) {
    const name = key.trim().toLowerCase();
    if (name !== "") out[name] = value;
  }
  return out;
}

/** Verify and parse a bundle's JSON text. Throws TALON_POLICY_BUNDLE_INVALID with the seed's messages. */
export function verifyBundleText(text: string, key: string | undefined, path: string): VerifiedBundle {
  if (key === undefined) {
    throw invalid("policy bundle key missing; set security.policy_bundle_key or OPENCLAW_RS_POLICY_BUNDLE_KEY", {
      path,
      hint: "give the HMAC key the bundle was signed with",
    });
  }
  if (key.trim() === "") throw invalid("policy bundle key cannot be empty", { path });
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (error) {
    throw invalid(`failed parsing policy bundle JSON ${path}`, { cause: error, path });
  }
  if (typeof root !== "object" || root === null || Array.isArray(root)) throw invalid("policy bundle root must be an object", { path });
  const bundle = root as Record<string, unknown>;
  if (typeof bundle.signature !== "string") throw invalid("policy bundle signature missing", { path });
  if (!verifyBundleSignature(bundle, key, bundle.signature)) {
    throw invalid("policy bundle signature verification failed", {
      path,
      hint: "the bundle was changed after signing, or the key is not the one it was signed with",
    });
  }
  const parsed = bundleSchema.safeParse(bundle);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalid(`invalid policy bundle schema ${path}: ${issue.path.join(".") || "(root)"}: ${issue.message}`, {
      cause: parsed.error,
      path,
    });
  }
  const { version, bundleId, signedAt } = parsed.data;
  const policy = parsed.data.policy ?? {};
  const overrides: PolicyOverrides = {};
  if (policy.reviewThreshold != null) overrides.review_threshold = policy.reviewThreshold;
  if (policy.blockThreshold != null) overrides.block_threshold = policy.blockThreshold;
  if (policy.allowedCommandPrefixes != null) {
    overrides.allowed_command_prefixes = keepNonBlank(policy.allowedCommandPrefixes);
    if (overrides.allowed_command_prefixes.length === 0)
      throw invalid("policy bundle applied empty allowed command prefixes; provide at least one prefix", { path });
  }
  if (policy.blockedCommandPatterns != null) {
    overrides.blocked_command_patterns = keepNonBlank(policy.blockedCommandPatterns);
  }
  if (policy.promptInjectionPatterns != null) {
    overrides.prompt_injection_patterns = keepNonBlank(policy.promptInjectionPatterns);
    if (overrides.prompt_injection_patterns.length === 0)
      throw invalid("policy bundle applied empty prompt injection pattern list; provide at least one pattern", { path });
  }
  if (overrides.blocked_command_patterns?.length === 0)
    throw invalid("policy bundle applied empty blocked command pattern list; provide at least one pattern", { path });
  if (policy.toolPolicies != null) overrides.tool_policies = lowerKeys(policy.toolPolicies);
  if (policy.toolRiskBonus != null) overrides.tool_risk_bonus = lowerKeys(policy.toolRiskBonus);
  if (policy.channelRiskBonus != null) overrides.channel_risk_bonus = lowerKeys(policy.channelRiskBonus);
  const fields: string[] = BUNDLE_FIELDS.filter((field) => overrides[field] !== undefined);
  const id = bundleId?.trim() ? bundleId.trim() : undefined;
  if (signedAt?.trim()) fields.push("signed_at");
  return { path, version, ...(id ? { bundleId: id } : {}), ...(signedAt?.trim() ? { signedAt } : {}), overrides, fields };
}

/** Read and verify the bundle at `path` (absolute). */
export async function readBundle(path: string, key: string | undefined): Promise<{ bundle: VerifiedBundle; text: string }> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw invalid(`failed reading policy bundle ${path}`, {
      cause: error,
      path,
      hint: "check security.policy_bundle_path (relative paths resolve against the working directory)",
    });
  }
  return { bundle: verifyBundleText(text, key, path), text };
}

/**
 * The seed's post-check (seed §6): with the bundle's thresholds laid over `base` (the host's
 * `security` thresholds), review must stay below block. Throws TALON_POLICY_BUNDLE_INVALID.
 */
export function checkBundleThresholds(
  overrides: PolicyOverrides,
  base: { review_threshold: number; block_threshold: number },
  path: string,
): void {
  const review = overrides.review_threshold ?? base.review_threshold;
  const block = overrides.block_threshold ?? base.block_threshold;
  if (review >= block) {
    throw invalid("policy bundle produced invalid thresholds: review_threshold must be lower than block_threshold", { path });
  }
}
