/**
 * The host config schema: what the host itself reads. The seed's keys that belong to a plugin
 * (`security.virustotal_api_key`, `security.protect_paths`, the command and prompt patterns, tool
 * policies and bonuses, `security.tool_runtime_policy`, ...) live in that plugin's own
 * `configSchema` under `plugins.entries.<name>.config`; the host maps the seed's spelling onto
 * them before validating (core/config/legacy.ts), so an existing `openclaw-rs.toml` loads
 * unchanged. Secrets are marked with `secret()`.
 */
import { z } from "zod";
import { secret } from "./secret-fields.ts";

const u8 = z.number().int().min(0).max(255);
const uint = z.number().int().min(0);

/**
 * The seed's defaults for the keys that are now plugin keys (seed-defender §3.4–3.6): the
 * plugins that own them (defender-command, defender-prompt, decision-policy) default to these.
 */
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
  enabled: z.boolean().optional().describe("Serve Talon's own port. Default: on in standalone mode, off in bridge mode."),
  bind: z.string().default("127.0.0.1:18789").describe("`host:port` Talon's server listens on (also its HTTP port)."),
  auth_mode: z
    .enum(["auto", "none", "token", "password"])
    .default("auto")
    .describe("`auto`: password if set, else token if set (serve generates one when neither is), else none."),
  handshake_timeout_ms: uint.default(10000).describe("Time a client has to complete `connect` (effective minimum 500)."),
  event_queue_capacity: uint
    .default(256)
    .describe("Events queued per client (minimum 8); a slow client loses droppable events, then is closed with a reason."),
  allowed_origins: z
    .array(z.string().max(512))
    .max(256)
    .default([])
    .describe(
      "Browser origins (`scheme://host[:port]`, or `*` for any) that may open a gateway connection besides Talon's own pages on its port (127.0.0.1, localhost, [::1]). A connection sending any other `Origin` is refused with CONTROL_UI_ORIGIN_NOT_ALLOWED; clients that send no Origin (CLI, apps, bridge) are not affected.",
    ),
  reload_interval_secs: uint.default(3).describe("Seconds between config file checks; 0 disables live reload."),
  max_payload: z
    .number()
    .int()
    .min(1024)
    .default(26214400)
    .describe("Largest frame after the handshake (bytes), advertised as `policy.maxPayload`."),
  max_buffered_bytes: z
    .number()
    .int()
    .min(1024)
    .default(52428800)
    .describe("Send-buffer budget per client (bytes), advertised as `policy.maxBufferedBytes`; beyond it the client is closed."),
  tick_interval_ms: z
    .number()
    .int()
    .min(100)
    .default(30000)
    .describe("Interval of `tick` events (ms), advertised as `policy.tickIntervalMs`."),
  max_connections: z.number().int().min(1).default(10000).describe("Most simultaneous connections; more are refused with close 1013."),
  max_preauth_per_address: z
    .number()
    .int()
    .min(1)
    .default(32)
    .describe("Most connections from one address still in the handshake (as upstream); more are refused with close 1013."),
});

const gatewayBridgeSchema = z.strictObject({
  scopes: z
    .array(z.string().min(1))
    .default(["operator.read", "operator.write", "operator.approvals", "operator.admin"])
    .describe(
      "Operator scopes the bridge asks the upstream gateway for. Upstream shows exec approvals requested by other devices only to admins, so answering them needs operator.admin.",
    ),
  reconnect_initial_ms: z
    .number()
    .int()
    .min(250)
    .default(1000)
    .describe("First reconnect delay (ms); it doubles per failed attempt up to `reconnect_max_ms`."),
  reconnect_max_ms: z.number().int().min(250).default(30000).describe("Longest reconnect delay (ms)."),
  healthy_after_ms: z
    .number()
    .int()
    .min(0)
    .default(10000)
    .describe("A connection that stayed authenticated this long (ms) resets the reconnect delay."),
  connect_timeout_ms: z
    .number()
    .int()
    .min(100)
    .default(15000)
    .describe("Time (ms) from opening the socket to `hello-ok`, challenge included."),
  call_timeout_ms: z.number().int().min(1).default(30000).describe("Default time limit (ms) of `ctx.gateway.call`."),
  max_pending_calls: z.number().int().min(1).default(256).describe("Most upstream calls awaiting an answer; more are refused at once."),
  max_inflight_frames: z
    .number()
    .int()
    .min(1)
    .default(256)
    .describe(
      "Upstream frames screened at once; up to four times as many wait in a backlog, beyond that frames are counted and logged as not screened (the socket is never paused).",
    ),
});

const gatewaySchema = z.strictObject({
  url: z.string().default("ws://127.0.0.1:18789/ws").describe("Upstream OpenClaw gateway the bridge connects to."),
  token: secret(z.string().optional().describe("Shared secret: clients present it to Talon; the bridge presents it upstream.")),
  password: secret(z.string().optional().describe("Shared password (password auth); preferred over the token in `auto` mode.")),
  runtime_mode: z
    .enum(["bridge_client", "standalone_server"])
    .default("standalone_server")
    .describe(
      "`standalone_server`: Talon is the gateway. `bridge_client`: sidecar of an upstream gateway. (The seed defaulted to bridge_client.)",
    ),
  server: gatewayServerSchema.prefault({}).describe("Talon's own server."),
  bridge: gatewayBridgeSchema.prefault({}).describe("Bridge mode: how Talon connects to the upstream gateway at `url`."),
});

