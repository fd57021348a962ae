/**
 * generic: a channel over plain HTTPS webhooks, for systems without a dedicated driver. Inbound:
 * the sender POSTs signed JSON messages to Talon's port; outbound: Talon POSTs signed JSON to
 * `outboundUrl`. Both directions use HMAC-SHA256 over the timestamp and the body.
 */
import { DriverValidationError, defineChannelDriver, secret, z } from "@talon/sdk";
import { postEvent } from "./api.ts";
import { MAX_FUTURE_SKEW_SECS } from "./signature.ts";
import { createWebhookHandler } from "./webhook.ts";

const DRIVER_ID = "generic";
/** Largest inbound request (bytes); a batch of 100 messages fits. */
const MAX_BODY_BYTES = 1024 * 1024;

export const configSchema = z.strictObject({
  secret: secret(
    z.string().min(16, "use a secret of at least 16 characters").describe("Shared secret for inbound signatures (at least 16 characters)."),
  ),
  outboundUrl: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe("Where replies are POSTed; without it the account only receives."),
  outboundSecret: secret(z.string().min(16).optional().describe("Secret for outbound signatures; defaults to `secret`.")),
  replayWindowSecs: z
    .number()
    .int()
    .min(10)
    .max(3600)
    .default(240)
    .describe(
      "Oldest accepted request age (seconds). With the 60 s of allowed clock skew it must fit in the runtime's dedupe window (`runtime.dedupeTtlMs`, 300 s by default), or a signed request replayed after its id is forgotten would be admitted again; a longer window is refused.",
    ),
  path: z
    .string()
    .regex(/^\/[A-Za-z0-9/_.-]*$/)
    .optional()
    .describe("Inbound path on Talon's port; default `/channels/generic/<accountId>`."),
  timeoutMs: z.number().int().min(100).default(10_000).describe("Time limit of one outbound POST (ms)."),
});

/** One generic account's config. */
export type GenericConfig = z.output<typeof configSchema>;

export default defineChannelDriver({
  id: DRIVER_ID,
  version: "0.1.0",
  hostRange: "^0.1.0",
  meta: {
    label: "Generic webhook",
    detailLabel: "Generic HTTPS webhook",
    blurb: "Signed JSON webhooks in and out, for any system.",
    docsPath: "drivers/generic/README.md",
    mode: "webhook",
  },
  capabilities: { chatTypes: ["direct", "group", "channel"], threads: true, media: true },
  limits: { text: 4000, sendsPerSecond: 50 },
  configSchema,
  create(ctx) {
    const config = ctx.config;
    // A captured request stays valid from its timestamp (up to the skew ahead of the clock) until
    // the window closes; the core must still remember its message ids for all of that time.
    const replayableMs = (config.replayWindowSecs + MAX_FUTURE_SKEW_SECS) * 1000;
    if (replayableMs > ctx.dedupeTtlMs) {
      throw new DriverValidationError(
        DRIVER_ID,
        `account ${ctx.accountId}: replayWindowSecs (${config.replayWindowSecs}) plus ${MAX_FUTURE_SKEW_SECS} s of clock skew exceeds runtime.dedupeTtlMs (${ctx.dedupeTtlMs} ms), so a replayed request could be admitted twice; lower replayWindowSecs to at most ${Math.floor(ctx.dedupeTtlMs / 1000) - MAX_FUTURE_SKEW_SECS} or raise runtime.dedupeTtlMs to at least ${replayableMs}`,
      );
    }
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
          {
            driver: DRIVER_ID,
            url: config.outboundUrl,
            secret: config.outboundSecret ?? config.secret,
            timeoutMs: config.timeoutMs,
            signal: ctx.signal,
          },
          { type: "message", accountId: ctx.accountId, ...chunk },
        );
        return { messageId };
      },
    };
  },
});
