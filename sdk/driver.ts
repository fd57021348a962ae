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
import type { z } from "zod";
import type { ChatType } from "./action.ts";
import { driverPluginConfigSchema, type DriverPluginConfig } from "./driver-config.ts";
import { ENV_VARIABLE_NAME, type DriverEnvBindings } from "./driver-env.ts";
import type {
  AttachmentContent,
  AttachmentRef,
  InboundDraft,
  MessageRef,
  OperationContext,
  OutboundChunk,
  PollDraft,
  ReceiveResult,
  SentMessage,
  TypingTarget,
} from "./driver-messages.ts";
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
  /** Most characters (UTF-16 units) per text message. Default: the known channels' table (`CHANNEL_PLATFORMS`), else 4000. */
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
  /**
   * Download an inbound attachment the driver announced by id (`Attachment.id`), refusing more
   * than `options.maxBytes`. Optional and needs no capability: inbound files are fetched only when
   * someone asks (`ctx.channels.fetchAttachment`); without it the core answers NOT_SUPPORTED.
   */
  fetchAttachment?(ref: AttachmentRef, options: { maxBytes: number }): Promise<AttachmentContent>;
  /** Forget stored credentials or sessions (`channels.logout`). */
  logout?(): Promise<{ cleared: boolean }>;
  /**
   * What the driver knows beyond the core's snapshot (a gateway session, the platform's
   * rate-limit buckets, a queue's depth), shown as the account's `details` in `channels.status`.
   * Called on every status request: keep it cheap and JSON-safe, and never include a token or secret.
   */
  status?(): Record<string, unknown>;
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
  /** Other spellings of the id that mean this channel (`tg` for telegram); the core resolves them everywhere. */
  readonly aliases?: readonly string[];
  /** The platform's own chat-type words the driver may pass as `chatType` (`private` → `direct`). */
  readonly chatTypeAliases?: Readonly<Record<string, ChatType>>;
  /** One account's config. Users may also list several under `accounts`. */
  readonly configSchema?: z.ZodType<C>;
  /**
   * Account keys the environment may fill when the config leaves them out, for the default account
   * only (`{ botToken: "SLACK_BOT_TOKEN" }`). Mark those keys `secret()` when they are credentials.
   */
  readonly env?: DriverEnvBindings;
  /** Build the driver for one account. Called during plugin setup; no network here. */
  create(ctx: DriverContext<C>): ChannelDriver;
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
  if (
    definition.aliases !== undefined &&
    (!Array.isArray(definition.aliases) || definition.aliases.some((a) => typeof a !== "string" || a.trim() === ""))
  )
    problems.push("aliases must be a list of non-blank strings");
  for (const [word, type] of Object.entries(definition.chatTypeAliases ?? {}))
    if (!["direct", "group", "channel"].includes(type)) problems.push(`chatTypeAliases.${word} must be direct, group or channel`);
  for (const [key, variable] of Object.entries(definition.env ?? {}))
    if (typeof variable !== "string" || !ENV_VARIABLE_NAME.test(variable))
      problems.push(`env.${key} must name an environment variable (A-Z, 0-9, _)`);
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
    configSchema: driverPluginConfigSchema(driver.configSchema, driver.env),
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
