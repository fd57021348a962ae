/**
 * Redis store (`state.url = "redis://host:port"`) for several Talon hosts sharing sessions.
 * Reachability is checked at start-up; an unreachable server stops start-up.
 */
import Keyv from "keyv";
import KeyvRedis from "@keyv/redis";
import { TalonError, errorMessage } from "@talon/sdk";
import { withTimeout } from "../runtime/timeout.ts";
import { isExpired, type Envelope, type StoreBackend } from "./backend.ts";

/** The URL without its password, for logs and `doctor`. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "redis://(invalid url)";
  }
}

/** How long start-up waits for the first connection before reporting the store unreachable. */
const CONNECT_TIMEOUT_MS = 5000;
const NAMESPACE = "talon";
/** Keys Redis looks at per SCAN call. */
const SCAN_COUNT = 1000;

/** `text` with Redis glob characters escaped, so it matches only itself in SCAN MATCH. */
export function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}

export async function openRedisBackend(url: string): Promise<StoreBackend> {
  const adapter = new KeyvRedis(url, { throwOnConnectError: true });
  const keyv = new Keyv({ store: adapter, namespace: NAMESPACE });
  keyv.on("error", () => undefined);
  adapter.on("error", () => undefined);
  try {
    // The client reconnects forever once running; only the first connection is time-boxed.
    await withTimeout(
      (async () => {
        const client = (await adapter.getClient()) as unknown as { ping(): Promise<string> };
        await client.ping();
      })(),
      CONNECT_TIMEOUT_MS,
      () => new Error(`no answer within ${CONNECT_TIMEOUT_MS} ms`),
    );
  } catch (error) {
    // A client still trying to connect would keep reconnecting (and the process alive): destroy it.
    (adapter.client as unknown as { destroy?(): void }).destroy?.();
    throw new TalonError("TALON_STATE_UNREACHABLE", `cannot reach the store at ${redactUrl(url)}: ${errorMessage(error)}`, {
      cause: error,
      hint: "start the Redis server or fix state.url",
    });
  }
  const serialize = async (value: unknown, ttlMs?: number) =>
    (await keyv.serialize!({ value, expires: ttlMs && ttlMs > 0 ? Date.now() + ttlMs : undefined })) as string;
  // Keys as Redis holds them: the adapter's "talon::" namespace, then Talon's own "talon:" prefix.
  const REDIS_PREFIX = `${NAMESPACE}::${NAMESPACE}:`;
  async function* scan(prefix: string): AsyncIterable<[string, unknown]> {
    // SCAN MATCH on the prefix itself, so Redis skips other plugins' keys server-side instead of
    // sending the whole namespace over (transcript rows outnumber session records 100 to 1).
    const match = `${globEscape(REDIS_PREFIX + prefix)}*`;
    for (const client of await adapter.getMasterNodes()) {
      let cursor = "0";
      do {
        const result = await client.scan(cursor, { MATCH: match, COUNT: SCAN_COUNT, TYPE: "string" });
        cursor = result.cursor.toString();
        // One GET per key (node-redis pipelines them): MGET would fail across cluster slots.
        const values = await Promise.all(result.keys.map((key) => client.get(key)));
        for (let i = 0; i < result.keys.length; i++) {
          const raw = values[i];
          if (raw === null || raw === undefined) continue; // deleted since the SCAN
          const envelope = (await keyv.deserialize!(raw)) as Envelope | undefined;
          if (!envelope || isExpired(envelope)) continue;
          yield [result.keys[i]!.slice(REDIS_PREFIX.length), envelope.value];
        }
      } while (cursor !== "0");
    }
  }
  async function deleteMany(keys: readonly string[]): Promise<void> {
    if (keys.length > 0) await adapter.deleteMany(keys.map((key) => `talon:${key}`));
  }
  return {
    kind: "redis",
    location: redactUrl(url),
    keyv,
    async setMany(entries) {
      if (entries.length === 0) return;
      const rows = await Promise.all(
        entries.map(async (entry) => ({ key: `talon:${entry.key}`, value: await serialize(entry.value, entry.ttlMs), ttl: entry.ttlMs })),
      );
      try {
        // One MULTI/EXEC: all entries or none.
        await adapter.setMany(rows as never);
      } catch (error) {
        throw new TalonError("TALON_STATE_WRITE_FAILED", `store write failed: ${errorMessage(error)}`, { cause: error });
      }
    },
    deleteMany,
    scan,
    async clearPrefix(prefix) {
      const keys: string[] = [];
      for await (const [key] of scan(prefix)) keys.push(key);
      await deleteMany(keys);
    },
    async close() {
      await adapter.disconnect();
    },
  };
}