const runtimeSchema = z.strictObject({
  audit_only: z.boolean().default(false).describe("Observe without enforcing: every block becomes a review, and says so."),
  decision_event: z.string().default("security.decision").describe("Name of the event that carries each decision."),
  worker_concurrency: uint.default(8).describe("Evaluations running at once across sessions."),
  max_queue: uint
    .default(256)
    .describe("Actions waiting across all sessions (effective minimum 16); beyond it an action is refused with a logged decision."),
  session_queue_mode: z
    .enum(["followup", "steer", "collect"])
    .default("followup")
    .describe("While a session is busy: `followup` queues, `steer` keeps only the newest, `collect` merges prompts."),
  group_activation_mode: z
    .enum(["mention", "always"])
    .default("mention")
    .describe(
      "`mention`: group messages that say they did not mention the assistant are ignored (control commands from authorised senders excepted).",
    ),
  eval_timeout_ms: uint.default(2500).describe("Time limit of one evaluation (minimum 100); a timeout yields at least `timeout_action`."),
  memory_sample_secs: uint.default(15).describe("Seconds between `memory.rss_kib` log samples."),
  idempotency_ttl_secs: uint.default(300).describe("How long a decision is reused for the same request id and content."),
  idempotency_max_entries: uint.default(5000).describe("Decisions kept for reuse (minimum 32)."),
  session_state_path: z
    .string()
    .default(".openclaw-rs/session-state.json")
    .describe("Seed key, accepted for compatibility; Talon keeps session state in the store (`state.url`)."),
  hook_error_action: z
    .enum(["review", "block"])
    .default("block")
    .describe("Verdict forced when a tap on the decision path throws (fail closed)."),
  timeout_action: z
    .enum(["review", "block"])
    .default("review")
    .describe("Verdict floor when an evaluation times out, and the verdict of an action refused for capacity."),
  command_authorized_senders: z
    .array(z.string())
    .default([])
    .describe(
      "Group senders allowed to use the mention-bypass commands (`/new`, `/reset`, `/help`, `/stop`, `/abort`, `/cancel`): `channel:senderId` or a bare `senderId`. Empty: nobody (the seed let every member).",
    ),
});

const securitySchema = z.strictObject({
  review_threshold: u8.default(35).describe("Total risk at which an action needs review."),
  block_threshold: u8.default(65).describe("Total risk at which an action is blocked; must exceed review_threshold."),
  policy_bundle_path: z
    .string()
    .optional()
    .describe("Signed policy bundle (JSON, HMAC-SHA256) applied over the policy keys; a bad signature stops start-up."),
  policy_bundle_key: secret(z.string().optional().describe("HMAC key of the policy bundle (env OPENCLAW_RS_POLICY_BUNDLE_KEY).")),
});

const pluginEntrySchema = z.strictObject({
  enabled: z.boolean().default(true).describe("`false` skips the plugin even if it is bundled or listed in `load`."),
  optional: z.boolean().default(false).describe("A plugin that fails to load is reported and skipped instead of stopping start-up."),
  config: z.unknown().optional().describe("The plugin's own config, validated against its `configSchema` (see the plugin's README)."),
  setup_timeout_ms: z.number().int().min(1).optional().describe("Setup time limit for this plugin (ms)."),
});

const pluginSourceSchema = z.union([
  z.string().min(1),
  z.strictObject({ source: z.string().min(1), optional: z.boolean().default(false) }),
]);

const pluginsSchema = z.strictObject({
  builtin: z
    .union([z.boolean(), z.array(z.string())])
    .default(true)
    .describe("Load every bundled plugin and driver (`true`), none (`false`), or only the named ones."),
  load: z
    .array(pluginSourceSchema)
    .default([])
    .describe("Extra plugins: local paths (relative to the config file) or npm package names; `{ source, optional }` for optional ones."),
  entries: z.record(z.string(), pluginEntrySchema).default({}).describe("Per-plugin settings keyed by plugin name."),
  setup_timeout_ms: z.number().int().min(1).default(10000).describe("Default time limit of each plugin's setup (ms)."),
  stop_timeout_ms: z.number().int().min(1).default(5000).describe("Time limit for draining and the plugins' stop hooks at shutdown (ms)."),
});

const stateSchema = z.strictObject({
  url: z
    .string()
    .default("sqlite")
    .describe("`sqlite` (file in data_dir), `sqlite:///path/file.sqlite`, `memory` (tests), or `redis://host:port` (several hosts)."),
});

const logSchema = z.strictObject({
  level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info").describe("Log level."),
  pretty: z.boolean().optional().describe("Human-readable logs; default: when stdout is a terminal."),
});

const baseSchema = z.strictObject({
  data_dir: z
    .string()
    .default(".talon")
    .describe("Folder for the store, the generated token and other state; relative to the working directory."),
  gateway: gatewaySchema.prefault({}).describe("Gateway protocol: Talon's server and the bridge to an upstream gateway."),
  runtime: runtimeSchema.prefault({}).describe("The defender's scheduling, limits and fail-closed rules."),
  security: securitySchema
    .prefault({})
    .describe(
      "The thresholds and the signed policy bundle. The seed's other `security.*` keys are still read: they land on the plugins that own them (see the table below).",
    ),
  state: stateSchema.prefault({}).describe("Where state lives."),
  log: logSchema.prefault({}).describe("Logging."),
  plugins: pluginsSchema.prefault({}).describe("Which plugins load and their settings."),
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

/**
 * `extra` laid over `base`: plain objects merge key by key, anything else (arrays included)
 * replaces. Neither input is changed. For layering config objects (defaults, a file, overrides).
 */
export function mergeConfig(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = out[key];
    out[key] = isPlainObject(value) && isPlainObject(current) ? mergeConfig(current, value) : value;
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
