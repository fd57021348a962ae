/**
 * The host's signed-policy-bundle lifecycle (seed-defender §6, improved):
 *
 * - start-up: `security.policy_bundle_path` set → the bundle must verify and apply, or the host
 *   does not start (TALON_POLICY_BUNDLE_INVALID with the seed's message);
 * - config reload, and a change of the bundle file itself: a bundle that fails is refused loudly
 *   (error log with the reason) and the previous policy stays in force; other config changes of
 *   the same reload still apply.
 *
 * The seed read the bundle once and never again.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import {
  BUNDLE_FIELDS,
  checkBundleThresholds,
  errorMessage,
  isTalonError,
  readBundle,
  type Logger,
  type PolicyOverrides,
  type TalonConfig,
  type VerifiedBundle,
} from "@talon/sdk";
import { LEGACY_KEYS, getPath, setPath, targetPath } from "./legacy.ts";
import type { LoadedConfig } from "./load.ts";

/** Where each bundle member lands: a host key under `security`, or (table in legacy.ts) a plugin key. */
function bundleTarget(field: keyof PolicyOverrides): string[] {
  const moved = LEGACY_KEYS.find((entry) => entry.bundle === field);
  return moved ? targetPath(moved) : ["security", field];
}

/** Make sure `plugins.entries.<name>` exists with its defaults before a plugin key is set under it. */
function ensureEntry(config: Record<string, unknown>, path: readonly string[]): void {
  if (path[0] !== "plugins" || getPath(config, path.slice(0, 3)) !== undefined) return;
  setPath(config, path.slice(0, 3), { enabled: true, optional: false, config: {} });
}

/** The config with the bundle's overrides applied. Throws when the thresholds end up invalid (seed §6 post-check). */
export function applyOverrides(config: TalonConfig, overrides: PolicyOverrides, path: string): TalonConfig {
  checkBundleThresholds(overrides, config.security, path);
  const next = structuredClone(config) as unknown as Record<string, unknown>;
  for (const field of BUNDLE_FIELDS) {
    if (overrides[field] === undefined) continue;
    const target = bundleTarget(field);
    ensureEntry(next, target);
    setPath(next, target, structuredClone(overrides[field]));
  }
  return next as unknown as TalonConfig;
}

/** The policy keys of `from`, copied onto `to` (a refused bundle keeps the previous policy). */
export function keepPolicy(to: TalonConfig, from: TalonConfig): TalonConfig {
  const next = structuredClone(to) as unknown as Record<string, unknown>;
  for (const field of BUNDLE_FIELDS) {
    const target = bundleTarget(field);
    const kept = getPath(from, target);
    if (kept !== undefined) ensureEntry(next, target);
    if (kept !== undefined || getPath(next, target.slice(0, -1)) !== undefined) setPath(next, target, structuredClone(kept));
  }
  return next as unknown as TalonConfig;
}

/** The configured bundle path, if any (blank means none). */
function bundlePath(config: TalonConfig, cwd: string): string | undefined {
  const path = config.security.policy_bundle_path;
  return path?.trim() ? resolve(cwd, path) : undefined;
}

