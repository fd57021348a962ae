/**
 * `definePlugin` and the context a plugin's `setup` receives. A plugin's `setup` only validates
 * and taps (webpack's `apply`): side effects that need the network start in a `start` tap.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { z } from "zod";
import type { Action, ActionField, ActionInput, Decision, DecisionRecord } from "./action.ts";
import type { ChannelsApi } from "./channel.ts";
import type { CommandDefinition } from "./command.ts";
import type { TalonConfig } from "./config.ts";
import type { OperatorScope } from "./frames.ts";
import type { HookFacades, RpcContext } from "./hooks.ts";

const PLUGIN_BRAND = Symbol.for("talon.plugin");

/** pino-compatible logger: `log.info({ field }, "message")`. */
export interface Logger {
  fatal(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  info(obj: unknown, msg?: string): void;
  debug(obj: unknown, msg?: string): void;
  trace(obj: unknown, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

/**
 * A namespaced key-value store backed by the host's one store (SQLite by default). Values are
 * JSON-serialisable. `ttlMs` expires a key.
 */
export interface Store {
  get<T = unknown>(key: string): Promise<T | undefined>;
  getMany<T = unknown>(keys: readonly string[]): Promise<(T | undefined)[]>;
  set(key: string, value: unknown, ttlMs?: number): Promise<void>;
  /** Writes all entries or none (one transaction on SQLite, one MULTI on Redis). */
  setMany(entries: readonly { key: string; value: unknown; ttlMs?: number }[]): Promise<void>;
  delete(key: string): Promise<boolean>;
  deleteMany(keys: readonly string[]): Promise<void>;
  has(key: string): Promise<boolean>;
  /** Every live entry of this namespace. */
  entries<T = unknown>(): AsyncIterable<[key: string, value: T]>;
  /** Remove every key of this namespace. */
  clear(): Promise<void>;
  /** A sub-namespace, e.g. `ctx.store.namespace("cache")`. */
  namespace(name: string): Store;
}

/** Scope a method requires. `none`: any authenticated connection; `node`: node role only. */
export type MethodScope = OperatorScope | "none" | "node";

/** An RPC method a plugin serves. */
export interface MethodDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  /** Scope required to call it (admin satisfies all, write satisfies read). */
  scope: MethodScope;
  /** Params schema; a failure answers `INVALID_REQUEST` naming the failing path. */
  params?: S;
  /** Scope that depends on the params (e.g. `sessions.patch`); overrides `scope` when it returns one. */
  scopeFor?(params: z.output<S>): MethodScope | undefined;
  /** Listed in `hello-ok.features.methods` (default true). */
  advertise?: boolean;
  description?: string;
  handler(params: z.output<S>, context: RpcContext): unknown | Promise<unknown>;
}

/** An event a plugin emits to connected clients. */
export interface EventDefinition {
  name: string;
  /** Scope a client needs to receive it; `none` for everyone (tick, health). */
  scope: MethodScope;
  /** Slow clients may miss it (tick, presence, health); otherwise a slow client is closed. */
  droppable?: boolean;
}

export interface EventsApi {
  /** Declare an event so it is advertised in `hello-ok.features.events` with its scope. */
  declare(definition: EventDefinition): void;
  /** Fan an event out to every authorised client (standalone mode). Undeclared events go to admins only. */
  emit(name: string, payload: unknown): void;
}

/** Result of handing an action to the defender. */
export type Evaluation =
  | { status: "decided"; record: DecisionRecord }
  /** Ignored by group activation gating (a group message that did not mention us). */
  | { status: "ignored"; action: Action; reason: string }
  /** Replaced by a newer action of the same session before it ran (queue modes steer/collect). */
  | { status: "superseded"; action: Action; by: string };

export interface DefenderApi {
  /**
   * Evaluate one action through the scheduler and the score/decide/decision hooks, exactly as
   * an action extracted from a frame. Always settles; never rejects for capacity or timeouts
   * (those produce decisions).
   */
  evaluate(input: ActionInput): Promise<Evaluation>;
  /** The decision of an evaluation, or `undefined` when it was ignored or superseded. */
  decisionOf(evaluation: Evaluation): Decision | undefined;
}

/** What a {@link PluginContext.registerCheck} check reports. */
export interface CheckResult {
  /** `critical`: something Talon relies on is missing (doctor fails); `warn`: degraded. */
  status: "ok" | "warn" | "critical";
  detail: string;
}

/**
 * The gateway as plugins see it (`ctx.gateway`). In bridge mode every upstream frame after
 * `hello-ok` goes through the `frame` hook with `context.mode === "bridge"` (taps for different
 * frames may run concurrently), then events go to the `extract` hook; a plugin answers upstream
 * with {@link GatewayApi.call}.
 *
 * @example
 * ctx.hooks.frame.tapPromise({ filter: { frameType: "event", event: "exec.approval.requested" } }, async (frame, context) => {
 *   if (context.mode !== "bridge") return;
 *   const id = (frame.payload as { id: string }).id;
 *   await ctx.gateway.call("exec.approval.resolve", { id, decision: "deny" }, { timeoutMs: 10_000 });
 * });
 */
export interface GatewayApi {
  /** `standalone` (Talon is the gateway) or `bridge` (sidecar of an upstream gateway). */
  readonly mode: "standalone" | "bridge";
  /** Bridge mode: the upstream connection is authenticated. */
  readonly connected: boolean;
  /**
   * Call a method on the upstream gateway (bridge mode). Resolves with upstream's `payload`.
   * Rejects with `TALON_GATEWAY_NOT_CONNECTED` when not in bridge mode, not connected, or the
   * connection drops before the answer; `TALON_RPC_UNAVAILABLE` on timeout
   * (`gateway.bridge.call_timeout_ms` unless `timeoutMs`) or when `gateway.bridge.max_pending_calls`
   * calls already wait; an upstream error `res` as an `RpcError` whose `details.upstream` is
   * upstream's error verbatim.
   */
  call(method: string, params?: unknown, options?: { timeoutMs?: number }): Promise<unknown>;
}

/** An HTTP route on Talon's port (the WebSocket endpoint shares it). */
export interface HttpRoute {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Exact path, or a prefix ending in `/*`. */
  path: string;
  /** Largest request body accepted (bytes); default 1 MiB. */
  maxBodyBytes?: number;
  handler(request: IncomingMessage, response: ServerResponse, body: Buffer): void | Promise<void>;
}

/** Read-only facts about the host. */
export interface HostInfo {
  readonly version: string;
  readonly mode: "standalone" | "bridge";
  /** Absolute data directory. */
  readonly dataDir: string;
  /** Directory config-relative paths resolve against. */
  readonly baseDir: string;
  /** The live host config (replaced on reload; read it when you need it). */
  readonly config: Readonly<TalonConfig>;
  /** Resolve a path from the host or a plugin config (e.g. quarantine's `dir`) the way the host does: against the working directory. */
  resolvePath(path: string): string;
  /**
   * Every secret value the host knows: fields marked with `secret()` in the host schema and in each
   * loaded plugin's `configSchema`. Redact these wherever data leaves the host (files, events).
   */
  secrets(): readonly string[];
}

/** What `setup` receives. Everything here is scoped to the plugin. */
export interface PluginContext<C = unknown> {
  readonly name: string;
  /** The plugin's validated config; updated before `configReload` taps run. */
  readonly config: C;
  readonly host: HostInfo;
  /** Child logger with `plugin: <name>`. */
  readonly log: Logger;
  /** The plugin's own namespace of the host store. */
  readonly store: Store;
  readonly hooks: HookFacades;
  registerMethod<S extends z.ZodType>(definition: MethodDefinition<S>): void;
  registerHttpRoute(route: HttpRoute): void;
  /** Add a section to the `health` and `status` RPC results (e.g. `sessions`). */
  registerStatusSection(name: string, provider: () => unknown | Promise<unknown>): void;
  /**
   * Add a check `talon doctor` runs after the plugins started (in bridge mode, once the upstream
   * connection is up or its wait ran out). A `critical` result fails the doctor run.
   */
  registerCheck(name: string, run: () => CheckResult | Promise<CheckResult>): void;
  readonly events: EventsApi;
  readonly defender: DefenderApi;
  readonly gateway: GatewayApi;
  readonly channels: ChannelsApi;
  /**
   * Another plugin's public API, published with {@link PluginContext.expose}. Only plugins named
   * in `dependsOn` can be asked for.
   */
  use<T>(pluginName: string): T;
  /** Publish this plugin's API for plugins that depend on it. */
  expose(api: unknown): void;
  /** Aborted when the host stops; pass it to timers and requests. */
  readonly signal: AbortSignal;
}

/** What a plugin module default-exports. */
export interface PluginDefinition<C = unknown> {
  name: string;
  version: string;
  description?: string;
  /** Semver range of Talon versions the plugin works with (default any). */
  hostRange?: string;
  /** Plugins that must be set up first. */
  dependsOn?: readonly string[];
  /** Validated before `setup` runs; the parsed value is `ctx.config`. Mark secrets with `secret()`. */
  configSchema?: z.ZodType<C>;
  /** CLI commands the plugin contributes (`talon <path...>`); listed by `talon --help` without running `setup`. */
  commands?: readonly CommandDefinition<any>[];
  setup(ctx: PluginContext<C>): void | Promise<void>;
}

export interface BrandedPluginDefinition<C = unknown> extends PluginDefinition<C> {
  readonly [PLUGIN_BRAND]: true;
}

/**
 * Declare a plugin.
 *
 * @example
 * export default definePlugin({
 *   name: "defender-keyword", version: "1.0.0", configSchema: z.object({ words: z.array(z.string()) }),
 *   setup(ctx) { ctx.hooks.score.tap({ stage: STAGE.DETECTOR }, (action, report) => { ... }) },
 * });
 */
export function definePlugin<S extends z.ZodType = z.ZodType<undefined>>(
  definition: Omit<PluginDefinition<z.output<S>>, "configSchema"> & { configSchema?: S },
): BrandedPluginDefinition<z.output<S>> {
  return Object.freeze({ ...definition, [PLUGIN_BRAND]: true as const }) as unknown as BrandedPluginDefinition<z.output<S>>;
}

/** True for a value made by {@link definePlugin}, whichever copy of the SDK made it. */
export function isPluginDefinition(value: unknown): value is BrandedPluginDefinition {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[PLUGIN_BRAND] === true;
}
