/**
 * One Slack account's config (`plugins.entries.slack.config`, or one entry of its `accounts`).
 * Tokens and the signing secret are `secret()`: Talon keeps them out of logs, `channels.status`
 * and config dumps. The default account may take them from SLACK_BOT_TOKEN, SLACK_APP_TOKEN and
 * SLACK_SIGNING_SECRET (see `SLACK_ENV` in index.ts).
 */
import { secret, z } from "@talon/sdk";

/** Slack documents a 5-minute window for `X-Slack-Request-Timestamp` (verifying-requests-from-slack). */
export const SLACK_REPLAY_WINDOW_SECS = 300;

export const configSchema = z
  .strictObject({
    botToken: secret(
      z
        .string()
        .regex(/^xox[bp]-\S+$/, "a bot token starts with xoxb- (or xoxp- for a user token)")
        .describe("Bot token (`xoxb-…`) for the Web API; env `SLACK_BOT_TOKEN` for the default account."),
    ),
    appToken: secret(
      z
        .string()
        .regex(/^xapp-\S+$/, "an app-level token starts with xapp-")
        .optional()
        .describe("App-level token (`xapp-…`, scope `connections:write`) for Socket Mode; env `SLACK_APP_TOKEN` for the default account."),
    ),
    signingSecret: secret(
      z
        .string()
        .min(8, "the signing secret is the 32-character value of the app's Basic Information page")
        .optional()
        .describe("Signing secret of the app, for Events API requests (mode `http`); env `SLACK_SIGNING_SECRET` for the default account."),
    ),
    mode: z
      .enum(["socket", "http"])
      .default("socket")
      .describe(
        "`socket`: Socket Mode (a WebSocket Talon opens; needs appToken). `http`: Slack POSTs events to Talon's port (needs signingSecret).",
      ),
    apiBase: z
      .url({ protocol: /^https?$/ })
      .default("https://slack.com/api/")
      .describe("Web API base URL (methods are POSTed to `<apiBase><method>`); change it for a proxy or a test server."),
    webhookPath: z
      .string()
      .regex(/^\/[A-Za-z0-9/_.-]*$/)
      .optional()
      .describe("Mode `http`: the Events API Request URL path on Talon's port; default `/channels/slack/<accountId>`."),
    allowBots: z.boolean().default(false).describe("Take messages from other bots as inbound (the bot's own messages are always dropped)."),
    requestTimeoutMs: z.number().int().min(100).max(120_000).default(10_000).describe("Time limit of one Web API call (ms)."),
    socket: z
      .strictObject({
        helloTimeoutMs: z.number().int().min(100).default(10_000).describe("How long a new socket may take to say `hello` (ms)."),
        pingIntervalMs: z
          .number()
          .int()
          .min(100)
          .default(5_000)
          .describe("Talon pings the socket this often; no pong before the next ping means the link is dead (ms)."),
        refreshGraceMs: z
          .number()
          .int()
          .min(0)
          .default(10_000)
          .describe("After a `warning` or `refresh_requested`, how long the old socket may still deliver before Talon closes it (ms)."),
      })
      .prefault({})
      .describe("Socket Mode keepalive and refresh."),
  })
  .superRefine((config, issues) => {
    if (config.mode === "socket" && !config.appToken)
      issues.addIssue({ code: "custom", path: ["appToken"], message: 'Socket Mode needs appToken (xapp-…), or set mode = "http"' });
    if (config.mode === "http" && !config.signingSecret)
      issues.addIssue({ code: "custom", path: ["signingSecret"], message: "mode http needs signingSecret to verify Slack's requests" });
  });

/** One Slack account's config, after defaults. */
export type SlackConfig = z.output<typeof configSchema>;
