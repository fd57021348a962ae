/**
 * The host: owns the config, the hook set, the store, the method/event/route registries and the
 * gateway, defender and channel runtimes; loads plugins; starts and stops in order.
 *
 * start: open store → load and set up plugins (dependency order) → `start` taps → gateway.
 * stop:  stop reload → close the gateway (no new work) → drain evaluations → `stop` taps
 *        (reverse order) → close the store.
 */
import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import {
  DROP,
  PluginLoadError,
  errorMessage,
  type CheckResult,
  type FrameContext,
  type HostInfo,
  type PluginContext,
  type RpcContext,
  type TalonConfig,
} from "@talon/sdk";
import { createChannelRuntime, type ChannelRuntime } from "./channels/index.ts";
import { PolicyBundleManager } from "./config/policy-bundle.ts";
import { configChanges } from "./config/changes.ts";
import { HostSecrets, type PluginSecrets } from "./config/redact.ts";
import { startConfigReload, type ReloadWatcher } from "./config/reload.ts";
import { loadConfig, type ConfigSource, type LoadedConfig } from "./config/load.ts";
import { createDefender, type DefenderRuntime } from "./defender/index.ts";
import { EventBus } from "./events/bus.ts";
import { createGateway, type GatewayRuntime } from "./gateway/index.ts";
import { createHookFacades, createHostHooks, type ContainmentPolicy, type HostHooks, type TapGate } from "./hooks.ts";
import { HttpRoutes } from "./http/routes.ts";
import { resolveAndValidate, setupPlugins, type LoadedPlugin, type PluginRecord } from "./loader/load-plugins.ts";
import { validatePluginConfig } from "./loader/manifest.ts";
import { createLogger, startMemorySampler, type HostLogger } from "./log.ts";
import { createHostInfo, createPluginContext, type PluginEntryState } from "./plugin-context.ts";
import { TALON_VERSION } from "./version.ts";
import { registerHostMethods } from "./rpc/host-methods.ts";
import { MethodRegistry } from "./rpc/registry.ts";
import { withTimeout } from "./runtime/timeout.ts";
import type { StoreBackend } from "./state/backend.ts";
import { openStoreBackend } from "./state/open-store.ts";

export { TALON_VERSION } from "./version.ts";

export interface CreateHostOptions {
  /** Where the config comes from (file, inline object, overrides, env, cwd). */
  config?: ConfigSource;
  /** Use this logger instead of one built from the config. */
  log?: HostLogger;
  /** Folder holding plugins/ and drivers/ (tests). */
  root?: string;
  /** Start the gateway (default true). `talon plugins list` and `doctor` load plugins without it. */
  gateway?: boolean;
  /** Start the channel accounts (default true). `talon eval` screens a corpus without reaching any platform. */
  channels?: boolean;
}

interface PluginEntry {
  loaded: LoadedPlugin;
  state: PluginEntryState;
}

export class TalonHost {
  readonly version = TALON_VERSION;
  readonly startedAt = Date.now();
  readonly hooks: HostHooks = createHostHooks();
  readonly log: HostLogger;
  readonly methods: MethodRegistry;
  readonly events: EventBus;
  readonly http: HttpRoutes;
  readonly defender: DefenderRuntime;
  readonly gateway: GatewayRuntime;
  readonly channels: ChannelRuntime;
  readonly statusSections = new Map<string, { plugin: string; provider: () => unknown }>();
  /** Checks plugins registered for `talon doctor`, by name. */
  readonly checks = new Map<string, { plugin: string; run: () => CheckResult | Promise<CheckResult> }>();
  /** Every plugin that was considered, active or failed. */
  readonly plugins: PluginRecord[] = [];

  #loaded: LoadedConfig;
  readonly #source: ConfigSource;
  readonly #options: CreateHostOptions;
  readonly #gate: TapGate = { started: false };
  readonly #entries = new Map<string, PluginEntry>();
  readonly #abort = new AbortController();
  #backend: StoreBackend | undefined;
  #reload: ReloadWatcher | undefined;
  #stopSampler: (() => void) | undefined;
  #state: "new" | "starting" | "running" | "stopping" | "stopped" = "new";
  readonly #policy: ContainmentPolicy;
  readonly #bundles: PolicyBundleManager;
  /** Every secret-marked value of the host config and the loaded plugins' configs. */
  readonly #secrets = new HostSecrets();

