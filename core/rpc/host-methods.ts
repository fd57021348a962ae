/**
 * RPC methods the host itself serves: `health`, `status`, `usage.status`, `usage.cost`.
 * Result shapes are a superset of the seed's (seed-gateway §2.3, §2.17) and upstream's
 * (upstream-live.md §2, captures). Plugins add sections (e.g. `sessions`) with
 * `ctx.registerStatusSection`; a section named like a default key replaces it.
 *
 * `health` is synchronous when every section is (the gateway answers it without a promise).
 */
import { z } from "zod";
import { RpcError, STAGE, errorMessage, isThenable, type HookFacades, type MethodDefinition, type TalonConfig } from "@talon/sdk";
import type { GatewayRuntime } from "../gateway/index.ts";
import type { PluginRecord } from "../loader/load-plugins.ts";
import { residentKib } from "../log.ts";
import { withTimeout } from "../runtime/timeout.ts";
import type { MethodRegistry } from "./registry.ts";
import { UsageCounter, daysBetween, startFor, utcDate } from "./usage-counter.ts";

/** The slice of the host these methods read (the host passes itself; no import of host.ts). */
export interface HostMethodsView {
  readonly version: string;
  readonly startedAt: number;
  readonly mode: "standalone" | "bridge";
  readonly config: TalonConfig;
  readonly configFile: string | undefined;
  readonly plugins: readonly PluginRecord[];
  readonly statusSections: ReadonlyMap<string, { plugin: string; provider: () => unknown }>;
  readonly methods: MethodRegistry;
  readonly gateway: Pick<GatewayRuntime, "mode" | "connected" | "stats">;
  /** Replace every known secret value in `value` (fields marked secret() in any schema). */
  redact<T>(value: T): T;
}

/** A status section that does not answer in this time is reported as timed out. */
const SECTION_TIMEOUT_MS = 2000;

type Sections = Record<string, unknown>;

/** Every section's value; a promise only when some provider is asynchronous. */
const NO_SECTIONS: Sections = Object.freeze({});

function collectSections(host: HostMethodsView): Sections | Promise<Sections> {
  if (host.statusSections.size === 0) return NO_SECTIONS;
  const out: Sections = {};
  let pending: Promise<void>[] | undefined;
  for (const [name, { provider }] of host.statusSections) {
    try {
      const value = provider();
      if (!isThenable(value)) {
        out[name] = value;
        continue;
      }
      (pending ??= []).push(
        withTimeout(value, SECTION_TIMEOUT_MS, () => new Error(`timed out after ${SECTION_TIMEOUT_MS} ms`)).then(
          (resolved) => void (out[name] = resolved),
          (error) => void (out[name] = { error: errorMessage(error) }),
        ),
      );
    } catch (error) {
      out[name] = { error: errorMessage(error) };
    }
  }
  return pending ? Promise.all(pending).then(() => out) : out;
}

function withSections<T>(host: HostMethodsView, build: (sections: Sections) => T): T | Promise<T> {
  const sections = collectSections(host);
  return isThenable(sections) ? sections.then(build) : build(sections);
}

/** The event-loop figure is recomputed at most this often (health may be called thousands of times a second). */
const EVENT_LOOP_SAMPLE_MS = 1000;
let lastElu = performance.eventLoopUtilization();
let lastEluAt = 0;
let eventLoopFigure = { degraded: false, utilization: 0 };

/** Event-loop utilisation over the last sample window (upstream's `eventLoop` key, reduced to what Node measures cheaply). */
function eventLoop(): { degraded: boolean; utilization: number } {
  const now = Date.now();
  if (now - lastEluAt < EVENT_LOOP_SAMPLE_MS) return eventLoopFigure;
  const current = performance.eventLoopUtilization();
  const utilization = Math.round(performance.eventLoopUtilization(current, lastElu).utilization * 1000) / 1000;
  lastElu = current;
  lastEluAt = now;
  eventLoopFigure = { degraded: utilization > 0.9, utilization };
  return eventLoopFigure;
}

// Constant parts of the health payload, shared (and frozen) so the hot `health` path allocates less.
const EMPTY_OBJECT = Object.freeze({});
const EMPTY_ARRAY: readonly never[] = Object.freeze([]);
const RELOAD_ACTIVE = Object.freeze({ hotReloadStatus: "active" });
const RELOAD_DISABLED = Object.freeze({ hotReloadStatus: "disabled" });
const NO_SESSIONS = Object.freeze({ count: 0, recent: EMPTY_ARRAY });
const NO_MODEL_RUNTIME = Object.freeze({ degraded: false, pendingAgents: EMPTY_ARRAY });
/** `checks` by [plugins ok][upstream ok]. */
const CHECKS = [false, true].map((plugins) => [false, true].map((upstream) => Object.freeze({ plugins, upstream })));

