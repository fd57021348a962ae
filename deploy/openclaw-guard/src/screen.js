/**
 * Small bounded caches the hooks share: verdicts of texts screened ahead of time (a prompt seen in
 * `message_received` is judged once, then reused by `before_agent_run`), and verdicts of tool
 * results (for the synchronous `tool_result_persist`, which cannot wait for Talon). Entries
 * expire; the oldest go first when full.
 */
import { createHash } from "node:crypto";

/** @param {string} text */
export function digest(text) {
  return createHash("sha256").update(text).digest("base64url");
}

/**
 * @template V
 */
export class BoundedCache {
  /** @type {Map<string, { value: V, expires: number }>} */
  #map = new Map();
  #max;
  #ttlMs;

  /**
   * @param {number} max
   * @param {number} ttlMs
   */
  constructor(max, ttlMs) {
    this.#max = max;
    this.#ttlMs = ttlMs;
  }

  /** @param {string} key @returns {V | undefined} */
  get(key) {
    const entry = this.#map.get(key);
    if (!entry) return undefined;
    if (entry.expires < Date.now()) {
      this.#map.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** @param {string} key @param {V} value */
  set(key, value) {
    this.#map.delete(key);
    this.#map.set(key, { value, expires: Date.now() + this.#ttlMs });
    while (this.#map.size > this.#max) this.#map.delete(/** @type {string} */ (this.#map.keys().next().value));
  }

  /** @param {string} key */
  delete(key) {
    this.#map.delete(key);
  }

  get size() {
    return this.#map.size;
  }
}

/**
 * The text of a tool result message (`content` as a string or `[{ type: "text", text }]`).
 * @param {unknown} message
 */
export function resultText(message) {
  const content = /** @type {{ content?: unknown } | null} */ (message)?.content;
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part) => (typeof part === "string" ? part : part && typeof part.text === "string" ? part.text : ""))
    .filter((text) => text !== "")
    .join("\n");
}

/**
 * The tool result message with its text replaced by a notice (details dropped: they may hold the raw output).
 * @param {Record<string, unknown>} message
 * @param {string} notice
 */
export function redacted(message, notice) {
  return { ...message, content: [{ type: "text", text: notice }], details: { redactedByTalon: true } };
}
