/**
 * One Telegram account's config (`plugins.entries.telegram.config`, or one table per account under
 * `accounts.<id>`). The bot token and the webhook secret come from config or from the environment
 * (`TELEGRAM_BOT_TOKEN`, `TELEGRAM_WEBHOOK_SECRET`, or the variables named by `botTokenEnv` /
 * `webhookSecretEnv`); an account with neither is refused, so an unconfigured Talon loads the
 * driver idle.
 */
import { secret, z } from "@talon/sdk";
import { CLOUD_FILE_MAX_BYTES } from "./constants.ts";

/** A bot token as BotFather issues it: `<bot id>:<secret part>`. */
const TOKEN = /^\d{1,20}:[A-Za-z0-9_-]{30,}$/;
/** `setWebhook`'s `secret_token`: 1–256 characters of A-Z, a-z, 0-9, `_` and `-`. */
const WEBHOOK_SECRET = /^[A-Za-z0-9_-]{1,256}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

export const DEFAULT_TOKEN_ENV = "TELEGRAM_BOT_TOKEN";
export const DEFAULT_WEBHOOK_SECRET_ENV = "TELEGRAM_WEBHOOK_SECRET";

export const configSchema = z
  .strictObject({
    botToken: secret(
      z
        .string()
        .regex(TOKEN, "a bot token looks like 123456789:AA... (from @BotFather)")
        .optional()
        .describe("The bot token from @BotFather. Default: the environment variable named by `botTokenEnv`."),
    ),
    botTokenEnv: z
      .string()
      .regex(ENV_NAME)
      .default(DEFAULT_TOKEN_ENV)
      .describe("Environment variable holding the bot token when `botToken` is not set (give each account its own)."),
    apiRoot: z
      .url({ protocol: /^https?$/ })
      .default("https://api.telegram.org")
      .describe("Bot API root: Telegram's, a local Bot API server, or a proxy (no trailing slash needed)."),
    mode: z
      .enum(["polling", "webhook"])
      .default("polling")
      .describe("`polling`: long-poll getUpdates (one consumer per token). `webhook`: Telegram POSTs updates to `webhookUrl`."),
    webhookUrl: z
      .url({ protocol: /^https$/ })
      .optional()
      .describe("Webhook mode: the public HTTPS URL Telegram posts to (ports 443, 80, 88 or 8443), forwarded to Talon's port."),
    webhookPath: z
      .string()
      .regex(/^\/[A-Za-z0-9/_.-]*$/)
      .optional()
      .describe("Webhook mode: the path served on Talon's port. Default: the path of `webhookUrl`, else `/channels/telegram/<account>`."),
    webhookSecret: secret(
      z
        .string()
        .regex(WEBHOOK_SECRET, "1 to 256 characters of A-Z, a-z, 0-9, _ and -")
        .optional()
        .describe(
          "Webhook mode: the `secret_token` Telegram sends in X-Telegram-Bot-Api-Secret-Token. Default: the variable named by `webhookSecretEnv`, else a random one per start.",
        ),
    ),
    webhookSecretEnv: z
      .string()
      .regex(ENV_NAME)
      .default(DEFAULT_WEBHOOK_SECRET_ENV)
      .describe("Environment variable holding the webhook secret when `webhookSecret` is not set."),
    parseMode: z
      .enum(["none", "MarkdownV2", "HTML"])
      .default("none")
      .describe("How sent text is marked up. `none` sends plain text; with a parse mode the text is escaped so it shows as written."),
    pollTimeoutSecs: z.number().int().min(0).max(50).default(30).describe("Long-poll timeout of getUpdates (seconds)."),
    pollLimit: z.number().int().min(1).max(100).default(100).describe("Most updates per getUpdates call."),
    requestTimeoutMs: z.number().int().min(100).max(120_000).default(15_000).describe("Time limit of every other Bot API call (ms)."),
    maxFileBytes: z
      .number()
      .int()
      .min(1)
      .max(2 * 1024 * 1024 * 1024)
      .default(CLOUD_FILE_MAX_BYTES)
      .describe("Largest inbound file fetched on demand (bytes); the cloud Bot API serves at most 20 MB."),
  })
  .superRefine((account, issues) => {
    if (!account.botToken && !process.env[account.botTokenEnv]?.trim()) {
      issues.addIssue({
        code: "custom",
        path: ["botToken"],
        message: `botToken is required (or set the environment variable ${account.botTokenEnv})`,
      });
    }
    if (account.mode === "webhook" && !account.webhookUrl) {
      issues.addIssue({
        code: "custom",
        path: ["webhookUrl"],
        message: "webhook mode needs webhookUrl, the public HTTPS URL Telegram posts to",
      });
    }
  });

/** One Telegram account's validated config. */
export type TelegramConfig = z.output<typeof configSchema>;

/** The bot token of an account: from config, else its environment variable (checked by the schema). */
export function resolveToken(config: TelegramConfig, env: NodeJS.ProcessEnv = process.env): string {
  const token = config.botToken ?? env[config.botTokenEnv]?.trim() ?? "";
  return token;
}

/** The webhook secret: from config, else its environment variable, else undefined (a random one per start). */
export function resolveWebhookSecret(config: TelegramConfig, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = config.webhookSecret ?? env[config.webhookSecretEnv]?.trim();
  return value && WEBHOOK_SECRET.test(value) ? value : undefined;
}

/** Is `token` shaped like a bot token? (An env value is checked here, config values by the schema.) */
export function isTokenShaped(token: string): boolean {
  return TOKEN.test(token);
}

/** The API root without a trailing slash (grammY refuses one). */
export function apiRootOf(config: TelegramConfig): string {
  return config.apiRoot.replace(/\/+$/, "");
}

/** The path the webhook is served on. */
export function webhookPathOf(config: TelegramConfig, accountId: string): string {
  if (config.webhookPath) return config.webhookPath;
  const fromUrl = config.webhookUrl ? new URL(config.webhookUrl).pathname : "/";
  return fromUrl !== "/" ? fromUrl : `/channels/telegram/${accountId}`;
}
