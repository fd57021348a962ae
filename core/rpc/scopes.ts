/**
 * Upstream's operator scope rules (openclaw `operator-scope-compat.ts`): admin satisfies every
 * scope; write satisfies read, talk and the narrow session scopes; read or sessions.write
 * satisfies sessions.read. Unknown `operator.*` scopes need an exact match.
 */
import type { MethodScope, Role } from "@talon/sdk";

const IMPLIED_BY: Readonly<Record<string, readonly string[]>> = {
  "operator.read": ["operator.write"],
  "operator.talk": ["operator.write"],
  "operator.sessions.write": ["operator.write"],
  "operator.sessions.read": ["operator.write", "operator.read", "operator.sessions.write"],
};

/** Method prefixes that always need admin, even when a plugin registers them with less. */
export const ADMIN_ONLY_PREFIXES = ["config.", "exec.approvals.", "wizard.", "update."] as const;

export function satisfiesScope(granted: readonly string[], required: string): boolean {
  if (granted.includes("operator.admin")) return true;
  if (granted.includes(required)) return true;
  return (IMPLIED_BY[required] ?? []).some((scope) => granted.includes(scope));
}

/** The scope a method really needs, after the reserved-prefix rule. */
export function effectiveScope(method: string, declared: MethodScope): MethodScope {
  if (declared === "node") return declared;
  return ADMIN_ONLY_PREFIXES.some((prefix) => method.startsWith(prefix)) ? "operator.admin" : declared;
}

export type AuthorizationResult = { ok: true } | { ok: false; reason: "role"; role: Role } | { ok: false; reason: "scope"; missing: string };

/** May a client with `role` and `granted` scopes call a method that needs `required`? */
export function authorize(role: Role, granted: readonly string[], required: MethodScope): AuthorizationResult {
  if (required === "node") return role === "node" ? { ok: true } : { ok: false, reason: "role", role };
  if (role === "node") return { ok: false, reason: "role", role };
  if (required === "none") return { ok: true };
  return satisfiesScope(granted, required) ? { ok: true } : { ok: false, reason: "scope", missing: required };
}
