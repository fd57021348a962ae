/**
 * talon-driver-matrix: an example third-party Talon channel driver for Matrix, written only
 * against @talon/sdk. Talon's core does the chunking, pacing, retries, dedupe, echo suppression,
 * mention gating and reconnects; this package only speaks Matrix's client-server API.
 *
 * Load it from a path in Talon's config:
 *   [plugins]
 *   load = ["./examples/driver-matrix"]
 *   [plugins.entries.matrix.config]
 *   homeserver = "https://matrix.example.org"
 *   accessToken = "syt_..."
 */
import { DriverNetworkError, defineChannelDriver, secret, z } from "@talon/sdk";
import { createClient, segment } from "./api.ts";
import { DRIVER_ID } from "./constants.ts";
import { editContent, messageContent, reactionContent } from "./format.ts";
import { SyncLoop } from "./sync.ts";

/** Matrix has no hard text limit; upstream OpenClaw chunks Matrix text at 4000 characters. */
const TEXT_MAX_CHARS = 4000;
/** Synapse's default rate limit is about 0.17 messages/s sustained with bursts of 10 per user. */
const SENDS_PER_SECOND = 5;

export const configSchema = z.strictObject({
  /** Base URL of the homeserver, e.g. `https://matrix.example.org`. */
  homeserver: z.url({ protocol: /^https?$/ }),
  /** The bot user's access token (marked secret: Talon keeps it out of logs, status and quarantine). */
  accessToken: secret(z.string().min(1)),
  /** Long-poll timeout of `/sync` (ms). */
  syncTimeoutMs: z.number().int().min(0).max(120_000).default(30_000),
  /** Time limit of every other request (ms). */
  requestTimeoutMs: z.number().int().min(100).default(15_000),
});

/** One Matrix account's config. */
export type MatrixConfig = z.output<typeof configSchema>;

export default defineChannelDriver({
  id: DRIVER_ID,
  version: "0.1.0",
  hostRange: "^0.1.0",
  meta: {
    label: "Matrix",
    blurb: "Matrix rooms through the client-server API.",
    docsPath: "examples/driver-matrix/README.md",
    mode: "polling",
  },
  capabilities: { chatTypes: ["direct", "group"], threads: true, reactions: true, edit: true, delete: true, typing: true },
  limits: { text: TEXT_MAX_CHARS, sendsPerSecond: SENDS_PER_SECOND, burst: 10 },
  configSchema,
  create(ctx) {
    const config = ctx.config;
    const client = createClient(config.homeserver, config.accessToken, config.requestTimeoutMs);
    let loop: SyncLoop | undefined;
    let botUserId: string | undefined;
    // The core's idempotency key is stable across its retries: as the transaction id, the
    // homeserver stores the event once even if an earlier attempt landed but its answer was lost.
    const txn = (key: string) => segment(`talon.${key}`);
    const put = (path: string, body: unknown) => client.request<{ event_id: string }>("PUT", path, { body, signal: ctx.signal });

    return {
      async start() {
        const whoami = await client.request<{ user_id: string }>("GET", "account/whoami", { signal: ctx.signal });
        botUserId = whoami.user_id;
        loop = new SyncLoop({
          client,
          store: ctx.store,
          botUserId,
          timeoutMs: config.syncTimeoutMs,
          log: ctx.log,
          receive: (draft) => ctx.receive(draft),
          connectionLost: (error) => ctx.connectionLost(error),
        });
        await loop.begin();
        loop.run();
      },
      async stop() {
        await loop?.stop();
        loop = undefined;
      },
      async send(chunk) {
        const sent = await put(`rooms/${segment(chunk.chatId)}/send/m.room.message/${txn(chunk.idempotencyKey)}`, messageContent(chunk));
        return { messageId: sent.event_id };
      },
      async edit(ref, text, operation) {
        await put(`rooms/${segment(ref.chatId)}/send/m.room.message/${txn(operation.idempotencyKey)}`, editContent(ref.messageId, text));
      },
      async delete(ref, operation) {
        await put(`rooms/${segment(ref.chatId)}/redact/${segment(ref.messageId)}/${txn(operation.idempotencyKey)}`, {});
      },
      async react(ref, emoji, operation) {
        await put(`rooms/${segment(ref.chatId)}/send/m.reaction/${txn(operation.idempotencyKey)}`, reactionContent(ref.messageId, emoji));
      },
      async typing(target) {
        if (!botUserId) throw new DriverNetworkError(DRIVER_ID, "not connected yet");
        await client.request("PUT", `rooms/${segment(target.chatId)}/typing/${segment(botUserId)}`, {
          body: { typing: true, timeout: 10_000 },
          signal: ctx.signal,
        });
      },
    };
  },
});
