/** guard-watch's config (`plugins.entries.guard-watch.config`). */
import { z } from "zod";

export const configSchema = z
  .strictObject({
    /** The OpenClaw plugin id of the guard (deploy/openclaw-guard's `openclaw.plugin.json`). */
    guard_id: z.string().min(1).max(128).default("talon-guard"),
    /** Bridge mode: how often upstream's `health` is read for the guard's id (ms). */
    health_interval_ms: z.number().int().min(200).default(30_000),
    /** Time limit of one `health` call (ms). */
    health_timeout_ms: z.number().int().min(100).default(10_000),
    /** A guard that sent no heartbeat for this long is missing (ms); 0 turns heartbeat tracking off. */
    heartbeat_timeout_ms: z.number().int().min(0).default(90_000),
    /** Heartbeat interval suggested to guards in the heartbeat answer (ms). */
    heartbeat_interval_ms: z.number().int().min(100).default(30_000),
    /**
     * Verdict floor for upstream exec approvals while the guard is missing: `review` leaves them to a
     * person (Talon stops approving them), `block` denies them, `unchanged` keeps Talon's verdict.
     */
    exec_approvals_while_missing: z.enum(["review", "block", "unchanged"]).default("review"),
    /** Guard instances (OpenClaw processes) remembered (oldest heartbeat forgotten first). */
    max_instances: z.number().int().min(1).max(4096).default(64),
  })
  .prefault({});

/** guard-watch's validated config. */
export type GuardWatchConfig = z.output<typeof configSchema>;
