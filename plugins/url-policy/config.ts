/** url-policy's config (`plugins.entries.url-policy.config`): risk points, hosts that are fine, which fields are read. */
import { z } from "zod";

const score = z.number().int().min(0).max(255);

const scoresSchema = z
  .strictObject({
    /** A cloud metadata endpoint (credentials of the machine's cloud identity). */
    metadata: score.default(90),
    /** `file:` and `gopher:` (local files; raw TCP to any service). */
    dangerous_scheme: score.default(80),
    /** `dict:`, `ldap:`, `tftp:`, `jar:`, `netdoc:`, `phar:`, `smb:`, `ssh:`, `telnet:`, `javascript:`/`vbscript:` and the like. */
    unusual_scheme: score.default(40),
    loopback: score.default(40),
    private: score.default(40),
    link_local: score.default(40),
    unspecified: score.default(40),
    /** A single-label or internal-only name (`intranet`, `*.internal`, `*.local`). */
    internal_name: score.default(20),
    /** User info in a URL (`http://trusted.example@evil.example`). */
    userinfo: score.default(35),
    /** Readings of the URL disagree on its host (`http://evil?@localhost`). */
    ambiguous: score.default(35),
  })
  .prefault({});

export const configSchema = z
  .strictObject({
    /** Hosts never flagged for being loopback, private or internal (exact names or IPs, lower case); metadata and scheme rules still apply. */
    allowed_hosts: z.array(z.string().min(1)).default([]),
    /** More metadata host names to treat like 169.254.169.254. */
    metadata_hosts: z.array(z.string().min(1)).default([]),
    /** Also read URLs inside command fields (only the metadata and scheme rules apply there: `curl localhost` is ordinary). */
    scan_commands: z.boolean().default(true),
    scores: scoresSchema,
  })
  .prefault({});

/** url-policy's validated config. */
export type UrlPolicyConfig = z.output<typeof configSchema>;