  private constructor(loaded: LoadedConfig, source: ConfigSource, options: CreateHostOptions, bundles: PolicyBundleManager) {
    this.#loaded = loaded;
    this.#bundles = bundles;
    this.#source = source;
    this.#options = options;
    this.log =
      options.log ??
      createLogger({ level: loaded.config.log.level, pretty: loaded.config.log.pretty, secrets: () => this.#secrets.values });
    bundles.attach(this.log);
    this.#policy = { hookErrorAction: () => this.config.runtime.hook_error_action };
    this.methods = new MethodRegistry(this.hooks, this.log);
    this.events = new EventBus();
    this.http = new HttpRoutes(this.log);
    this.defender = createDefender({
      hooks: this.hooks,
      config: () => this.config,
      log: this.log.child({ component: "defender" }),
      channelId: (value) => this.channels.directory.normalizeId(value),
    });
    this.channels = createChannelRuntime({
      log: this.log.child({ component: "channels" }),
      hooks: this.hooks,
      defender: this.defender,
      events: this.events,
      store: () => this.store,
      stopTimeoutMs: () => this.config.plugins.stop_timeout_ms,
    });
    const host = this;
    this.gateway = createGateway({
      get mode() {
        return host.mode;
      },
      version: this.version,
      startedAt: this.startedAt,
      config: () => this.config,
      log: this.log.child({ component: "gateway" }),
      methods: this.methods,
      events: this.events,
      http: this.http,
      hookUsed: (name) => this.hooks[name].isUsed(),
      inspectFrame: (frame, context) => this.inspectFrame(frame, context),
      ingestFrame: async (frame, context) => void (await this.defender.ingestFrame(frame, context)),
    });
    const talonHooks = createHookFacades(this.hooks, {
      plugin: "talon",
      loadIndex: -1,
      gate: this.#gate,
      log: this.log,
      policy: this.#policy,
      state: { active: true },
    });
    registerHostMethods(this, talonHooks);
    for (const method of this.channels.methods()) this.methods.register(method, "talon", talonHooks.rpc);
  }

  /** Load the config and build a host (nothing is opened until `start`). */
  static async create(options: CreateHostOptions = {}): Promise<TalonHost> {
    const source = options.config ?? {};
    // A configured signed policy bundle must verify before anything starts (seed-defender §6).
    const { manager, loaded } = await PolicyBundleManager.start(await loadConfig(source), source.cwd ?? process.cwd());
    return new TalonHost(loaded, source, options, manager);
  }

  /** A copy of `value` with every known secret value replaced (status results, dumps). */
  redact<T>(value: T): T {
    return this.#secrets.redact(value);
  }

  /** The live config with every secret-marked field redacted, plugin configs by their own schemas (for `config.get`). */
  redactedConfig(): TalonConfig {
    return this.#secrets.redactConfig(this.config, this.#pluginSchemas());
  }

  /** Each active plugin's name, schema and parsed config. */
  #pluginSchemas(): PluginSecrets[] {
    return [...this.#entries].flatMap(([name, { loaded, state }]) =>
      state.active && loaded.definition.configSchema ? [{ name, schema: loaded.definition.configSchema, config: state.config }] : [],
    );
  }

  /** Recollect the secret values after the config or the plugin set changed. */
  #refreshSecrets(): void {
    this.#secrets.update(this.config, this.#pluginSchemas());
  }

  /** The live config. */
  get config(): TalonConfig {
    return this.#loaded.config;
  }

  get configFile(): string | undefined {
    return this.#loaded.file;
  }

  get mode(): "standalone" | "bridge" {
    return this.config.gateway.runtime_mode === "bridge_client" ? "bridge" : "standalone";
  }

