/**
 * Import a JavaScript or TypeScript module without a build step. Native `import()` is tried
 * first (it handles .js/.mjs everywhere, and .ts when a TypeScript loader such as tsx is active,
 * which keeps one module graph); jiti takes over for TypeScript when it is not, and for files
 * outside any package that can resolve `@talon/sdk` (a config in /etc, a plugin folder): jiti
 * aliases the SDK to the running host's copy.
 */
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Jiti } from "jiti";

/** The SDK this host runs with (sources under tsx, dist/sdk when compiled). */
const SDK_ALIASES = {
  "@talon/sdk/testing": fileURLToPath(import.meta.resolve("@talon/sdk/testing")),
  "@talon/sdk": fileURLToPath(import.meta.resolve("@talon/sdk")),
};

let cachedJiti: Jiti | undefined;
let freshJiti: Jiti | undefined;

/** jiti is imported only when a file needs it (most starts never do). */
async function jitiFor(fresh: boolean): Promise<Jiti> {
  const { createJiti } = await import("jiti");
  if (fresh) return (freshJiti ??= createJiti(import.meta.url, { moduleCache: false, fsCache: true, alias: SDK_ALIASES }));
  // tryNative: JavaScript (the host's own SDK included) comes from Node's module cache, so a
  // TypeScript plugin shares the host's SDK instance instead of getting a copy.
  return (cachedJiti ??= createJiti(import.meta.url, { moduleCache: true, fsCache: true, alias: SDK_ALIASES, tryNative: true }));
}

/** Native import cannot load this file here, but jiti can. */
function needsJiti(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  if (code === "ERR_UNKNOWN_FILE_EXTENSION" || code === "ERR_UNSUPPORTED_ESM_URL_SCHEME") return true;
  return code === "ERR_MODULE_NOT_FOUND" && typeof message === "string" && message.includes("'@talon/sdk");
}

export interface ImportOptions {
  /** Load through jiti without its module cache (config files, which are re-read on reload). */
  fresh?: boolean;
}

/** Import `file` (an absolute path) and return its namespace object. */
export async function importModule(file: string, options: ImportOptions = {}): Promise<Record<string, unknown>> {
  const fresh = options.fresh ?? false;
  if (!fresh) {
    try {
      return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    } catch (error) {
      if (!needsJiti(error)) throw error;
    }
  }
  return (await (await jitiFor(fresh)).import(file)) as Record<string, unknown>;
}

/** Import a package by name, resolved from `fromDir` (npm plugins). */
export async function importPackage(specifier: string, fromDir: string): Promise<{ module: Record<string, unknown>; file: string }> {
  const jiti = await jitiFor(false);
  const file = jiti.esmResolve(specifier, { parentURL: pathToFileURL(`${fromDir}/`).href, try: false }) as string;
  const path = file.startsWith("file:") ? fileURLToPath(file) : file;
  return { module: await importModule(path), file: path };
}
