/**
 * Import a JavaScript or TypeScript module without a build step. Native `import()` is tried
 * first (it handles .js/.mjs everywhere, and .ts when a TypeScript loader such as tsx is active,
 * which keeps one module graph); jiti takes over for TypeScript when it is not.
 */
import { pathToFileURL } from "node:url";
import { createJiti, type Jiti } from "jiti";

let cachedJiti: Jiti | undefined;
let freshJiti: Jiti | undefined;

function jitiFor(fresh: boolean): Jiti {
  if (fresh) return (freshJiti ??= createJiti(import.meta.url, { moduleCache: false, fsCache: true }));
  return (cachedJiti ??= createJiti(import.meta.url, { moduleCache: true, fsCache: true }));
}

function isUnknownExtension(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  return code === "ERR_UNKNOWN_FILE_EXTENSION" || code === "ERR_UNSUPPORTED_ESM_URL_SCHEME";
}

export interface ImportOptions {
  /** Bypass module caches (config reload). */
  fresh?: boolean;
}

/** Import `file` (an absolute path) and return its namespace object. */
export async function importModule(file: string, options: ImportOptions = {}): Promise<Record<string, unknown>> {
  const fresh = options.fresh ?? false;
  if (!fresh) {
    try {
      return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    } catch (error) {
      if (!isUnknownExtension(error)) throw error;
    }
  }
  return (await jitiFor(fresh).import(file)) as Record<string, unknown>;
}

/** Import a package by name, resolved from `fromDir` (npm plugins). */
export async function importPackage(specifier: string, fromDir: string): Promise<{ module: Record<string, unknown>; file: string }> {
  const jiti = jitiFor(false);
  const file = jiti.esmResolve(specifier, { parentURL: pathToFileURL(`${fromDir}/`).href, try: false }) as string;
  const path = file.startsWith("file:") ? new URL(file).pathname : file;
  return { module: await importModule(path), file: path };
}
