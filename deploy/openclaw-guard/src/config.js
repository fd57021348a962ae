/**
 * The guard's config (`plugins.entries.talon-guard.config` in OpenClaw), checked when OpenClaw
 * registers the plugin. A config the guard cannot work with throws: OpenClaw then starts without
 * the guard and lists the error in `health` (`plugins.errors`), where Talon's bridge sees it.
 */
import { readFileSync } from "node:fs";

/** OpenClaw's default time limit for a `before_tool_call` handler (ms). */
export const OPENCLAW_HOOK_TIMEOUT_MS = 15_000;

/**
 * @typedef {object} GuardConfig
 * @property {string} url Talon's WebSocket URL (ws:// or wss://).
 * @property {string} token Talon's gateway token.
 * @property {number} timeoutMs Time limit of one decision, connecting included (ms).
 * @property {number} connectTimeoutMs Time limit of one connection attempt (ms).
 * @property {"block" | "review"} failureMode What a tool call gets when Talon cannot decide.
 * @property {number} hookTimeoutMs OpenClaw's hook timeout the guard must stay under (ms).
 * @property {number} approvalTimeoutMs How long a person has to answer a review (ms).
 * @property {boolean} allowAlways Offer "allow always" in reviews.
 * @property {boolean} screenPrompts Screen the user's prompt before the model sees it.
 * @property {"block" | "pass"} promptReview What a prompt Talon wants reviewed gets (a prompt cannot wait for a person).
 * @property {boolean} screenToolResults Screen tool results and redact flagged ones in the transcript.
 * @property {number} heartbeatIntervalMs How often the guard tells Talon it is alive (ms).
 * @property {number} maxPending Most decisions waiting at once; more are refused with the failure mode.
 * @property {number} maxRequestBytes Largest request sent to Talon; bigger params are cut and marked truncated.
 * @property {number} backoffMaxMs Longest wait between reconnect attempts (ms).
 */

const DEFAULTS = {
  timeoutMs: 8000,
  connectTimeoutMs: 3000,
  failureMode: "block",
  hookTimeoutMs: OPENCLAW_HOOK_TIMEOUT_MS,
  approvalTimeoutMs: 120_000,
  allowAlways: false,
  screenPrompts: true,
  promptReview: "block",
  screenToolResults: true,
  heartbeatIntervalMs: 30_000,
  maxPending: 256,
  maxRequestBytes: 1024 * 1024,
  backoffMaxMs: 5000,
};

const KEYS = new Set(["url", "token", "tokenFile", ...Object.keys(DEFAULTS)]);

/** @param {string} message */
function invalid(message) {
  return new Error(`talon-guard config: ${message}`);
}

/**
 * @param {unknown} value
 * @param {string} key
 * @param {number} min
 * @param {number} max
 */
function int(value, key, min, max) {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max)
    throw invalid(`${key} must be an integer from ${min} to ${max} (got ${JSON.stringify(value)})`);
  return value;
}

/**
 * @param {unknown} value
 * @param {string} key
 */
function bool(value, key) {
  if (typeof value !== "boolean") throw invalid(`${key} must be true or false (got ${JSON.stringify(value)})`);
  return value;
}

/**
 * Parse and check the plugin config. `readFile` reads `tokenFile` (tests pass their own).
 * @param {unknown} raw
 * @param {{ readFile?: (path: string) => string }} [io]
 * @returns {GuardConfig}
 */
export function parseConfig(raw, io = {}) {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw invalid("set url and token (or tokenFile)");
  const input = /** @type {Record<string, unknown>} */ (raw);
  for (const key of Object.keys(input)) if (!KEYS.has(key)) throw invalid(`unknown key ${key}`);
  const merged = { ...DEFAULTS, ...input };
  if (typeof merged.url !== "string") throw invalid("url (Talon's ws:// or wss:// URL) is required");
  let url;
  try {
    url = new URL(merged.url);
  } catch {
    throw invalid(`url is not a URL: ${JSON.stringify(merged.url)}`);
  }
  if (url.protocol !== "ws:" && url.protocol !== "wss:") throw invalid(`url must start with ws:// or wss:// (got ${url.protocol})`);
  if (url.username || url.password) throw invalid("url must not carry credentials; use token or tokenFile");
  let token = input.token;
  if (input.tokenFile !== undefined) {
    if (token !== undefined) throw invalid("give token or tokenFile, not both");
    if (typeof input.tokenFile !== "string" || input.tokenFile.trim() === "") throw invalid("tokenFile must be a path");
    try {
      token = (io.readFile ?? ((path) => readFileSync(path, "utf8")))(input.tokenFile).trim();
    } catch (error) {
      throw invalid(`cannot read tokenFile ${input.tokenFile}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (typeof token !== "string" || token.trim() === "")
    throw invalid("token (or tokenFile) is required: Talon refuses unauthenticated guards");
  const hookTimeoutMs = int(merged.hookTimeoutMs, "hookTimeoutMs", 1000, 600_000);
  const timeoutMs = int(merged.timeoutMs, "timeoutMs", 100, 600_000);
  // Decide before OpenClaw's own hook timeout fires, so the answer is the guard's, never a late one.
  if (timeoutMs > hookTimeoutMs - 500)
    throw invalid(
      `timeoutMs (${timeoutMs}) must stay at least 500 ms below hookTimeoutMs (${hookTimeoutMs}, OpenClaw's before_tool_call timeout)`,
    );
  if (merged.failureMode !== "block" && merged.failureMode !== "review")
    throw invalid(`failureMode must be "block" or "review" (never allow); got ${JSON.stringify(merged.failureMode)}`);
  if (merged.promptReview !== "block" && merged.promptReview !== "pass")
    throw invalid(`promptReview must be "block" or "pass"; got ${JSON.stringify(merged.promptReview)}`);
  return {
    url: url.toString(),
    token: token.trim(),
    timeoutMs,
    connectTimeoutMs: int(merged.connectTimeoutMs, "connectTimeoutMs", 50, 600_000),
    failureMode: merged.failureMode,
    hookTimeoutMs,
    approvalTimeoutMs: int(merged.approvalTimeoutMs, "approvalTimeoutMs", 1000, 600_000),
    allowAlways: bool(merged.allowAlways, "allowAlways"),
    screenPrompts: bool(merged.screenPrompts, "screenPrompts"),
    promptReview: merged.promptReview,
    screenToolResults: bool(merged.screenToolResults, "screenToolResults"),
    heartbeatIntervalMs: int(merged.heartbeatIntervalMs, "heartbeatIntervalMs", 100, 3_600_000),
    maxPending: int(merged.maxPending, "maxPending", 1, 65_536),
    maxRequestBytes: int(merged.maxRequestBytes, "maxRequestBytes", 4096, 64 * 1024 * 1024),
    backoffMaxMs: int(merged.backoffMaxMs, "backoffMaxMs", 10, 600_000),
  };
}

/**
 * The URL without user info, query or fragment, for logs.
 * @param {string} url
 */
export function displayUrl(url) {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return "(invalid url)";
  }
}
