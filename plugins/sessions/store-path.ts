/**
 * The `path` sessions envelopes report. Upstream reports its session database file; the seed
 * reported `memory://session-registry` (fictitious there: §8 item 15). Talon reports where the
 * sessions really live: the SQLite file, the Redis URL without its password, or
 * `memory://session-registry` for the in-memory store (where the seed's path is finally true).
 */
import { isAbsolute, resolve } from "node:path";

/** The registry path for a `state.url` and data directory. */
export function registryPath(stateUrl: string, dataDir: string): string {
  if (stateUrl === "memory") return "memory://session-registry";
  if (stateUrl === "sqlite") return resolve(dataDir, "talon.sqlite");
  if (stateUrl.startsWith("sqlite://")) {
    const file = stateUrl.slice("sqlite://".length);
    return isAbsolute(file) ? file : resolve(dataDir, file);
  }
  try {
    const url = new URL(stateUrl);
    if (url.password) url.password = "***";
    return `${url.toString().replace(/\/$/, "")}#sessions`;
  } catch {
    return "store://sessions";
  }
}

/** Where an archived transcript is reported: `<registry path>/archives/<archive id>`. */
export function archivePath(registry: string, archiveId: string): string {
  return `${registry}/archives/${archiveId}`;
}
