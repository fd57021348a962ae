/**
 * The core channel runtime behind `ctx.channels`: the registry of drivers and their accounts, the
 * inbound and outbound paths every driver shares, the channel RPCs and events, and the lifecycle
 * (start after the gateway listens, stop before the defender drains).
 *
 * State it keeps in the store (namespace `_channels`): the inbox of admitted messages not yet
 * decided, messages set aside after repeated failures (`_channels.dead`), and the dedupe window
 * across a restart.
 */
import {
  ChannelDirectory,
  DriverNetworkError,
  PluginLoadError,
  RpcError,
  TalonError,
  channelRuntimeSettingsSchema,
  driverPluginConfigSchema,
  errorMessage,
  type ChannelDriverDefinition,
  type ChannelsApi,
  type DefenderApi,
  type DriverPluginConfig,
  type Logger,
  type MethodDefinition,
  type OutboundMessage,
  type PluginContext,
  type SendReceipt,
  type Store,
} from "@talon/sdk";
import type { EventBus } from "../events/bus.ts";
import type { HostHooks } from "../hooks.ts";
import type { StoreBackend } from "../state/backend.ts";
import { createNamespacedStore } from "../state/namespaced-store.ts";
import { ChannelAccount } from "./account.ts";
import { chunkText } from "./chunk.ts";
import { effectiveLimits } from "./limits.ts";
import { CHANNEL_MESSAGE_EVENT, InboundPipeline } from "./inbound.ts";
import { Inbox } from "./inbox.ts";
import { CHANNEL_SENT_EVENT, OutboundPipeline } from "./outbound.ts";
import { channelMethods, type ChannelRpcTarget } from "./rpc.ts";
import { buildChannelsStatus, defaultAccountOf } from "./status.ts";
import { withTimeout } from "../runtime/timeout.ts";

/** Store namespace of the runtime's own state (plugins cannot be named with a leading `_`). */
const STORE_NAMESPACE = "_channels";
const DEDUPE_KEY = "dedupe";
/** Dedupe entries carried across a restart (the newest ones). */
const DEDUPE_PERSIST_MAX = 20_000;

export interface ChannelRuntimeDeps {
  log: Logger;
  hooks: HostHooks;
  defender: DefenderApi;
  events: Pick<EventBus, "declare" | "emit">;
  /** The host store (opened by `start`). */
  store(): StoreBackend;
  /** Time limit for draining in-flight messages at stop (ms). */
  stopTimeoutMs(): number;
}

export interface ChannelRuntime extends ChannelRpcTarget {
  /** The API handed to one plugin (drivers register under the plugin's name). */
  apiFor(plugin: string): ChannelsApi;
  /** The channel RPCs, registered by the host. */
  methods(): MethodDefinition[];
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): Record<string, unknown>;
}

