/**
 * The context one plugin's `setup` receives: its config, a child logger, its store namespace,
 * hook facades that can tap but not call, and the host's registries, all scoped to the plugin.
 */
import { resolve } from "node:path";
import { PluginLoadError, type CheckResult, type HostInfo, type PluginContext, type TalonConfig } from "@talon/sdk";
import type { ChannelRuntime } from "./channels/index.ts";
import type { DefenderRuntime } from "./defender/index.ts";
import type { EventBus } from "./events/bus.ts";
import type { GatewayRuntime } from "./gateway/index.ts";
import { createHookFacades, type ContainmentPolicy, type HostHooks, type PluginState, type TapGate } from "./hooks.ts";
import type { HttpRoutes } from "./http/routes.ts";
import type { HostLogger } from "./log.ts";
import type { MethodRegistry } from "./rpc/registry.ts";
import type { StoreBackend } from "./state/backend.ts";
import { createNamespacedStore } from "./state/namespaced-store.ts";

/** What the host keeps per plugin: whether it is active, its live config, its exposed API. */
export type PluginEntryState = PluginState & { config: unknown; api?: unknown };

/** The parts of the host a plugin context is built from. */
export interface ContextDeps {
  readonly hooks: HostHooks;
  readonly log: HostLogger;
  readonly gate: TapGate;
  readonly policy: ContainmentPolicy;
  readonly info: HostInfo;
  readonly store: StoreBackend;
  readonly methods: MethodRegistry;
  readonly http: HttpRoutes;
  readonly events: EventBus;
  readonly statusSections: Map<string, { plugin: string; provider: () => unknown }>;
  /** `talon doctor` checks contributed by plugins. */
  readonly checks: Map<string, { plugin: string; run: () => CheckResult | Promise<CheckResult> }>;
  readonly defender: DefenderRuntime;
  readonly gateway: GatewayRuntime;
  readonly channels: ChannelRuntime;
  readonly signal: AbortSignal;
  /** Another plugin's live state (for `use`). */
  entry(name: string): PluginEntryState | undefined;
}

/** `ctx.host`: read-only facts, each read live from the host. */
export function createHostInfo(facts: {
  version: string;
  mode(): "standalone" | "bridge";
  dataDir(): string;
  baseDir(): string;
  config(): TalonConfig;
  cwd: string;
  secrets(): readonly string[];
}): HostInfo {
  return {
    version: facts.version,
    get mode() {
      return facts.mode();
    },
    get dataDir() {
      return facts.dataDir();
    },
    get baseDir() {
      return facts.baseDir();
    },
    get config() {
      return facts.config();
    },
    resolvePath: (path) => resolve(facts.cwd, path),
    secrets: facts.secrets,
  };
}

/** Build the context of plugin `name` (`loadIndex` orders its stop hooks). */
export function createPluginContext(
  deps: ContextDeps,
  name: string,
  loadIndex: number,
  state: PluginEntryState,
  dependsOn: readonly string[],
): PluginContext<unknown> {
  const log = deps.log.child({ plugin: name });
  const hooks = createHookFacades(deps.hooks, { plugin: name, loadIndex, gate: deps.gate, log, policy: deps.policy, state });
  const allowed = new Set(dependsOn);
  const storeNamespace = name.replace(/[^A-Za-z0-9_.-]/g, "_");
  return {
    name,
    get config() {
      return state.config;
    },
    host: deps.info,
    log,
    store: createNamespacedStore(deps.store, storeNamespace),
    hooks,
    registerMethod: (definition) => deps.methods.register(definition as never, name, hooks.rpc),
    registerHttpRoute: (route) => deps.http.register(route, name),
    registerStatusSection: (section, provider) => {
      const existing = deps.statusSections.get(section);
      if (existing)
        throw new PluginLoadError("TALON_PLUGIN_SETUP_FAILED", `status section ${section} is already provided by ${existing.plugin}`, {
          plugin: name,
        });
      deps.statusSections.set(section, { plugin: name, provider });
    },
    registerCheck: (check, run) => {
      const existing = deps.checks.get(check);
      if (existing)
        throw new PluginLoadError("TALON_PLUGIN_SETUP_FAILED", `check ${check} is already provided by ${existing.plugin}`, {
          plugin: name,
        });
      deps.checks.set(check, { plugin: name, run });
    },
    events: {
      declare: (definition) => deps.events.declare(definition, name),
      emit: (event, payload) => deps.events.emit(event, payload),
    },
    defender: deps.defender,
    gateway: deps.gateway,
    channels: deps.channels.apiFor(name),
    use: <T>(other: string) => {
      if (!allowed.has(other)) {
        throw new PluginLoadError(
          "TALON_PLUGIN_DEPENDENCY_MISSING",
          `plugin ${name} asked for ${other}'s API without listing it in dependsOn`,
          {
            plugin: name,
          },
        );
      }
      return deps.entry(other)?.api as T;
    },
    expose: (api) => {
      state.api = api;
    },
    signal: deps.signal,
  };
}
