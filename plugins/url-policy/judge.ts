/** One URL judged: scheme, every host it can mean, user info, ambiguity. Pure. */
import { classifyHost, type HostClass } from "./addresses.ts";
import type { UrlPolicyConfig } from "./config.ts";
import type { ReadUrl } from "./urls.ts";

/** One reason a URL is risky. */
export interface UrlHit {
  tag: string;
  score: number;
  reason: string;
}

const DANGEROUS_SCHEMES = new Set(["file", "gopher"]);
const UNUSUAL_SCHEMES = new Set([
  "dict",
  "ldap",
  "ldaps",
  "tftp",
  "jar",
  "netdoc",
  "phar",
  "expect",
  "smb",
  "ssh",
  "sftp",
  "telnet",
  "javascript",
  "vbscript",
  "chrome",
  "about",
  "view-source",
]);
const HOST_LABEL: Record<HostClass, string> = {
  metadata: "a cloud metadata endpoint",
  loopback: "a loopback address",
  private: "a private network address",
  link_local: "a link-local address",
  unspecified: "an unspecified address (0.0.0.0 reaches this machine)",
  internal_name: "an internal host name",
};

/** What the judge needs besides the URL. */
export interface UrlContext {
  scores: UrlPolicyConfig["scores"];
  allowed: ReadonlySet<string>;
  metadata: ReadonlySet<string>;
  /** Only the metadata and scheme rules (URLs found inside commands). */
  severeOnly: boolean;
}

/** Judge one URL. */
export function judgeUrl(url: ReadUrl, context: UrlContext): UrlHit[] {
  const { scores } = context;
  const hits: UrlHit[] = [];
  const shown = url.text.length > 200 ? `${url.text.slice(0, 200)}…` : url.text;
  if (DANGEROUS_SCHEMES.has(url.scheme) && scores.dangerous_scheme > 0)
    hits.push({
      tag: "url_scheme",
      score: scores.dangerous_scheme,
      reason: `${url.scheme}: URL reaches local files or raw services: ${shown}`,
    });
  else if (UNUSUAL_SCHEMES.has(url.scheme) && scores.unusual_scheme > 0 && !context.severeOnly)
    hits.push({ tag: "url_scheme", score: scores.unusual_scheme, reason: `unusual URL scheme ${url.scheme}: ${shown}` });
  const classes = new Set<HostClass>();
  for (const host of url.hosts) {
    const bare = host.replace(/\.+$/, "");
    const found = context.metadata.has(bare) ? "metadata" : classifyHost(bare);
    if (found === undefined) continue;
    if (found !== "metadata" && (context.allowed.has(bare) || context.severeOnly)) continue;
    classes.add(found);
  }
  for (const found of classes) {
    const score = scores[found];
    if (score > 0)
      hits.push({
        tag: found === "metadata" ? "url_metadata" : `url_${found}`,
        score,
        reason: `URL reaches ${HOST_LABEL[found]}: ${shown}`,
      });
  }
  if (!context.severeOnly) {
    if (url.userinfo && scores.userinfo > 0)
      hits.push({ tag: "url_userinfo", score: scores.userinfo, reason: `URL carries user info (the real host is after the @): ${shown}` });
    if (url.ambiguous && scores.ambiguous > 0)
      hits.push({
        tag: "url_ambiguous",
        score: scores.ambiguous,
        reason: `URL reads as different hosts (${url.hosts.join(", ")}): ${shown}`,
      });
  }
  return hits;
}
