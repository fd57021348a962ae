/**
 * A driver plugin's config: the core channel runtime's settings (`runtime`) plus one config per
 * account, or the single-account shorthand.
 */
import { z } from "zod";
import { fillFromEnv, type DriverEnvBindings } from "./driver-env.ts";

/** Settings of the core channel runtime, per driver: `plugins.entries.<id>.config.runtime`. */
export const channelRuntimeSettingsSchema = z.strictObject({
  /** Group and channel messages must mention the bot (seed §8.5). */
  requireMention: z.boolean().default(true),
  /** Sender ids allowed to use bypass commands (`/reset`, `/stop`, ...) without a mention; `*` = anyone. */
  authorizedSenders: z.array(z.string()).default([]),
  /** Lower the driver's text limit (never raises it). */
  textChunkLimit: z.number().int().min(1).optional(),
  /** Override the driver's chunk mode. */
  chunkMode: z.enum(["length", "newline"]).optional(),
  /** Longest inbound text accepted (characters); longer messages are refused, never truncated. */
  maxInboundChars: z.number().int().min(1).default(100_000),
  /** How long a message id is remembered to drop platform redeliveries (ms). */
  dedupeTtlMs: z.number().int().min(1000).default(300_000),
  /** Retries of one failed send, and the time budget of all attempts together. */
  retry: z
    .strictObject({
      retries: z.number().int().min(0).max(10).default(3),
      minDelayMs: z.number().int().min(0).default(250),
      maxDelayMs: z.number().int().min(0).default(5_000),
      maxTotalMs: z.number().int().min(100).default(30_000),
    })
    .prefault({}),
  /** Restarts of an account whose start failed or whose connection dropped (seed §8.6 backoff). */
  reconnect: z
    .strictObject({
      maxAttempts: z.number().int().min(0).default(10),
      initialDelayMs: z.number().int().min(1).default(1_000),
      maxDelayMs: z.number().int().min(1).default(30_000),
      factor: z.number().min(1.1).max(10).default(2),
      jitter: z.number().min(0).max(1).default(0.2),
    })
    .prefault({}),
  /** Time limit of one account's start and stop (ms). */
  startTimeoutMs: z.number().int().min(100).default(15_000),
});

/** The runtime settings after defaults. */
export type ChannelRuntimeSettings = z.output<typeof channelRuntimeSettingsSchema>;

/** A driver plugin's config once parsed: runtime settings plus one config per account. */
export interface DriverPluginConfig<C = unknown> {
  runtime: ChannelRuntimeSettings;
  accounts: Record<string, C>;
}

const ACCOUNT_ID = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/;

/**
 * The plugin config schema of a driver: `{ runtime?, accounts: { <id>: <account> } }`, or the
 * single-account shorthand `{ runtime?, ...<account> }` (account id `default`). Keys `env` names
 * are filled from the environment for the default account only (see driver-env.ts).
 */
export function driverPluginConfigSchema<C>(account: z.ZodType<C> | undefined, env?: DriverEnvBindings) {
  const accountSchema = (account ?? z.object({}).loose()) as z.ZodType<C>;
  return z.preprocess(
    (value) => {
      if (value === undefined || value === null) value = {};
      if (typeof value !== "object" || Array.isArray(value)) return value;
      const { runtime, accounts, ...rest } = value as Record<string, unknown>;
      if (accounts !== undefined) {
        const listed =
          env &&
          accounts !== null &&
          typeof accounts === "object" &&
          !Array.isArray(accounts) &&
          isRecord((accounts as Record<string, unknown>).default)
            ? { ...accounts, default: fillFromEnv((accounts as Record<string, Record<string, unknown>>).default!, env) }
            : accounts;
        return Object.keys(rest).length > 0 ? { runtime, accounts: listed, unexpected: Object.keys(rest) } : { runtime, accounts: listed };
      }
      if (Object.keys(rest).length === 0) {
        // Nothing configured: a driver that needs no settings (or finds them in the environment)
        // runs one default account; one that needs credentials loads idle (no accounts) instead
        // of stopping Talon's start-up.
        const fromEnv = fillFromEnv({}, env);
        return { runtime, accounts: accountSchema.safeParse(fromEnv).success ? { default: fromEnv } : {} };
      }
      return { runtime, accounts: { default: fillFromEnv(rest, env) } };
    },
    z.strictObject({
      runtime: channelRuntimeSettingsSchema.prefault({}),
      accounts: z.record(
        z.string().regex(ACCOUNT_ID, "account ids use letters, digits, '_', '.', '@' and '-' (at most 64)"),
        accountSchema,
      ),
      unexpected: z
        .array(z.string())
        .optional()
        .refine((keys) => keys === undefined, { message: "with `accounts`, put every account setting inside its account" }),
    }),
  ) as unknown as z.ZodType<DriverPluginConfig<C>>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
