/**
 * The hook set as plugins see it: names, stages, filters, argument types and the tap-only
 * facades. The host declares the callable hooks once (core/hooks.ts); plugins only ever get the
 * facades below, which can tap but not call.
 *
 * | hook           | kind                          | a tap...                                                    |
 * |----------------|-------------------------------|-------------------------------------------------------------|
 * | `frame`        | async series waterfall        | sees every inbound frame; returns a replacement, or `DROP`   |
 * | `extract`      | async series                  | turns a frame into actions: `sink.push(input)`               |
 * | `score`        | async parallel                | adds findings: `report.add({...})`                           |
 * | `decide`       | async series waterfall        | turns the draft into a verdict (thresholds, floors, bundles)  |
 * | `decision`     | async parallel (observers)    | reacts to the final decision                                 |
 * | `rpc`          | HookMap of async series bail  | answers a method; first non-`undefined` result wins          |
 * | `inbound`      | async series waterfall        | rewrites or cancels (`null`) a received channel message       |
 * | `outbound`     | async series waterfall        | rewrites or cancels (`null`) a message before it is sent      |
 * | `start`/`stop` | lifecycle                     | runs in dependency order / reverse order                      |
 * | `configReload` | async series                  | learns that a new config was applied                          |
 *
 * A tap that throws is contained: the error is logged with the plugin's name. On `score` and
 * `decide` the host then fails closed (the action gets `runtime.hook_error_action`).
 */
import type { Action, ActionFieldKind, ActionInput, DecisionDraft, DecisionRecord, RiskReport, Verdict } from "./action.ts";
import type { ChannelContext, InboundMessage, OutboundMessage } from "./channel.ts";
import type { TalonConfig } from "./config.ts";
import type { ClientInfo, FrameKind } from "./frames.ts";

/**
 * Named stages; lower runs first, equal stages keep registration order. Gaps leave room for
 * third parties. Use these names, never bare numbers.
 */
export const STAGE = Object.freeze({
  /** Trusted host policy: runs before everything else. */
  HOST_POLICY: -200,
  /** Before ordinary taps (normalisers, early filters). */
  PRE: -100,
  /** Detectors and ordinary plugins. */
  DETECTOR: 0,
  /** Alias of DETECTOR for non-detector hooks. */
  NORMAL: 0,
  /** After ordinary taps (policy that needs every finding). */
  POST: 100,
  /** Observers: logging, events, persistence. Never change the outcome. */
  OBSERVER: 200,
});

/** Hook names, in data-flow order. */
export const HOOK_NAMES = [
  "frame",
  "extract",
  "score",
  "decide",
  "decision",
  "rpc",
  "inbound",
  "outbound",
  "start",
  "stop",
  "configReload",
] as const;
export type HookName = (typeof HOOK_NAMES)[number];

/** Return this from a `frame` tap to drop the frame (it is logged, never silently lost). */
export const DROP: unique symbol = Symbol.for("talon.drop") as never;
export type Drop = typeof DROP;

type OneOrMany<T> = T | readonly T[];

/** Filter for `frame` and `extract` taps. Method and event filters match by prefix. */
export interface FrameFilter {
  frameType?: OneOrMany<FrameKind>;
  method?: OneOrMany<string>;
  event?: OneOrMany<string>;
}

/** Filter for `score`, `decide` and `decision` taps. */
export interface ActionFilter {
  channel?: OneOrMany<string>;
  /** Normalised tool names (`bash` is `exec`). */
  tool?: OneOrMany<string>;
  /** Only actions that carry at least one field of these kinds. */
  fieldKind?: OneOrMany<ActionFieldKind>;
  /** Only decisions with these verdicts (`decision` hook only). */
  verdict?: OneOrMany<Verdict>;
}

/** Filter for `inbound` and `outbound` taps. */
export interface ChannelFilter {
  channel?: OneOrMany<string>;
}

export interface TapOptions<F = never> {
  /** Lower runs first; use {@link STAGE}. */
  stage?: number;
  /** The host never calls the tap for what the filter excludes. */
  filter?: F;
}

/** A tap-only view of one hook. `tap` takes sync functions, `tapPromise` async ones. */
export interface HookFacade<Args extends unknown[], R, F = never> {
  tap(fn: (...args: Args) => R): void;
  tap(options: TapOptions<F>, fn: (...args: Args) => R): void;
  tapPromise(fn: (...args: Args) => Promise<R>): void;
  tapPromise(options: TapOptions<F>, fn: (...args: Args) => Promise<R>): void;
}

/** What the `frame` and `extract` taps learn about a frame. */
export interface FrameContext {
  mode: "standalone" | "bridge";
  kind: FrameKind;
  method?: string;
  event?: string;
  /** The connected client that sent the frame (standalone mode). */
  client?: ClientInfo;
}

/** Input of the `extract` hook. */
export interface ExtractInput {
  frame: Record<string, unknown>;
  context: FrameContext;
}

/** Where `extract` taps put the actions they find. */
export interface ActionSink {
  push(input: ActionInput): void;
  /** Actions pushed so far by earlier taps. */
  readonly actions: readonly ActionInput[];
}

/** Who called an RPC method. */
export interface RpcContext {
  method: string;
  /** `standalone`: a client of Talon's server; `bridge`: the upstream gateway; `internal`: another plugin. */
  origin: "standalone" | "bridge" | "internal";
  client?: ClientInfo;
  /** The request's frame id. */
  requestId?: string;
}

/** What `configReload` taps receive. */
export interface ConfigChange {
  previous: Readonly<TalonConfig>;
  next: Readonly<TalonConfig>;
  /** Dotted paths of the top-level sections that changed, e.g. `security`. */
  changed: readonly string[];
}

/** The value a `frame` tap returns: nothing (keep), a replacement frame, or {@link DROP}. */
export type FrameTapResult = Record<string, unknown> | Drop | undefined | void;
/** The value an `inbound`/`outbound` tap returns: nothing (keep), a replacement, or `null` to cancel. */
export type MessageTapResult<M> = M | null | undefined | void;

/** The facades every plugin gets as `ctx.hooks`. */
export interface HookFacades {
  frame: HookFacade<[frame: Record<string, unknown>, context: FrameContext], FrameTapResult, FrameFilter>;
  extract: HookFacade<[input: ExtractInput, sink: ActionSink], void, FrameFilter>;
  score: HookFacade<[action: Action, report: RiskReport], void, ActionFilter>;
  decide: HookFacade<[draft: DecisionDraft, action: Action, report: RiskReport], DecisionDraft | undefined | void, ActionFilter>;
  decision: HookFacade<[record: DecisionRecord], void, ActionFilter>;
  rpc: { for(method: string): HookFacade<[params: unknown, context: RpcContext], unknown> };
  inbound: HookFacade<[message: InboundMessage, context: ChannelContext], MessageTapResult<InboundMessage>, ChannelFilter>;
  outbound: HookFacade<[message: OutboundMessage, context: ChannelContext], MessageTapResult<OutboundMessage>, ChannelFilter>;
  start: HookFacade<[], void>;
  stop: HookFacade<[], void>;
  configReload: HookFacade<[change: ConfigChange], void>;
}
