/**
 * Session keys: parsing into kinds and canonicalisation to `agent:*` keys (seed spec §3).
 * One canonical key is one session everywhere: RPCs, scheduler lanes and the store.
 */

export type SessionKind = "main" | "direct" | "group" | "channel" | "cron" | "hook" | "node" | "other";

export interface ParsedSessionKey {
  kind: SessionKind;
  agentId?: string;
  channel?: string;
  scope?: string;
  topic?: string;
  /** The lowercase key contains `:subagent:`. */
  subagent: boolean;
}

/** The default agent id; `main` canonicalises to `agent:main:main`. */
export const DEFAULT_AGENT_ID = "main";

/** Parse a session key (seed §3.1). The input is trimmed first. */
export function parseSessionKey(input: string): ParsedSessionKey {
  const key = input.trim();
  const subagent = key.toLowerCase().includes(":subagent:");
  if (key.toLowerCase() === "main") return { kind: "main", subagent };
  for (const [prefix, kind] of [
    ["cron:", "cron"],
    ["hook:", "hook"],
    ["node-", "node"],
  ] as const) {
    if (key.startsWith(prefix)) return { kind, channel: "internal", scope: key.slice(prefix.length), subagent };
  }
  const segments = key.split(":");
  if (segments[0] !== "agent") return { kind: "other", subagent };
  const agentId = segments[1] ?? "";
  const channel = segments[2];
  const rest = segments.slice(3);
  const base = { agentId, subagent };
  if (rest.length === 0) {
    if (channel !== undefined && channel.toLowerCase() === "main") return { kind: "main", ...base, scope: "main" };
    return channel === undefined ? { kind: "other", ...base } : { kind: "other", ...base, channel };
  }
  if (rest.length === 1) {
    const only = rest[0]!;
    return { kind: only.toLowerCase() === "main" ? "main" : "other", ...base, channel, scope: only };
  }
  const marker = rest[0];
  if (marker === "dm") return { kind: "direct", ...base, channel, scope: rest.slice(1).join(":") };
  if (marker === "group" || marker === "channel") {
    const tail = rest.slice(1);
    const topicAt = tail.findIndex((segment, index) => segment === "topic" && index + 1 < tail.length);
    if (topicAt >= 0) {
      return { kind: marker, ...base, channel, scope: tail.slice(0, topicAt).join(":"), topic: tail[topicAt + 1] };
    }
    return { kind: marker, ...base, channel, scope: tail.join(":") };
  }
  return { kind: "other", ...base, channel, scope: rest.join(":") };
}

/**
 * Canonicalise a session key (seed §3.3): `main` → `agent:main:main`, `discord:group:g1` →
 * `agent:main:discord:group:g1`, `global` stays `global`. Returns `""` for a blank input.
 */
export function canonicalSessionKey(input: string): string {
  const key = input.trim();
  if (key === "") return "";
  const lower = key.toLowerCase();
  if (lower === "global") return "global";
  if (lower === "main") return `agent:${DEFAULT_AGENT_ID}:main`;
  if (lower.startsWith("agent:") || lower.startsWith("cron:") || lower.startsWith("hook:") || lower.startsWith("node-")) {
    return key;
  }
  if (key.includes(":")) return `agent:${DEFAULT_AGENT_ID}:${key}`;
  return key;
}

/**
 * Longest session key accepted anywhere (upstream's `chat.send` schema limit), in code points of
 * the CANONICAL key (after `agent:main:` is added). Every place that names a session applies this
 * one rule: RPCs refuse longer keys ({@link isSessionKeyTooLong}), the defender cuts them
 * ({@link boundedSessionKey}), so every session a decision creates can be named by an RPC.
 */
export const SESSION_KEY_MAX_CHARS = 512;

/** Whether a canonical key has more than {@link SESSION_KEY_MAX_CHARS} code points. */
export function isSessionKeyTooLong(canonical: string): boolean {
  return codePointEnd(canonical, SESSION_KEY_MAX_CHARS) < canonical.length;
}

/** Index after the first `max` code points of `value` (`value.length` when it has fewer). */
function codePointEnd(value: string, max: number): number {
  // At most 2 code units per code point: a short string needs no walk.
  if (value.length <= max) return value.length;
  let end = 0;
  for (let count = 0; count < max && end < value.length; count++) {
    const unit = value.charCodeAt(end);
    const low = end + 1 < value.length ? value.charCodeAt(end + 1) : 0;
    end += unit >= 0xd800 && unit <= 0xdbff && low >= 0xdc00 && low <= 0xdfff ? 2 : 1;
  }
  return end;
}

/**
 * The canonical key of `input`, cut to {@link SESSION_KEY_MAX_CHARS} code points when longer (at
 * a code-point boundary, then canonicalised again), so the result is its own canonical form and
 * within the limit. `truncated` says whether it was cut. Blank → `""`.
 */
export function boundedSessionKey(input: string): { key: string; truncated: boolean } {
  const canonical = canonicalSessionKey(input);
  const end = codePointEnd(canonical, SESSION_KEY_MAX_CHARS);
  if (end >= canonical.length) return { key: canonical, truncated: false };
  // Canonicalised again: the cut may end in whitespace, or leave e.g. `main` followed by spaces.
  return { key: canonicalSessionKey(canonical.slice(0, end)), truncated: true };
}

/** A subagent session: the lowercase key contains `:subagent:` (seed §3.1; parses as `other`). */
export function isSubagentKey(key: string): boolean {
  return key.toLowerCase().includes(":subagent:");
}

/** Session kinds as upstream's `GatewaySessionRow.kind` spells them. */
export type UpstreamSessionKind = "direct" | "group" | "global" | "unknown" | "cron";

/**
 * Map a key to upstream's row kind. Upstream clients switch on these five values, so rows carry
 * this as `kind` and the seed's finer kind as `sessionKind` (upstream wins for what a client reads).
 */
export function upstreamSessionKind(key: string, kind: SessionKind): UpstreamSessionKind {
  const lower = key.trim().toLowerCase();
  if (lower === "global") return "global";
  if (lower === "unknown") return "unknown";
  if (kind === "group" || kind === "channel") return "group";
  if (kind === "cron" || lower.includes(":cron:")) return "cron";
  return "direct";
}

/** The kinds that count as a group context for activation gating. */
export function isGroupKind(kind: SessionKind): boolean {
  return kind === "group" || kind === "channel";
}
