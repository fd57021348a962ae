/**
 * The guard: OpenClaw hook handlers that ask Talon before every tool call, screen text entering
 * the agent, and report the guard's presence. One Guard per OpenClaw process (index.js shares it
 * across OpenClaw's repeated `register()` calls); its connection opens on first need or when
 * OpenClaw starts the guard's service.
 *
 * Hooks (openclaw 2026.9.6):
 * - `before_tool_call`: each call (both calls of a `tool_call` dispatch) → `security.evaluate`
 *   → block `{ block, blockReason }` / review `{ requireApproval }` / allow `undefined`. Its own
 *   deadline (`timeoutMs`) sits below OpenClaw's hook timeout; no decision → failure mode.
 * - `message_received` (observe only): starts screening the user's text early.
 * - `before_agent_run`: the prompt (role `user`) → `{ outcome: "block" }` before the model is called.
 * - `after_tool_call` (observe only): starts screening the tool's output (role `tool`).
 * - `tool_result_persist` (synchronous: cannot wait): redacts a result Talon already flagged, by
 *   its tool call id or, for a result seen before, by its content. It rewrites the stored
 *   transcript only; the model has already seen the result in the same turn.
 */
import { randomUUID } from "node:crypto";
import { BoundedCache, digest, redacted, resultText } from "./screen.js";
import { boundParams, DEFAULT_LIMITS } from "./bound.js";
import { GuardError, TalonClient, newInstanceId } from "./client.js";
import { displayUrl } from "./config.js";
import { whoOf } from "./context.js";
import { failureResult, promptBlockMessage, readDecision, toolCallResult } from "./verdict.js";

export const GUARD_ID = "talon-guard";
export const GUARD_VERSION = "0.1.0";

/** Most prompt and result verdicts kept, and for how long. */
const CACHE_ENTRIES = 1024;
const CACHE_TTL_MS = 10 * 60_000;
/** Longest prompt or tool output sent for screening (Talon scans 256 KiB per field). */
const MAX_TEXT_CHARS = 256 * 1024;

/**
 * @typedef {import("./config.js").GuardConfig} GuardConfig
 * @typedef {import("./verdict.js").Decision} Decision
 * @typedef {{ info(msg: string): void, warn(msg: string): void, error(msg: string): void }} Log
 */

export class Guard {
  /** @type {GuardConfig} */
  config;
  /** @type {TalonClient} */
  client;
  #log;
  #instanceId = newInstanceId();
  #openclawVersion;
  /** @type {NodeJS.Timeout | undefined} */
  #heartbeat;
  #started = false;
  #stopped = false;
  #reported = "";
  /** @type {BoundedCache<Promise<{ decision?: Decision, error?: Error }>>} */
  #prompts = new BoundedCache(CACHE_ENTRIES, CACHE_TTL_MS);
  /** Tool call id → verdict of its output (settled), or the promise while screening. @type {BoundedCache<Decision | Promise<unknown>>} */
  #results = new BoundedCache(CACHE_ENTRIES, CACHE_TTL_MS);
  /** Output digest → a verdict that flagged it (the last known verdict for that content). @type {BoundedCache<Decision>} */
  #flagged = new BoundedCache(CACHE_ENTRIES, CACHE_TTL_MS);
  /** Tool calls the guard did not allow: their "result" is the guard's own reason, not tool output. @type {BoundedCache<true>} */
  #notRun = new BoundedCache(CACHE_ENTRIES, CACHE_TTL_MS);
  stats = { decisions: 0, allowed: 0, reviewed: 0, blocked: 0, failures: 0, prompts: 0, results: 0, redacted: 0 };
  /** What the last heartbeat answer said. */
  talonReply = { version: "", at: 0 };

  /**
   * @param {GuardConfig} config
   * @param {{ log: Log, openclawVersion?: string, workspaceFor?: (agentId: string | undefined) => string | undefined }} options
   */
  constructor(config, options) {
    this.config = config;
    this.#log = options.log;
    this.#openclawVersion = options.openclawVersion;
    this.workspaceFor = options.workspaceFor ?? (() => undefined);
    this.client = new TalonClient({
      url: config.url,
      token: config.token,
      connectTimeoutMs: config.connectTimeoutMs,
      maxPending: config.maxPending,
      backoffMaxMs: config.backoffMaxMs,
      version: GUARD_VERSION,
      instanceId: this.#instanceId,
      log: options.log,
    });
  }

  get instanceId() {
    return this.#instanceId;
  }

  /** Open the connection now and start heartbeats (OpenClaw's service start, or the first hook). */
  start() {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    const beat = () => void this.#sendHeartbeat();
    this.#heartbeat = setInterval(beat, this.config.heartbeatIntervalMs);
    this.#heartbeat.unref?.();
    beat();
  }

