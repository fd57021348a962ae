/**
 * Run one plugin's real `setup` with a minimal context and hand back its taps, so the bench can
 * time a detector's own `score` tap without the pipeline around it. The store is an in-memory
 * implementation of the SDK's Store; everything else is inert.
 */
import { tmpdir } from "node:os";
import { resolve } from "node:path";
import {
  talonConfigSchema,
  type Action,
  type ActionInput,
  type BrandedPluginDefinition,
  type Finding,
  type Logger,
  type PluginContext,
  type RiskReport,
  type Store,
  type Verdict,
} from "@talon/sdk";
import { moveLegacyKeys } from "../../core/config/legacy.ts";
import { normalizeAction } from "../../core/defender/normalize.ts";

type Tap = (...args: any[]) => unknown;

function memoryStore(prefix = "", map = new Map<string, { value: unknown; expires?: number }>()): Store {
  const live = (key: string) => {
    const entry = map.get(prefix + key);
    if (entry?.expires !== undefined && entry.expires < Date.now()) {
      map.delete(prefix + key);
      return undefined;
    }
    return entry;
  };
  return {
    async get<T>(key: string) {
      return live(key)?.value as T | undefined;
    },
    async getMany<T>(keys: readonly string[]) {
      return keys.map((key) => live(key)?.value as T | undefined);
    },
    async set(key, value, ttlMs) {
      map.set(prefix + key, { value: structuredClone(value), expires: ttlMs ? Date.now() + ttlMs : undefined });
    },
    async setMany(entries) {
      for (const entry of entries)
        map.set(prefix + entry.key, { value: structuredClone(entry.value), expires: entry.ttlMs ? Date.now() + entry.ttlMs : undefined });
    },
    async delete(key) {
      return map.delete(prefix + key);
    },
    async deleteMany(keys) {
      for (const key of keys) map.delete(prefix + key);
    },
    async has(key) {
      return live(key) !== undefined;
    },
    async *entries<T>() {
      for (const [key, entry] of map) if (key.startsWith(prefix)) yield [key.slice(prefix.length), entry.value as T] as [string, T];
    },
    async clear() {
      for (const key of [...map.keys()]) if (key.startsWith(prefix)) map.delete(key);
    },
    namespace(name: string) {
      return memoryStore(`${prefix}${name}:`, map);
    },
  };
}

const silent: Logger = { fatal() {}, error() {}, warn() {}, info() {}, debug() {}, trace() {}, child: () => silent };

/** A plugin set up in isolation. */
export interface LoadedTaps {
  /** The plugin's `score` taps, called as the host would. */
  score(action: Action, report: RiskReport): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Set up `definition` with `host` (inline host config; the seed's `security.*` keys land on the
 * plugin as they would in Talon) and `config` (the plugin's own, laid over them).
 */
export async function loadTaps(
  definition: BrandedPluginDefinition<any>,
  host: Record<string, unknown> = {},
  config: unknown = {},
): Promise<LoadedTaps> {
  const taps: Record<string, Tap[]> = {};
  const facade = (name: string) => ({
    tap: (first: unknown, second?: unknown) => (taps[name] ??= []).push((typeof first === "function" ? first : second) as Tap),
    tapPromise: (first: unknown, second?: unknown) => (taps[name] ??= []).push((typeof first === "function" ? first : second) as Tap),
  });
  const raw = structuredClone(host);
  moveLegacyKeys(raw);
  const hostConfig = talonConfigSchema.parse(raw);
  const own = { ...(hostConfig.plugins.entries[definition.name]?.config as object | undefined), ...(config as object) };
  const abort = new AbortController();
  const ctx = {
    name: definition.name,
    config: definition.configSchema ? definition.configSchema.parse(own) : own,
    host: {
      version: "0.1.0",
      mode: "standalone",
      dataDir: tmpdir(),
      baseDir: process.cwd(),
      config: hostConfig,
      resolvePath: (path: string) => resolve(process.cwd(), path),
      secrets: () => [],
    },
    log: silent,
    store: memoryStore(),
    hooks: new Proxy({}, { get: (_target, name: string) => (name === "rpc" ? { for: () => facade("rpc") } : facade(name)) }),
    registerMethod() {},
    registerHttpRoute() {},
    registerStatusSection() {},
    events: { declare() {}, emit() {} },
    defender: {},
    gateway: {},
    channels: {},
    use() {},
    expose() {},
    signal: abort.signal,
  } as unknown as PluginContext<any>;
  await definition.setup(ctx);
  return {
    async score(action, report) {
      for (const tap of taps.score ?? []) await tap(action, report);
    },
    async start() {
      for (const tap of taps.start ?? []) await tap();
    },
    async stop() {
      abort.abort();
      for (const tap of taps.stop ?? []) await tap();
    },
  };
}

/** A normalised action, as the host would build it. */
export function actionOf(input: ActionInput): Action {
  return normalizeAction(input, { origin: "rpc", source: "bench" });
}

/** A bare report that records findings. */
export function reportFor(action: Action): RiskReport & { findings: Finding[] } {
  const findings: Finding[] = [];
  return {
    action,
    findings,
    add: (finding) => void findings.push(finding),
    get risk() {
      return findings.reduce((sum, finding) => sum + finding.score, 0);
    },
    get floor(): Verdict {
      return findings.some((finding) => finding.floor === "block")
        ? "block"
        : findings.some((finding) => finding.floor === "review")
          ? "review"
          : "allow";
    },
  };
}
