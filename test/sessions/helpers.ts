/** Helpers shared by the sessions tests: a host with the sessions plugin, waiting for conditions. */
import { fileURLToPath } from "node:url";
import type { TalonHost } from "../../core/index.ts";
import { startTestHost, type TestHost } from "../helpers/host.ts";
import { tempDir } from "../helpers/temp-dir.ts";

/** Wait until `check` returns a value other than undefined/false (no fixed sleeps in assertions). */
export async function eventually<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A detector fixture that blocks any command or prompt containing `forbidden` (score 70). */
export const KEYWORD_PLUGIN = fileURLToPath(new URL("../fixtures/plugins/score-keyword", import.meta.url));
/** A command the keyword fixture blocks. */
export const BLOCKED_COMMAND = "echo forbidden";

/** A host with the sessions plugin (and the decision policy) on an in-memory store. */
export function sessionsHost(options: { gateway?: boolean; config?: Record<string, unknown>; builtin?: string[] } = {}): Promise<TestHost> {
  return startTestHost(
    {
      plugins: {
        builtin: options.builtin ?? ["sessions", "decision-policy"],
        load: [KEYWORD_PLUGIN],
        entries: { sessions: { config: options.config ?? {} } },
      },
    },
    { gateway: options.gateway ?? false },
  );
}

/** A host on a real SQLite file in `dir` (a fresh temp folder when omitted). */
export async function sqliteHost(
  dir?: string,
  options: { gateway?: boolean; config?: Record<string, unknown> } = {},
): Promise<TestHost & { dir: string }> {
  const dataDir = dir ?? (await tempDir("talon-sessions-"));
  const started = await startTestHost(
    {
      data_dir: dataDir,
      state: { url: "sqlite" },
      plugins: {
        builtin: ["sessions", "decision-policy"],
        load: [KEYWORD_PLUGIN],
        entries: { sessions: { config: options.config ?? {} } },
      },
    },
    { gateway: options.gateway ?? false },
  );
  return { ...started, dir: dataDir };
}

/** Call and type the result loosely (tests read many shapes). */
export function call(host: TalonHost, method: string, params?: unknown): Promise<any> {
  return host.call(method, params);
}

/** The error a call rejects with. */
export async function callError(
  host: TalonHost,
  method: string,
  params?: unknown,
): Promise<{ code: string; message: string; details?: any }> {
  try {
    await host.call(method, params);
  } catch (error) {
    const talon = error as { code: string; bareMessage: string; details?: unknown };
    return { code: talon.code, message: talon.bareMessage, details: talon.details };
  }
  throw new Error(`${method} did not fail`);
}
