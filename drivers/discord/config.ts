/**
 * One Discord account's config (`plugins.entries.discord.config`, or one of its `accounts`). The
 * bot token comes from `token` or, for the default account, the `DISCORD_BOT_TOKEN` environment
 * variable (the driver's `env` declaration); with neither, the account is refused, so the bundled
 * driver stays idle until someone configures it.
 */
import { secret, z } from "@talon/sdk";

/** The environment variable that fills the default account's `token`. */
export const TOKEN_ENV = "DISCORD_BOT_TOKEN";

export const configSchema = z
  .strictObject({
    token: secret(z.string().trim().min(1).describe("The bot token (Developer Portal → Bot → Token).")),
    apiBase: z
      .url({ protocol: /^https?$/ })
      .default("https://discord.com/api")
      .describe("REST API base, without the version (a trailing /v10 is accepted); point it at a proxy or a test server."),
    gatewayUrl: z
      .url({ protocol: /^wss?$/ })
      .optional()
      .describe("Gateway URL to connect to instead of the one GET /gateway/bot names (tests, proxies)."),
    messageContent: z
      .boolean()
      .default(true)
      .describe(
        "Ask for the privileged MESSAGE_CONTENT intent (enable it in the Developer Portal). Without it, guild messages that do not mention the bot arrive empty; DMs and mentions still carry their text.",
      ),
    requestTimeoutMs: z.number().int().min(100).max(120_000).default(15_000).describe("Time limit of one REST request (ms)."),
    rateLimitWaitMaxMs: z
      .number()
      .int()
      .min(0)
      .max(60_000)
      .default(2_000)
      .describe(
        "A route bucket that is used up delays a request by up to this long (ms); a longer wait is handed to Talon's runtime as a rate limit, which pauses the account's sends instead.",
      ),
    invalidSessionWaitMs: z
      .number()
      .int()
      .min(0)
      .max(5_000)
      .default(5_000)
      .describe("After op 9 (invalid session) the driver waits a random 1 s to this long (Discord: 1-5 s) before identifying again (ms)."),
    inboundQueueMax: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .default(10_000)
      .describe(
        "Messages received but not yet admitted by Talon; past this the driver closes the connection and resumes once the queue drains, so Discord replays the rest.",
      ),
  })
  .superRefine((config, issues) => {
    if (config.token === undefined && !process.env[TOKEN_ENV]?.trim())
      issues.addIssue({
        code: "custom",
        path: ["token"],
        message: `a bot token is required: set token or the ${TOKEN_ENV} environment variable`,
      });
  });

/** One Discord account's config, parsed. */
export type DiscordConfig = z.output<typeof configSchema>;

/** `https://discord.com/api/v10/` → `https://discord.com/api` (the REST client adds the version). */
export function apiRoot(apiBase: string): string {
  return apiBase.replace(/\/+$/, "").replace(/\/v\d+$/, "");
}
