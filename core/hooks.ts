/**
 * The one declaration of Talon's hook set (tapable), and the tap-only facades plugins receive.
 *
 * Every plugin tap is wrapped once, at registration: the wrapper applies the tap's filter (so the
 * plugin is never called for what it does not care about) and contains errors (logged with the
 * plugin's name; on `score` and `decide` the action fails closed). tapable compiles each hook's
 * call path on first use after the last tap, so steady-state calls pay no per-tap dispatch cost.
 */
import { AsyncParallelHook, AsyncSeriesBailHook, AsyncSeriesHook, AsyncSeriesWaterfallHook, HookMap } from "tapable";
import {
  DROP,
  HOOK_NAMES,
  HookError,
  STAGE,
  maxVerdict,
  type Action,
  type ActionFilter,
  type ActionSink,
  type ChannelContext,
  type ChannelFilter,
  type ConfigChange,
  type DecisionDraft,
  type DecisionRecord,
  type ExtractInput,
  type FrameContext,
  type FrameFilter,
  type HookFacade,
  type HookFacades,
  type HookName,
  type InboundMessage,
  type Logger,
  type OutboundMessage,
  type RiskReport,
  type RpcContext,
  type TapOptions,
  type Verdict,
  errorMessage,
  isTalonError,
} from "@talon/sdk";

/** The callable hooks. Only the host holds this object; it is frozen. */
export interface HostHooks {
  readonly frame: AsyncSeriesWaterfallHook<[Record<string, unknown> | typeof DROP, FrameContext]>;
  readonly extract: AsyncSeriesHook<[ExtractInput, ActionSink]>;
  readonly score: AsyncParallelHook<[Action, RiskReport]>;
  readonly decide: AsyncSeriesWaterfallHook<[DecisionDraft, Action, RiskReport]>;
  readonly decision: AsyncParallelHook<[DecisionRecord]>;
  readonly rpc: HookMap<AsyncSeriesBailHook<[unknown, RpcContext], unknown>>;
  readonly inbound: AsyncSeriesWaterfallHook<[InboundMessage | null, ChannelContext]>;
  readonly outbound: AsyncSeriesWaterfallHook<[OutboundMessage | null, ChannelContext]>;
  readonly start: AsyncSeriesHook<[]>;
  readonly stop: AsyncSeriesHook<[]>;
  readonly configReload: AsyncSeriesHook<[ConfigChange]>;
}

/** Declare the hook set. Called once per host. */
export function createHostHooks(): HostHooks {
  return Object.freeze({
    frame: new AsyncSeriesWaterfallHook<[Record<string, unknown> | typeof DROP, FrameContext]>(["frame", "context"], "frame"),
    extract: new AsyncSeriesHook<[ExtractInput, ActionSink]>(["input", "sink"], "extract"),
    score: new AsyncParallelHook<[Action, RiskReport]>(["action", "report"], "score"),
    decide: new AsyncSeriesWaterfallHook<[DecisionDraft, Action, RiskReport]>(["draft", "action", "report"], "decide"),
    decision: new AsyncParallelHook<[DecisionRecord]>(["record"], "decision"),
    rpc: new HookMap(() => new AsyncSeriesBailHook<[unknown, RpcContext], unknown>(["params", "context"], "rpc"), "rpc"),
    inbound: new AsyncSeriesWaterfallHook<[InboundMessage | null, ChannelContext]>(["message", "context"], "inbound"),
    outbound: new AsyncSeriesWaterfallHook<[OutboundMessage | null, ChannelContext]>(["message", "context"], "outbound"),
    start: new AsyncSeriesHook<[]>([], "start"),
    stop: new AsyncSeriesHook<[]>([], "stop"),
    configReload: new AsyncSeriesHook<[ConfigChange]>(["change"], "configReload"),
  });
}

// --- filters ------------------------------------------------------------------------------------

type Predicate = (...args: any[]) => boolean;

