/** The SDK's `Store` over the shared backend: every key of a namespace is `<namespace>:<key>`. */
import { TalonError, errorMessage, type Store } from "@talon/sdk";
import type { StoreBackend } from "./backend.ts";

function writeFailed(error: unknown): TalonError {
  if ((error as { code?: string }).code === "TALON_STATE_WRITE_FAILED") return error as TalonError;
  return new TalonError("TALON_STATE_WRITE_FAILED", `store write failed: ${errorMessage(error)}`, {
    cause: error,
    hint: "check free disk space and the store's permissions; nothing was written",
  });
}

function validName(name: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) {
    throw new TalonError("TALON_STATE_UNSUPPORTED", `store namespace "${name}" may only use letters, digits, '_', '.' and '-'`);
  }
  return name;
}

/** The store of one namespace (a plugin's name). */
export function createNamespacedStore(backend: StoreBackend, namespace: string): Store {
  return storeAt(backend, `${validName(namespace)}:`);
}

function storeAt(backend: StoreBackend, prefix: string): Store {
  const keyv = backend.keyv;
  return {
    async get<T>(key: string) {
      return (await keyv.get(prefix + key)) as T | undefined;
    },
    async getMany<T>(keys: readonly string[]) {
      if (keys.length === 0) return [];
      return (await keyv.get(keys.map((key) => prefix + key))) as (T | undefined)[];
    },
    async set(key, value, ttlMs) {
      try {
        const ok = await keyv.set(prefix + key, value, ttlMs);
        if (ok === false) throw new Error("the store refused the write");
      } catch (error) {
        throw writeFailed(error);
      }
    },
    async setMany(entries) {
      await backend.setMany(entries.map((entry) => ({ ...entry, key: prefix + entry.key })));
    },
    async delete(key) {
      try {
        return await keyv.delete(prefix + key);
      } catch (error) {
        throw writeFailed(error);
      }
    },
    async deleteMany(keys) {
      await backend.deleteMany(keys.map((key) => prefix + key));
    },
    async has(key) {
      return keyv.has(prefix + key);
    },
    async *entries<T>() {
      for await (const [key, value] of backend.scan(prefix)) yield [key.slice(prefix.length), value as T] as [string, T];
    },
    async clear() {
      await backend.clearPrefix(prefix);
    },
    namespace(name) {
      return storeAt(backend, `${prefix}${validName(name)}:`);
    },
  };
}
