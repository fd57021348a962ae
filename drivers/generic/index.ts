/**
 * generic: a channel over plain HTTPS webhooks, for systems without a dedicated driver. Inbound:
 * the sender POSTs signed JSON messages to Talon's port; outbound: Talon POSTs signed JSON to
 * `outboundUrl`. Both directions use HMAC-SHA256 over the timestamp and the body.
 */
import { DriverValidationError, defineChannelDriver, z } from "@talon/sdk";
import { postEvent } from "./api.ts";
import { createWebhookHandler } from "./webhook.ts";

const DRIVER_ID = "generic";
/** Largest inbound request (bytes); a batch of 100 messages fits. */
const MAX_BODY_BYTES = 1024 * 1024;

export const configSchema = z.strictObject({
  /** Shared secret for inbound signatures (at least 16 characters). */
  secret: z.string().min(16, "use a secret of at least 16 characters"),
  /** Where replies are POSTed; without it the account only receives. */
  outboundUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** Secret for outbound signatures; defaults to `secret`. */
  outboundSecret: z.string().min(16).optional(),
  /** Oldest accepted request age (seconds). Keep it below the runtime's dedupe window (300 s) minus 60 s. */
  replayWindowSecs: z.number().int().min(10).max(3600).default(240),
  /** Inbound path on Talon's port; default `/channels/generic/<accountId>`. */
  path: z.string().regex(/^\/[A-Za-z0-9/_.-]*$/).optional(),
  /** Time limit of one outbound POST (ms). */
  timeoutMs: z.number().int().min(100).default(10_000),
});

/** One generic account's config. */
export type GenericConfig = z.output<typeof configSchema>;

export default defineChannelDriver({
  id: DRIVER_ID,
  version: "0.1.0",
  hostRange: "^0.1.0",
  meta: { label: "Generic webhook", detailLabel: "Generic HTTPS webhook", blurb: "Signed JSON webhooks in and out, for any system.", docsPath: "drivers/generic/README.md", mode: "webhook" },
  capabilities: { chatTypes: ["direct", "group", "channel"], threads: true, media: true },
  limits: { text: 4000, sendsPerSecond: 50 },
  configSchema,
  create(ctx) {
    const config = ctx.config;
    ctx.registerHttpRoute({
      method: "POST",
      path: config.path ?? `/channels/${DRIVER_ID}/${ctx.accountId}`,
      maxBodyBytes: MAX_BODY_BYTES,
      handler: createWebhookHandler(ctx, { secret: config.secret, replayWindowSecs: config.replayWindowSecs }),
    });
    return {
      start() {},
      stop() {},
      async send(chunk) {
        if (!config.outboundUrl) {
          throw new DriverValidationError(DRIVER_ID, `account ${ctx.accountId} has no outboundUrl; it can only receive`);
        }
        const messageId = await postEvent(
          { driver: DRIVER_ID, url: config.outboundUrl, secret: config.outboundSecret ?? config.secret, timeoutMs: config.timeoutMs, signal: ctx.signal },
          { type: "message", accountId: ctx.accountId, ...chunk },
        );
        return { messageId };
      },
    };
  },
});
