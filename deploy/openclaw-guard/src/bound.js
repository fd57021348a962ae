/**
 * A JSON-safe, bounded copy of a tool call's params: whatever OpenClaw hands the hook (model JSON,
 * but also Buffers, typed arrays, Maps, class instances, cycles, getters that throw) becomes
 * plain JSON of limited depth, width and size. Binary data becomes base64 text (Talon decodes and
 * scans it). Anything cut marks the copy `truncated`, and Talon floors a truncated call at
 * review: what was not sent was not judged.
 */

/**
 * @typedef {object} Limits
 * @property {number} maxBytes Approximate size budget of the whole copy (UTF-16 code units of strings plus keys).
 * @property {number} maxDepth Deepest nesting kept.
 * @property {number} maxString Longest string kept (code units).
 * @property {number} maxEntries Most items per array and keys per object.
 */

/** @type {Limits} */
export const DEFAULT_LIMITS = { maxBytes: 768 * 1024, maxDepth: 32, maxString: 256 * 1024, maxEntries: 2000 };

const TRUNCATED = "[truncated by talon-guard]";

/**
 * @param {unknown} value
 * @param {Limits} [limits]
 * @returns {{ value: unknown, truncated: boolean }}
 */
export function boundParams(value, limits = DEFAULT_LIMITS) {
  const state = { budget: limits.maxBytes, truncated: false, seen: new WeakSet() };

  /** @param {string} text */
  const str = (text) => {
    let out = text;
    if (out.length > limits.maxString) {
      out = out.slice(0, limits.maxString);
      state.truncated = true;
    }
    if (out.length > state.budget) {
      out = out.slice(0, Math.max(0, state.budget));
      state.truncated = true;
    }
    state.budget -= out.length + 2;
    return out;
  };

  /** @param {ArrayBufferView | ArrayBuffer} bytes */
  const binary = (bytes) => {
    const view = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // base64 is 4/3 the size: cut the bytes before encoding so the budget holds.
    const room = Math.floor((Math.min(limits.maxString, Math.max(0, state.budget)) * 3) / 4);
    const kept = view.byteLength > room ? view.subarray(0, room) : view;
    if (kept.byteLength < view.byteLength) state.truncated = true;
    return str(Buffer.from(kept.buffer, kept.byteOffset, kept.byteLength).toString("base64"));
  };

  /**
   * @param {unknown} node
   * @param {number} depth
   * @returns {unknown}
   */
  const copy = (node, depth) => {
    if (state.budget <= 0) {
      state.truncated = true;
      return undefined;
    }
    switch (typeof node) {
      case "string":
        return str(node);
      case "number":
        state.budget -= 8;
        return Number.isFinite(node) ? node : String(node);
      case "boolean":
        state.budget -= 5;
        return node;
      case "bigint":
        return str(node.toString());
      case "undefined":
      case "function":
      case "symbol":
        return undefined;
    }
    if (node === null) {
      state.budget -= 4;
      return null;
    }
    const object = /** @type {object} */ (node);
    if (ArrayBuffer.isView(object) || object instanceof ArrayBuffer) return binary(/** @type {ArrayBufferView} */ (object));
    if (object instanceof Date) return Number.isNaN(object.getTime()) ? null : str(object.toISOString());
    if (depth >= limits.maxDepth) {
      state.truncated = true;
      return TRUNCATED;
    }
    if (state.seen.has(object)) {
      state.truncated = true;
      return "[circular]";
    }
    state.seen.add(object);
    try {
      if (Array.isArray(object) || object instanceof Set) {
        const items = Array.isArray(object) ? object : [...object];
        const out = [];
        const n = Math.min(items.length, limits.maxEntries);
        if (n < items.length) state.truncated = true;
        for (let i = 0; i < n && state.budget > 0; i++) {
          const item = copy(items[i], depth + 1);
          out.push(item === undefined ? null : item);
        }
        if (out.length < n) state.truncated = true;
        state.budget -= 2;
        return out;
      }
      /** @type {Record<string, unknown>} */
      const out = {};
      let count = 0;
      /** @type {Iterable<unknown>} */
      const keys = object instanceof Map ? object.keys() : Object.keys(object);
      for (const rawKey of keys) {
        if (count >= limits.maxEntries || state.budget <= 0) {
          state.truncated = true;
          break;
        }
        let item;
        try {
          item =
            object instanceof Map ? object.get(rawKey) : /** @type {Record<string, unknown>} */ (object)[/** @type {string} */ (rawKey)];
        } catch {
          // A getter that throws: what it hid was not sent.
          state.truncated = true;
          continue;
        }
        const key = str(String(rawKey));
        const copied = copy(item, depth + 1);
        if (copied !== undefined) {
          out[key] = copied;
          count++;
        }
      }
      state.budget -= 2;
      return out;
    } catch {
      // A getter or iterator that throws: what it hid was not sent.
      state.truncated = true;
      return TRUNCATED;
    } finally {
      state.seen.delete(object);
    }
  };

  const result = copy(value, 0);
  return { value: result === undefined ? null : result, truncated: state.truncated };
}
