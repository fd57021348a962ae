/**
 * quarantine: every blocked action is written to `security.quarantine_dir` (seed-defender §3.8)
 * for later review, with secrets redacted, atomically, under a unique name, within a size and
 * count bound. Decisions reused from the idempotency cache and actions refused for capacity are
 * not written (nothing new was learnt about them).
 */
import { z } from "zod";
import { STAGE, definePlugin, type TalonConfig } from "@talon/sdk";
import { fitRecord, toQuarantineRecord } from "./record.ts";
import { secretsInConfig } from "./redact.ts";
import { QuarantineStore, quarantineFileName } from "./store.ts";

const PLUGIN_NAME = "quarantine";

/** `plugins.entries.quarantine.config`. */
export const configSchema = z
  .strictObject({
    /** Most files kept in the folder; the oldest are removed first. */
    max_files: z.number().int().min(1).default(1000),
    /** Largest file (bytes); a bigger record loses its raw payload, then long strings are cut. */
    max_file_bytes: z
      .number()
      .int()
      .min(1024)
      .default(256 * 1024),
  })
  .prefault({});

/** The plugin's validated config. */
export type QuarantineConfig = z.output<typeof configSchema>;

/**
 * The host's own secrets, redacted wherever they appear: every secret-named value in the config,
 * plugin entries' configs included, and the named ones whose keys do not look secret.
 */
function knownSecrets(config: TalonConfig): string[] {
  return secretsInConfig(config, [
    config.gateway.token,
    config.gateway.password,
    config.security.virustotal_api_key,
    config.security.policy_bundle_key,
  ]);
}

/** The quarantine plugin. */
export default definePlugin({
  name: PLUGIN_NAME,
  version: "0.1.0",
  description: "Writes every blocked action, secrets redacted, to security.quarantine_dir.",
  hostRange: "^0.1.0",
  configSchema,
  setup(ctx) {
    const store = new QuarantineStore(ctx.log);
    ctx.hooks.decision.tap({ stage: STAGE.OBSERVER, filter: { verdict: "block" } }, (record) => {
      if (record.cached || record.refused) return;
      const config = ctx.host.config;
      const now = Date.now();
      const { max_file_bytes: maxBytes, max_files: maxFiles } = ctx.config;
      const body = () => fitRecord(toQuarantineRecord(record, knownSecrets(config), now), maxBytes);
      store.write(ctx.host.resolvePath(config.security.quarantine_dir), quarantineFileName(record.action.id, now), body, maxFiles);
    });
    ctx.hooks.stop.tapPromise(() => store.flush());
    ctx.expose({ flush: () => store.flush(), files: () => store.files });
  },
});
