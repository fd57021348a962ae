/**
 * Environment overrides, applied to the raw config after the file is read and before it is
 * validated. Every seed variable `OPENCLAW_RS_<NAME>` (seed-defender §10.3) works unchanged, and
 * `TALON_<NAME>` sets the same key; when both are set, `TALON_*` wins. Variables of seed keys that
 * moved into a plugin come from the table in legacy.ts and land on the plugin's key.
 */
import { LEGACY_ENV_BINDINGS } from "./legacy.ts";
import { oneOf, trimmed, trimmedOrClear, truthy, unsigned, verbatim, type EnvBinding } from "./env-parse.ts";

export type { EnvBinding } from "./env-parse.ts";

/** Seed §10.3, in the seed's order, then Talon's own variables. */
export const ENV_BINDINGS: readonly EnvBinding[] = [
  { name: "GATEWAY_URL", path: ["gateway", "url"], parse: verbatim },
  { name: "GATEWAY_TOKEN", path: ["gateway", "token"], parse: verbatim },
  { name: "GATEWAY_PASSWORD", path: ["gateway", "password"], parse: verbatim },
  {
    name: "GATEWAY_RUNTIME_MODE",
    path: ["gateway", "runtime_mode"],
    parse: oneOf({
      bridge_client: "bridge_client",
      "bridge-client": "bridge_client",
      client: "bridge_client",
      bridge: "bridge_client",
      standalone_server: "standalone_server",
      "standalone-server": "standalone_server",
      server: "standalone_server",
      standalone: "standalone_server",
    }),
  },
  {
    name: "GATEWAY_AUTH_MODE",
    path: ["gateway", "server", "auth_mode"],
    parse: oneOf({ auto: "auto", none: "none", token: "token", password: "password" }),
  },
  { name: "GATEWAY_SERVER_BIND", path: ["gateway", "server", "bind"], parse: trimmed },
  { name: "GATEWAY_EVENT_QUEUE_CAPACITY", path: ["gateway", "server", "event_queue_capacity"], parse: unsigned(8) },
  { name: "GATEWAY_HANDSHAKE_TIMEOUT_MS", path: ["gateway", "server", "handshake_timeout_ms"], parse: unsigned(500) },
  { name: "GATEWAY_RELOAD_INTERVAL_SECS", path: ["gateway", "server", "reload_interval_secs"], parse: unsigned() },
  { name: "AUDIT_ONLY", path: ["runtime", "audit_only"], parse: truthy },
  { name: "POLICY_BUNDLE_PATH", path: ["security", "policy_bundle_path"], parse: trimmedOrClear },
  { name: "POLICY_BUNDLE_KEY", path: ["security", "policy_bundle_key"], parse: trimmedOrClear },
  { name: "WORKER_CONCURRENCY", path: ["runtime", "worker_concurrency"], parse: unsigned(1) },
  { name: "MAX_QUEUE", path: ["runtime", "max_queue"], parse: unsigned(16) },
  {
    name: "SESSION_QUEUE_MODE",
    path: ["runtime", "session_queue_mode"],
    parse: oneOf({ followup: "followup", steer: "steer", collect: "collect" }),
  },
  {
    name: "GROUP_ACTIVATION_MODE",
    fallback: "GROUP_ACTIVATION",
    path: ["runtime", "group_activation_mode"],
    parse: oneOf({ mention: "mention", always: "always" }),
  },
  { name: "MEMORY_SAMPLE_SECS", path: ["runtime", "memory_sample_secs"], parse: unsigned(1) },
  { name: "IDEMPOTENCY_TTL_SECS", path: ["runtime", "idempotency_ttl_secs"], parse: unsigned(1) },
  { name: "IDEMPOTENCY_MAX_ENTRIES", path: ["runtime", "idempotency_max_entries"], parse: unsigned(32) },
  { name: "SESSION_STATE_PATH", path: ["runtime", "session_state_path"], parse: verbatim },
  // Talon's own.
  { name: "DATA_DIR", path: ["data_dir"], parse: trimmed },
  { name: "STATE_URL", path: ["state", "url"], parse: trimmed },
  {
    name: "LOG_LEVEL",
    fallback: "LOG",
    path: ["log", "level"],
    parse: oneOf(Object.fromEntries(["fatal", "error", "warn", "info", "debug", "trace", "silent"].map((l) => [l, l]))),
  },
  ...LEGACY_ENV_BINDINGS,
];

const PREFIXES = ["TALON_", "OPENCLAW_RS_"] as const;

function setPath(target: Record<string, unknown>, path: string[], value: unknown, clear: boolean): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== "object" || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  const leaf = path[path.length - 1]!;
  if (clear) delete node[leaf];
  else node[leaf] = value;
}

function lookup(env: NodeJS.ProcessEnv, binding: EnvBinding): { variable: string; value: string } | undefined {
  for (const prefix of PREFIXES) {
    for (const name of binding.fallback ? [binding.name, binding.fallback] : [binding.name]) {
      const variable = `${prefix}${name}`;
      const value = env[variable];
      if (value !== undefined) return { variable, value };
    }
  }
  return undefined;
}

/** Which variables were applied, for `doctor` and logs (values never included). */
export interface AppliedEnv {
  variable: string;
  path: string;
}

/** Apply overrides to a deep copy of `raw`. */
export function applyEnvOverrides(
  raw: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): { raw: Record<string, unknown>; applied: AppliedEnv[] } {
  const copy = structuredClone(raw);
  const applied: AppliedEnv[] = [];
  for (const binding of ENV_BINDINGS) {
    const found = lookup(env, binding);
    if (!found) continue;
    const parsed = binding.parse(found.value);
    if (!parsed) continue;
    setPath(copy, binding.path, "value" in parsed ? parsed.value : undefined, "clear" in parsed);
    applied.push({ variable: found.variable, path: binding.path.join(".") });
  }
  return { raw: copy, applied };
}

/** Set one dotted path on a raw config (CLI flags). */
export function setRawPath(raw: Record<string, unknown>, dotted: string, value: unknown): void {
  setPath(raw, dotted.split("."), value, false);
}
