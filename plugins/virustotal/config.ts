/**
 * virustotal's config (`plugins.entries.virustotal.config`), on top of the seed's
 * `security.virustotal_api_key` (env `OPENCLAW_RS_VT_API_KEY`) and `security.virustotal_timeout_ms`.
 */
import { z } from "zod";
import type { TalonConfig } from "@talon/sdk";
import type { ClientSettings } from "./client.ts";
import type { CacheSettings } from "./lookups.ts";
import type { RateSettings } from "./limiter.ts";
import type { FailureMode, VerdictScores } from "./verdict.ts";

const score = z.number().int().min(0).max(255);

export const configSchema = z.strictObject({
  /** API key; overrides `security.virustotal_api_key`. Lookups are off without one. */
  apiKey: z.string().optional(),
  /** API base (tests point it at a fake server on loopback). */
  baseUrl: z.string().url().default("https://www.virustotal.com/api/v3"),
  /** Time limit of one lookup, file hashing included (ms); default `security.virustotal_timeout_ms`, at least 500. */
  timeoutMs: z.number().int().min(1).optional(),
  /** Folders whose files may be hashed and looked up (relative to the config file's folder). Empty: no file lookups. */
  fileRoots: z.array(z.string().min(1)).default([]),
  /** Largest file hashed (bytes). */
  maxFileBytes: z
    .number()
    .int()
    .min(1)
    .default(32 * 1024 * 1024),
  /** Largest response body read (bytes). */
  maxResponseBytes: z
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  /** How long an answer is cached (ms). */
  cacheTtlMs: z
    .number()
    .int()
    .min(0)
    .default(24 * 3_600_000),
  /** How long "VirusTotal has never seen it" is cached (ms). */
  notFoundTtlMs: z.number().int().min(0).default(3_600_000),
  /** Public API quota: lookups a minute and a day. */
  ratePerMinute: z.number().int().min(1).default(4),
  ratePerDay: z.number().int().min(1).default(500),
  /** When VirusTotal cannot answer: `unknown` (add the `unknown` tag and `unknownScore`), `review` or `block` (also force that verdict). */
  failureMode: z.enum(["unknown", "review", "block"]).default("unknown"),
  /** Score of a failed or skipped lookup. */
  unknownScore: score.default(10),
  /** Scores of answers (the seed's: 75, 45, 10 for an unknown URL, 8 for an unknown file). */
  maliciousScore: score.default(75),
  suspiciousScore: score.default(45),
  unknownUrlScore: score.default(10),
  unknownFileScore: score.default(8),
  /** Most lookups per action. */
  maxLookupsPerAction: z.number().int().min(1).default(4),
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

export function buildSettings(host: Readonly<TalonConfig>, config: VirusTotalConfig): VtSettings {
  const key = config.apiKey ?? host.security.virustotal_api_key;
  const apiKey = key !== undefined && key.trim() !== "" ? key : undefined;
  return {
    apiKey,
    client: {
      baseUrl: config.baseUrl,
      apiKey: apiKey ?? "",
      timeoutMs: Math.max(config.timeoutMs ?? host.security.virustotal_timeout_ms, 500),
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
