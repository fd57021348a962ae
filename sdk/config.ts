/**
 * The host config schema. It is a superset of the seed's `openclaw-rs.toml` (seed-defender §10):
 * every seed key keeps its name, type and default, so an existing file loads unchanged. Talon's
 * own additions (`data_dir`, `state`, `log`, `plugins`, a few gateway limits) have defaults too.
 *
 * Each plugin's own config lives under `plugins.entries.<name>.config` and is validated against
 * that plugin's `configSchema` by the loader.
 */
import { z } from "zod";

const u8 = z.number().int().min(0).max(255);
const uint = z.number().int().min(0);
const verdict = z.enum(["allow", "review", "block"]);

/** `byProvider` also accepts the seed's snake_case spelling `by_provider`. */
function withAlias<T extends z.ZodType>(schema: T, alias: string, name: string) {
  return z.preprocess((value) => {
    if (value && typeof value === "object" && !Array.isArray(value) && alias in value) {
      const { [alias]: aliased, ...rest } = value as Record<string, unknown>;
      return name in rest ? value : { ...rest, [name]: aliased };
    }
    return value;
  }, schema);
}

const toolRuleSchema = z.strictObject({
  profile: z.string().optional(),
  allow: z.array(z.string()).default([]),
  deny: z.array(z.string()).default([]),
});

const loopDetectionSchema = z.strictObject({
  enabled: z.boolean().default(false),
  history_size: uint.default(30),
  warning_threshold: uint.default(10),
  critical_threshold: uint.default(20),
});

const toolRuntimePolicySchema = withAlias(
  z.strictObject({
    profile: z.string().optional(),
    allow: z.array(z.string()).default([]),
    deny: z.array(z.string()).default([]),
    byProvider: z.record(z.string(), toolRuleSchema).default({}),
    loop_detection: loopDetectionSchema.prefault({}),
  }),
  "by_provider",
  "byProvider",
);

/** Seed defaults (seed-defender §3.4–3.6). */
export const SEED_DEFAULTS = {
  allowedCommandPrefixes: ["git ", "ls", "rg "],
  blockedCommandPatterns: [
    "(?i)\\brm\\s+-rf\\s+/",
    "(?i)\\bmkfs\\b",
    "(?i)\\bdd\\s+if=",
    "(?i)\\bcurl\\s+[^|]*\\|\\s*sh\\b",
    "(?i)\\bwget\\s+[^|]*\\|\\s*sh\\b",
  ],
  promptInjectionPatterns: [
    "(?i)ignore\\s+all\\s+previous\\s+instructions",
    "(?i)reveal\\s+the\\s+system\\s+prompt",
    "(?i)override\\s+developer\\s+instructions",
    "(?i)disable\\s+safety",
  ],
  toolRiskBonus: { exec: 20, bash: 20, process: 10, apply_patch: 12, browser: 8, gateway: 20, nodes: 20 },
  channelRiskBonus: { discord: 10, slack: 8, telegram: 6, whatsapp: 6, webchat: 8 },
} as const;

const gatewayServerSchema = z.strictObject({
  /** Serve Talon's own port. Default: on in standalone mode, off in bridge mode. */
  enabled: z.boolean().optional(),
  /** `host:port` the standalone server listens on. */
  bind: z.string().default("127.0.0.1:18789"),
  auth_mode: z.enum(["auto", "none", "token", "password"]).default("auto"),
  handshake_timeout_ms: uint.default(10000),
  /** Bounded per-connection event queue; slow clients lose droppable events, then the socket. */
  event_queue_capacity: uint.default(256),
  /** Seconds between config file checks; 0 disables live reload. */
  reload_interval_secs: uint.default(3),
  /** Largest frame after the handshake (bytes), advertised as `policy.maxPayload`. */
  max_payload: z.number().int().min(1024).default(26214400),
  /** Send-buffer budget per connection (bytes), advertised as `policy.maxBufferedBytes`. */
  max_buffered_bytes: z.number().int().min(1024).default(52428800),
  /** Interval of `tick` events (ms), advertised as `policy.tickIntervalMs`. */
  tick_interval_ms: z.number().int().min(100).default(30000),
  /** Most simultaneous connections; more are refused with close 1013. */
  max_connections: z.number().int().min(1).default(10000),
  /** Most connections from one address still in the handshake (upstream: 32); more are refused with close 1013. */
  max_preauth_per_address: z.number().int().min(1).default(32),
});

