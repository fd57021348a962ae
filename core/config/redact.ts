/**
 * Secrets the host keeps out of everything it shows: every field marked `secret()` in the host
 * schema and in each loaded plugin's `configSchema`. The values feed the log redaction, `status`,
 * `ctx.host.secrets()` (quarantine) and the redacted config a `config.get` returns.
 */
import { REDACTED, isObject, redactSecretFields, secretFieldValues, talonConfigSchema, type TalonConfig, type z } from "@talon/sdk";

/** Shorter values are not replaced inside text: they would match ordinary words. */
const MIN_SECRET_CHARS = 6;
const MAX_DEPTH = 32;

/** A loaded plugin's schema and its parsed config. */
export interface PluginSecrets {
  name: string;
  schema: z.ZodType;
  config: unknown;
}

/** Replace every occurrence of each secret in the strings of `value` (a copy; unchanged parts shared). */
export function replaceSecrets<T>(value: T, secrets: readonly string[], depth = 0): T {
  if (secrets.length === 0) return value;
  if (typeof value === "string") {
    let out: string = value;
    for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out as T;
  }
  if (depth > MAX_DEPTH || typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    const mapped = value.map((item) => replaceSecrets(item, secrets, depth + 1));
    return (mapped.some((item, index) => item !== value[index]) ? mapped : value) as T;
  }
  if (!isObject(value) || Object.getPrototypeOf(value) !== Object.prototype) return value;
  let out: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const mapped = replaceSecrets(item, secrets, depth + 1);
    if (mapped !== item) (out ??= { ...value })[key] = mapped;
  }
  return (out ?? value) as T;
}

/** The host's current secret values, recollected when the config or the plugin set changes. */
export class HostSecrets {
  #values: readonly string[] = [];

  /** Longest first, so a secret that contains another is replaced whole. */
  get values(): readonly string[] {
    return this.#values;
  }

  update(config: TalonConfig, plugins: readonly PluginSecrets[]): void {
    const found = new Set(secretFieldValues(talonConfigSchema, config));
    for (const plugin of plugins) for (const value of secretFieldValues(plugin.schema, plugin.config)) found.add(value);
    this.#values = [...found].filter((value) => value.length >= MIN_SECRET_CHARS).sort((a, b) => b.length - a.length);
  }

  redact<T>(value: T): T {
    return replaceSecrets(value, this.#values);
  }

  /** The config with every secret-marked field redacted: host fields by the host schema, plugin configs by their own. */
  redactConfig(config: TalonConfig, plugins: readonly PluginSecrets[]): TalonConfig {
    const redacted = redactSecretFields(talonConfigSchema, config);
    const entries = { ...redacted.plugins.entries };
    for (const plugin of plugins) {
      const entry = entries[plugin.name];
      if (entry) entries[plugin.name] = { ...entry, config: redactSecretFields(plugin.schema, plugin.config) };
    }
    // Whatever is left (an entry of a plugin that did not load) is matched by value.
    return this.redact({ ...redacted, plugins: { ...redacted.plugins, entries } });
  }
}
