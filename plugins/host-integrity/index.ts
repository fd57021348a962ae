/**
 * host-integrity: baselines `protectPaths` (files and directories; the seed's `security.protect_paths`) in the store,
 * re-checks them periodically, and while anything differs adds risk to every action until an
 * operator runs `talon integrity rebaseline` (RPC `security.integrity.rebaseline`).
 */
import { RpcError, STAGE, definePlugin, z } from "@talon/sdk";
import { integrityCommands } from "./cli.ts";
import { IntegrityMonitor, type ProtectedPath } from "./monitor.ts";

const PLUGIN_NAME = "host-integrity";

export const configSchema = z.strictObject({
  protectPaths: z
    .array(z.string())
    .default(["./openclaw.mjs", "./dist/index.js"])
    .describe(
      "Files or folders whose hashes are baselined and checked; a change raises risk on every action until rebaselined. Seed: `security.protect_paths`.",
    ),
  intervalMs: z.number().int().min(100).default(20_000).describe("Time between checks (ms); the seed checked at most every 20 s."),
  mismatchScore: z
    .number()
    .int()
    .min(0)
    .max(255)
    .default(55)
    .describe("Added to every action while a protected path differs from its baseline (the seed's 55)."),
  errorScore: z.number().int().min(0).max(255).default(20).describe("Added while a path cannot be checked (the seed's 20)."),
  maxDirFiles: z.number().int().min(1).default(2000).describe("Most files hashed in one protected directory."),
  maxBytes: z
    .number()
    .int()
    .min(1)
    .default(1024 * 1024 * 1024)
    .describe("Most bytes hashed per protected path."),
});

/** host-integrity's validated config. */
export type HostIntegrityConfig = z.output<typeof configSchema>;

/** `protectPaths` resolve the way the host resolves config paths (against the working directory, as the seed's did). */
function protectedPaths(configuredPaths: readonly string[], resolvePath: (path: string) => string): ProtectedPath[] {
  const seen = new Set<string>();
  const out: ProtectedPath[] = [];
  for (const configured of configuredPaths) {
    if (configured.trim() === "") continue;
    const absolute = resolvePath(configured);
    if (seen.has(absolute)) continue;
    seen.add(absolute);
    out.push({ configured, absolute });
  }
  return out;
}

export default definePlugin({
  name: PLUGIN_NAME,
  version: "0.1.0",
  description: "Baselines protected files in the store, re-checks them, raises risk until an operator rebaselines.",
  hostRange: "^0.1.0",
  configSchema,
  commands: integrityCommands,
  setup(ctx) {
    const limits = () => ({ maxDirFiles: ctx.config.maxDirFiles, maxBytes: ctx.config.maxBytes });
    const paths = () => protectedPaths(ctx.config.protectPaths, (path) => ctx.host.resolvePath(path));
    const monitor = new IntegrityMonitor(ctx.store, ctx.log, paths(), limits());
    const ok = () => monitor.state.alerts.length === 0 && monitor.state.errors.length === 0;
    /** What a reload must act on: the paths, the limits and the interval. */
    const settingsKey = () => JSON.stringify([paths(), limits(), ctx.config.intervalMs]);
    let appliedSettings = settingsKey();
    let timer: NodeJS.Timeout | undefined;
    const schedule = () => {
      clearInterval(timer);
      timer = setInterval(
        () => void monitor.check().catch((error) => ctx.log.error({ err: error }, "integrity check failed")),
        ctx.config.intervalMs,
      );
      timer.unref();
    };
    const status = async () => {
      const baseline = await monitor.baseline();
      return {
        paths: monitor.paths.map((path) => {
          const entry = baseline.paths[path.absolute];
          const snapshot = entry?.snapshot;
          return {
            path: path.configured,
            absolute: path.absolute,
            baselineAt: entry?.takenAt,
            kind: snapshot?.kind,
            sha256: snapshot && "sha256" in snapshot ? snapshot.sha256 : undefined,
          };
        }),
        ...monitor.state,
        ok: ok(),
      };
    };

    ctx.hooks.start.tapPromise(async () => {
      await monitor.ensureBaseline();
      await monitor.check();
      schedule();
    });
    ctx.hooks.stop.tap(() => clearInterval(timer));
    ctx.hooks.configReload.tapPromise(async () => {
      // Nothing this plugin uses changed: no re-hash, no timer reset.
      const next = settingsKey();
      if (next === appliedSettings) return;
      appliedSettings = next;
      monitor.configure(paths(), limits());
      await monitor.ensureBaseline();
      await monitor.check();
      schedule();
    });

    ctx.registerStatusSection("integrity", () => ({
      ok: ok(),
      alerts: monitor.state.alerts.length,
      errors: monitor.state.errors.length,
      checkedAt: monitor.state.checkedAt,
    }));
    ctx.registerMethod({
      name: "security.integrity.status",
      scope: "operator.read",
      params: z.object({}).loose(),
      description: "Check the protected paths now; returns them, their baseline and the alerts.",
      async handler() {
        await monitor.check();
        return status();
      },
    });
    ctx.registerMethod({
      name: "security.integrity.rebaseline",
      scope: "operator.admin",
      description: "Accept the current content of the protected paths (all, or the listed ones) as the new baseline.",
      params: z.object({ paths: z.array(z.string().min(1)).optional() }).loose(),
      async handler(params) {
        const known = new Set(monitor.paths.flatMap((path) => [path.configured, path.absolute]));
        const unknown = (params.paths ?? []).filter((path) => !known.has(path));
        if (unknown.length > 0)
          throw new RpcError(
            "TALON_RPC_NOT_FOUND",
            `not a protected path: ${unknown.join(", ")}; protected paths come from plugins.entries.host-integrity.config.protectPaths (the seed's security.protect_paths)`,
          );
        const { rebaselined } = await monitor.rebaseline(params.paths);
        return { rebaselined, ...(await status()) };
      },
    });

    ctx.hooks.score.tap({ stage: STAGE.DETECTOR }, (_action, report) => {
      const { alerts, errors } = monitor.state;
      if (alerts.length > 0)
        report.add({
          detector: PLUGIN_NAME,
          score: ctx.config.mismatchScore,
          tags: ["host_integrity"],
          reasons: [`integrity mismatch: ${alerts.join("; ")}`],
          pattern: "host_integrity",
        });
      if (errors.length > 0)
        report.add({
          detector: PLUGIN_NAME,
          score: ctx.config.errorScore,
          tags: ["host_integrity_error"],
          reasons: [`host integrity check failed: ${errors.join("; ")}`],
          pattern: "host_integrity_error",
        });
    });
  },
});
