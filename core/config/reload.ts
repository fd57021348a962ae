/**
 * Live reload (seed §1.4.5, improved): every `gateway.server.reload_interval_secs` the config
 * file is re-read through the normal loader. A valid change is handed to `apply`; an invalid one
 * is logged once with its reasons and the current config stays.
 */
import type { Logger } from "@talon/sdk";
import { errorMessage, isTalonError } from "@talon/sdk";
import { loadConfig, type ConfigSource, type LoadedConfig } from "./load.ts";

export interface ReloadWatcher {
  /** Check now (tests and the timer use this). Resolves after any apply. */
  check(): Promise<"unchanged" | "applied" | "rejected">;
  stop(): void;
}

export function startConfigReload(options: {
  source: ConfigSource;
  current: () => LoadedConfig;
  apply: (next: LoadedConfig) => Promise<void>;
  intervalSecs: number;
  log: Logger;
}): ReloadWatcher {
  const { source, log } = options;
  let lastRejected: string | undefined;
  let running: Promise<"unchanged" | "applied" | "rejected"> | undefined;

  const run = async (): Promise<"unchanged" | "applied" | "rejected"> => {
    let next: LoadedConfig;
    const file = options.current().file;
    try {
      next = await loadConfig(source);
    } catch (error) {
      const reason = errorMessage(error);
      if (reason !== lastRejected) {
        lastRejected = reason;
        log.warn(
          { code: "TALON_CONFIG_RELOAD_REJECTED", file, issues: isTalonError(error) ? error.details?.issues : undefined },
          `config reload rejected; keeping the current config: ${reason}`,
        );
      }
      return "rejected";
    }
    lastRejected = undefined;
    if (next.hash === options.current().hash) return "unchanged";
    await options.apply(next);
    return "applied";
  };

  const check = () => {
    // One check at a time; a slow apply must not overlap the next tick.
    running ??= run().finally(() => {
      running = undefined;
    });
    return running;
  };

  const timer = options.intervalSecs > 0 ? setInterval(() => void check(), options.intervalSecs * 1000) : undefined;
  timer?.unref();
  return {
    check,
    stop: () => {
      if (timer) clearInterval(timer);
    },
  };
}
