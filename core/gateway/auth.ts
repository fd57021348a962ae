/**
 * Shared-secret authentication for the standalone server: modes `auto`, `none`, `token`,
 * `password` (seed §1.4.1), constant-time comparison, upstream's failure texts and detail codes
 * (openclaw `auth-messages.ts`), and a growing per-address delay after wrong secrets (upstream:
 * 0.27, 0.27, 0.52, 1, 2, 4 s).
 */
import { isLoopbackAddress, secretsEqual, type TalonConfig } from "@talon/sdk";
import type { ConnectParams } from "./protocol.ts";

/** How a connection authenticated (`hello-ok.auth.method`). */
export type AuthMethod = "none" | "token" | "password";

/** The auth a server enforces, resolved from config. */
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

/** Constant-time secret comparison and the loopback test live in the SDK (drivers use them too). */
export { isLoopbackAddress, secretsEqual };

/** Why a connect's credentials were refused, in upstream's terms. */
export interface AuthFailure {
  /** Upstream top-level code. */
  code: "INVALID_REQUEST" | "NOT_PAIRED";
  message: string;
  details: Record<string, unknown>;
  /** A wrong secret (not a missing one): answered after the growing delay. */
  guess: boolean;
}

function hint(kind: "token" | "password", params: ConnectParams, loopback: boolean): string {
  const { id, mode } = params.client;
  if (id === "cli" || mode === "cli") {
    return loopback
      ? `use this gateway's gateway.auth.${kind}${kind === "token" ? " or pair the device" : ""}`
      : `set gateway.remote.${kind} to match gateway.auth.${kind}`;
  }
  if (mode === "ui" || mode === "webchat" || id === "openclaw-control-ui" || id === "webchat" || id === "webchat-ui") {
    return kind === "token"
      ? "open the dashboard URL and paste the token in Control UI settings"
      : "enter the password in Control UI settings";
  }
  return `provide gateway auth ${kind}`;
}

/** Check connect credentials; undefined means accepted. */
export function checkCredentials(auth: ResolvedAuth, params: ConnectParams, loopback: boolean): AuthFailure | undefined {
  if (auth.method === "none") return undefined;
  if (params.auth === undefined) {
    // Upstream: without any credential a device identity is the only way in, and Talon has none.
    return { code: "NOT_PAIRED", message: "device identity required", details: { code: "DEVICE_IDENTITY_REQUIRED" }, guess: false };
  }
  const kind = auth.method;
  const given = kind === "token" ? params.auth.token : params.auth.password;
  const upper = kind.toUpperCase();
  if (given === undefined || given.trim() === "") {
    return {
      code: "INVALID_REQUEST",
      message: `unauthorized: gateway ${kind} missing (${hint(kind, params, loopback)})`,
      details: {
        code: `AUTH_${upper}_MISSING`,
        authReason: `${kind}_missing`,
        canRetryWithDeviceToken: false,
        recommendedNextStep: "update_auth_configuration",
      },
      guess: false,
    };
  }
  if (!secretsEqual(given.trim(), auth.secret!)) {
    return {
      code: "INVALID_REQUEST",
      message: `unauthorized: gateway ${kind} mismatch (${hint(kind, params, loopback)})`,
      details: {
        code: `AUTH_${upper}_MISMATCH`,
        authReason: `${kind}_mismatch`,
        canRetryWithDeviceToken: false,
        recommendedNextStep: "update_auth_credentials",
      },
      guess: true,
    };
  }
  return undefined;
}

const FAILURE_WINDOW_MS = 5 * 60_000;
const MAX_TRACKED_ADDRESSES = 10_000;
const MAX_DELAY_MS = 4000;

/** Per-address wrong-secret counter; the delay is 270 ms twice, then doubles from 500 ms to 4 s. */
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
    // Re-insert so the map stays in least-recently-failed order; the oldest is evicted first.
    this.#failures.delete(address);
    this.#failures.set(address, { count, last: now });
    if (this.#failures.size > MAX_TRACKED_ADDRESSES) this.#failures.delete(this.#failures.keys().next().value!);
    if (this.#baseMs === 0) return 0;
    return count <= 2 ? this.#baseMs + 20 : Math.min(MAX_DELAY_MS, this.#baseMs * 2 ** (count - 2));
  }

  /** Forget an address's failures after a successful connect. */
  succeed(address: string): void {
    if (this.#failures.size > 0) this.#failures.delete(address);
  }

  /** Addresses currently tracked (bounded). */
  get size(): number {
    return this.#failures.size;
  }
}
