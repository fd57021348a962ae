/**
 * Load plugins: resolve sources, import, validate manifests and configs, order by dependencies,
 * run each `setup` under its time limit. A plugin named in config that fails stops start-up with
 * its name and the reason, unless it is marked optional (then it is switched off and reported).
 */
import { errorMessage, isTalonError, PluginLoadError, type PluginContext, type PluginDefinition, type TalonConfig } from "@talon/sdk";
import { importModule, importPackage } from "../modules/import-module.ts";
import { validateManifest, validatePluginConfig } from "./manifest.ts";
import { orderByDependencies } from "./order.ts";
import { preflightPackageManifest } from "./package-manifest.ts";
import { resolvePluginSources, TALON_ROOT, type PluginSource, type PluginSourceKind } from "./resolve.ts";
import { withTimeout } from "../runtime/timeout.ts";

/** What `talon plugins list` and `status` report per plugin. */
export interface PluginRecord {
  name: string;
  version: string;
  source: string;
  sourceKind: PluginSourceKind;
  status: "active" | "failed";
  optional: boolean;
  /** Import and validation time (ms). */
  loadMs: number;
  /** Setup time (ms). */
  setupMs: number;
  error?: string;
}

export interface LoadedPlugin {
  record: PluginRecord;
  definition: PluginDefinition;
  config: unknown;
}

export interface LoaderDeps {
  config: TalonConfig;
  baseDir: string;
  hostVersion: string;
  root?: string;
  /** Build the context for one plugin; `loadIndex` orders stop hooks. */
  createContext(plugin: LoadedPlugin, loadIndex: number): PluginContext<unknown>;
  /** Switch a failed optional plugin off (its taps, methods and routes). */
  deactivate(name: string): void;
  warn(message: string, fields: Record<string, unknown>): void;
}