  /**
   * Stop heartbeats (OpenClaw stopped the guard's service, e.g. for a reload): if the reload
   * drops the guard, Talon notices the silence. The next service start or hook resumes them.
   */
  suspend() {
    this.#started = false;
    clearInterval(this.#heartbeat);
  }

  stop() {
    this.#stopped = true;
    this.suspend();
    this.client.close();
  }

  async #sendHeartbeat() {
    try {
      const reply = /** @type {{ talon?: { version?: string } }} */ (
        await this.client.request(
          "security.guard.heartbeat",
          {
            guardId: GUARD_ID,
            version: GUARD_VERSION,
            instanceId: this.#instanceId,
            ...(this.#openclawVersion ? { openclawVersion: this.#openclawVersion.slice(0, 64) } : {}),
            pid: process.pid,
            connectedSinceMs: this.client.talon.connectedSinceMs || undefined,
            stats: {
              ...this.stats,
              pending: this.client.pending,
              reconnects: this.client.stats.reconnects,
              unmatched: this.client.stats.unmatched,
            },
          },
          Date.now() + this.config.timeoutMs,
        )
      );
      this.talonReply = { version: String(reply?.talon?.version ?? this.client.talon.version), at: Date.now() };
      this.#report(`talon-guard ${GUARD_VERSION} connected to Talon ${this.talonReply.version} at ${displayUrl(this.config.url)}`, "info");
    } catch (error) {
      this.#report(
        `talon-guard cannot reach Talon at ${displayUrl(this.config.url)}: ${error instanceof Error ? error.message : String(error)}`,
        "warn",
      );
    }
  }

  /** Log a state only when it changes (a heartbeat every 30 s must not flood the log). */
  #report(/** @type {string} */ message, /** @type {"info" | "warn"} */ level) {
    if (message === this.#reported) return;
    this.#reported = message;
    this.#log[level](message);
  }

  /**
   * Ask Talon, retrying on a new connection while the deadline allows (a Talon restart mid-call).
   * @param {Record<string, unknown>} params
   * @param {AbortSignal} [signal]
   * @returns {Promise<Decision>}
   */
  async evaluate(params, signal) {
    this.start();
    const id = `tg-${randomUUID()}`;
    const deadline = Date.now() + this.config.timeoutMs;
    const request = { ...params, id };
    /** @type {unknown} */
    let lastError;
    // Once the connection dropped under this call (a Talon restart), keep reconnecting until the
    // deadline; a call that finds Talon already down fails at once instead of waiting it out.
    let patient = false;
    for (;;) {
      try {
        const payload = await this.client.request("security.evaluate", request, deadline, signal, { patient });
        return readDecision(payload, id);
      } catch (error) {
        lastError = error;
        if (error instanceof GuardError && (error.code === "GUARD_DISCONNECTED" || error.code === "GUARD_SEND_FAILED")) patient = true;
        const retry = error instanceof GuardError && error.retryable && patient && Date.now() < deadline - 50;
        if (!retry) throw error;
      }
      if (signal?.aborted) throw lastError;
    }
  }

  /**
   * `before_tool_call`.
   * @param {Record<string, any>} event
   * @param {Record<string, any>} ctx
   */
  async beforeToolCall(event, ctx) {
    const tool = typeof event?.toolName === "string" && event.toolName.trim() !== "" ? event.toolName.slice(0, 256) : "unknown";
    const options = this.config;
    try {
      const limits = { ...DEFAULT_LIMITS, maxBytes: Math.floor(options.maxRequestBytes * 0.75) };
      const bounded = boundParams(event?.params ?? {}, limits);
      /** @type {Record<string, unknown>} */
      const params = { tool, params: bounded.value, ...whoOf(event, ctx) };
      if (bounded.truncated) params.truncated = true;
      const workspace = this.workspaceFor(typeof ctx?.agentId === "string" ? ctx.agentId : undefined);
      if (workspace) params.workspaceDir = workspace;
      if (Array.isArray(event?.derivedPaths)) {
        const paths = event.derivedPaths
          .filter((/** @type {unknown} */ p) => typeof p === "string")
          .slice(0, 256)
          .map((/** @type {string} */ p) => p.slice(0, 4096));
        if (paths.length > 0) params.derivedPaths = paths;
      }
      const decision = await this.evaluate(params, ctx?.abortSignal);
      this.stats.decisions++;
      if (decision.action === "allow") this.stats.allowed++;
      else if (decision.action === "review") this.stats.reviewed++;
      else {
        this.stats.blocked++;
        this.#markNotRun(event, ctx);
      }
      return toolCallResult(decision, tool, options);
    } catch (error) {
      this.stats.failures++;
      this.#markNotRun(event, ctx);
      const failure = error instanceof Error ? error : new Error(String(error));
      this.#log.warn(`talon-guard: no decision for ${tool} (${failure.message}); failure mode ${options.failureMode}`);
      return failureResult(failure, tool, options);
    }
  }