function fingerprint(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function summary(bundle: VerifiedBundle): string {
  return `loaded signed policy bundle id=${bundle.bundleId ?? "unnamed"} version=${bundle.version} path=${bundle.path} fields=${bundle.fields.join(",")}`;
}

/** Applies, re-applies and watches the configured signed policy bundle for the host. */
export class PolicyBundleManager {
  readonly #cwd: string;
  #log: Logger | undefined;
  /** The last config as loaded, before the bundle: what a changed bundle is applied to. */
  #base: LoadedConfig;
  #applied: { bundle: VerifiedBundle; fingerprint: string } | undefined;
  /** Fingerprint of the bundle file as last read, applied or refused (`missing` when unreadable). */
  #seen: string | undefined;
  #pendingLog: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #checking: Promise<boolean> | undefined;

  private constructor(base: LoadedConfig, cwd: string) {
    this.#base = base;
    this.#cwd = cwd;
  }

  /** Apply the configured bundle at start-up. Throws TALON_POLICY_BUNDLE_INVALID when it cannot be applied. */
  static async start(loaded: LoadedConfig, cwd: string): Promise<{ manager: PolicyBundleManager; loaded: LoadedConfig }> {
    const manager = new PolicyBundleManager(loaded, cwd);
    const path = bundlePath(loaded.config, cwd);
    if (!path) return { manager, loaded };
    const { bundle, text } = await readBundle(path, loaded.config.security.policy_bundle_key);
    const config = applyOverrides(loaded.config, bundle.overrides, path);
    manager.#applied = { bundle, fingerprint: fingerprint(text) };
    manager.#seen = manager.#applied.fingerprint;
    manager.#pendingLog = summary(bundle);
    return { manager, loaded: { ...loaded, config } };
  }

  /** The bundle in force, if any. */
  get applied(): VerifiedBundle | undefined {
    return this.#applied?.bundle;
  }

  /** Give the manager the host's logger (and log the start-up line). */
  attach(log: Logger): void {
    this.#log = log;
    if (this.#pendingLog) log.info({ bundleId: this.#applied?.bundle.bundleId, path: this.#applied?.bundle.path }, this.#pendingLog);
    this.#pendingLog = undefined;
  }

  /**
   * Apply the bundle to a reloaded config. Never throws: a bundle that fails is logged as an
   * error and `previous`'s policy is kept.
   */
  async applyOnReload(next: LoadedConfig, previous: TalonConfig): Promise<LoadedConfig> {
    this.#base = next;
    const path = bundlePath(next.config, this.#cwd);
    if (!path) {
      if (this.#applied)
        this.#log?.warn(
          { path: this.#applied.bundle.path },
          "security.policy_bundle_path removed; the signed policy bundle no longer applies",
        );
      this.#applied = undefined;
      this.#seen = undefined;
      return next;
    }
    this.#seen = await readFile(path, "utf8").then(fingerprint, () => "missing");
    try {
      const { bundle, text } = await readBundle(path, next.config.security.policy_bundle_key);
      const config = applyOverrides(next.config, bundle.overrides, path);
      const print = fingerprint(text);
      if (this.#applied?.fingerprint !== print || this.#applied.bundle.path !== path)
        this.#log?.info({ bundleId: bundle.bundleId, path }, summary(bundle));
      this.#applied = { bundle, fingerprint: print };
      return { ...next, config };
    } catch (error) {
      this.#log?.error(
        {
          code: isTalonError(error) ? error.code : "TALON_POLICY_BUNDLE_INVALID",
          path,
          hint: isTalonError(error) ? error.hint : undefined,
        },
        `policy bundle refused; keeping the previous policy: ${errorMessage(error)}`,
      );
      return { ...next, config: keepPolicy(next.config, previous) };
    }
  }

  /** Has the bundle file changed since it was last read (appeared, changed, or became unreadable)? */
  async fileChanged(): Promise<boolean> {
    const path = bundlePath(this.#base.config, this.#cwd);
    if (!path) return false;
    const seen = await readFile(path, "utf8").then(fingerprint, () => "missing");
    return seen !== this.#seen;
  }

  /** The last loaded config, before the bundle. */
  get base(): LoadedConfig {
    return this.#base;
  }

  /**
   * Check the bundle file every `intervalSecs`; on a change call `reapply` (the host re-applies
   * its current base config, which runs `applyOnReload`). One check at a time.
   */
  watch(intervalSecs: number, reapply: (base: LoadedConfig) => Promise<void>): void {
    if (intervalSecs <= 0) return;
    this.#timer = setInterval(() => void this.check(reapply), intervalSecs * 1000);
    this.#timer.unref();
  }

  /** Check the bundle file now; resolves true when a changed bundle was (re)applied or refused. */
  check(reapply: (base: LoadedConfig) => Promise<void>): Promise<boolean> {
    this.#checking ??= (async () => {
      try {
        if (!(await this.fileChanged())) return false;
        await reapply(this.#base);
        return true;
      } catch (error) {
        this.#log?.error({ err: error }, "policy bundle check failed");
        return false;
      } finally {
        this.#checking = undefined;
      }
    })();
    return this.#checking;
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
