/**
 * defender-command's config (`plugins.entries.defender-command.config`) and the settings built
 * from it. The seed's `security.blocked_command_patterns` and `security.allowed_command_prefixes`
 * land on `blockedCommandPatterns` and `allowedCommandPrefixes` (core/config/legacy.ts).
 */
import { z } from "zod";
import { SEED_DEFAULTS, compileSeedPattern } from "@talon/sdk";
import type { AnalyzerSettings } from "./analyze.ts";
import type { FindingSettings } from "./findings.ts";
import type { TextCodeLimits } from "./text.ts";
import { RULES, type RuleId } from "./effects/context.ts";

const score = z.number().int().min(0).max(255);

/** Installers commonly run as `curl … | sh`; piping them to a shell is reviewed instead of blocked. */
export const DEFAULT_KNOWN_INSTALLERS = [
  "https://sh.rustup.rs",
  "https://raw.githubusercontent.com/nvm-sh/nvm/",
  "https://get.docker.com",
  "https://bun.sh/install",
  "https://install.python-poetry.org",
  "https://get.pnpm.io/",
  "https://deno.land/install.sh",
  "https://astral.sh/uv/",
  "https://raw.githubusercontent.com/Homebrew/install/",
  "https://get.volta.sh",
  "https://fnm.vercel.app/install",
  "https://starship.rs/install.sh",
  "https://tailscale.com/install.sh",
  "https://ollama.com/install.sh",
] as const;

const ruleSchema = z.strictObject({
  /** `false` switches the rule off. */
  enabled: z.boolean().default(true),
  /** Force the rule's severity (`block` adds `blockScore`; `review` adds `reviewScore` and a review floor). */
  severity: z.enum(["block", "review"]).optional(),
});

export const configSchema = z
  .strictObject({
    allowedCommandPrefixes: z
      .array(z.string())
      .default([...SEED_DEFAULTS.allowedCommandPrefixes])
      .describe(
        "Commands known to be fine, matched per segment on whole words (`ls` does not allow `lsblk`). Seed: `security.allowed_command_prefixes`.",
      ),
    blockedCommandPatterns: z
      .array(z.string())
      .default([...SEED_DEFAULTS.blockedCommandPatterns])
      .describe("Regexes (`(?i)` allowed) that block a command. Seed: `security.blocked_command_patterns`."),
    /** Per-rule switches and severities, keyed by rule id (`destructive_delete`, `privilege_escalation`, ...). */
    rules: z.record(z.string(), ruleSchema).default({}),
    /** Points of a block-level rule (the seed's blocked-pattern score). */
    blockScore: score.default(80),
    /** Points of a review-level rule; it also forces at least review. */
    reviewScore: score.default(20),
    /** More blocked patterns, in the seed's syntax, matched against the command and every nested script. */
    extraBlockedPatterns: z.array(z.string().min(1)).default([]),
    /** Points when a top-level command matches no `allowedCommandPrefixes` entry (the seed gave 20; 0 = off). */
    unlistedScore: score.default(0),
    /** URL prefixes of installers whose `curl … | sh` is reviewed instead of blocked. */
    knownInstallers: z.array(z.string().min(1)).default([...DEFAULT_KNOWN_INSTALLERS]),
    /** Largest command parsed (bytes); longer ones are reviewed and tokenised instead. */
    maxBytes: z.number().int().min(256).default(16384),
    /** Most `|` characters parsed (pipelines parse superlinearly). */
    maxPipes: z.number().int().min(1).default(128),
    /** Wall-time limit of one parse (ms). */
    maxParseMs: z.number().int().min(1).default(50),
    /** Most nested levels followed (`sh -c`, `eval`, decoded payloads). */
    maxDepth: z.number().int().min(0).max(16).default(4),
    /** Most nested scripts analysed per command. */
    maxNested: z.number().int().min(0).default(32),
    /** Most syntax nodes walked per script. */
    maxNodes: z.number().int().min(100).default(20000),
    /** Code inside text fields (prompts, messages, tool results): fenced shell blocks, `$ command` lines, `os.system("…")` calls. */
    textCode: z
      .strictObject({
        /** `false` stops looking for code in text. */
        enabled: z.boolean().default(true),
        /** What a block-level finding in code found in text becomes (`review` by default: text is not yet a command). */
        severity: z.enum(["block", "review"]).default("review"),
        /** Most snippets analysed per text. */
        maxBlocks: z.number().int().min(1).max(64).default(8),
        /** Most characters of code analysed per text. */
        maxBytes: z.number().int().min(256).max(1048576).default(16384),
        /** Most characters of a text searched for code. */
        maxScan: z.number().int().min(1024).max(16777216).default(1048576),
      })
      .prefault({}),
  })
  .superRefine((config, ctx) => {
    for (const id of Object.keys(config.rules)) {
      if (!Object.hasOwn(RULES, id))
        ctx.addIssue({ code: "custom", path: ["rules", id], message: `unknown rule ${id}; known: ${Object.keys(RULES).join(", ")}` });
    }
  });

/** defender-command's validated config. */
export type DefenderCommandConfig = z.output<typeof configSchema>;

/** Everything the tap needs, rebuilt on config reload. */
export interface CommandSettings {
  readonly analyzer: AnalyzerSettings;
  readonly findings: FindingSettings;
  readonly allowPrefixes: readonly string[];
  readonly unlistedScore: number;
  /** Code found in text fields; undefined when switched off. */
  readonly textCode: (TextCodeLimits & { readonly severity: "block" | "review" }) | undefined;
}

/**
 * Build settings; throws ConfigError naming the key for a bad pattern. The seed's five default
 * blocked patterns are implemented by the structural rules (which also catch their bypasses),
 * so only patterns an operator added are matched as regexes.
 */
export function buildSettings(detector: string, config: DefenderCommandConfig): CommandSettings {
  const seedDefaults = new Set<string>(SEED_DEFAULTS.blockedCommandPatterns);
  const patterns = [
    ...config.blockedCommandPatterns.flatMap((source, index) =>
      seedDefaults.has(source) ? [] : [compileSeedPattern(source, `plugins.entries.${detector}.config.blockedCommandPatterns[${index}]`)],
    ),
    ...config.extraBlockedPatterns.map((source, index) =>
      compileSeedPattern(source, `plugins.entries.${detector}.config.extraBlockedPatterns[${index}]`),
    ),
  ];
  return {
    analyzer: {
      maxBytes: config.maxBytes,
      maxPipes: config.maxPipes,
      maxParseMs: config.maxParseMs,
      maxDepth: config.maxDepth,
      maxNested: config.maxNested,
      maxNodes: config.maxNodes,
      knownInstallers: config.knownInstallers,
      patterns,
    },
    findings: {
      detector,
      blockScore: config.blockScore,
      reviewScore: config.reviewScore,
      rules: config.rules as Partial<Record<RuleId, { enabled?: boolean; severity?: "block" | "review" }>>,
    },
    allowPrefixes: config.allowedCommandPrefixes,
    unlistedScore: config.unlistedScore,
    textCode: config.textCode.enabled ? { ...config.textCode } : undefined,
  };
}
