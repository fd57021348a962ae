/**
 * `defineChannelDriver`: how a chat platform plugs into Talon. A driver only converts between its
 * platform's wire format and Talon's normalised messages; the core channel runtime supplies the
 * behaviour every driver needs (chunking, rate limits, retries, dedupe, echo suppression, mention
 * gating, session keys, the defender, status, reconnects). A driver is a plugin: the definition
 * returned here is loaded exactly like any `definePlugin` plugin.
 *
 * @example
 * export default defineChannelDriver({
 *   id: "matrix", version: "1.0.0", meta: { label: "Matrix" },
 *   capabilities: { chatTypes: ["direct", "group"], edit: true },
 *   limits: { text: 4000 },
 *   configSchema: z.object({ homeserver: z.string().url(), token: z.string() }),
 *   create(ctx) {
 *     return { start, stop, send: (chunk) => api.send(chunk), edit: (ref, text) => api.edit(ref, text) };
 *   },
 * });
 */
import { z } from "zod";
import type { ChatType } from "./action.ts";
import type { Attachment, InboundMessage, MessageSender } from "./channel.ts";
import type { Decision } from "./action.ts";
import { PluginLoadError } from "./errors.ts";
import {
  definePlugin,
  type BrandedPluginDefinition,
  type HostInfo,
  type HttpRoute,
  type Logger,
  type PluginContext,
  type Store,
} from "./plugin.ts";

const DRIVER_BRAND = Symbol.for("talon.channel-driver");

/** What a platform can do. An optional driver method exists exactly when its capability is declared. */
export interface DriverCapabilities {
  /** Chat types the platform delivers (`direct`, `group`, `channel`). */
  readonly chatTypes: readonly ChatType[];
  /** Messages can be sent into a thread or topic (`threadId`). */
  readonly threads?: boolean;
  /** Attachments (images, files) can be sent. */
  readonly media?: boolean;
  /** `react(ref, emoji)` is implemented. */
  readonly reactions?: boolean;
  /** `edit(ref, text)` is implemented. */
  readonly edit?: boolean;
  /** `delete(ref)` is implemented. */
  readonly delete?: boolean;
  /** `poll(poll)` is implemented. */
  readonly polls?: boolean;
  /** `typing(target)` is implemented. */
  readonly typing?: boolean;
}

/** The platform's limits; the core chunks, paces and validates against them. */
export interface DriverLimits {
  /** Most characters (UTF-16 units) per text message. Default: the core's table for the driver id, else 4000. */
  readonly text?: number;
  /** Most characters in a media caption. */
  readonly caption?: number;
  /** Largest attachment in bytes. */
  readonly mediaBytes?: number;
  /** Most lines per message (Discord: 17). */
  readonly lines?: number;
  /** `length` packs text up to the limit; `newline` sends one paragraph per message. Default `length`. */
  readonly chunkMode?: "length" | "newline";
  /** Sustained sends per second per account (token bucket). Default 30. */
  readonly sendsPerSecond?: number;
  /** Sends that may go out back to back before pacing starts. Default = sendsPerSecond. */
  readonly burst?: number;
  /** Sustained sends per second to one chat. Default: no per-chat pacing. */
  readonly perChatPerSecond?: number;
  /** Most options in a poll. Default 12. */
  readonly pollOptions?: number;
}

/** How the driver is shown in `channels.status` and UIs. */
export interface DriverMeta {
  /** Display name, e.g. `Matrix`. */
  readonly label: string;
  /** Longer label for detail views; default = label. */
  readonly detailLabel?: string;
  /** One sentence about the driver. */
  readonly blurb?: string;
  /** Where its docs live (path or URL). */
  readonly docsPath?: string;
  /** How it reaches the platform, shown in `channels.status` (`polling`, `webhook`, `socket`, `local`). Default `polling`. */
  readonly mode?: string;
}