function asSet(value: string | readonly string[] | undefined): Set<string> | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === "string" ? [value] : value;
  if (list.length === 0) throw new HookError("TALON_HOOK_BAD_TAP", "a tap filter list must not be empty; omit the key to match everything");
  return new Set(list.map((entry) => entry.trim().toLowerCase()));
}

function asPrefixes(value: string | readonly string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === "string" ? [value] : [...value];
  if (list.length === 0) throw new HookError("TALON_HOOK_BAD_TAP", "a tap filter list must not be empty; omit the key to match everything");
  return list.map((entry) => entry.trim().toLowerCase());
}

function matchesPrefix(prefixes: string[], value: string | undefined): boolean {
  if (value === undefined) return false;
  const lower = value.toLowerCase();
  for (const prefix of prefixes) if (lower.startsWith(prefix)) return true;
  return false;
}

function compileFrameFilter(filter: FrameFilter): Predicate | undefined {
  const kinds = asSet(filter.frameType as string | readonly string[] | undefined);
  const methods = asPrefixes(filter.method);
  const events = asPrefixes(filter.event);
  if (!kinds && !methods && !events) return undefined;
  // Argument 1 is the FrameContext for both `frame` (frame, context) and `extract` ({frame, context}, sink).
  return (first: unknown, second: unknown) => {
    const context = (second as FrameContext | undefined)?.kind !== undefined ? (second as FrameContext) : (first as ExtractInput).context;
    if (kinds && !kinds.has(context.kind)) return false;
    if (methods && !matchesPrefix(methods, context.method)) return false;
    if (events && !matchesPrefix(events, context.event)) return false;
    return true;
  };
}

function actionOf(hook: HookName, args: unknown[]): Action {
  if (hook === "decision") return (args[0] as DecisionRecord).action;
  if (hook === "decide") return args[1] as Action;
  return args[0] as Action;
}

function compileActionFilter(hook: HookName, filter: ActionFilter): Predicate | undefined {
  const channels = asSet(filter.channel);
  const tools = asSet(filter.tool);
  const kinds = asSet(filter.fieldKind as string | readonly string[] | undefined);
  const verdicts = asSet(filter.verdict as string | readonly string[] | undefined);
  if (verdicts && hook !== "decision")
    throw new HookError("TALON_HOOK_BAD_TAP", `filter.verdict is only valid on the decision hook, not ${hook}`);
  if (!channels && !tools && !kinds && !verdicts) return undefined;
  return (...args: unknown[]) => {
    const action = actionOf(hook, args);
    if (channels && (action.channel === undefined || !channels.has(action.channel))) return false;
    if (tools && (action.tool === undefined || !tools.has(action.tool))) return false;
    if (kinds && !action.fields.some((field) => kinds.has(field.kind))) return false;
    if (verdicts && !verdicts.has((args[0] as DecisionRecord).decision.action)) return false;
    return true;
  };
}

function compileChannelFilter(filter: ChannelFilter): Predicate | undefined {
  const channels = asSet(filter.channel);
  if (!channels) return undefined;
  return (_message: unknown, context: ChannelContext) => channels.has(context.channel);
}

function compileFilter(hook: HookName, filter: unknown): Predicate | undefined {
  if (filter === undefined) return undefined;
  if (typeof filter !== "object" || filter === null) throw new HookError("TALON_HOOK_BAD_TAP", `filter of a ${hook} tap must be an object`);
  switch (hook) {
    case "frame":
    case "extract":
      return compileFrameFilter(filter as FrameFilter);
    case "score":
    case "decide":
    case "decision":
      return compileActionFilter(hook, filter as ActionFilter);
    case "inbound":
    case "outbound":
      return compileChannelFilter(filter as ChannelFilter);
    default:
      throw new HookError("TALON_HOOK_BAD_TAP", `the ${hook} hook takes no filter`);
  }
}

// --- containment --------------------------------------------------------------------------------

