/**
 * path-policy's config (`plugins.entries.path-policy.config`): the workspace roots, the home that
 * `~` means, paths outside the workspace that are fine, and the risk points per finding (write
 * worse than read).
 */
import { z } from "zod";

const score = z.number().int().min(0).max(255);
const absolute = z.string().refine((path) => path.startsWith("/") || path.startsWith("~"), "must be an absolute path (or start with ~)");

/** Risk points by category and intent. */
const scoresSchema = z
  .strictObject({
    secret_read: score.default(70),
    secret_write: score.default(80),
    persistence_read: score.default(0),
    persistence_write: score.default(80),
    system_read: score.default(0),
    system_write: score.default(70),
    outside_read: score.default(15),
    outside_write: score.default(40),
    /** A relative path that climbs above its base with `..` (when no workspace is known). */
    escape: score.default(40),
  })
  .prefault({});

export const configSchema = z
  .strictObject({
    /** Folders the agent may work in; a path outside all of them is a finding (none configured: no such finding). */
    workspace_roots: z.array(absolute).default([]),
    /** The workspace a request names (e.g. the guard's `workspaceDir`) counts as a root and as the base of relative paths. */
    trust_request_workspace: z.boolean().default(true),
    /** What `~` and `$HOME` mean; unset: `~` stays symbolic and home rules match `~/…`, `/home/<user>/…` and `/root/…`. */
    home: absolute.optional(),
    /** Paths outside the workspace that are fine (temp folders); secret and persistence rules still apply inside them. */
    allowed_paths: z.array(absolute).default(["/tmp", "/var/tmp", "/dev/null"]),
    /** Tool names (normalised) whose paths are written, on top of the built-in ones (write, edit, apply_patch, ...). */
    write_tools: z.array(z.string().min(1)).default([]),
    scores: scoresSchema,
  })
  .prefault({});

/** path-policy's validated config. */
export type PathPolicyConfig = z.output<typeof configSchema>;
