/**
 * slack: Slack workspaces through Socket Mode (a WebSocket Talon opens with the app-level token)
 * or the Events API (Slack POSTs signed events to Talon's port), and the Web API for replies,
 * edits, deletions and reactions. Every inbound message is stored by Talon before Slack is
 * acknowledged, then screened by the defender under its session key.
 */
import { DriverNetworkError, DriverValidationError, LruMap, defineChannelDriver, type ChannelDriver, type OutboundChunk } from "@talon/sdk";
import { configSchema } from "./config.ts";
import { slackReactionName } from "./emoji.ts";
import { MAX_FUTURE_SKEW_SECS, REPLAY_WINDOW_SECS, createEventsHandler } from "./events-http.ts";
import { EventIntake } from "./intake.ts";
import { escapeSlackText, messageRefOf, type SlackIdentity } from "./normalize.ts";
import { SocketModeLink } from "./socket-mode.ts";
import { createSlackApi } from "./web-api.ts";

export { configSchema, type SlackConfig } from "./config.ts";

const DRIVER_ID = "slack";
/** Account keys the default account may take from the environment (as upstream OpenClaw reads them). */
export const SLACK_ENV = { botToken: "SLACK_BOT_TOKEN", appToken: "SLACK_APP_TOKEN", signingSecret: "SLACK_SIGNING_SECRET" } as const;
/**
 * `chat.postMessage` text: Slack asks apps to keep it to 4,000 characters and truncates past
 * 40,000 (platforms.md §3.5, anchors.md). 4,000 is the limit the spec's table gives Slack and the
 * one upstream used; past it a long reply reads better as several messages than as one wall.
 */
const TEXT_LIMIT = 4_000;
/** Largest Events API request accepted: an event with a 40,000-character message fits easily. */
const MAX_EVENT_BYTES = 1024 * 1024;
/** Multi-chunk replies whose thread came from `replyTo` (remembered for their later chunks). */
const REPLY_THREADS_MAX = 1_000;

/** The message's own key: the core keys chunk `i` of a message `<key>:<i>`. */
function messageKeyOf(chunk: OutboundChunk): string {
  const suffix = `:${chunk.index}`;
  return chunk.idempotencyKey.endsWith(suffix) ? chunk.idempotencyKey.slice(0, -suffix.length) : chunk.idempotencyKey;
}