interface PluginSummary {
  readonly loaded: readonly string[];
  readonly errors: readonly { id: string; error?: string }[];
  readonly unavailable: readonly string[];
}

/** The statuses a summary was built from, to reuse it while they hold. */
const summaries = new WeakMap<HostMethodsView, { statuses: string[]; summary: PluginSummary }>();

/**
 * Loaded and failed plugins. Rebuilt only when a plugin's name or status changed (compared
 * without allocating), so `health` does not rebuild the same lists thousands of times a second.
 */
function pluginSummary(host: HostMethodsView): PluginSummary {
  const cached = summaries.get(host);
  const plugins = host.plugins;
  if (cached && cached.statuses.length === plugins.length * 2) {
    let same = true;
    for (let i = 0; i < plugins.length && same; i++)
      same = cached.statuses[2 * i] === plugins[i]!.name && cached.statuses[2 * i + 1] === plugins[i]!.status;
    if (same) return cached.summary;
  }
  const loaded: string[] = [];
  const errors: { id: string; error?: string }[] = [];
  const statuses: string[] = [];
  for (const plugin of plugins) {
    statuses.push(plugin.name, plugin.status);
    if (plugin.status === "active") loaded.push(plugin.name);
    else if (plugin.status === "failed") errors.push(Object.freeze({ id: plugin.name, error: plugin.error }));
  }
  const summary = Object.freeze({ loaded: Object.freeze(loaded), errors: Object.freeze(errors), unavailable: EMPTY_ARRAY });
  summaries.set(host, { statuses, summary });
  return summary;
}

const dateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD");

/** `usage.cost` params: the seed's range keys; other keys (upstream's `mode`, `utcOffset`) are accepted and ignored. */
const usageCostParams = z
  .object({
    startDate: dateSchema.optional(),
    endDate: dateSchema.optional(),
    days: z.number().int().min(1).max(3660).optional(),
  })
  .loose();

const ZERO_COST = { totalCost: 0, inputCost: 0, outputCost: 0, cacheReadCost: 0, cacheWriteCost: 0, missingCostEntries: 0 };
const ZERO_TOKENS = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, totalTokens: 0 };