const gatewayBridgeSchema = z.strictObject({
  /** Operator scopes the bridge asks the upstream gateway for. */
  scopes: z.array(z.string().min(1)).default(["operator.read", "operator.write", "operator.approvals"]),
  /** First reconnect delay (ms); it doubles per failed attempt up to `reconnect_max_ms`. */
  reconnect_initial_ms: z.number().int().min(250).default(1000),
  /** Longest reconnect delay (ms). */
  reconnect_max_ms: z.number().int().min(250).default(30000),
  /** A connection that stayed authenticated this long (ms) resets the reconnect delay. */
  healthy_after_ms: z.number().int().min(0).default(10000),
  /** Time (ms) from opening the socket to `hello-ok`, challenge included. */
  connect_timeout_ms: z.number().int().min(100).default(15000),
  /** Default time limit (ms) of `ctx.gateway.call`. */
  call_timeout_ms: z.number().int().min(1).default(30000),
  /** Most upstream calls awaiting an answer; more are refused at once. */
  max_pending_calls: z.number().int().min(1).default(256),
  /**
   * Upstream frames screened at once. Up to four times as many more wait in a backlog; beyond
   * that frames are counted and logged as not screened (the socket is never paused: a plugin may
   * be waiting for its own upstream call's answer on it).
   */
  max_inflight_frames: z.number().int().min(1).default(256),
});

const gatewaySchema = z.strictObject({
  /** Upstream gateway the bridge connects to. */
  url: z.string().default("ws://127.0.0.1:18789/ws"),
  token: z.string().optional(),
  password: z.string().optional(),
  /** Talon defaults to standalone (the seed defaulted to bridge_client); set it to keep the seed's mode. */
  runtime_mode: z.enum(["bridge_client", "standalone_server"]).default("standalone_server"),
  server: gatewayServerSchema.prefault({}),
  /** Bridge mode: how Talon connects to the upstream gateway at `url`. */
  bridge: gatewayBridgeSchema.prefault({}),
});

const runtimeSchema = z.strictObject({
  audit_only: z.boolean().default(false),
  decision_event: z.string().default("security.decision"),
  worker_concurrency: uint.default(8),
  max_queue: uint.default(256),
  session_queue_mode: z.enum(["followup", "steer", "collect"]).default("followup"),
  group_activation_mode: z.enum(["mention", "always"]).default("mention"),
  eval_timeout_ms: uint.default(2500),
  memory_sample_secs: uint.default(15),
  idempotency_ttl_secs: uint.default(300),
  idempotency_max_entries: uint.default(5000),
  /** Seed key; Talon keeps session state in the store and reads this only for migration. */
  session_state_path: z.string().default(".openclaw-rs/session-state.json"),
  /** Verdict forced when a hook on the decision path throws (fail closed). */
  hook_error_action: z.enum(["review", "block"]).default("block"),
  /** Verdict floor when an evaluation times out, and the verdict of an action refused for capacity; never lower than `review`. */
  timeout_action: z.enum(["review", "block"]).default("review"),
  /**
   * Group senders allowed to use the mention-bypass commands (`/new`, `/reset`, `/help`, `/stop`,
   * `/abort`, `/cancel`) in `mention` activation mode: `channel:senderId` (e.g. `telegram:12345`)
   * or a bare `senderId` for any channel. Empty (default): nobody; the seed let every member bypass.
   */
  command_authorized_senders: z.array(z.string()).default([]),
});

const securitySchema = z.strictObject({
  review_threshold: u8.default(35),
  block_threshold: u8.default(65),
  virustotal_api_key: z.string().optional(),
  virustotal_timeout_ms: uint.default(1400),
  policy_bundle_path: z.string().optional(),
  policy_bundle_key: z.string().optional(),
  quarantine_dir: z.string().default(".openclaw-rs/quarantine"),
  protect_paths: z.array(z.string()).default(["./openclaw.mjs", "./dist/index.js"]),
  allowed_command_prefixes: z.array(z.string()).default([...SEED_DEFAULTS.allowedCommandPrefixes]),
  blocked_command_patterns: z.array(z.string()).default([...SEED_DEFAULTS.blockedCommandPatterns]),
  prompt_injection_patterns: z.array(z.string()).default([...SEED_DEFAULTS.promptInjectionPatterns]),
  tool_policies: z.record(z.string(), verdict).default({}),
  tool_risk_bonus: z.record(z.string(), u8).default({ ...SEED_DEFAULTS.toolRiskBonus }),
  channel_risk_bonus: z.record(z.string(), u8).default({ ...SEED_DEFAULTS.channelRiskBonus }),
  tool_runtime_policy: toolRuntimePolicySchema.prefault({}),
});

const pluginEntrySchema = z.strictObject({
  /** `false` skips the plugin even if it is bundled or listed in `load`. */
  enabled: z.boolean().default(true),
  /** A plugin that fails to load is skipped with a warning instead of stopping start-up. */
  optional: z.boolean().default(false),
  /** The plugin's own config, validated against its `configSchema`. */
  config: z.unknown().optional(),
  /** Override of the setup time limit for this plugin (ms). */
  setup_timeout_ms: z.number().int().min(1).optional(),
});