/** How the host reacts when a tap throws; set once per host from `runtime.hook_error_action`. */
export interface ContainmentPolicy {
  /** Verdict forced on the action when a `score` or `decide` tap fails. */
  hookErrorAction(): Verdict;
  /** Called for every contained failure (metrics, status). */
  onTapError?(hook: HookName, plugin: string, error: unknown): void;
}

/**
 * The value a failed tap stands for. Waterfalls keep the value they were given (`undefined`),
 * `score` records a failing finding, `decide` forces the fail-closed verdict.
 */
function failClosed(hook: HookName, plugin: string, error: unknown, args: unknown[], policy: ContainmentPolicy): unknown {
  const reason = `${hook} tap of plugin ${plugin} failed: ${errorMessage(error)}`;
  if (hook === "score") {
    (args[1] as RiskReport).add({
      detector: plugin,
      score: 0,
      tags: ["hook_error"],
      reasons: [reason],
      floor: policy.hookErrorAction(),
    });
    return undefined;
  }
  if (hook === "decide") {
    const draft = args[0] as DecisionDraft;
    return {
      ...draft,
      action: maxVerdict(draft.action, policy.hookErrorAction()),
      reasons: [...draft.reasons, reason],
      tags: [...draft.tags, "hook_error"],
    } satisfies DecisionDraft;
  }
  if (hook === "rpc") throw error;
  return undefined;
}

const WATERFALL_SKIP: ReadonlySet<HookName> = new Set(["frame", "inbound", "outbound"]);

/**
 * Wrap a plugin's tap: filter, skip dropped values on waterfalls, contain errors. Sync taps stay
 * sync; only `tapPromise` taps pay for a promise.
 */
function wrapTap(
  hook: HookName,
  plugin: string,
  fn: (...args: any[]) => unknown,
  predicate: Predicate | undefined,
  async: boolean,
  log: Logger,
  policy: ContainmentPolicy,
  state: PluginState,
): (...args: any[]) => unknown {
  const onError = (error: unknown, args: unknown[]) => {
    // An RPC handler's deliberate refusal (RpcError) is an answer, not a failure.
    if (hook === "rpc" && isTalonError(error) && error.code.startsWith("TALON_RPC_")) throw error;
    log.error({ err: error, hook, plugin, code: "TALON_HOOK_TAP_FAILED" }, `${hook} tap of plugin ${plugin} failed; contained`);
    policy.onTapError?.(hook, plugin, error);
    return failClosed(hook, plugin, error, args, policy);
  };
  const skip = (args: unknown[]) => {
    if (!state.active) return true;
    // Waterfalls: once a value is dropped (DROP / null) later taps see nothing to work on.
    if (WATERFALL_SKIP.has(hook) && (args[0] === DROP || args[0] === null)) return true;
    return predicate !== undefined && !predicate(...args);
  };
  if (async) {
    return async (...args: unknown[]) => {
      if (skip(args)) return undefined;
      try {
        return await fn(...args);
      } catch (error) {
        return onError(error, args);
      }
    };
  }
  return (...args: unknown[]) => {
    if (skip(args)) return undefined;
    try {
      const result = fn(...args);
      if (result !== null && typeof result === "object" && typeof (result as PromiseLike<unknown>).then === "function") {
        throw new HookError("TALON_HOOK_BAD_TAP", `${hook}.tap got an async function; use tapPromise for async taps`, { plugin });
      }
      return result;
    } catch (error) {
      return onError(error, args);
    }
  };
}

// --- facades ------------------------------------------------------------------------------------

/** Mutable flag the host flips at start; taps after that are refused. */
export interface TapGate {
  started: boolean;
}

/** Per-plugin switch: a plugin whose setup failed (optional plugins) is switched off, taps included. */
export interface PluginState {
  active: boolean;
}

interface TappableHook {
  tap(options: { name: string; stage?: number }, fn: (...args: any[]) => unknown): void;
  tapPromise(options: { name: string; stage?: number }, fn: (...args: any[]) => Promise<unknown>): void;
}

