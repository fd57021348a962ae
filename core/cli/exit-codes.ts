/**
 * Documented exit codes of the `talon` CLI (also in the README). A failure's code comes from the
 * error's area, so scripts can tell a bad config from a busy port.
 */
import { isTalonError } from "@talon/sdk";

export const EXIT = Object.freeze({
  /** Success. */
  OK: 0,
  /** Unexpected failure. */
  FAILURE: 1,
  /** Bad command line: unknown command or flag, missing argument. */
  USAGE: 2,
  /** The config file is missing, unparsable or invalid. */
  CONFIG: 3,
  /** A plugin could not be resolved, validated or set up. */
  PLUGIN: 4,
  /** The store cannot be opened (unwritable, corrupt, unreachable). */
  STATE: 5,
  /** The gateway could not listen (port in use, bad bind). */
  GATEWAY: 6,
  /** A check ran and failed (doctor, policy verify, replay). */
  CHECK_FAILED: 7,
});

export function exitCodeFor(error: unknown): number {
  if (!isTalonError(error)) return EXIT.FAILURE;
  if (error.code === "TALON_CLI_USAGE") return EXIT.USAGE;
  if (error.code.startsWith("TALON_CONFIG_") || error.code === "TALON_POLICY_BUNDLE_INVALID") return EXIT.CONFIG;
  if (error.code.startsWith("TALON_PLUGIN_") || error.code.startsWith("TALON_HOOK_")) return EXIT.PLUGIN;
  if (error.code.startsWith("TALON_STATE_")) return EXIT.STATE;
  if (error.code.startsWith("TALON_GATEWAY_")) return EXIT.GATEWAY;
  return EXIT.FAILURE;
}
