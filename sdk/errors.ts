/**
 * Talon's error taxonomy. Every error a user or plugin author can meet carries a stable
 * `TALON_<AREA>_<PROBLEM>` code from {@link ERROR_CODES}, a message that says what to do, and
 * keeps its `cause`. Wire error codes (upstream's `INVALID_REQUEST`, `FORBIDDEN`, ...) are
 * produced only at the gateway edge, from `ERROR_CODES[code].wire`.
 *
 * Errors are recognised by a brand (`isTalonError`), not `instanceof`, so an error thrown by a
 * plugin that loaded its own copy of the SDK is still understood by the host.
 */

/** Upstream OpenClaw top-level error codes a Talon error maps to at the gateway edge. */
export type WireErrorCode = "INVALID_REQUEST" | "FORBIDDEN" | "UNAVAILABLE" | "NOT_PAIRED" | "APPROVAL_NOT_FOUND";

interface CodeSpec {
  /** What went wrong, in one line; used in docs. */
  readonly summary: string;
  /** Upstream wire code used when this error reaches a client. */
  readonly wire: WireErrorCode;
}

function spec(summary: string, wire: WireErrorCode = "UNAVAILABLE"): CodeSpec {
  return { summary, wire };
}

/**
 * The one registry of error codes, grouped by area. Retired codes are never reused.
 * A test checks that every code is documented in docs/errors.md.
 */
export const ERROR_CODES = {
  // --- config -------------------------------------------------------------------------------
  TALON_CONFIG_NOT_FOUND: spec("the config file named on the command line does not exist"),
  TALON_CONFIG_PARSE: spec("the config file is not valid TOML, JSON or TypeScript"),
  TALON_CONFIG_INVALID: spec("a config value has the wrong type, an unknown key or breaks a rule"),
  TALON_CONFIG_RELOAD_REJECTED: spec("a changed config file was invalid; the previous config stays active"),

  // --- plugin loading -----------------------------------------------------------------------
  TALON_PLUGIN_NOT_FOUND: spec("a plugin named in config could not be resolved"),
  TALON_PLUGIN_IMPORT: spec("a plugin module failed to import"),
  TALON_PLUGIN_MANIFEST: spec("a plugin does not default-export a valid definePlugin() manifest"),
  TALON_PLUGIN_HOST_RANGE: spec("a plugin requires a host version this Talon is not"),
  TALON_PLUGIN_DEPENDENCY_MISSING: spec("a plugin depends on a plugin that is not loaded"),
  TALON_PLUGIN_DEPENDENCY_CYCLE: spec("plugins depend on each other in a cycle"),
  TALON_PLUGIN_DUPLICATE: spec("two plugins declare the same name"),
  TALON_PLUGIN_CONFIG: spec("a plugin's config does not match its configSchema"),
  TALON_PLUGIN_SETUP_FAILED: spec("a plugin's setup threw"),
  TALON_PLUGIN_SETUP_TIMEOUT: spec("a plugin's setup did not finish within its time limit"),
  TALON_PLUGIN_STOP_FAILED: spec("a plugin's stop hook threw or timed out"),

  // --- hooks --------------------------------------------------------------------------------
  TALON_HOOK_UNKNOWN: spec("a plugin tapped a hook that does not exist"),
  TALON_HOOK_BAD_TAP: spec("a tap was registered with invalid options"),
  TALON_HOOK_TAP_AFTER_START: spec("a plugin tapped a hook after the host started"),
  TALON_HOOK_TAP_FAILED: spec("a tap threw or rejected; the host contained it"),

  // --- state --------------------------------------------------------------------------------
  TALON_STATE_UNWRITABLE: spec("the data directory or store file cannot be written"),
  TALON_STATE_CORRUPT: spec("the store file exists but is not a readable database"),
  TALON_STATE_UNREACHABLE: spec("the configured store server cannot be reached"),
  TALON_STATE_UNSUPPORTED: spec("the state.url scheme is not supported"),
  TALON_STATE_WRITE_FAILED: spec("a write to the store failed; nothing was changed"),

  // --- gateway / rpc ------------------------------------------------------------------------
  TALON_GATEWAY_LISTEN: spec("the gateway could not listen on its bind address"),
  TALON_GATEWAY_NOT_CONNECTED: spec("the upstream gateway is not connected"),
  TALON_RPC_INVALID_PARAMS: spec("an RPC's params failed validation", "INVALID_REQUEST"),
  TALON_RPC_INVALID_REQUEST: spec("an RPC request was rejected by the method's own rules", "INVALID_REQUEST"),
  TALON_RPC_NOT_FOUND: spec("an RPC named something that does not exist", "INVALID_REQUEST"),
  TALON_RPC_UNKNOWN_METHOD: spec("no plugin serves this RPC method", "INVALID_REQUEST"),
  TALON_RPC_FORBIDDEN: spec("the caller lacks the scope or role for this RPC", "FORBIDDEN"),
  TALON_RPC_DUPLICATE_METHOD: spec("two plugins registered the same RPC method"),
  TALON_RPC_CONFLICT: spec("an RPC lost a race with a concurrent change; retry it", "INVALID_REQUEST"),
  TALON_RPC_UNAVAILABLE: spec("an RPC could not be served right now; retry later"),
  TALON_RPC_INTERNAL: spec("an RPC handler failed unexpectedly"),

  // --- defender -----------------------------------------------------------------------------
  TALON_DEFENDER_CAPACITY: spec("the defender queue is full; the action was refused"),
  TALON_DEFENDER_TIMEOUT: spec("an evaluation exceeded runtime.eval_timeout_ms"),
  TALON_POLICY_BUNDLE_INVALID: spec("a signed policy bundle could not be read, verified or applied"),
  TALON_GUARD_MISSING: spec("the OpenClaw guard plugin is not loaded upstream or stopped reporting to Talon (see docs/guard-openclaw.md)"),

  // --- channels -----------------------------------------------------------------------------
  TALON_CHANNEL_UNKNOWN: spec("no channel driver with this id is loaded", "INVALID_REQUEST"),
  TALON_CHANNEL_NOT_SUPPORTED: spec("the channel driver does not support this capability", "INVALID_REQUEST"),
  TALON_DRIVER_RATE_LIMITED: spec("the platform rate-limited the driver"),
  TALON_DRIVER_AUTH: spec("the platform rejected the driver's credentials"),
  TALON_DRIVER_PERMISSION: spec("the platform refused the action for lack of permission"),
  TALON_DRIVER_NOT_FOUND: spec("the platform does not know the target", "INVALID_REQUEST"),
  TALON_DRIVER_VALIDATION: spec("the platform rejected the request as invalid", "INVALID_REQUEST"),
  TALON_DRIVER_NETWORK: spec("the platform could not be reached or failed"),

  // --- cli ----------------------------------------------------------------------------------
  TALON_CLI_USAGE: spec("the command line is not valid"),
} as const satisfies Record<string, CodeSpec>;

