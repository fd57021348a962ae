/**
 * Environment fallbacks of a driver's account config. A driver declares which account keys may
 * come from which variables (`{ botToken: "SLACK_BOT_TOKEN" }`); only the default account (the
 * single-account shorthand, or `accounts.default`) takes them, as upstream OpenClaw does, so a
 * second account never silently borrows the first one's token. A key written in the config wins.
 */

/** Account config key → environment variable that fills it when the config leaves it out. */
export type DriverEnvBindings = Readonly<Record<string, string>>;

/** Environment variable names: upper case, digits and `_`. */
export const ENV_VARIABLE_NAME = /^[A-Z][A-Z0-9_]*$/;

/**
 * `account` with every key the config leaves out (undefined) filled from `env` by `bindings`;
 * blank variables are ignored. The input is not changed; without a fill it is returned as is.
 */
export function fillFromEnv(
  account: Readonly<Record<string, unknown>>,
  bindings: DriverEnvBindings | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, unknown> {
  let filled: Record<string, unknown> | undefined;
  for (const [key, variable] of Object.entries(bindings ?? {})) {
    if (account[key] !== undefined) continue;
    const value = env[variable];
    if (value === undefined || value.trim() === "") continue;
    (filled ??= { ...account })[key] = value.trim();
  }
  return filled ?? (account as Record<string, unknown>);
}