/** What a driver hands to `ctx.receive`: a normalised message without the fields the core fills in. */
export interface InboundDraft {
  /** Platform message id, unique per account. */
  id: string;
  /** `direct`, `group` or `channel`; aliases such as `dm` are accepted. */
  chatType: ChatType | string;
  chatId: string;
  threadId?: string;
  sender: MessageSender;
  text: string;
  /** Ids or handles mentioned in the message. */
  mentions?: string[];
  /** The bot itself was mentioned; leave it out when the platform cannot tell. */
  wasMentioned?: boolean;
  replyTo?: string;
  attachments?: Attachment[];
  /** The platform payload (kept for debugging; never sent to clients). */
  raw?: unknown;
  /** When the platform says the message was sent (ms); default now. */
  receivedAt?: number;
}

/** What happened to a message once the core finished with it. */
export interface InboundOutcome {
  /**
   * `decided`: the defender reached a decision; `gated`: a group message that did not mention the
   * bot (mention gating); `ignored` / `superseded`: the defender's scheduler skipped it;
   * `failed`: processing failed (the message stays in the inbox and is replayed on restart).
   */
  status: "decided" | "gated" | "ignored" | "superseded" | "failed";
  sessionKey: string;
  message: InboundMessage;
  decision?: Decision;
  reason?: string;
}

/**
 * The answer to `ctx.receive`. Acknowledge the platform (HTTP 2xx, an ACK frame, an advanced
 * offset) only once this resolves: an admitted message is stored durably and is never lost.
 */
export type ReceiveResult =
  /** Stored in the inbox; `outcome` settles (never rejects) when the defender has decided. */
  | { status: "admitted"; sessionKey: string; outcome: Promise<InboundOutcome> }
  /** Seen within the dedupe window (a platform redelivery); acknowledge it again. */
  | { status: "duplicate" }
  /** The driver's own message coming back; acknowledge and forget it. */
  | { status: "echo" }
  /** An `inbound` tap cancelled it. */
  | { status: "cancelled" };

/** One message for the platform, after the core's outbound hook and chunker. */
export interface OutboundChunk {
  chatId: string;
  chatType?: ChatType;
  threadId?: string;
  /** At most `limits.text` characters (and `limits.lines` lines); may be empty when only attachments go. */
  text: string;
  replyTo?: string;
  /** Only on the first chunk, and only when the driver declares `media`. */
  attachments?: Attachment[];
  /** Position of this chunk in its message (0-based) and the chunk count. */
  index: number;
  total: number;
  /**
   * Stable for this chunk across the core's retries, and across a resumed send with the same
   * idempotency key: pass it to the platform's own idempotency mechanism where there is one
   * (Matrix transaction ids, Telegram has none), so a retry after a lost answer never posts twice.
   */
  idempotencyKey: string;
}

/** What the core passes with every edit, delete, reaction and poll. */
export interface OperationContext {
  /** Stable across the core's retries of this one operation (see {@link OutboundChunk.idempotencyKey}). */
  idempotencyKey: string;
}

/** The platform's id for what was sent: proof the platform accepted it. */
export interface SentMessage {
  messageId: string;
}

/** A message on the platform, for edit, delete and react. */
export interface MessageRef {
  chatId: string;
  messageId: string;
  threadId?: string;
}

/** Where a typing indicator goes. */
export interface TypingTarget {
  chatId: string;
  threadId?: string;
}

/** A poll, validated by the core before it reaches the driver. */
export interface PollDraft {
  chatId: string;
  threadId?: string;
  question: string;
  options: string[];
  maxSelections?: number;
  durationSeconds?: number;
  anonymous?: boolean;
}