export function createChannelRuntime(deps: ChannelRuntimeDeps): ChannelRuntime {
  const registry = new Map<string, ChannelAccount[]>();
  // The SDK's table of known channels, plus each driver's declaration as it registers.
  const directory = new ChannelDirectory();
  let runtimeStore: Store | undefined;
  let inbox: Inbox | undefined;
  deps.events.declare({ name: CHANNEL_MESSAGE_EVENT, scope: "operator.read" }, "talon");
  deps.events.declare({ name: CHANNEL_SENT_EVENT, scope: "operator.read" }, "talon");
  const emit = (name: string, payload: unknown) => deps.events.emit(name, payload);
  const inbound = new InboundPipeline({
    hooks: deps.hooks,
    defender: deps.defender,
    log: deps.log,
    emit,
    inbox: () => {
      if (!inbox) throw new TalonError("TALON_STATE_UNWRITABLE", "the channel inbox is opened when the host starts");
      return inbox;
    },
    chatType: (value, channel) => directory.chatType(value, channel),
  });
  const outbound = new OutboundPipeline({ hooks: deps.hooks, log: deps.log, emit });

  const account = (channel: string, accountId?: string): ChannelAccount => {
    const id = directory.normalizeId(channel);
    const accounts = id ? registry.get(id) : undefined;
    if (!accounts) {
      throw new TalonError("TALON_CHANNEL_UNKNOWN", `no channel driver ${JSON.stringify(channel)} is loaded`, {
        hint: `loaded: ${[...registry.keys()].join(", ") || "none"}`,
      });
    }
    if (accountId === undefined || accountId === "") return defaultAccountOf(accounts)!;
    const found = accounts.find((candidate) => candidate.accountId === accountId);
    if (!found)
      throw new RpcError(
        "TALON_RPC_NOT_FOUND",
        `channel ${id} has no account ${JSON.stringify(accountId)} (accounts: ${accounts.map((a) => a.accountId).join(", ")})`,
      );
    return found;
  };

  const register = (plugin: string, definition: ChannelDriverDefinition<unknown>, context: PluginContext<DriverPluginConfig<unknown>>) => {
    if (definition.id !== plugin) {
      throw new PluginLoadError(
        "TALON_PLUGIN_MANIFEST",
        `plugin ${plugin} registered channel driver ${definition.id}; a driver plugin must be named after its driver id`,
        { plugin },
      );
    }
    if (registry.has(definition.id))
      throw new PluginLoadError("TALON_PLUGIN_DUPLICATE", `channel driver ${definition.id} is registered twice`, { plugin });
    let config = context.config as DriverPluginConfig<unknown> | undefined;
    if (!config || typeof config !== "object" || !("accounts" in config) || !("runtime" in config)) {
      // Registered by a hand-written plugin rather than defineChannelDriver: parse its config here.
      const parsed = driverPluginConfigSchema(definition.configSchema).safeParse(config ?? {});
      if (!parsed.success)
        throw new PluginLoadError(
          "TALON_PLUGIN_CONFIG",
          `channel driver ${definition.id} config is invalid: ${parsed.error.issues[0]?.message}`,
          { plugin },
        );
      config = parsed.data;
    }
    const accounts = Object.entries(config.accounts).map(
      ([accountId, accountConfig]) =>
        new ChannelAccount({
          definition,
          accountId,
          config: accountConfig,
          settings: config.runtime,
          plugin: context,
          receive: (target, draft) => inbound.receive(target, draft),
        }),
    );
    registry.set(definition.id, accounts);
    directory.add({
      id: definition.id,
      aliases: definition.aliases,
      limits: definition.limits,
      chatTypeAliases: definition.chatTypeAliases,
    });
    deps.log.debug({ channel: definition.id, accounts: accounts.map((a) => a.accountId) }, "channel driver registered");
  };

  /**
   * Chunks for a loaded driver's account, or by what is known of the channel (the driver's
   * declaration, else the known channels' table) when that account does not exist: a driver loaded
   * idle (no credentials configured) has no accounts, and a preview must not fail on it.
   */
  const chunkFor = (text: string, channel: string, accountId?: string): string[] => {
    const id = directory.normalizeId(channel) ?? channel;
    const accounts = registry.get(id) ?? [];
    const found = accountId ? accounts.find((candidate) => candidate.accountId === accountId) : defaultAccountOf(accounts);
    const limits = found ? found.limits : effectiveLimits(directory.get(id)?.limits, undefined, channelRuntimeSettingsSchema.parse({}));
    return chunkText(text, { limit: limits.text, mode: limits.mode, maxLines: limits.lines });
  };

  const runtime: ChannelRuntime = {
    drivers: () => registry,
    directory,
    account,
    send: (message: OutboundMessage): Promise<SendReceipt> => outbound.send(account(message.channel, message.accountId), message),
    poll: (target, poll) => outbound.poll(target, poll),
    async logout(target) {
      let cleared = false;
      const supported = typeof target.driver.logout === "function";
      if (supported) {
        try {
          cleared =
            (
              await withTimeout(
                target.driver.logout!(),
                target.settings.startTimeoutMs,
                () => new DriverNetworkError(target.driverId, `logout did not finish within ${target.settings.startTimeoutMs} ms`),
              )
            ).cleared === true;
        } catch (error) {
          target.recordError(error);
          throw error;
        }
      }
      await target.stop();
      deps.log.info({ channel: target.driverId, account: target.accountId, cleared }, "channels.logout");
      return { cleared, supported };
    },
    startAccount: (target) => target.start(),
    stopAccount: (target) => target.stop(),

    apiFor(plugin) {
      return {
        register: (definition, context) => register(plugin, definition, context),
        send: (message) => runtime.send(message),
        edit: (target, ref, text) => outbound.edit(account(target.channel, target.accountId), ref, text),
        delete: (target, ref) => outbound.delete(account(target.channel, target.accountId), ref),
        react: (target, ref, emoji) => outbound.react(account(target.channel, target.accountId), ref, emoji),
        typing: (target, where) => outbound.typing(account(target.channel, target.accountId), where),
        poll: (target, poll) => outbound.poll(account(target.channel, target.accountId), poll),
        list: () => [...registry.keys()],
        chunk: (text, target) => chunkFor(text, target.channel, target.accountId),
        directory,
      };
    },

    methods: () => channelMethods(runtime),

    async start() {
      runtimeStore = createNamespacedStore(deps.store(), STORE_NAMESPACE);
      inbox = new Inbox(runtimeStore.namespace("inbox"), runtimeStore.namespace("dead"));
      const saved = await runtimeStore.get<[string, number][]>(DEDUPE_KEY).catch(() => undefined);
      const now = Date.now();
      if (Array.isArray(saved))
        for (const [key, expiry] of saved) if (typeof key === "string" && expiry > now) inbound.dedupe.add(key, now, expiry - now);
      inbound.open();
      const pending = await inbox.pending();
      if (pending.length > 0) {
        const replayed = await inbound.replay(pending, (channel, accountId) =>
          registry.get(channel)?.find((a) => a.accountId === accountId),
        );
        deps.log.info({ pending: pending.length, replayed }, "inbound messages left from the last run are being processed");
      }
      const all = [...registry.values()].flat();
      await Promise.allSettled(all.map((target) => target.start()));
    },

    async stop() {
      const limit = deps.stopTimeoutMs();
      await inbound.close(limit);
      const all = [...registry.values()].flat();
      await Promise.allSettled(all.map((target) => target.stop()));
      if (!inbox || !runtimeStore) return;
      await inbox.flush().catch((error) => deps.log.error({ err: error }, "channel inbox flush failed"));
      const entries = inbound.dedupe.entries().slice(-DEDUPE_PERSIST_MAX);
      await runtimeStore
        .set(DEDUPE_KEY, entries)
        .catch((error) => deps.log.warn({ err: error }, `could not keep the dedupe window across the restart: ${errorMessage(error)}`));
    },

    status: () => buildChannelsStatus(registry, { probe: false, timeoutMs: 0 }),
  };
  return runtime;
}