export default defineChannelDriver({
  id: DRIVER_ID,
  version: "0.1.0",
  hostRange: "^0.1.0",
  meta: {
    label: "Slack",
    detailLabel: "Slack (Socket Mode or Events API)",
    blurb: "Slack workspaces through Socket Mode or the Events API, replies through the Web API.",
    docsPath: "drivers/slack/README.md",
    mode: "socket",
  },
  capabilities: { chatTypes: ["direct", "group", "channel"], threads: true, reactions: true, edit: true, delete: true },
  // chat.postMessage: about 1 message per second per channel with short bursts; 429 beyond.
  limits: { text: TEXT_LIMIT, sendsPerSecond: 10, burst: 20, perChatPerSecond: 1 },
  chatTypeAliases: { im: "direct", mpim: "group" },
  env: SLACK_ENV,
  configSchema,
  create(ctx): ChannelDriver {
    const config = ctx.config;
    if (config.mode === "http" && (REPLAY_WINDOW_SECS + MAX_FUTURE_SKEW_SECS) * 1000 > ctx.dedupeTtlMs) {
      throw new DriverValidationError(
        DRIVER_ID,
        `account ${ctx.accountId}: Slack requests stay replayable for ${REPLAY_WINDOW_SECS + MAX_FUTURE_SKEW_SECS} s, longer than runtime.dedupeTtlMs (${ctx.dedupeTtlMs} ms), so a replayed request could be admitted twice; raise runtime.dedupeTtlMs to at least ${(REPLAY_WINDOW_SECS + MAX_FUTURE_SKEW_SECS) * 1000}`,
      );
    }
    const common = { apiBase: config.apiBase, timeoutMs: config.requestTimeoutMs, signal: () => ctx.signal, log: ctx.log };
    const api = createSlackApi({ ...common, token: config.botToken, tokenKind: "botToken" });
    const appApi = config.appToken ? createSlackApi({ ...common, token: config.appToken, tokenKind: "appToken" }) : undefined;
    let identity: SlackIdentity | undefined;
    const intake = new EventIntake(ctx, { allowBots: config.allowBots, identity: () => identity });
    if (config.mode === "http") {
      ctx.registerHttpRoute({
        method: "POST",
        path: config.webhookPath ?? `/channels/${DRIVER_ID}/${ctx.accountId}`,
        maxBodyBytes: MAX_EVENT_BYTES,
        handler: createEventsHandler(ctx, intake, config.signingSecret!),
      });
    }
    let link: SocketModeLink | undefined;
    // The core gives `replyTo` to the first chunk only; every chunk of a reply belongs in its thread.
    const replyThreads = new LruMap<string, string>(REPLY_THREADS_MAX);
    const threadOf = (chunk: OutboundChunk): string | undefined => {
      if (chunk.threadId) return messageRefOf(chunk.threadId, chunk.chatId).ts;
      if (chunk.replyTo) {
        const ts = messageRefOf(chunk.replyTo, chunk.chatId).ts;
        if (chunk.total > 1) replyThreads.set(messageKeyOf(chunk), ts);
        return ts;
      }
      return chunk.index > 0 ? replyThreads.get(messageKeyOf(chunk)) : undefined;
    };

    const openSocketUrl = async (): Promise<string> => {
      const opened = await appApi!.call<{ url?: string }>("apps.connections.open");
      if (typeof opened.url !== "string" || !/^wss?:\/\//.test(opened.url))
        throw new DriverNetworkError(DRIVER_ID, "apps.connections.open answered without a WebSocket URL");
      return opened.url;
    };

    const startSocket = async (): Promise<void> => {
      const current: SocketModeLink = new SocketModeLink({
        openUrl: openSocketUrl,
        helloTimeoutMs: config.socket.helloTimeoutMs,
        pingIntervalMs: config.socket.pingIntervalMs,
        refreshGraceMs: config.socket.refreshGraceMs,
        log: ctx.log,
        onEnvelope(envelope, ack) {
          if (envelope.type !== "events_api") {
            // Slash commands and interactivity are not supported; acknowledged so Slack stops resending.
            ack();
            ctx.log.debug({ type: envelope.type }, "Slack envelope type not supported; acknowledged");
            return;
          }
          if (envelope.retry_attempt)
            ctx.log.debug({ envelope: envelope.envelope_id, attempt: envelope.retry_attempt }, "Slack redelivered an envelope");
          intake.accept(envelope.payload).then(
            (result) => {
              if (result.ack) ack();
            },
            (error) => ctx.log.error({ err: error }, "Slack envelope could not be handled; Slack will deliver it again"),
          );
        },
        onLost: (error) => {
          if (link === current) ctx.connectionLost(error);
        },
        onDisabled: (error) => {
          if (link === current) ctx.connectionLost(error);
        },
      });
      link = current;
      await current.open();
    };

    return {
      async start() {
        const auth = await api.call<{ user_id?: string; bot_id?: string; team_id?: string }>("auth.test");
        if (typeof auth.user_id !== "string" || auth.user_id === "")
          throw new DriverNetworkError(DRIVER_ID, "auth.test answered without user_id");
        identity = { userId: auth.user_id };
        if (typeof auth.bot_id === "string") identity.botId = auth.bot_id;
        if (typeof auth.team_id === "string") identity.teamId = auth.team_id;
        if (config.mode === "socket") await startSocket();
      },
      async stop() {
        const current = link;
        link = undefined;
        await current?.close();
      },
      async send(chunk) {
        const args: Record<string, unknown> = {
          channel: chunk.chatId,
          text: escapeSlackText(chunk.text),
          // Links in replies are not previewed: an unfurl makes Slack fetch whatever a reply names.
          unfurl_links: false,
          unfurl_media: false,
        };
        // Slack has no reply-to: a reply goes into the thread of the message it answers.
        const thread = threadOf(chunk);
        if (thread) args.thread_ts = thread;
        const sent = await api.call<{ ts?: string; channel?: string }>("chat.postMessage", args);
        if (typeof sent.ts !== "string") throw new DriverNetworkError(DRIVER_ID, "chat.postMessage answered without ts");
        return { messageId: `${typeof sent.channel === "string" ? sent.channel : chunk.chatId}:${sent.ts}` };
      },
      async edit(ref, text) {
        const { channel, ts } = messageRefOf(ref.messageId, ref.chatId);
        await api.call("chat.update", { channel, ts, text: escapeSlackText(text) });
      },
      async delete(ref) {
        const { channel, ts } = messageRefOf(ref.messageId, ref.chatId);
        await api.call("chat.delete", { channel, ts });
      },
      async react(ref, emoji) {
        const { channel, ts } = messageRefOf(ref.messageId, ref.chatId);
        await api.call("reactions.add", { channel, timestamp: ts, name: slackReactionName(emoji) }, { tolerate: ["already_reacted"] });
      },
    };
  },
});