const pluginSourceSchema = z.union([
  z.string().min(1),
  z.strictObject({ source: z.string().min(1), optional: z.boolean().default(false) }),
]);

const pluginsSchema = z.strictObject({
  /** Load the bundled plugins and drivers (`true`), none (`false`), or only the named ones. */
  builtin: z.union([z.boolean(), z.array(z.string())]).default(true),
  /** Extra plugins: local paths (relative to the config file) or npm package names. */
  load: z.array(pluginSourceSchema).default([]),
  /** Per-plugin settings keyed by plugin name. */
  entries: z.record(z.string(), pluginEntrySchema).default({}),
  /** Default time limit for each plugin's setup (ms). */
  setup_timeout_ms: z.number().int().min(1).default(10000),
  /** Time limit for draining and each plugin's stop hooks at shutdown (ms). */
  stop_timeout_ms: z.number().int().min(1).default(5000),
});

const stateSchema = z.strictObject({
  /** `sqlite` (file under data_dir), `sqlite:///abs/path.sqlite`, `memory`, or `redis://host:port`. */
  url: z.string().default("sqlite"),
});

const logSchema = z.strictObject({
  level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Human-readable output; defaults to true when stdout is a terminal. */
  pretty: z.boolean().optional(),
});

const baseSchema = z.strictObject({
  /** Directory for the store, the generated token and other state; relative to the working directory. */
  data_dir: z.string().default(".talon"),
  gateway: gatewaySchema.prefault({}),
  runtime: runtimeSchema.prefault({}),
  security: securitySchema.prefault({}),
  state: stateSchema.prefault({}),
  log: logSchema.prefault({}),
  plugins: pluginsSchema.prefault({}),
});

/**
 * The host config schema, with the seed's cross-field rules (seed-defender §10.4), each reported
 * at its key path.
 */
export const talonConfigSchema = baseSchema.superRefine((config, ctx) => {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
  if (config.security.review_threshold >= config.security.block_threshold) {
    issue(["security", "review_threshold"], "security.review_threshold must be lower than security.block_threshold");
  }
  const positive: [string[], number][] = [
    [["runtime", "worker_concurrency"], config.runtime.worker_concurrency],
    [["runtime", "max_queue"], config.runtime.max_queue],
    [["runtime", "memory_sample_secs"], config.runtime.memory_sample_secs],
    [["runtime", "idempotency_ttl_secs"], config.runtime.idempotency_ttl_secs],
    [["runtime", "idempotency_max_entries"], config.runtime.idempotency_max_entries],
    [["gateway", "server", "event_queue_capacity"], config.gateway.server.event_queue_capacity],
    [["gateway", "server", "handshake_timeout_ms"], config.gateway.server.handshake_timeout_ms],
  ];
  for (const [path, value] of positive) if (value <= 0) issue(path, `${path.join(".")} must be > 0`);
  if (config.gateway.server.bind.trim() === "") issue(["gateway", "server", "bind"], "gateway.server.bind must not be empty");
  const loop = config.security.tool_runtime_policy.loop_detection;
  const loopPath = ["security", "tool_runtime_policy", "loop_detection"];
  if (loop.warning_threshold <= 0) issue([...loopPath, "warning_threshold"], "security.tool_runtime_policy.loop_detection.warning_threshold must be > 0");
  if (loop.critical_threshold <= 0) issue([...loopPath, "critical_threshold"], "security.tool_runtime_policy.loop_detection.critical_threshold must be > 0");
  if (loop.history_size <= 0) issue([...loopPath, "history_size"], "security.tool_runtime_policy.loop_detection.history_size must be > 0");
  if (loop.critical_threshold <= loop.warning_threshold) {
    issue([...loopPath, "critical_threshold"], "security.tool_runtime_policy.loop_detection.critical_threshold must be greater than warning_threshold");
  }
  if (config.gateway.server.auth_mode === "token" && !config.gateway.token?.trim()) {
    issue(["gateway", "token"], "gateway.server.auth_mode=token requires gateway.token or OPENCLAW_RS_GATEWAY_TOKEN");
  }
  if (config.gateway.server.auth_mode === "password" && !config.gateway.password?.trim()) {
    issue(["gateway", "password"], "gateway.server.auth_mode=password requires gateway.password or OPENCLAW_RS_GATEWAY_PASSWORD");
  }
});

/** The validated host config, with every default filled in. */
export type TalonConfig = z.output<typeof talonConfigSchema>;
/** What a config file may contain: every key optional. */
export type TalonConfigInput = z.input<typeof talonConfigSchema>;

/**
 * Typed identity for `talon.config.ts`.
 *
 * @example
 * import { defineConfig } from "@talon/sdk";
 * export default defineConfig({ gateway: { server: { bind: "127.0.0.1:18789" } } });
 */
export function defineConfig(config: TalonConfigInput): TalonConfigInput {
  return config;
}
