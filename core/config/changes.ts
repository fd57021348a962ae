/** What a config reload changed, and which of those changes only take effect after a restart. */
import type { TalonConfig } from "@talon/sdk";

/** Top-level keys that differ, and the changes the running host cannot apply (logged as such). */
export function configChanges(previous: TalonConfig, next: TalonConfig): { changed: string[]; restartOnly: string[] } {
  const changed = Object.keys(next).filter((key) => JSON.stringify((next as never)[key]) !== JSON.stringify((previous as never)[key]));
  const restartOnly = ["data_dir", "state"].filter((key) => changed.includes(key));
  if (previous.gateway.runtime_mode !== next.gateway.runtime_mode || previous.gateway.server.bind !== next.gateway.server.bind)
    restartOnly.push("gateway.runtime_mode/bind");
  if (
    JSON.stringify(previous.plugins.builtin) !== JSON.stringify(next.plugins.builtin) ||
    JSON.stringify(previous.plugins.load) !== JSON.stringify(next.plugins.load)
  ) {
    restartOnly.push("plugins.builtin/load");
  }
  return { changed, restartOnly };
}
