/**
 * Params decoding shared by every sessions and chat method (seed-gateway §0.2): camelCase fields
 * also accept their snake_case alias (both at once is an error), `null` on an optional field is
 * the same as absent, and the session key is read from `sessionKey` or `key`.
 */
import { z } from "zod";
import { RpcError, SESSION_KEY_MAX_CHARS, canonicalSessionKey, isSessionKeyTooLong } from "@talon/sdk";

/** camelCase → snake_case (`sessionKey` → `session_key`). */
function snakeOf(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * An object schema whose camelCase keys also accept their snake_case spelling. `strict` rejects
 * unknown keys (the seed's chat.* records); otherwise they are ignored.
 */
export function paramsSchema<T extends z.ZodRawShape>(shape: T, options: { strict?: boolean } = {}) {
  const aliases = Object.keys(shape)
    .map((name) => [name, snakeOf(name)] as const)
    .filter(([name, snake]) => name !== snake);
  const object = options.strict ? z.strictObject(shape) : z.looseObject(shape);
  return z.preprocess((input, ctx) => {
    if (input === null || input === undefined) return {};
    if (typeof input !== "object" || Array.isArray(input)) return input;
    let out = input as Record<string, unknown>;
    for (const [name, snake] of aliases) {
      if (!(snake in out)) continue;
      if (name in out) {
        ctx.addIssue({ code: "custom", path: [snake], message: `duplicate field \`${name}\` (${snake} is its alias; send one)` });
        continue;
      }
      if (out === input) out = { ...out };
      out[name] = out[snake];
      delete out[snake];
    }
    return out;
  }, object);
}

/** Optional string field (`null` = absent). */
export const optString = () => z.string().nullish();
/** Optional unsigned integer field (negative or fractional numbers are decode errors, as in the seed). */
export const optUint = () => z.number().int().nonnegative().nullish();
/** Optional boolean field. */
export const optBool = () => z.boolean().nullish();

/** `sessionKey` and `key`, read by every method that names one session. */
export const keyShape = { sessionKey: optString(), key: optString() };

/**
 * The canonical session key named by `sessionKey` or `key`. Both may be given when they name the
 * same session; different sessions are refused rather than silently picking one (the seed read
 * `key` first for sessions.patch and `sessionKey` first elsewhere: §8 item 10).
 */
export function sessionKeyOf(params: { sessionKey?: string | null; key?: string | null }): string | undefined {
  const fromSessionKey = canonicalKeyParam(params.sessionKey, "sessionKey");
  const fromKey = canonicalKeyParam(params.key, "key");
  if (fromSessionKey && fromKey && fromSessionKey !== fromKey) {
    throw new RpcError(
      "TALON_RPC_INVALID_PARAMS",
      `sessionKey (${fromSessionKey}) and key (${fromKey}) name different sessions; send one of them`,
    );
  }
  return fromSessionKey || fromKey || undefined;
}

/** A canonicalised key parameter; `""` when absent or blank; over-long keys are refused. */
export function canonicalKeyParam(value: string | null | undefined, name: string): string {
  if (value === undefined || value === null) return "";
  const canonical = canonicalSessionKey(value);
  if (isSessionKeyTooLong(canonical)) {
    throw new RpcError("TALON_RPC_INVALID_PARAMS", `${name} too long (max ${SESSION_KEY_MAX_CHARS} characters)`, {
      details: { field: name },
    });
  }
  return canonical;
}

/** The key, or the seed's error `sessionKey|key is required`. */
export function requireSessionKey(params: { sessionKey?: string | null; key?: string | null }): string {
  const key = sessionKeyOf(params);
  if (!key) throw new RpcError("TALON_RPC_INVALID_PARAMS", "sessionKey|key is required");
  return key;
}

/**
 * Refusal for a session that does not exist; the same wording everywhere (seed §8 item 11).
 * `what` names it (a key, or e.g. `sessionId <id>`); `details` default to `{sessionKey: what}`.
 */
export function sessionNotFound(what: string, details: Record<string, unknown> = { sessionKey: what }): RpcError {
  return new RpcError("TALON_RPC_NOT_FOUND", `session not found: ${what}`, { details });
}
