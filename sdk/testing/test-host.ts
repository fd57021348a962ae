/**
 * `createTestHost`: a real Talon host for a plugin's tests, the way a user's config would load
 * the plugin (through `plugins.load`), with an in-memory store, a temporary data folder, silent
 * logs and no port unless asked. Stopped automatically after the test file.
 *
 * @example
 * const host = await createTestHost({ plugins: [new URL("./index.ts", import.meta.url)], pluginConfig: { "my-detector": { words: ["x"] } } });
 * const evaluation = await host.evaluate({ id: "1", prompt: "say x" });
 */
import { after } from "node:test";
import type { ActionInput, DecisionRecord } from "../action.ts";
import type { HostHandle } from "../command.ts";
import { testHostProvider } from "./provider.ts";

/** How to build the host. */
export interface TestHostOptions {
  /** Plugin modules to load (path or file URL): the plugin under test, fixtures. */
  plugins?: readonly (string | URL)[];
  /** Bundled plugins to load too. Default: `decision-policy` and `frame-extract` (the trusted policy and the frame extractor). */
  bundled?: readonly string[];
  /** Host config laid over the test defaults (`{ runtime: { eval_timeout_ms: 500 } }`). */
  config?: Record<string, unknown>;
  /** Plugin configs by plugin name (`plugins.entries.<name>.config`). */
  pluginConfig?: Record<string, unknown>;
  /** Serve on 127.0.0.1 with a port of its own (default false). */
  gateway?: boolean;
  /** Working directory: relative config paths resolve against it (default a temporary folder). */
  cwd?: string;
  /** Environment variables the config sees (default none). */
  env?: NodeJS.ProcessEnv;
  /** Stop the host after the test file (default true). */
  autoStop?: boolean;
}

/** An event a client would receive. */
export interface TestHostEvent {
  event: string;
  payload: any;
}

/** A running host. */
export interface TestHost extends HostHandle {
  /** `http://127.0.0.1:<port>` and `ws://…` when the gateway serves; empty otherwise. */
  readonly httpUrl: string;
  readonly wsUrl: string;
  /** The gateway token clients present. */
  readonly token: string;
  /** Evaluate and return the decision record (throws when the action was ignored or superseded). */
  decide(input: ActionInput): Promise<DecisionRecord>;
  /** Every event emitted so far. */
  events(): readonly TestHostEvent[];
  /** The first event (past or future) matching `predicate`. */
  waitForEvent(predicate: (event: TestHostEvent) => boolean, timeoutMs?: number): Promise<TestHostEvent>;
  /** Apply a new config (the same options as at creation for `config` and `pluginConfig`), as a live reload would. */
  reload(changes: Pick<TestHostOptions, "config" | "pluginConfig">): Promise<void>;
  /** A plugin's exposed API (`ctx.expose`). */
  use<T>(plugin: string): T;
  stop(): Promise<void>;
}

/** Start a host for a test. */
export async function createTestHost(options: TestHostOptions = {}): Promise<TestHost> {
  const host = await testHostProvider().createHost(options);
  if (options.autoStop !== false) after(() => host.stop());
  return host;
}