/** Register the host's methods, and count decisions for the usage methods. */
export function registerHostMethods(host: HostMethodsView, hooks: HookFacades): void {
  const register = <S extends z.ZodType>(definition: MethodDefinition<S>) =>
    host.methods.register(definition as unknown as MethodDefinition, "talon", hooks.rpc);
  const empty = z.object({}).loose();
  const usage = new UsageCounter();
  hooks.decision.tap({ stage: STAGE.OBSERVER }, (record) => usage.record(record.decision.action));

  register({
    name: "health",
    scope: "none",
    params: empty,
    description: "Liveness and readiness: plugins, the upstream connection in bridge mode, section checks.",
    handler() {
      const started = performance.now();
      return withSections(host, (sections) => {
        const plugins = pluginSummary(host);
        const bridgeOk = host.gateway.mode !== "bridge" || host.gateway.connected;
        const now = Date.now();
        return {
          // Unlike the seed's constant `ok: true` (seed-gateway §8 item 24), `ok` reflects the checks.
          ok: plugins.errors.length === 0 && bridgeOk,
          checks: CHECKS[plugins.errors.length === 0 ? 1 : 0]![bridgeOk ? 1 : 0],
          service: "talon",
          version: host.version,
          ts: now,
          uptimeMs: now - host.startedAt,
          durationMs: Math.round(performance.now() - started),
          mode: host.mode,
          plugins,
          configReload: host.configFile && host.config.gateway.server.reload_interval_secs > 0 ? RELOAD_ACTIVE : RELOAD_DISABLED,
          channels: EMPTY_OBJECT,
          channelOrder: EMPTY_ARRAY,
          channelLabels: EMPTY_OBJECT,
          // Talon runs no agents, heartbeats or model runtime of its own: upstream's keys, empty.
          heartbeatSeconds: 0,
          defaultAgentId: "main",
          agents: EMPTY_ARRAY,
          sessions: NO_SESSIONS,
          modelRuntime: NO_MODEL_RUNTIME,
          eventLoop: eventLoop(),
          ...sections,
        };
      });
    },
  });

  register({
    name: "status",
    scope: "operator.read",
    params: empty,
    description: "Runtime, mode, gateway, plugins, memory, RPC surface and plugin sections.",
    handler() {
      return withSections(host, (sections) => {
        const memory = process.memoryUsage();
        const now = Date.now();
        const plugins = host.plugins.map((p) => ({
          name: p.name,
          version: p.version,
          source: p.source,
          status: p.status,
          loadMs: Math.round(p.loadMs),
          setupMs: Math.round(p.setupMs),
          ...(p.error ? { error: p.error } : {}),
        }));
        // Plugin sections may carry config values: every secret the host knows is replaced.
        return host.redact({
          runtime: {
            name: "talon",
            version: host.version,
            startedAtMs: host.startedAt,
            uptimeMs: now - host.startedAt,
            pid: process.pid,
            node: process.version,
          },
          runtimeVersion: host.version,
          pid: process.pid,
          mode: host.mode,
          gateway: host.gateway.stats(),
          plugins,
          degradedPlugins: plugins.filter((p) => p.status === "failed").map((p) => p.name),
          // Upstream's keys for what Talon does not run (desktop host, heartbeats, tasks, workers).
          hostDesktop: { enabled: false, state: "disabled" },
          heartbeat: { defaultAgentId: "main", agents: [] },
          channelSummary: [],
          queuedSystemEvents: [],
          degradedSecretOwners: [],
          tasks: { total: 0, active: 0, terminal: 0, failures: 0 },
          taskAudit: { total: 0, warnings: 0, errors: 0 },
          workerPools: {},
          modelRuntime: { degraded: false, pendingAgents: [] },
          shutdownBudget: { timeoutMs: host.config.plugins.stop_timeout_ms },
          sessions: { count: 0, recent: [], byAgent: [] },
          memory: {
            rssKib: residentKib(),
            heapUsedKib: Math.round(memory.heapUsed / 1024),
            heapTotalKib: Math.round(memory.heapTotal / 1024),
          },
          processMemory: {
            rssBytes: memory.rss,
            heapUsedBytes: memory.heapUsed,
            heapTotalBytes: memory.heapTotal,
            externalBytes: memory.external,
            arrayBuffersBytes: memory.arrayBuffers,
          },
          eventLoop: eventLoop(),
          rpc: { supportedMethods: host.methods.advertised(), count: host.methods.size() },
          ...sections,
        });
      });
    },
  });

  register({
    name: "usage.status",
    scope: "operator.read",
    params: empty,
    description: "Verdict counts since start (Talon makes no model calls, so it has no providers).",
    handler() {
      return withSections(host, (sections) => {
        const now = Date.now();
        const sessionCount = (sections.sessions as { count?: unknown } | undefined)?.count;
        const { allow, review, block } = usage.totals;
        return {
          updatedAt: now,
          updatedAtMs: now,
          providers: [],
          enabled: true,
          source: "talon",
          countedSinceMs: usage.countedSinceMs,
          totals: {
            sessions: typeof sessionCount === "number" ? sessionCount : 0,
            totalRequests: allow + review + block,
            allowedCount: allow,
            reviewCount: review,
            blockedCount: block,
          },
        };
      });
    },
  });

  register({
    name: "usage.cost",
    scope: "operator.read",
    params: usageCostParams,
    description: "Cost summary over a date range: zero cost and tokens (no model calls), verdicts per day.",
    handler(params) {
      const today = utcDate(Date.now());
      const endDate = params.endDate ?? (params.startDate && params.days ? addDays(params.startDate, params.days - 1) : today);
      const startDate = params.startDate ?? startFor(endDate, params.days ?? 30);
      if (!isRealDate(startDate) || !isRealDate(endDate)) {
        throw new RpcError("TALON_RPC_INVALID_PARAMS", "invalid usage.cost params: startDate and endDate must be real dates (YYYY-MM-DD)");
      }
      if (startDate > endDate)
        throw new RpcError("TALON_RPC_INVALID_PARAMS", `invalid usage.cost params: startDate ${startDate} is after endDate ${endDate}`);
      const days = daysBetween(startDate, endDate);
      // Unlike the seed (seed-gateway §8 item 12), the range really filters the counts.
      const { daily, sum } = usage.range(startDate, endDate);
      const now = Date.now();
      return {
        updatedAt: now,
        updatedAtMs: now,
        days,
        range: { startDate, endDate, days },
        daily: daily.map(({ date, allow, review, block }) => ({ date, ...ZERO_TOKENS, ...ZERO_COST, actions: { allow, review, block } })),
        totals: { ...ZERO_TOKENS, ...ZERO_COST },
        summary: { ...ZERO_COST },
        tokens: { total: 0, input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
        actions: sum,
        countedSinceMs: usage.countedSinceMs,
      };
    },
  });
}

/** `2024-02-31` matches the pattern but is no date. */
function isRealDate(date: string): boolean {
  const ms = Date.parse(`${date}T00:00:00Z`);
  return !Number.isNaN(ms) && utcDate(ms) === date;
}

function addDays(date: string, days: number): string {
  return utcDate(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000);
}