export type TalonErrorCode = keyof typeof ERROR_CODES;

const BRAND = Symbol.for("talon.error");

export interface TalonErrorOptions {
  cause?: unknown;
  /** Plugin the error belongs to; prefixed to the message. */
  plugin?: string;
  /** Channel driver the error belongs to; prefixed to the message. */
  driver?: string;
  /** Structured data for logs and the wire (`error.details`). Never put secrets here. */
  details?: Record<string, unknown>;
  /** What the user should do next. */
  hint?: string;
}

/** Base of every Talon error. `message` starts with `[talon]` and the owner, if any. */
export class TalonError extends Error {
  readonly code: TalonErrorCode;
  readonly plugin?: string;
  readonly driver?: string;
  readonly details?: Record<string, unknown>;
  readonly hint?: string;
  /** The message without the `[talon] [owner]` prefix, as shown to RPC callers. */
  readonly bareMessage: string;

  constructor(code: TalonErrorCode, message: string, options: TalonErrorOptions = {}) {
    const owner = options.plugin ?? options.driver;
    super(`[talon]${owner ? ` [${owner}]` : ""} ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "TalonError";
    this.code = code;
    this.bareMessage = message;
    if (options.plugin) this.plugin = options.plugin;
    if (options.driver) this.driver = options.driver;
    if (options.details) this.details = options.details;
    if (options.hint) this.hint = options.hint;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** True for any Talon error, whichever copy of the SDK created it. */
export function isTalonError(value: unknown): value is TalonError {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/** A config value is wrong; `details.path` names the key. */
export class ConfigError extends TalonError {
  constructor(code: Extract<TalonErrorCode, `TALON_CONFIG_${string}`>, message: string, options?: TalonErrorOptions) {
    super(code, message, options);
    this.name = "ConfigError";
  }
}

/** A plugin could not be resolved, validated, ordered or set up. */
export class PluginLoadError extends TalonError {
  constructor(code: Extract<TalonErrorCode, `TALON_PLUGIN_${string}`>, message: string, options?: TalonErrorOptions) {
    super(code, message, options);
    this.name = "PluginLoadError";
  }
}

/** A hook was misused, or a tap failed (contained by the host). */
export class HookError extends TalonError {
  constructor(code: Extract<TalonErrorCode, `TALON_HOOK_${string}`>, message: string, options?: TalonErrorOptions) {
    super(code, message, options);
    this.name = "HookError";
  }
}

/** A capability was asked of a plugin or driver that does not declare it. */
export class NotSupportedError extends TalonError {
  /** The capability that was asked for, e.g. `edit`. */
  readonly feature?: string;

  constructor(message: string, options?: TalonErrorOptions & { feature?: string }) {
    super("TALON_CHANNEL_NOT_SUPPORTED", message, options);
    this.name = "NotSupportedError";
    if (options?.feature) this.feature = options.feature;
  }
}

/**
 * An RPC handler's refusal. Throw it from a method handler; the gateway turns it into
 * upstream's error shape. `code` picks the wire code (`INVALID_REQUEST`, `FORBIDDEN`, ...).
 *
 * @example throw new RpcError("TALON_RPC_NOT_FOUND", "session not found: agent:main:x")
 */
export class RpcError extends TalonError {
  constructor(code: Extract<TalonErrorCode, `TALON_RPC_${string}`>, message: string, options?: TalonErrorOptions) {
    super(code, message, options);
    this.name = "RpcError";
  }
}

// --- driver family (after the Chat SDK's adapter errors) -------------------------------------

/** The platform answered 429; `retryAfterMs` is what it asked for. */
export class DriverRateLimitError extends TalonError {
  readonly retryAfterMs: number;
  constructor(driver: string, retryAfterMs: number, options?: TalonErrorOptions) {
    super("TALON_DRIVER_RATE_LIMITED", `rate limited by the platform; retry after ${retryAfterMs} ms`, { ...options, driver });
    this.name = "DriverRateLimitError";
    this.retryAfterMs = retryAfterMs;
  }
}

/** The platform rejected the credentials (401). Retrying will not help. */
export class DriverAuthError extends TalonError {
  constructor(driver: string, message = "the platform rejected the credentials; check the token in config", options?: TalonErrorOptions) {
    super("TALON_DRIVER_AUTH", message, { ...options, driver });
    this.name = "DriverAuthError";
  }
}

/** The platform refused for lack of permission (403). */
export class DriverPermissionError extends TalonError {
  constructor(driver: string, message = "the platform refused this action for lack of permission", options?: TalonErrorOptions) {
    super("TALON_DRIVER_PERMISSION", message, { ...options, driver });
    this.name = "DriverPermissionError";
  }
}

/** The platform does not know the chat, message or user (404). */
export class DriverNotFoundError extends TalonError {
  constructor(driver: string, message = "the platform does not know this target", options?: TalonErrorOptions) {
    super("TALON_DRIVER_NOT_FOUND", message, { ...options, driver });
    this.name = "DriverNotFoundError";
  }
}

/** The platform rejected the request as malformed (other 4xx). */
export class DriverValidationError extends TalonError {
  constructor(driver: string, message: string, options?: TalonErrorOptions) {
    super("TALON_DRIVER_VALIDATION", message, { ...options, driver });
    this.name = "DriverValidationError";
  }
}

/** The platform could not be reached, timed out or failed (5xx). Retrying may help. */
export class DriverNetworkError extends TalonError {
  constructor(driver: string, message: string, options?: TalonErrorOptions) {
    super("TALON_DRIVER_NETWORK", message, { ...options, driver });
    this.name = "DriverNetworkError";
  }
}

/** The message of any thrown value, without assuming it is an Error. */
export function errorMessage(error: unknown): string {
  if (isTalonError(error)) return error.bareMessage;
  if (error instanceof Error) return error.message;
  return String(error);
}
