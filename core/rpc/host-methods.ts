/**
 * RPC methods the host itself serves: `health`, `status`, `usage.status`, `usage.cost`.
 * Result shapes are a superset of the seed's and upstream's. Plugins add sections (e.g.
 * `sessions`) with `ctx.registerStatusSection`.
 */
import { z } from "zod";
import type { HookFacades, MethodDefinition } from "@talon/sdk";
import { residentKib } from "../log.ts";
import type { TalonHost } from "../host.ts";

async function sections(host: TalonHost): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [name, { provider }] of host.statusSections) {
    try {
      out[name] = await provider();
    } catch (error) {
      out[name] = { error: String((error as Error)?.message ?? error) };
    }
  }
  return out;
}

function pluginSummary(host: TalonHost) {
  return {
    loaded: host.plugins.filter((p) => p.status === "active").map((p) => p.name),
    errors: host.plugins.filter((p) => p.status === "failed").map((p) => ({ id: p.name, error: p.error })),
    unavailable: [] as string[],
  };
}

export function registerHostMethods(host: TalonHost, hooks: HookFacades): void {
  const register = <S extends z.ZodType>(definition: MethodDefinition<S>) => host.methods.register(definition as unknown as MethodDefinition, "talon", hooks.rpc);
  const empty = z.object({}).loose();

  register({
    name: "health",
    scope: "none",
    params: empty,
    async handler() {
      const started = performance.now();
      const extra = await sections(host);
      return {
        ok: true,
        service: "talon",
        version: host.version,
        ts: Date.now(),
        uptimeMs: Date.now() - host.startedAt,
        durationMs: Math.round(performance.now() - started),
        mode: host.mode,
        plugins: pluginSummary(host),
        ...extra,
      };
    },
  });

  register({
    name: "status",
    scope: "operator.read",
    params: empty,
    async handler() {
      const memory = process.memoryUsage();
      return {
        runtime: { name: "talon", version: host.version, startedAtMs: host.startedAt, uptimeMs: Date.now() - host.startedAt, pid: process.pid, node: process.version },
        runtimeVersion: host.version,
        mode: host.mode,
        gateway: host.gateway.stats(),
        plugins: host.plugins.map((p) => ({ name: p.name, version: p.version, source: p.source, status: p.status, loadMs: Math.round(p.loadMs), setupMs: Math.round(p.setupMs), error: p.error })),
        memory: { rssKib: residentKib(), heapUsedKib: Math.round(memory.heapUsed / 1024), heapTotalKib: Math.round(memory.heapTotal / 1024) },
        rpc: { supportedMethods: host.methods.advertised(), count: host.methods.size() },
        ...(await sections(host)),
      };
    },
  });

  register({
    name: "usage.status",
    scope: "operator.read",
    params: empty,
    async handler() {
      const extra = await sections(host);
      return { updatedAt: Date.now(), updatedAtMs: Date.now(), enabled: true, source: "talon", providers: [], ...(extra.usage ? { totals: extra.usage } : {}) };
    },
  });

  register({
    name: "usage.cost",
    scope: "operator.read",
    params: z.object({ startDate: z.string().optional(), endDate: z.string().optional(), days: z.number().int().min(1).optional() }).loose(),
    async handler(params) {
      const days = params.days ?? 30;
      const end = params.endDate ?? new Date().toISOString().slice(0, 10);
      const start = params.startDate ?? new Date(Date.parse(`${end}T00:00:00Z`) - (days - 1) * 86_400_000).toISOString().slice(0, 10);
      return {
        updatedAt: Date.now(),
        updatedAtMs: Date.now(),
        range: { startDate: start, endDate: end, days },
        summary: { totalCost: 0, inputCost: 0, outputCost: 0, cacheReadCost: 0, cacheWriteCost: 0, missingCostEntries: 0 },
        tokens: { total: 0, input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
      };
    },
  });
}
