/**
 * path-policy: every file path an action names (OpenClaw's read/write/edit/apply_patch/ls
 * params, `filePath` in frames, paths of tools nobody listed) judged by what the location is:
 * secrets, persistence and privilege locations, system locations, and anything outside the
 * workspace roots; writing is worse than reading. Paths resolve lexically against the workspace
 * (`~`, `..`, relative paths); the filesystem a frame names is never read.
 */
import { STAGE, definePlugin, type Action } from "@talon/sdk";
import { configSchema, type PathPolicyConfig } from "./config.ts";
import { intentOf } from "./intent.ts";
import { judgePath, type PathContext } from "./judge.ts";
import { resolvePath } from "./resolve.ts";

const PLUGIN_NAME = "path-policy";

interface Settings {
  config: PathPolicyConfig;
  roots: string[];
  allowed: string[];
  homeSegments?: string[];
  writeTools: ReadonlySet<string>;
}

function settingsOf(config: PathPolicyConfig): Settings {
  const absolute = (path: string) => resolvePath(path, { home: config.home }).path;
  return {
    config,
    roots: config.workspace_roots.map(absolute),
    allowed: config.allowed_paths.map(absolute),
    homeSegments: config.home?.toLowerCase().split("/").filter(Boolean),
    writeTools: new Set(config.write_tools.map((tool) => tool.trim().toLowerCase())),
  };
}

function contextFor(action: Action, settings: Settings): PathContext {
  const { config } = settings;
  const requested = config.trust_request_workspace ? action.context?.workspaceDir : undefined;
  const workspace = requested !== undefined ? resolvePath(requested, { home: config.home }).path : undefined;
  const roots = workspace !== undefined && workspace.startsWith("/") ? [...settings.roots, workspace] : settings.roots;
  return {
    intent: intentOf(action, settings.writeTools),
    roots,
    workspace: workspace ?? (settings.roots.length === 1 ? settings.roots[0] : undefined),
    home: config.home,
    homeSegments: settings.homeSegments,
    allowed: settings.allowed,
    scores: config.scores,
  };
}

export default definePlugin({
  name: PLUGIN_NAME,
  version: "0.1.0",
  description: "File paths judged by location: secrets, persistence, system, outside the workspace; write worse than read.",
  hostRange: "^0.1.0",
  configSchema,
  setup(ctx) {
    let settings = settingsOf(ctx.config);
    ctx.hooks.configReload.tap(() => {
      settings = settingsOf(ctx.config);
    });
    ctx.hooks.score.tap({ stage: STAGE.DETECTOR, filter: { fieldKind: "file" } }, (action, report) => {
      const context = contextFor(action, settings);
      const seen = new Set<string>();
      for (const field of action.fields) {
        if (field.kind !== "file" || seen.has(field.value)) continue;
        seen.add(field.value);
        const { resolved, hits } = judgePath(field.value, context);
        for (const hit of hits) {
          report.add({
            detector: PLUGIN_NAME,
            score: hit.score,
            tags: [hit.tag, `path_${context.intent}`],
            reasons: [hit.reason],
            field: field.path,
            pattern: `${hit.tag}:${resolved}`,
          });
        }
      }
    });
  },
});
