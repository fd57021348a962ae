/** In-process store for tests and throwaway runs: a Map behind Keyv. Lost when the process ends. */
import Keyv from "keyv";
import { isExpired, type Envelope, type StoreBackend } from "./backend.ts";

export function openMemoryBackend(): StoreBackend {
  const map = new Map<string, unknown>();
  const keyv = new Keyv({ store: map, namespace: "talon" });
  const full = (key: string) => `talon:${key}`;
  return {
    kind: "memory",
    location: "memory",
    keyv,
    async setMany(entries) {
      // Map writes cannot fail part-way, so sequential sets are all-or-nothing here.
      for (const entry of entries) await keyv.set(entry.key, entry.value, entry.ttlMs);
    },
    async deleteMany(keys) {
      for (const key of keys) map.delete(full(key));
    },
    async *scan(prefix) {
      const low = full(prefix);
      const keys = [...map.keys()].filter((key) => key.startsWith(low)).sort();
      for (const key of keys) {
        const stored = map.get(key);
        const envelope = (typeof stored === "string" ? await keyv.deserialize!(stored) : stored) as Envelope | undefined;
        if (!envelope || isExpired(envelope)) continue;
        yield [key.slice("talon:".length), envelope.value];
      }
    },
    async clearPrefix(prefix) {
      const low = full(prefix);
      for (const key of [...map.keys()]) if (key.startsWith(low)) map.delete(key);
    },
    async close() {
      map.clear();
    },
  };
}