/** What `create` returns. Optional methods exist exactly when their capability is declared. */
export interface ChannelDriver {
  /** Connect (or start listening). Throwing marks the account failed; the core retries with backoff. */
  start(): void | Promise<void>;
  /** Disconnect and release everything; nothing of the driver may keep running afterwards. */
  stop(): void | Promise<void>;
  /** Send one chunk. Throw a `Driver*Error` so the core knows whether to retry. */
  send(chunk: OutboundChunk): Promise<SentMessage>;
  edit?(ref: MessageRef, text: string, operation: OperationContext): Promise<void>;
  delete?(ref: MessageRef, operation: OperationContext): Promise<void>;
  react?(ref: MessageRef, emoji: string, operation: OperationContext): Promise<void>;
  typing?(target: TypingTarget): Promise<void>;
  poll?(poll: PollDraft, operation: OperationContext): Promise<SentMessage & { pollId?: string }>;
  /** Forget stored credentials or sessions (`channels.logout`). */
  logout?(): Promise<{ cleared: boolean }>;
}

/** What `create` receives, once per configured account. */
export interface DriverContext<C = unknown> {
  /** The driver id (= plugin name = session-key channel). */
  readonly driverId: string;
  /** Account id (`default` for the single-account shorthand). */
  readonly accountId: string;
  /** This account's validated config. */
  readonly config: C;
  /** Logger with `plugin`, `channel` and `account` fields. */
  readonly log: Logger;
  /** This account's own namespace of the plugin store. */
  readonly store: Store;
  readonly host: HostInfo;
  /** Aborted when the account stops; pass it to requests and timers. */
  readonly signal: AbortSignal;
  /**
   * How long the core remembers an admitted message id (`runtime.dedupeTtlMs`): a redelivery
   * within it is a duplicate. A driver that accepts replayable requests (signed webhooks) must
   * not accept them for longer than this.
   */
  readonly dedupeTtlMs: number;
  /** Hand a received message to the core. Acknowledge the platform only after it resolves. */
  receive(message: InboundDraft): Promise<ReceiveResult>;
  /** Report the live connection state (shown in `channels.status`). */
  setConnected(connected: boolean): void;
  /** The live connection broke: the core stops and restarts the account with bounded backoff. */
  connectionLost(error: unknown): void;
  /** Serve an HTTP route on Talon's port (webhooks, pages). Only valid inside `create`. */
  registerHttpRoute(route: HttpRoute): void;
}

/** What a driver author declares. */
export interface ChannelDriverDefinition<C = unknown> {
  /** Kebab-case id: the plugin name, the folder name and the session-key channel. */
  readonly id: string;
  readonly version: string;
  readonly description?: string;
  /** Semver range of Talon versions the driver works with. */
  readonly hostRange?: string;
  readonly meta: DriverMeta;
  readonly capabilities: DriverCapabilities;
  readonly limits?: DriverLimits;
  /** One account's config. Users may also list several under `accounts`. */
  readonly configSchema?: z.ZodType<C>;
  /** Build the driver for one account. Called during plugin setup; no network here. */
  create(ctx: DriverContext<C>): ChannelDriver;
}

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
 * single-account shorthand `{ runtime?, ...<account> }` (account id `default`).
 */
