/**
 * quarantine: every blocked action is written to `dir` (the seed's `security.quarantine_dir`, seed-defender §3.8)
 * for later review, with secrets redacted, atomically, under a unique name, within a size and
 * count bound. Decisions reused from the idempotency cache and actions refused for capacity are
 * not written (nothing new was learnt about them).
 */
import { STAGE, definePlugin, z } from "@talon/sdk";
import { fitRecord, toQuarantineRecord } from "./record.ts";
import { secretsInConfig } from "./redact.ts";
import { QuarantineStore, quarantineFileName } from "./store.ts";

const PLUGIN_NAME = "quarantine";

/** `plugins.entries.quarantine.config`. */
export const configSchema = z
  .strictObject({
    dir: z
      .string()
      .default(".openclaw-rs/quarantine")
      .describe(
        "Where blocked actions are written (redacted, bounded); relative to the working directory. Seed: `security.quarantine_dir`.",
      ),
    max_files: z.number().int().min(1).default(1000).describe("Most files kept in the folder; the oldest are removed first."),
    max_file_bytes: z
      .number()
      .int()
      .min(1024)
      .default(256 * 1024)
      .describe("Largest file (bytes); a bigger record loses its raw payload, then long strings are cut."),
  })
  .prefault({});

/** The plugin's validated config. */
export type QuarantineConfig = z.output<typeof configSchema>;

/** The quarantine plugin. */
export default definePlugin({
  name: PLUGIN_NAME,
  version: "0.1.0",
  description: "Writes every blocked action, secrets redacted, to its folder (the seed's security.quarantine_dir).",
  hostRange: "^0.1.0",
  configSchema,
  setup(ctx) {
    const store = new QuarantineStore(ctx.log);
    ctx.hooks.decision.tap({ stage: STAGE.OBSERVER, filter: { verdict: "block" } }, (record) => {
      if (record.cached || record.refused) return;
      const now = Date.now();
      const { dir, max_file_bytes: maxBytes, max_files: maxFiles } = ctx.config;
      // Every secret the host knows (fields marked secret() in any schema), plus secret-named values in the config.
      const secrets = () => secretsInConfig(ctx.host.config, ctx.host.secrets());
      const body = () => fitRecord(toQuarantineRecord(record, secrets(), now), maxBytes);
      store.write(ctx.host.resolvePath(dir), quarantineFileName(record.action.id, now), body, maxFiles);
    });
    ctx.hooks.stop.tapPromise(() => store.flush());
    ctx.expose({ flush: () => store.flush(), files: () => store.files });
  },
});
