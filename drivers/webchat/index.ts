/**
 * webchat: a chat page served on Talon's own port. A person opens it, types, sees their message
 * and the defender's decision on it, and sees the replies sent to them through `send` (the chat
 * id is the visitor id shown in `channel.message` events). Loopback-only unless an access key is
 * configured; the page never needs the operator's gateway token.
 */
import { randomBytes } from "node:crypto";
import { DriverNotFoundError, defineChannelDriver, secret, z } from "@talon/sdk";
import { webchatRoutes } from "./routes.ts";
import { Visitors, isVisitorId } from "./visitors.ts";

const DRIVER_ID = "webchat";
/** Keep-alive comment interval on event streams (proxies close idle connections). */
const PING_INTERVAL_MS = 15_000;

export const configSchema = z.strictObject({
  accessKey: secret(
    z
      .string()
      .min(16, "use an access key of at least 16 characters")
      .optional()
      .describe("Let other machines chat when they present this key (at least 16 characters); without it, loopback only."),
  ),
  path: z
    .string()
    .regex(/^\/[A-Za-z0-9/_.-]*[A-Za-z0-9_.-]$/)
    .optional()
    .describe("Where the page is served; default `/webchat` (`/webchat/<accountId>` for other accounts)."),
  title: z.string().max(100).default("Talon WebChat").describe("Page title."),
  maxVisitors: z
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(1_000)
    .describe("Visitors remembered in memory (least recently active are forgotten first)."),
  maxStreams: z.number().int().min(1).max(100_000).default(500).describe("Open event streams across all visitors."),
});

/** One webchat account's config. */
export type WebchatConfig = z.output<typeof configSchema>;

export default defineChannelDriver({
  id: DRIVER_ID,
  version: "0.1.0",
  hostRange: "^0.1.0",
  meta: {
    label: "WebChat",
    detailLabel: "Talon WebChat page",
    blurb: "A chat page on Talon's own port.",
    docsPath: "drivers/webchat/README.md",
    mode: "local",
  },
  capabilities: { chatTypes: ["direct"], edit: true, delete: true, typing: true },
  // Seed-defender §8.6: webchat sends one paragraph per message.
  limits: { text: 4000, chunkMode: "newline", sendsPerSecond: 100, burst: 100 },
  configSchema,
  create(ctx) {
    const config = ctx.config;
    const basePath = config.path ?? (ctx.accountId === "default" ? "/webchat" : `/webchat/${ctx.accountId}`);
    // The token secret is loaded (or created) in the store at start, so visitor tokens survive restarts.
    const visitors = new Visitors(config.maxVisitors);
    let ping: NodeJS.Timeout | undefined;
    for (const route of webchatRoutes(ctx, {
      basePath,
      accessKey: config.accessKey,
      visitors,
      maxStreams: config.maxStreams,
      title: config.title,
    })) {
      ctx.registerHttpRoute(route);
    }
    const visitorFor = (chatId: string) => {
      if (!isVisitorId(chatId))
        throw new DriverNotFoundError(DRIVER_ID, `no webchat visitor ${JSON.stringify(chatId)}; reply to the chatId of a webchat message`);
      return chatId;
    };
    let sequence = 0;
    return {
      async start() {
        let secret = await ctx.store.get<string>("token-secret");
        if (!secret) {
          secret = randomBytes(32).toString("hex");
          await ctx.store.set("token-secret", secret);
        }
        visitors.useSecret(secret);
        ping = setInterval(() => visitors.ping(), PING_INTERVAL_MS);
        ping.unref();
      },
      stop() {
        clearInterval(ping);
        visitors.closeAll();
      },
      async send(chunk) {
        const visitorId = visitorFor(chunk.chatId);
        const messageId = `wc-${Date.now().toString(36)}-${(++sequence).toString(36)}`;
        visitors.push(visitorId, { type: "message", direction: "out", id: messageId, text: chunk.text, ts: Date.now() });
        return { messageId };
      },
      async edit(ref, text) {
        const visitorId = visitorFor(ref.chatId);
        visitors.update(visitorId, (event) => {
          if (event.type === "message" && event.id === ref.messageId) event.text = text;
        });
        visitors.push(visitorId, { type: "edit", id: ref.messageId, text });
      },
      async delete(ref) {
        const visitorId = visitorFor(ref.chatId);
        visitors.push(visitorId, { type: "delete", id: ref.messageId });
      },
      async typing(target) {
        visitors.push(visitorFor(target.chatId), { type: "typing" });
      },
    };
  },
});