export function driverPluginConfigSchema<C>(account: z.ZodType<C> | undefined) {
  const accountSchema = (account ?? z.object({}).loose()) as z.ZodType<C>;
  return z.preprocess(
    (value) => {
      if (value === undefined || value === null) value = {};
      if (typeof value !== "object" || Array.isArray(value)) return value;
      const { runtime, accounts, ...rest } = value as Record<string, unknown>;
      if (accounts !== undefined) {
        return Object.keys(rest).length > 0 ? { runtime, accounts, unexpected: Object.keys(rest) } : { runtime, accounts };
      }
      if (Object.keys(rest).length === 0) {
        // Nothing configured: a driver that needs no settings runs one default account; one that
        // needs credentials loads idle (no accounts) instead of stopping Talon's start-up.
        return { runtime, accounts: accountSchema.safeParse({}).success ? { default: {} } : {} };
      }
      return { runtime, accounts: { default: rest } };
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

/** A driver definition made by {@link defineChannelDriver}: a plugin that also carries the driver. */
export type ChannelDriverPlugin<C = unknown> = BrandedPluginDefinition<DriverPluginConfig<C>> & {
  readonly channelDriver: ChannelDriverDefinition<C>;
};

const OPTIONAL_METHODS = [
  ["edit", "edit"],
  ["delete", "delete"],
  ["react", "reactions"],
  ["typing", "typing"],
  ["poll", "polls"],
] as const satisfies readonly (readonly [keyof ChannelDriver, keyof DriverCapabilities])[];

/**
 * Problems of a created driver against its declared capabilities: a declared capability without
 * its method, or a method without its capability. Empty when they agree.
 */
export function capabilityMismatches(capabilities: DriverCapabilities, driver: ChannelDriver): string[] {
  const problems: string[] = [];
  for (const [method, capability] of OPTIONAL_METHODS) {
    const has = typeof driver[method] === "function";
    const declared = capabilities[capability] === true;
    if (declared && !has) problems.push(`capability ${capability} is declared but ${method}() is missing`);
    if (has && !declared) problems.push(`${method}() exists but capability ${capability} is not declared`);
  }
  for (const method of ["start", "stop", "send"] as const) {
    if (typeof driver[method] !== "function") problems.push(`${method}() is required`);
  }
  return problems;
}

function checkDefinition(definition: ChannelDriverDefinition<unknown>): void {
  const problems: string[] = [];
  if (typeof definition.id !== "string" || !/^[a-z0-9][a-z0-9-]*$/.test(definition.id))
    problems.push(`id must be kebab-case (got ${JSON.stringify(definition.id)})`);
  if (!definition.meta || typeof definition.meta.label !== "string" || definition.meta.label.trim() === "")
    problems.push("meta.label is required");
  const chatTypes = definition.capabilities?.chatTypes;
  if (!Array.isArray(chatTypes) || chatTypes.length === 0 || chatTypes.some((type) => !["direct", "group", "channel"].includes(type))) {
    problems.push("capabilities.chatTypes must list at least one of direct, group, channel");
  }
  for (const [key, value] of Object.entries(definition.limits ?? {})) {
    if (key === "chunkMode") continue;
    if (typeof value !== "number" || !(value > 0)) problems.push(`limits.${key} must be a positive number`);
  }
  if (typeof definition.create !== "function") problems.push("create(ctx) is required");
  if (problems.length > 0) {
    throw new PluginLoadError("TALON_PLUGIN_MANIFEST", `channel driver ${String(definition.id)} is invalid: ${problems.join("; ")}`, {
      plugin: typeof definition.id === "string" ? definition.id : undefined,
    });
  }
}

/**
 * Declare a channel driver. Returns a plugin definition (default-export it) whose setup registers
 * the driver with the core channel runtime, once per configured account.
 */
export function defineChannelDriver<S extends z.ZodType = z.ZodType<Record<string, unknown>>>(
  definition: Omit<ChannelDriverDefinition<z.output<S>>, "configSchema"> & { configSchema?: S },
): ChannelDriverPlugin<z.output<S>> {
  const driver = Object.freeze({ ...definition }) as unknown as ChannelDriverDefinition<z.output<S>>;
  checkDefinition(driver as ChannelDriverDefinition<unknown>);
  const plugin = definePlugin({
    name: driver.id,
    version: driver.version,
    description: driver.description ?? driver.meta.blurb,
    hostRange: driver.hostRange,
    configSchema: driverPluginConfigSchema(driver.configSchema),
    setup(ctx: PluginContext<DriverPluginConfig<z.output<S>>>) {
      ctx.channels.register(driver as ChannelDriverDefinition<unknown>, ctx as PluginContext<DriverPluginConfig<unknown>>);
    },
  });
  const branded = Object.freeze({ ...plugin, channelDriver: driver, [DRIVER_BRAND]: true });
  return branded as unknown as ChannelDriverPlugin<z.output<S>>;
}

/** True for a value made by {@link defineChannelDriver}, whichever copy of the SDK made it. */
export function isChannelDriverPlugin(value: unknown): value is ChannelDriverPlugin {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[DRIVER_BRAND] === true;
}