export async function importSource(source: PluginSource, baseDir: string): Promise<Record<string, unknown>> {
  try {
    if (source.kind === "npm") return (await importPackage(source.target, baseDir)).module;
    return await importModule(source.target);
  } catch (error) {
    if (isTalonError(error)) throw error;
    const code = (error as { code?: string }).code;
    const notFound = (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") && source.kind === "npm";
    throw new PluginLoadError(
      notFound ? "TALON_PLUGIN_NOT_FOUND" : "TALON_PLUGIN_IMPORT",
      `cannot import plugin ${source.spec}: ${errorMessage(error)}`,
      {
        cause: error,
        hint: notFound ? `install it (npm install ${source.target}) or remove it from plugins.load` : "fix the error in the plugin module",
      },
    );
  }
}

/** Import and validate every source; returns the plugins in dependency order (not yet set up). */
export async function resolveAndValidate(deps: LoaderDeps): Promise<{ plugins: LoadedPlugin[]; failed: PluginRecord[] }> {
  const { config, baseDir, hostVersion } = deps;
  const { sources, failures } = resolvePluginSources(config, baseDir, deps.root ?? TALON_ROOT);
  const failed: PluginRecord[] = [];
  const unavailable = new Map<string, string>();
  const fail = (spec: string, kind: PluginSourceKind, optional: boolean, error: unknown, name = spec) => {
    if (!optional) throw error;
    const reason = errorMessage(error);
    deps.warn(`optional plugin ${name} skipped: ${reason}`, { plugin: name, code: (error as { code?: string }).code });
    failed.push({ name, version: "?", source: spec, sourceKind: kind, status: "failed", optional, loadMs: 0, setupMs: 0, error: reason });
    unavailable.set(name, reason);
  };
  for (const failure of failures) fail(failure.spec, "path", failure.optional, failure.error);

  const loaded: LoadedPlugin[] = [];
  for (const source of sources) {
    const started = performance.now();
    try {
      preflightPackageManifest(source, baseDir, hostVersion);
      const module = await importSource(source, baseDir);
      const definition = validateManifest(module, source.spec, hostVersion);
      if (source.bundledName && definition.name !== source.bundledName) {
        throw new PluginLoadError(
          "TALON_PLUGIN_MANIFEST",
          `bundled plugin folder ${source.bundledName} declares name ${definition.name}; they must match`,
          {
            plugin: definition.name,
          },
        );
      }
      const entry = config.plugins.entries[definition.name];
      if (entry?.enabled === false) continue;
      const optional = source.optional || (entry?.optional ?? false);
      const duplicate = loaded.find((plugin) => plugin.definition.name === definition.name);
      if (duplicate) {
        throw new PluginLoadError(
          "TALON_PLUGIN_DUPLICATE",
          `plugin ${definition.name} is loaded twice (${duplicate.record.source} and ${source.spec})`,
          {
            plugin: definition.name,
            hint: "remove one of them from plugins.load, or disable the bundled one with plugins.entries.<name>.enabled = false",
          },
        );
      }
      let pluginConfig: unknown;
      try {
        pluginConfig = validatePluginConfig(definition, entry?.config);
      } catch (error) {
        fail(source.spec, source.kind, optional, error, definition.name);
        continue;
      }
      loaded.push({
        definition,
        config: pluginConfig,
        record: {
          name: definition.name,
          version: definition.version,
          source: source.kind === "bundled" ? `bundled (${source.target.slice(TALON_ROOT.length + 1)})` : source.spec,
          sourceKind: source.kind,
          status: "active",
          optional,
          loadMs: performance.now() - started,
          setupMs: 0,
        },
      });
    } catch (error) {
      fail(source.spec, source.kind, source.optional, error);
    }
  }
  // Optional plugins whose dependencies are missing are dropped (and reported) before ordering.
  let changed = true;
  while (changed) {
    changed = false;
    const names = new Set(loaded.map((plugin) => plugin.definition.name));
    for (let i = loaded.length - 1; i >= 0; i--) {
      const plugin = loaded[i]!;
      const missing = (plugin.definition.dependsOn ?? []).find((dep) => !names.has(dep));
      if (missing && plugin.record.optional) {
        loaded.splice(i, 1);
        fail(
          plugin.record.source,
          plugin.record.sourceKind,
          true,
          new PluginLoadError("TALON_PLUGIN_DEPENDENCY_MISSING", `depends on ${missing}, which is not loaded`, {
            plugin: plugin.definition.name,
          }),
          plugin.definition.name,
        );
        changed = true;
      }
    }
  }
  const ordered = orderByDependencies(
    loaded.map((plugin) => ({ name: plugin.definition.name, dependsOn: plugin.definition.dependsOn ?? [], plugin })),
    unavailable,
  ).map((item) => item.plugin);
  return { plugins: ordered, failed };
}

/** Run every setup in order. Returns the plugins that are active afterwards. */
export async function setupPlugins(deps: LoaderDeps, plugins: LoadedPlugin[]): Promise<LoadedPlugin[]> {
  const active: LoadedPlugin[] = [];
  const failedNames = new Set<string>();
  for (const [index, plugin] of plugins.entries()) {
    const { definition, record } = plugin;
    const blockedBy = (definition.dependsOn ?? []).find((dep) => failedNames.has(dep));
    if (blockedBy) {
      const error = new PluginLoadError(
        "TALON_PLUGIN_DEPENDENCY_MISSING",
        `plugin ${definition.name} depends on ${blockedBy}, whose setup failed`,
        { plugin: definition.name },
      );
      if (!record.optional) throw error;
      record.status = "failed";
      record.error = error.bareMessage;
      failedNames.add(definition.name);
      continue;
    }
    const limit = deps.config.plugins.entries[definition.name]?.setup_timeout_ms ?? deps.config.plugins.setup_timeout_ms;
    const started = performance.now();
    try {
      const context = deps.createContext(plugin, index);
      await withTimeout(
        Promise.resolve().then(() => definition.setup(context)),
        limit,
        () =>
          new PluginLoadError("TALON_PLUGIN_SETUP_TIMEOUT", `plugin ${definition.name} setup did not finish within ${limit} ms`, {
            plugin: definition.name,
            hint: `fix the plugin, or raise plugins.entries.${definition.name}.setup_timeout_ms`,
          }),
      );
      record.setupMs = performance.now() - started;
      active.push(plugin);
    } catch (raw) {
      const error =
        isTalonError(raw) && raw.code.startsWith("TALON_PLUGIN_")
          ? raw
          : new PluginLoadError("TALON_PLUGIN_SETUP_FAILED", `plugin ${definition.name} setup failed: ${errorMessage(raw)}`, {
              plugin: definition.name,
              cause: raw,
            });
      deps.deactivate(definition.name);
      if (!record.optional) throw error;
      deps.warn(`optional plugin ${definition.name} switched off: ${error.message}`, { plugin: definition.name, code: error.code });
      record.status = "failed";
      record.error = error.bareMessage;
      record.setupMs = performance.now() - started;
      failedNames.add(definition.name);
    }
  }
  return active;
}
