/**
 * Upstream's role and operator scope rules (openclaw `operator-scope-compat.ts`,
 * `role-policy.ts`): admin satisfies every scope; write satisfies read, talk and the narrow
 * session scopes; read or sessions.write satisfies sessions.read. Unknown `operator.*` scopes
 * need an exact match. Node-role methods are for nodes only, every other method for operators
 * only; methods of scope `none` (e.g. `health`) are open to both roles.
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

/** Does a client holding `granted` satisfy `required`? */
export function satisfiesScope(granted: readonly string[], required: string): boolean {
  if (granted.includes("operator.admin") || granted.includes(required)) return true;
  const implied = IMPLIED_BY[required];
  if (implied) for (const scope of implied) if (granted.includes(scope)) return true;
  return false;
}

/** The scope a method really needs, after the reserved-prefix rule. */
export function effectiveScope(method: string, declared: MethodScope): MethodScope {
  if (declared === "node") return declared;
  for (const prefix of ADMIN_ONLY_PREFIXES) if (method.startsWith(prefix)) return "operator.admin";
  return declared;
}

/** Allowed, or refused for the role or a missing scope. */
export type AuthorizationResult =
  | { ok: true }
  | { ok: false; reason: "role"; role: Role }
  | { ok: false; reason: "scope"; missing: string };

const OK: AuthorizationResult = Object.freeze({ ok: true });

/** May a client with `role` and `granted` scopes call a method that needs `required`? */
export function authorize(role: Role, granted: readonly string[], required: MethodScope): AuthorizationResult {
  if (required === "node") return role === "node" ? OK : { ok: false, reason: "role", role };
  if (required === "none") return OK;
  if (role !== "operator") return { ok: false, reason: "role", role };
  return satisfiesScope(granted, required) ? OK : { ok: false, reason: "scope", missing: required };
}

/** May a client receive an event of scope `required`? Nodes get only node events (upstream). */
export function mayReceive(role: Role, granted: readonly string[], required: MethodScope): boolean {
  if (role === "node") return required === "node";
  if (required === "node") return false;
  return required === "none" || satisfiesScope(granted, required);
}
