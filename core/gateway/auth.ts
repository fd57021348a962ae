/**
 * Shared-secret authentication for the standalone server: modes `auto`, `none`, `token`,
 * `password` (seed §1.4.1), constant-time comparison, and a growing per-address delay after
 * failed attempts (upstream: 0.27, 0.27, 0.52, 1, 2, 4 s).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { TalonConfig } from "@talon/sdk";
import type { ConnectParams } from "./protocol.ts";

export type AuthMethod = "none" | "token" | "password";

export interface ResolvedAuth {
  method: AuthMethod;
  /** The configured secret; never logged. */
  secret?: string;
}

/** Effective auth from config (seed table: `auto` prefers password, then token, else none). */
export function resolveAuth(config: TalonConfig): ResolvedAuth {
  const token = config.gateway.token?.trim();
  const password = config.gateway.password?.trim();
  switch (config.gateway.server.auth_mode) {
    case "none":
      return { method: "none" };
    case "token":
      return token ? { method: "token", secret: token } : { method: "none" };
    case "password":
      return password ? { method: "password", secret: password } : { method: "none" };
    case "auto":
      if (password) return { method: "password", secret: password };
      if (token) return { method: "token", secret: token };
      return { method: "none" };
  }
}

/** Constant-time equality of two secrets of any length. */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

export type AuthFailure = {
  /** Upstream top-level code. */
  code: "INVALID_REQUEST" | "NOT_PAIRED";
  message: string;
  details: Record<string, unknown>;
};

/** Check connect credentials; undefined means accepted. */
export function checkCredentials(auth: ResolvedAuth, params: ConnectParams): AuthFailure | undefined {
  if (auth.method === "none") return undefined;
  if (params.auth === undefined) {
    return { code: "NOT_PAIRED", message: "device identity required", details: { code: "DEVICE_IDENTITY_REQUIRED" } };
  }
  const kind = auth.method;
  const given = kind === "token" ? params.auth.token : params.auth.password;
  const upper = kind.toUpperCase();
  if (given === undefined || given.trim() === "") {
    return {
      code: "INVALID_REQUEST",
      message: `unauthorized: gateway ${kind} missing (provide this gateway's gateway.${kind})`,
      details: { code: `AUTH_${upper}_MISSING`, authReason: `${kind}_missing`, canRetryWithDeviceToken: false, recommendedNextStep: "update_auth_configuration" },
    };
  }
  if (!secretsEqual(given.trim(), auth.secret!)) {
    return {
      code: "INVALID_REQUEST",
      message: `unauthorized: gateway ${kind} mismatch (use this gateway's gateway.auth.${kind} or pair the device)`,
      details: { code: `AUTH_${upper}_MISMATCH`, authReason: `${kind}_mismatch`, canRetryWithDeviceToken: false, recommendedNextStep: "update_auth_credentials" },
    };
  }
  return undefined;
}

const FAILURE_WINDOW_MS = 5 * 60_000;
const MAX_TRACKED_ADDRESSES = 10_000;

/** Per-address failure counter; the delay doubles from 250 ms (270 for the first two) up to 4 s. */
export class FailureBackoff {
  readonly #failures = new Map<string, { count: number; last: number }>();
  readonly #baseMs: number;

  constructor(baseMs = 250) {
    this.#baseMs = baseMs;
  }

  /** Record a failure and return how long to wait before answering. */
  fail(address: string): number {
    const now = Date.now();
    const entry = this.#failures.get(address);
    const count = entry && now - entry.last < FAILURE_WINDOW_MS ? entry.count + 1 : 1;
    this.#failures.delete(address);
    this.#failures.set(address, { count, last: now });
    if (this.#failures.size > MAX_TRACKED_ADDRESSES) this.#failures.delete(this.#failures.keys().next().value!);
    if (this.#baseMs === 0) return 0;
    return count <= 2 ? this.#baseMs + 20 : Math.min(4000, this.#baseMs * 2 ** (count - 2));
  }

  succeed(address: string): void {
    this.#failures.delete(address);
  }
}
