/**
 * The core channel runtime behind `ctx.channels`. Placeholder until the runtime lands: drivers
 * can register, sends are refused with a clear error.
 */
import { TalonError, type ChannelsApi, type Logger } from "@talon/sdk";

export interface ChannelRuntime {
  /** The API handed to one plugin (drivers register under the plugin's name). */
  apiFor(plugin: string): ChannelsApi;
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): Record<string, unknown>;
}

export function createChannelRuntime(deps: { log: Logger }): ChannelRuntime {
  const drivers = new Map<string, { plugin: string; driver: unknown; config: unknown }>();
  return {
    apiFor(plugin) {
      return {
        register(driver, config) {
          const id = (driver as { id?: string }).id ?? plugin;
          drivers.set(id, { plugin, driver, config });
          deps.log.debug({ channel: id, plugin }, "channel driver registered");
        },
        async send(message) {
          throw new TalonError("TALON_CHANNEL_UNKNOWN", `no channel runtime for ${message.channel} yet`);
        },
      };
    },
    async start() {},
    async stop() {},
    status: () => ({ drivers: [...drivers.keys()] }),
  };
}
