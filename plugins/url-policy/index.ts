/**
 * url-policy: every URL in an action's URL fields (web_fetch, browser, `url` keys, URL-looking
 * strings of any tool), not only the first, judged by where it goes: cloud metadata endpoints in
 * any spelling, `file:`/`gopher:` and other unusual schemes, loopback, private, link-local and
 * internal hosts, and user-info tricks that make clients disagree about the host. URLs inside
 * commands get the metadata and scheme rules only. VirusTotal lookups stay in `virustotal`.
 */
import { STAGE, definePlugin } from "@talon/sdk";
import { configSchema, type UrlPolicyConfig } from "./config.ts";
import { judgeUrl, type UrlContext } from "./judge.ts";
import { findUrls } from "./urls.ts";

const PLUGIN_NAME = "url-policy";
/** A field with more URLs than are read is reviewed: what was not judged is not trusted. */
const TRUNCATED_SCORE = 35;

function contextsOf(config: UrlPolicyConfig): { url: UrlContext; command: UrlContext } {
  const lower = (list: readonly string[]) => new Set(list.map((host) => host.trim().toLowerCase().replace(/\.+$/, "")));
  const base = { scores: config.scores, allowed: lower(config.allowed_hosts), metadata: lower(config.metadata_hosts) };
  return { url: { ...base, severeOnly: false }, command: { ...base, severeOnly: true } };
}

export default definePlugin({
  name: PLUGIN_NAME,
  version: "0.1.0",
  description: "Every URL judged by where it goes: metadata endpoints, file:/gopher:, private and loopback hosts, user-info tricks.",
  hostRange: "^0.1.0",
  configSchema,
  setup(ctx) {
    let contexts = contextsOf(ctx.config);
    ctx.hooks.configReload.tap(() => {
      contexts = contextsOf(ctx.config);
    });
    ctx.hooks.score.tap({ stage: STAGE.DETECTOR, filter: { fieldKind: ["url", "command"] } }, (action, report) => {
      const seen = new Set<string>();
      for (const field of action.fields) {
        const isUrl = field.kind === "url";
        if (!isUrl && !(field.kind === "command" && ctx.config.scan_commands)) continue;
        const context = isUrl ? contexts.url : contexts.command;
        const { urls, truncated } = findUrls(field.value, isUrl);
        for (const url of urls) {
          const key = `${field.kind}\0${url.text}`;
          if (seen.has(key)) continue;
          seen.add(key);
          for (const hit of judgeUrl(url, context)) {
            report.add({
              detector: PLUGIN_NAME,
              score: hit.score,
              tags: [hit.tag],
              reasons: [hit.reason],
              field: field.path,
              pattern: hit.tag,
            });
          }
        }
        if (truncated) {
          report.add({
            detector: PLUGIN_NAME,
            score: TRUNCATED_SCORE,
            tags: ["url_scan_truncated"],
            reasons: [`more URLs in one field than are read; the rest were not judged`],
            field: field.path,
          });
        }
      }
    });
  },
});
