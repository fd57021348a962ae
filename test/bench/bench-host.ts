/**
 * The one way a bench starts Talon: a real host with silent logs, a known token, port 0 and no
 * config polling, with the bench's own config laid over those defaults. The core is imported
 * when a host starts, so load-generator processes can import BENCH_TOKEN without loading it.
 */
import { mergeConfig } from "@talon/sdk";
import type { TalonHost } from "../../core/index.ts";

export const BENCH_TOKEN = "bench-token-0123456789";

const DEFAULTS = {
  log: { level: "silent" },
  gateway: { token: BENCH_TOKEN, server: { bind: "127.0.0.1:0", reload_interval_secs: 0 } },
};

/** Start a host; `gateway` serves its port (clients connect with BENCH_TOKEN). */
export async function startBenchHost(
  config: Record<string, unknown>,
  options: { gateway?: boolean; cwd?: string } = {},
): Promise<TalonHost> {
  const { createHost } = await import("../../core/index.ts");
  const { createSilentLogger } = await import("../../core/log.ts");
  const host = await createHost({
    config: { inline: mergeConfig(DEFAULTS, config), env: {}, ...(options.cwd === undefined ? {} : { cwd: options.cwd }) },
    ...(options.gateway === undefined ? {} : { gateway: options.gateway }),
    log: createSilentLogger(),
  });
  await host.start();
  return host;
}
