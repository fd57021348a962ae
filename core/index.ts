/**
 * Talon's host. `createHost` builds one from a config; everything else a plugin needs comes from
 * @talon/sdk. This barrel never re-exports plugins or drivers.
 * @module
 */
export { createHost, TalonHost, TALON_VERSION, type CreateHostOptions } from "./host.ts";
export { loadConfig, type ConfigSource, type LoadedConfig } from "./config/load.ts";
export type { PluginRecord } from "./loader/load-plugins.ts";