function parseTapArgs<F>(
  hook: HookName,
  plugin: string,
  first: unknown,
  second: unknown,
): { options: TapOptions<F>; fn: (...args: any[]) => unknown } {
  const fn = (typeof first === "function" ? first : second) as ((...args: any[]) => unknown) | undefined;
  const options = (typeof first === "function" ? {} : (first ?? {})) as TapOptions<F>;
  if (typeof fn !== "function") throw new HookError("TALON_HOOK_BAD_TAP", `${hook}.tap needs a function`, { plugin });
  if (options.stage !== undefined && !Number.isFinite(options.stage)) {
    throw new HookError("TALON_HOOK_BAD_TAP", `${hook}.tap stage must be a finite number; use STAGE.*`, { plugin });
  }
  return { options, fn };
}

function facadeFor<Args extends unknown[], R, F>(
  hookName: HookName,
  target: TappableHook,
  plugin: string,
  gate: TapGate,
  log: Logger,
  policy: ContainmentPolicy,
  defaultStage: number,
  state: PluginState,
): HookFacade<Args, R, F> {
  const register = (async: boolean, first: unknown, second: unknown) => {
    if (gate.started) {
      throw new HookError("TALON_HOOK_TAP_AFTER_START", `plugin ${plugin} tapped ${hookName} after start; tap in setup()`, { plugin });
    }
    const { options, fn } = parseTapArgs<F>(hookName, plugin, first, second);
    const predicate = compileFilter(hookName, options.filter);
    const wrapped = wrapTap(hookName, plugin, fn, predicate, async, log, policy, state);
    const tapOptions = { name: plugin, stage: options.stage ?? defaultStage };
    if (async) target.tapPromise(tapOptions, wrapped as (...args: any[]) => Promise<unknown>);
    else target.tap(tapOptions, wrapped);
  };
  return Object.freeze({
    tap: (first: unknown, second?: unknown) => register(false, first, second),
    tapPromise: (first: unknown, second?: unknown) => register(true, first, second),
  }) as HookFacade<Args, R, F>;
}

export interface FacadeOptions {
  plugin: string;
  /** Position of the plugin in load order; stop taps run in reverse of it. */
  loadIndex: number;
  gate: TapGate;
  log: Logger;
  policy: ContainmentPolicy;
  state: PluginState;
}

/** The tap-only view of the hook set handed to one plugin. */
export function createHookFacades(hooks: HostHooks, options: FacadeOptions): HookFacades {
  const { plugin, gate, log, policy, loadIndex, state } = options;
  const make = <Args extends unknown[], R, F>(name: HookName, target: unknown, defaultStage: number = STAGE.NORMAL) =>
    facadeFor<Args, R, F>(name, target as TappableHook, plugin, gate, log, policy, defaultStage, state);
  const rpcFacades = new Map<string, HookFacade<[unknown, RpcContext], unknown>>();
  const facades: HookFacades = {
    frame: make("frame", hooks.frame),
    extract: make("extract", hooks.extract),
    score: make("score", hooks.score, STAGE.DETECTOR),
    decide: make("decide", hooks.decide),
    decision: make("decision", hooks.decision, STAGE.OBSERVER),
    rpc: Object.freeze({
      for(method: string) {
        let facade = rpcFacades.get(method);
        if (!facade) {
          facade = make<[unknown, RpcContext], unknown, never>("rpc", hooks.rpc.for(method));
          rpcFacades.set(method, facade);
        }
        return facade;
      },
    }),
    inbound: make("inbound", hooks.inbound),
    outbound: make("outbound", hooks.outbound),
    start: make("start", hooks.start),
    // Later-loaded plugins stop first: dependants before their dependencies.
    stop: make("stop", hooks.stop, -loadIndex),
    configReload: make("configReload", hooks.configReload),
  };
  for (const name of HOOK_NAMES) if (!(name in facades)) throw new Error(`hook facade missing for ${name}`);
  return Object.freeze(facades);
}
