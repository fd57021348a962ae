/**
 * Pick the backend from `state.url`: `sqlite` (default), `sqlite:///path`, `memory`, `redis://…`.
 * Backends are imported on demand: the Redis client alone costs ~200 ms of start-up.
 */
import { isAbsolute, resolve } from "node:path";
import { TalonError } from "@talon/sdk";
import type { StoreBackend } from "./backend.ts";

/** File name of the default store inside the data directory. */
export const DEFAULT_STORE_FILE = "talon.sqlite";

export function sqliteFileFor(url: string, dataDir: string): string | undefined {
  if (url === "sqlite") return resolve(dataDir, DEFAULT_STORE_FILE);
  if (url.startsWith("sqlite://")) {
    const path = url.slice("sqlite://".length);
    return isAbsolute(path) ? path : resolve(dataDir, path);
  }
  return undefined;
}

export async function openStoreBackend(url: string, dataDir: string): Promise<StoreBackend> {
  const sqliteFile = sqliteFileFor(url, dataDir);
  if (sqliteFile) return (await import("./sqlite-backend.ts")).openSqliteBackend(sqliteFile);
  if (url === "memory") return (await import("./memory-backend.ts")).openMemoryBackend();
  if (url.startsWith("redis://") || url.startsWith("rediss://")) return (await import("./redis-backend.ts")).openRedisBackend(url);
  throw new TalonError("TALON_STATE_UNSUPPORTED", `state.url "${url}" is not supported`, {
    hint: 'use "sqlite", "sqlite:///path/to/file.sqlite", "memory" or "redis://host:port"',
  });
}
