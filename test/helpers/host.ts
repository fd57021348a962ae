/**
 * Start a real Talon host for a test: in-memory store unless given, port 0 on 127.0.0.1, token
 * auth with a known token, silent logs. Stopped automatically after the test file.
 */
import { after } from "node:test";
import { mergeConfig } from "@talon/sdk";
import { createHost, type TalonHost } from "../../core/index.ts";
import { createSilentLogger, createLogger } from "../../core/log.ts";

export const TEST_TOKEN = "test-token-0123456789";

export interface TestHost {
  host: TalonHost;
  /** ws:// URL of the standalone server (empty when the gateway is off). */
  url: string;
  /** http:// base URL of the same port. */
  httpUrl: string;
  token: string;
  stop(): Promise<void>;
}

/** Start a host. `config` is merged over the test defaults. */
export async function startTestHost(
  config: Record<string, unknown> = {},
  options: { gateway?: boolean; file?: string; cwd?: string; logs?: boolean } = {},
): Promise<TestHost> {
  const defaults = {
    state: { url: "memory" },
    gateway: { token: TEST_TOKEN, server: { bind: "127.0.0.1:0", reload_interval_secs: 0 } },
    plugins: { builtin: false },
    log: { level: "silent" },
  };
  const inline = mergeConfig(defaults, config);
  const host = await createHost({
    config: options.file ? { file: options.file, env: {}, cwd: options.cwd } : { inline, env: {}, cwd: options.cwd },
    gateway: options.gateway,
    log: options.logs ? createLogger({ level: "debug", pretty: false, destination: 2 }) : createSilentLogger(),
  });
  await host.start();
  const address = host.gateway.address();
  const stop = () => host.stop();
  after(stop);
  return {
    host,
    url: address ? `ws://127.0.0.1:${address.port}` : "",
    httpUrl: address ? `http://127.0.0.1:${address.port}` : "",
    token: host.config.gateway.token ?? TEST_TOKEN,
    stop,
  };
}
