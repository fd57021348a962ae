/**
 * The exit code of a failure comes from the error's area, so scripts can tell a bad config from a
 * busy port. The codes themselves (`EXIT`) are in the SDK: plugin commands return them too.
 */
import { EXIT, isTalonError } from "@talon/sdk";

export { EXIT } from "@talon/sdk";

export function exitCodeFor(error: unknown): number {
  if (!isTalonError(error)) return EXIT.FAILURE;
  if (error.code === "TALON_CLI_USAGE") return EXIT.USAGE;
  if (error.code.startsWith("TALON_CONFIG_") || error.code === "TALON_POLICY_BUNDLE_INVALID") return EXIT.CONFIG;
  if (error.code.startsWith("TALON_PLUGIN_") || error.code.startsWith("TALON_HOOK_")) return EXIT.PLUGIN;
  if (error.code.startsWith("TALON_STATE_")) return EXIT.STATE;
  if (error.code.startsWith("TALON_GATEWAY_")) return EXIT.GATEWAY;
  return EXIT.FAILURE;
}
