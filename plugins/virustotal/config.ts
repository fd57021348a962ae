/**
 * virustotal's config (`plugins.entries.virustotal.config`). The seed's
 * `security.virustotal_api_key` (env `OPENCLAW_RS_VT_API_KEY`) and `security.virustotal_timeout_ms`
 * land on `apiKey` and `timeoutMs`.
 */
import { secret, z } from "@talon/sdk";
import type { ClientSettings } from "./client.ts";
import type { CacheSettings } from "./lookups.ts";
import type { RateSettings } from "./limiter.ts";
import type { FailureMode, VerdictScores } from "./verdict.ts";

const score = z.number().int().min(0).max(255);

export const configSchema = z.strictObject({
  apiKey: secret(
    z
      .string()
      .optional()
      .describe("VirusTotal v3 API key; lookups are off without one (seed: `security.virustotal_api_key`, env OPENCLAW_RS_VT_API_KEY)."),
  ),
  baseUrl: z
    .string()
    .url()
    .default("https://www.virustotal.com/api/v3")
    .describe("API base (tests point it at a fake server on loopback)."),
  timeoutMs: z
    .number()
    .int()
    .min(1)
    .default(1400)
    .describe("Time limit of one lookup, file hashing included (ms; effective minimum 500; seed: `security.virustotal_timeout_ms`)."),
  fileRoots: z
    .array(z.string().min(1))
    .default([])
    .describe("Folders whose files may be hashed and looked up (relative to the config file's folder). Empty: no file lookups."),
  maxFileBytes: z
    .number()
    .int()
    .min(1)
    .default(32 * 1024 * 1024)
    .describe("Largest file hashed (bytes)."),
  maxResponseBytes: z
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024)
    .describe("Largest response body read (bytes)."),
  cacheTtlMs: z
    .number()
    .int()
    .min(0)
    .default(24 * 3_600_000)
    .describe("How long an answer is cached (ms)."),
  notFoundTtlMs: z.number().int().min(0).default(3_600_000).describe('How long "VirusTotal has never seen it" is cached (ms).'),
  ratePerMinute: z.number().int().min(1).default(4).describe("Public API quota: lookups a minute."),
  ratePerDay: z.number().int().min(1).default(500).describe("Public API quota: lookups a day."),
  failureMode: z
    .enum(["unknown", "review", "block"])
    .default("unknown")
    .describe(
      "When VirusTotal cannot answer: `unknown` (add the `unknown` tag and `unknownScore`), `review` or `block` (also force that verdict).",
    ),
  unknownScore: score.default(10).describe("Score of a failed or skipped lookup."),
  maliciousScore: score.default(75).describe("Score of a malicious verdict (the seed's 75)."),
  suspiciousScore: score.default(45).describe("Score of a suspicious verdict (the seed's 45)."),
  unknownUrlScore: score.default(10).describe("Score of a URL VirusTotal has never seen (the seed's 10)."),
  unknownFileScore: score.default(8).describe("Score of a file VirusTotal has never seen (the seed's 8)."),
  maxLookupsPerAction: z.number().int().min(1).default(4).describe("Most lookups per action."),
});

/** virustotal's validated config. */
export type VirusTotalConfig = z.output<typeof configSchema>;

/** Everything a lookup needs, rebuilt on config reload. */
export interface VtSettings {
  /** The key as configured (the seed sent it untrimmed); undefined when lookups are off. */
  readonly apiKey: string | undefined;
  readonly client: ClientSettings;
  readonly cache: CacheSettings;
  readonly rate: RateSettings;
  readonly scores: VerdictScores;
  readonly failureMode: FailureMode;
  readonly unknownScore: number;
  readonly fileRoots: readonly string[];
  readonly maxFileBytes: number;
  readonly maxLookups: number;
}

export function buildSettings(config: VirusTotalConfig): VtSettings {
  const key = config.apiKey;
  const apiKey = key !== undefined && key.trim() !== "" ? key : undefined;
  return {
    apiKey,
    client: {
      baseUrl: config.baseUrl,
      apiKey: apiKey ?? "",
      timeoutMs: Math.max(config.timeoutMs, 500),
      maxResponseBytes: config.maxResponseBytes,
    },
    cache: { foundTtlMs: config.cacheTtlMs, notFoundTtlMs: config.notFoundTtlMs },
    rate: { perMinute: config.ratePerMinute, perDay: config.ratePerDay },
    scores: {
      malicious: config.maliciousScore,
      suspicious: config.suspiciousScore,
      unknownUrl: config.unknownUrlScore,
      unknownFile: config.unknownFileScore,
    },
    failureMode: config.failureMode,
    unknownScore: config.unknownScore,
    fileRoots: config.fileRoots,
    maxFileBytes: config.maxFileBytes,
    maxLookups: config.maxLookupsPerAction,
  };
}
