/**
 * defender-prompt's config (`plugins.entries.defender-prompt.config`) and the settings built from
 * it. The seed's `security.prompt_injection_patterns` lands on `promptInjectionPatterns`
 * (core/config/legacy.ts).
 */
import { z } from "zod";
import { SEED_DEFAULTS, compileSeedPattern, compileSeedPatterns, type ActionFieldKind } from "@talon/sdk";
import { FAMILIES, type RuleFamily } from "./families.ts";
import type { PromptSettings } from "./scan.ts";

const score = z.number().int().min(0).max(255);
const FIELD_KINDS = ["prompt", "text", "command", "url", "file"] as const;

const familySchema = z.strictObject({
  /** `false` switches the family off. */
  enabled: z.boolean().default(true),
  /** Risk points when the family matches (default: the family's own). */
  score: score.optional(),
});

const extraPatternSchema = z.union([
  z.string().min(1),
  z.strictObject({
    /** Regex in the seed's syntax; a leading `(?i)` becomes the `i` flag. */
    pattern: z.string().min(1),
    score: score.default(35),
    tag: z.string().min(1).default("prompt_injection"),
  }),
]);

export const configSchema = z
  .strictObject({
    promptInjectionPatterns: z
      .array(z.string())
      .default([...SEED_DEFAULTS.promptInjectionPatterns])
      .describe("Regexes (`(?i)` allowed) that flag a prompt injection. Seed: `security.prompt_injection_patterns`."),
    /** Switches and scores keyed by family id (`persona_jailbreak`, `steer_user`, ...) or by tag (`jailbreak`: every family with it). */
    families: z.record(z.string(), familySchema).default({}),
    /** Extra patterns matched like `promptInjectionPatterns`, with their own score and tag. */
    extraPatterns: z.array(extraPatternSchema).default([]),
    /** Points per match of a `promptInjectionPatterns` entry (the seed gave 18, which never reached review). */
    configuredPatternScore: score.default(35),
    /** Weight of the second strongest family; the third gets its square, and so on. */
    secondaryWeight: z.number().min(0).max(1).default(0.5),
    /** Added when a rule only matched after undoing obfuscation (homoglyphs, zero-width, leetspeak, spacing). */
    obfuscationBonus: score.default(10),
    /** Added when a rule matched inside decoded base64, hex or URL-encoded text. */
    encodedBonus: score.default(10),
    /** Added when a rule matched text a document hides from its human reader (invisible HTML, comments). */
    hiddenBonus: score.default(15),
    /** Points for a context flood (a token repeated hundreds of times) in text a person typed; 0 turns it off. */
    floodScore: score.default(35),
    /** Seed rule: prompts over this many UTF-8 bytes get `oversized_payload`. */
    oversizedBytes: z.number().int().min(1).default(32000),
    oversizedScore: score.default(8),
    /** Characters scanned per field (head and tail); a longer field is flagged `scan_truncated`. */
    maxScanChars: z.number().int().min(1024).default(262144),
    /** Score of `scan_truncated` and `scan_incomplete` (35 = review: what was not read is not trusted). */
    truncatedScore: score.default(35),
    /** Decode embedded base64, hex and URL-encoded text before matching. */
    decode: z.boolean().default(true),
    /** Work budget per action in pattern-characters (text length × patterns); past it the scan stops with `scan_incomplete`. */
    workBudget: z.number().int().min(1).default(64_000_000),
    /** Kinds of `Action.fields` scanned (applied at start-up). */
    fieldKinds: z.array(z.enum(FIELD_KINDS)).min(1).default(["prompt", "text"]),
  })
  .superRefine((config, ctx) => {
    const known = new Set(FAMILIES.flatMap((family) => [family.id, family.tag]));
    for (const id of Object.keys(config.families)) {
      if (!known.has(id))
        ctx.addIssue({ code: "custom", path: ["families", id], message: `unknown family or tag ${id}; known: ${[...known].join(", ")}` });
    }
  });

/** defender-prompt's validated config. */
export type DefenderPromptConfig = z.output<typeof configSchema>;

/** Build scanner settings; throws ConfigError (with the key path) for a bad pattern. */
export function buildSettings(detector: string, config: DefenderPromptConfig): PromptSettings {
  // An entry names a family, or a tag and so every family with it (the family's own entry wins).
  const entryOf = (family: RuleFamily) => config.families[family.id] ?? config.families[family.tag];
  const families = FAMILIES.filter((family) => entryOf(family)?.enabled !== false).map((family) => {
    const override = entryOf(family)?.score;
    if (override === undefined) return family;
    // One score for the family wherever it reads.
    const roles = family.roles && Object.fromEntries(Object.keys(family.roles).map((roleClass) => [roleClass, override]));
    return { ...family, score: override, ...(roles ? { roles } : {}) };
  });
  const configured = compileSeedPatterns(config.promptInjectionPatterns, `plugins.entries.${detector}.config.promptInjectionPatterns`).map(
    (pattern) => ({
      pattern,
      score: config.configuredPatternScore,
      tag: "prompt_injection",
    }),
  );
  const extra = config.extraPatterns.map((entry, index) => {
    const spec = typeof entry === "string" ? { pattern: entry, score: 35, tag: "prompt_injection" } : entry;
    return {
      pattern: compileSeedPattern(spec.pattern, `plugins.entries.${detector}.config.extraPatterns[${index}]`),
      score: spec.score,
      tag: spec.tag,
    };
  });
  return {
    detector,
    families,
    patterns: [...configured, ...extra],
    secondaryWeight: config.secondaryWeight,
    obfuscationBonus: config.obfuscationBonus,
    encodedBonus: config.encodedBonus,
    hiddenBonus: config.hiddenBonus,
    floodScore: config.floodScore,
    oversizedBytes: config.oversizedBytes,
    oversizedScore: config.oversizedScore,
    maxScanChars: config.maxScanChars,
    truncatedScore: config.truncatedScore,
    decode: config.decode,
    workBudget: config.workBudget,
  };
}

/** The field kinds as a Set, for the per-action filter. */
export function fieldKindSet(config: DefenderPromptConfig): ReadonlySet<ActionFieldKind> {
  return new Set(config.fieldKinds);
}
