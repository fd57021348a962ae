/**
 * Talon's answer to a `security.evaluate` request, checked and turned into what an OpenClaw hook
 * returns. An answer is trusted only if it is a decision for exactly the request sent (its
 * `requestId` is the id the guard chose) with a known verdict; anything else is a failure, and a
 * failure is never an allow: it gets the configured failure mode (block, or a person's review).
 */
import { GuardError } from "./client.js";

/** Longest block reason or approval description handed to OpenClaw. */
const MAX_REASON_CHARS = 1500;
const VERDICTS = new Set(["allow", "review", "block"]);

/**
 * @typedef {object} Decision
 * @property {"allow" | "review" | "block"} action
 * @property {number} risk
 * @property {string[]} reasons
 * @property {string[]} tags
 * @property {boolean} cached
 */

/**
 * Check an answer; throws GuardError when it is not a decision for `requestId`.
 * @param {unknown} payload
 * @param {string} requestId
 * @returns {Decision}
 */
export function readDecision(payload, requestId) {
  if (typeof payload !== "object" || payload === null || Array.isArray(payload))
    throw new GuardError("GUARD_BAD_ANSWER", "Talon's answer is not an object");
  const answer = /** @type {Record<string, unknown>} */ (payload);
  if (answer.requestId !== requestId) throw new GuardError("GUARD_BAD_ANSWER", "Talon's answer is for another request");
  if (answer.status !== "decided") throw new GuardError("GUARD_NO_DECISION", `Talon did not decide (status ${String(answer.status)})`);
  if (typeof answer.action !== "string" || !VERDICTS.has(answer.action))
    throw new GuardError("GUARD_BAD_ANSWER", `Talon's answer has no verdict (${String(answer.action)})`);
  const reasons = Array.isArray(answer.reasons) ? answer.reasons.filter((reason) => typeof reason === "string").slice(0, 20) : [];
  const tags = Array.isArray(answer.tags)
    ? answer.tags.filter((tag) => typeof tag === "string" && /^[\w.:-]{1,64}$/.test(tag)).slice(0, 20)
    : [];
  const risk = typeof answer.risk_score === "number" && Number.isFinite(answer.risk_score) ? answer.risk_score : 0;
  return { action: /** @type {Decision["action"]} */ (answer.action), risk, reasons, tags, cached: answer.cached === true };
}

/** @param {string} text */
function cut(text) {
  return text.length > MAX_REASON_CHARS ? `${text.slice(0, MAX_REASON_CHARS)}…` : text;
}

/** @param {string[]} reasons */
function because(reasons) {
  const useful = reasons.filter((reason) => !/^decision reused from idempotency cache$/.test(reason));
  return useful.length > 0 ? useful.join("; ") : "no reason given";
}

/**
 * OpenClaw's approval severity for a review, from Talon's risk (0–100).
 * @param {number} risk
 * @returns {"info" | "warning" | "critical"}
 */
export function severityOf(risk) {
  return risk >= 50 ? "critical" : risk >= 20 ? "warning" : "info";
}

/**
 * The `before_tool_call` result for a decision.
 * @param {Decision} decision
 * @param {string} tool
 * @param {{ approvalTimeoutMs: number, allowAlways: boolean }} options
 */
export function toolCallResult(decision, tool, options) {
  if (decision.action === "allow") return undefined;
  if (decision.action === "block") {
    return { block: true, blockReason: cut(`Talon blocked this ${tool} call (risk ${decision.risk}): ${because(decision.reasons)}`) };
  }
  return {
    requireApproval: {
      title: cut(`Talon asks a person to review this ${tool} call`),
      description: cut(`Risk ${decision.risk}: ${because(decision.reasons)}`),
      severity: severityOf(decision.risk),
      timeoutMs: options.approvalTimeoutMs,
      allowedDecisions: options.allowAlways ? ["allow-once", "allow-always", "deny"] : ["allow-once", "deny"],
    },
  };
}

/**
 * The `before_tool_call` result when Talon could not decide: never an allow.
 * @param {Error} error
 * @param {string} tool
 * @param {{ failureMode: "block" | "review", approvalTimeoutMs: number }} options
 */
export function failureResult(error, tool, options) {
  const why = cut(error.message);
  if (options.failureMode === "review") {
    return {
      requireApproval: {
        title: `Talon could not check this ${tool} call`,
        description: `The guard could not get Talon's decision (${why}). Allow only if you know this call is safe.`,
        severity: "critical",
        timeoutMs: options.approvalTimeoutMs,
        allowedDecisions: ["allow-once", "deny"],
      },
    };
  }
  return {
    block: true,
    blockReason: `Blocked: Talon could not check this ${tool} call (${why}); the guard blocks what Talon has not allowed.`,
  };
}

/**
 * The reason text shown when a prompt is stopped.
 * @param {Decision | undefined} decision
 * @param {Error | undefined} error
 */
export function promptBlockMessage(decision, error) {
  if (decision) return cut(`Talon stopped this message (risk ${decision.risk}): ${because(decision.reasons)}`);
  return cut(`Talon could not check this message (${error?.message ?? "no answer"}); it was not sent to the model.`);
}