  /** Absolute data directory. */
  get dataDir(): string {
    return resolve(this.#source.cwd ?? process.cwd(), this.config.data_dir);
  }

  get store(): StoreBackend {
    if (!this.#backend) throw new Error("the store is opened by start()");
    return this.#backend;
  }

  get running(): boolean {
    return this.#state === "running";
  }

  /** A plugin's exposed API (`ctx.expose`), for tests and tools. */
  pluginApi(name: string): unknown {
    return this.#entries.get(name)?.state.api;
  }

  /** Call a method as another plugin would (no authorisation). */
  call(method: string, params?: unknown, context: Partial<RpcContext> = {}): Promise<unknown> {
    return this.methods.dispatch(method, params, { method, origin: "internal", ...context });
  }

  /** Run the `frame` hook; undefined when a tap dropped the frame. */
  async inspectFrame(frame: Record<string, unknown>, context: FrameContext): Promise<Record<string, unknown> | undefined> {
    if (!this.hooks.frame.isUsed()) return frame;
    const result = await this.hooks.frame.promise(frame, context);
    if (result === DROP) {
      this.log.info({ kind: context.kind, method: context.method, event: context.event }, "frame dropped by a frame tap");
      return undefined;
    }
    return result as Record<string, unknown>;
  }

  async start(): Promise<void> {
    if (this.#state !== "new") throw new Error(`host cannot start from state ${this.#state}`);
    this.#state = "starting";
    try {
      await mkdir(this.dataDir, { recursive: true }).catch(() => undefined);
      this.#backend = await openStoreBackend(this.config.state.url, this.dataDir);
      await this.#loadPlugins();
      this.#refreshSecrets();
      this.#gate.started = true;
      await this.hooks.start.promise();
      if (this.#options.gateway !== false) await this.gateway.start();
      if (this.#options.channels !== false) await this.channels.start();
    } catch (error) {
      await this.stop().catch(() => undefined);
      throw error;
    }
    this.#state = "running";
    const interval = this.config.gateway.server.reload_interval_secs;
    if (this.#loaded.file && !this.#source.inline && interval > 0 && this.#options.gateway !== false) {
      this.#reload = startConfigReload({
        source: this.#source,
        current: () => this.#loaded,
        apply: (next) => this.applyConfig(next),
        intervalSecs: interval,
        log: this.log,
      });
    }
    if (this.#options.gateway !== false) this.#bundles.watch(interval, (base) => this.applyConfig(base));
    if (this.#options.gateway !== false) this.#stopSampler = startMemorySampler(this.log, this.config.runtime.memory_sample_secs);
    this.log.info(
      {
        mode: this.mode,
        plugins: this.plugins.filter((p) => p.status === "active").length,
        store: this.#backend.location,
        audit_only: this.config.runtime.audit_only,
      },
      "talon started",
    );
  }

  /** Check the config file now (the reload timer calls this too). */
  async checkConfigReload(): Promise<"unchanged" | "applied" | "rejected" | "disabled"> {
    return this.#reload ? this.#reload.check() : "disabled";
  }

  /** Check the signed policy bundle file now (the reload timer calls this too); true when it changed. */
  checkPolicyBundle(): Promise<boolean> {
    return this.#bundles.check((base) => this.applyConfig(base));
  }

  async stop(): Promise<void> {
    if (this.#state === "stopped" || this.#state === "stopping") return;
    this.#state = "stopping";
    const limit = this.config.plugins.stop_timeout_ms;
    this.#reload?.stop();
    this.#bundles.stop();
    this.#stopSampler?.();
    await this.gateway.stop("shutdown").catch((error) => this.log.error({ err: error }, "gateway stop failed"));
    await this.channels.stop().catch((error) => this.log.error({ err: error }, "channel runtime stop failed"));
    await this.defender.drain(limit);
    if (this.#gate.started) {
      await withTimeout(
        this.hooks.stop.promise(),
        limit,
        () => new PluginLoadError("TALON_PLUGIN_STOP_FAILED", `plugin stop hooks did not finish within ${limit} ms`),
      ).catch((error) => this.log.error({ err: error }, errorMessage(error)));
    }
    this.#abort.abort();
    await this.#backend?.close().catch((error) => this.log.error({ err: error }, "store close failed"));
    this.#state = "stopped";
    this.log.info({}, "talon stopped");
    this.log.flush?.();
  }

  /** Apply a validated new config: the policy bundle, then the plugin configs, swap, announce on `configReload`. */
  async applyConfig(next: LoadedConfig): Promise<void> {
    // The bundle first: it overrides plugin keys, which the plugins' schemas then validate.
    next = await this.#bundles.applyOnReload(next, this.#loaded.config);
    const nextConfigs = new Map<string, unknown>();
    for (const [name, entry] of this.#entries) {
      if (!entry.state.active) continue;
      try {
        nextConfigs.set(name, validatePluginConfig(entry.loaded.definition, next.config.plugins.entries[name]?.config));
      } catch (error) {
        this.log.warn(
          { code: "TALON_CONFIG_RELOAD_REJECTED", plugin: name },
          `config reload rejected; keeping the current config: ${errorMessage(error)}`,
        );
        return;
      }
    }
    const previous = this.#loaded.config;
    const { changed, restartOnly } = configChanges(previous, next.config);
    this.#loaded = next;
    for (const [name, config] of nextConfigs) this.#entries.get(name)!.state.config = config;
    this.#refreshSecrets();
    if (restartOnly.length > 0) this.log.warn({ keys: restartOnly }, "config changes that need a restart were recorded but not applied");
    this.log.info({ changed }, "config reloaded");
    // Cached decisions were reached under the previous config/policy bundle: forget them now, and
    // again once the configReload taps (plugins updating their policy) are done.
    this.defender.clearIdempotency();
    try {
      await this.hooks.configReload.promise({ previous, next: next.config, changed });
    } finally {
      this.defender.clearIdempotency();
    }
  }

  async #loadPlugins(): Promise<void> {
    const deps = {
      config: this.config,
      baseDir: this.#loaded.baseDir,
      hostVersion: this.version,
      root: this.#options.root,
      createContext: (plugin: LoadedPlugin, index: number) => this.#createContext(plugin, index),
      deactivate: (name: string) => this.#deactivate(name),
      warn: (message: string, fields: Record<string, unknown>) => this.log.warn(fields, message),
    };
    const { plugins, failed } = await resolveAndValidate(deps);
    this.plugins.push(...failed);
    for (const plugin of plugins) this.plugins.push(plugin.record);
    await setupPlugins(deps, plugins);
  }

  #deactivate(name: string): void {
    const entry = this.#entries.get(name);
    if (entry) entry.state.active = false;
    this.methods.unregisterPlugin(name);
    this.http.unregisterPlugin(name);
    for (const [section, value] of this.statusSections) if (value.plugin === name) this.statusSections.delete(section);
    for (const [check, value] of this.checks) if (value.plugin === name) this.checks.delete(check);
  }

  #createContext(plugin: LoadedPlugin, loadIndex: number): PluginContext<unknown> {
    const name = plugin.definition.name;
    const state: PluginEntryState = { active: true, config: plugin.config };
    this.#entries.set(name, { loaded: plugin, state });
    const info = createHostInfo({
      version: this.version,
      mode: () => this.mode,
      dataDir: () => this.dataDir,
      baseDir: () => this.#loaded.baseDir,
      config: () => this.config,
      cwd: this.#source.cwd ?? process.cwd(),
      secrets: () => this.#secrets.values,
    });
    const deps = {
      hooks: this.hooks,
      log: this.log,
      gate: this.#gate,
      policy: this.#policy,
      info,
      store: this.store,
      methods: this.methods,
      http: this.http,
      events: this.events,
      statusSections: this.statusSections,
      checks: this.checks,
      defender: this.defender,
      gateway: this.gateway,
      channels: this.channels,
      signal: this.#abort.signal,
      entry: (other: string) => this.#entries.get(other)?.state,
    };
    return createPluginContext(deps, name, loadIndex, state, plugin.definition.dependsOn ?? []);
  }
}

/** Build a host from options; call `start()` to run it. */
export function createHost(options: CreateHostOptions = {}): Promise<TalonHost> {
  return TalonHost.create(options);
}