  /** @param {Record<string, any>} event @param {Record<string, any>} ctx */
  #markNotRun(event, ctx) {
    const id = event?.toolCallId ?? ctx?.toolCallId;
    if (typeof id === "string") this.#notRun.set(id, true);
  }

  /**
   * Start (or reuse) the screening of a user's text.
   * @param {string} text
   * @param {Record<string, unknown>} who
   */
  #screenPrompt(text, who) {
    const key = `${who.sessionKey ?? ""}\0${digest(text)}`;
    const cached = this.#prompts.get(key);
    if (cached) return cached;
    const prompt = text.length > MAX_TEXT_CHARS ? text.slice(0, MAX_TEXT_CHARS) : text;
    const request = { prompt, role: "user", ...who, ...(prompt.length < text.length ? { truncated: true } : {}) };
    const screening = this.evaluate(request).then(
      (decision) => ({ decision }),
      (error) => ({ error: error instanceof Error ? error : new Error(String(error)) }),
    );
    this.#prompts.set(key, screening);
    // A failure is not remembered: the next look asks again.
    screening.then((outcome) => outcome.error && this.#prompts.delete(key));
    return screening;
  }

  /**
   * `message_received` (observe only): screen early so `before_agent_run` has the answer.
   * @param {Record<string, any>} event
   * @param {Record<string, any>} ctx
   */
  messageReceived(event, ctx) {
    if (!this.config.screenPrompts || typeof event?.content !== "string" || event.content.trim() === "") return;
    this.stats.prompts++;
    void this.#screenPrompt(event.content, { sessionKey: typeof ctx?.sessionKey === "string" ? ctx.sessionKey.slice(0, 512) : undefined });
  }

  /**
   * `before_agent_run`: stop the run before the model reads a prompt Talon did not allow.
   * @param {Record<string, any>} event
   * @param {Record<string, any>} ctx
   */
  async beforeAgentRun(event, ctx) {
    if (!this.config.screenPrompts || typeof event?.prompt !== "string" || event.prompt.trim() === "") return undefined;
    const who = { sessionKey: typeof ctx?.sessionKey === "string" ? ctx.sessionKey.slice(0, 512) : undefined };
    const outcome = await this.#screenPrompt(event.prompt, who);
    const decision = outcome.decision;
    if (decision?.action === "allow") return undefined;
    if (decision?.action === "review" && this.config.promptReview === "pass") return undefined;
    const message = promptBlockMessage(decision, outcome.error);
    return { outcome: "block", reason: message, message };
  }

  /**
   * `after_tool_call` (observe only): screen the output so `tool_result_persist` can redact it.
   * @param {Record<string, any>} event
   * @param {Record<string, any>} ctx
   */
  afterToolCall(event, ctx) {
    if (!this.config.screenToolResults) return;
    const id = typeof event?.toolCallId === "string" ? event.toolCallId : typeof ctx?.toolCallId === "string" ? ctx.toolCallId : undefined;
    const text = typeof event?.result === "string" ? event.result : resultText(event?.result);
    if (!id || text.trim() === "" || this.#results.get(id) || this.#notRun.get(id)) return;
    this.#screenResult(id, text, event, ctx);
  }

  /**
   * @param {string} id
   * @param {string} text
   * @param {Record<string, any>} event
   * @param {Record<string, any>} ctx
   */
  #screenResult(id, text, event, ctx) {
    this.stats.results++;
    const prompt = text.length > MAX_TEXT_CHARS ? text.slice(0, MAX_TEXT_CHARS) : text;
    const tool = typeof event?.toolName === "string" ? event.toolName.slice(0, 256) : undefined;
    const request = {
      prompt,
      role: "tool",
      ...(tool ? { tool } : {}),
      ...whoOf(event, ctx),
      ...(prompt.length < text.length ? { truncated: true } : {}),
    };
    const key = digest(text);
    const screening = this.evaluate(request).then(
      (decision) => {
        this.#results.set(id, decision);
        if (decision.action !== "allow") this.#flagged.set(key, decision);
      },
      () => this.#results.delete(id),
    );
    this.#results.set(id, screening);
  }

  /**
   * `tool_result_persist` (synchronous): redact a result Talon flagged.
   * @param {Record<string, any>} event
   * @param {Record<string, any>} ctx
   */
  toolResultPersist(event, ctx) {
    if (!this.config.screenToolResults) return undefined;
    const message = event?.message;
    if (!message || typeof message !== "object") return undefined;
    const text = resultText(message);
    if (text.trim() === "") return undefined;
    const id = typeof event?.toolCallId === "string" ? event.toolCallId : undefined;
    if (id && this.#notRun.get(id)) return undefined;
    const known = id ? this.#results.get(id) : undefined;
    const decision = known && !(known instanceof Promise) ? known : this.#flagged.get(digest(text));
    if (!decision && id && !known) this.#screenResult(id, text, event, ctx);
    if (!decision || decision.action === "allow") return undefined;
    this.stats.redacted++;
    return {
      message: redacted(
        message,
        // Tags only: the reasons quote the flagged text, which must not reach the transcript either.
        `[Talon withheld this ${event?.toolName ?? "tool"} result (risk ${decision.risk}; ${decision.tags.slice(0, 6).join(", ") || "flagged"})]`,
      ),
    };
  }

  /** What the guard reports about itself. */
  status() {
    return {
      guardId: GUARD_ID,
      version: GUARD_VERSION,
      instanceId: this.#instanceId,
      talon: {
        url: displayUrl(this.config.url),
        version: this.talonReply.version || this.client.talon.version,
        connected: this.client.connected,
      },
      stats: { ...this.stats, pending: this.client.pending, ...this.client.stats },
    };
  }
}
