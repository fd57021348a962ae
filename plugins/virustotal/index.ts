/**
 * virustotal: VirusTotal v3 verdicts for the URLs and files an action names. Files are hashed by
 * streaming (only regular files inside `fileRoots`), URLs are looked up by their base64url id;
 * answers are cached, calls rate-limited to the public quota, 429 honoured. A lookup that cannot
 * answer adds `unknown`, never "clean".
 */
import { STAGE, definePlugin, type Finding } from "@talon/sdk";
import { buildSettings, configSchema, type VtSettings } from "./config.ts";
import { hashFile, resolveRoots, type FileRoot } from "./file-hash.ts";
import { canonicalUrl, urlId } from "./ids.ts";
import { RateLimiter } from "./limiter.ts";
import { Lookups, type LookupResult } from "./lookups.ts";
import { answeredFinding, failureFinding, notFoundFinding } from "./verdict.ts";

const PLUGIN_NAME = "virustotal";

function toFinding(kind: "url" | "file", result: LookupResult, settings: VtSettings, field: string, subject: string): Finding {
  const { response, cached } = result;
  if (response.kind === "found") return answeredFinding(PLUGIN_NAME, kind, response.stats, settings.scores, field, subject, cached);
  if (response.kind === "not_found") return notFoundFinding(PLUGIN_NAME, kind, settings.scores, field, subject, cached);
  return failureFinding(PLUGIN_NAME, `vt_${kind}_error`, response.reason, settings.failureMode, settings.unknownScore, field);
}

export default definePlugin({
  name: PLUGIN_NAME,
  version: "0.1.0",
  description: "VirusTotal v3 lookups of URLs and files, cached and rate-limited; failures are never clean.",
  hostRange: "^0.1.0",
  configSchema,
  setup(ctx) {
    let settings = buildSettings(ctx.config);
    let roots: FileRoot[] = [];
    const limiter = new RateLimiter(ctx.store.namespace("quota"), settings.rate);
    const lookups = new Lookups(ctx.store.namespace("cache"), limiter);
    const refreshRoots = async () => {
      roots = await resolveRoots(settings.fileRoots, ctx.host.baseDir);
    };
    ctx.registerStatusSection("virustotal", () => ({
      enabled: settings.apiKey !== undefined,
      fileRoots: roots.map((root) => root.real),
      ...lookups.counts,
    }));
    ctx.hooks.start.tapPromise(async () => {
      await refreshRoots();
      if (!settings.apiKey)
        ctx.log.info(
          {},
          "VirusTotal lookups are off: no API key (plugins.entries.virustotal.config.apiKey, the seed's security.virustotal_api_key, or OPENCLAW_RS_VT_API_KEY)",
        );
    });
    ctx.hooks.configReload.tapPromise(async (change) => {
      settings = buildSettings(ctx.config);
      limiter.configure(settings.rate);
      await refreshRoots();
    });

    const judgeUrl = async (value: string, field: string): Promise<Finding | undefined> => {
      const url = canonicalUrl(value);
      if (!url) return undefined;
      return toFinding("url", await lookups.lookup("urls", urlId(url), settings.client, settings.cache), settings, field, url);
    };
    const judgeFile = async (value: string, field: string): Promise<Finding> => {
      const hashed = await hashFile(value, roots, ctx.host.baseDir, settings.maxFileBytes, AbortSignal.timeout(settings.client.timeoutMs));
      if (hashed.refused) {
        // A file that is not there cannot be run; the seed scored it 10 (`vt_file_missing`).
        if (hashed.tag === "vt_file_missing")
          return {
            detector: PLUGIN_NAME,
            score: settings.scores.unknownUrl,
            tags: ["vt_file_missing"],
            reasons: [hashed.reason],
            field,
            pattern: hashed.tag,
          };
        return failureFinding(PLUGIN_NAME, hashed.tag, hashed.reason, settings.failureMode, settings.unknownScore, field);
      }
      return toFinding(
        "file",
        await lookups.lookup("files", hashed.sha256, settings.client, settings.cache),
        settings,
        field,
        hashed.sha256,
      );
    };

    ctx.hooks.score.tapPromise({ stage: STAGE.DETECTOR, filter: { fieldKind: ["url", "file"] } }, async (action, report) => {
      if (!settings.apiKey) return;
      const jobs: Promise<Finding | undefined>[] = [];
      const seen = new Set<string>();
      for (const field of action.fields) {
        if ((field.kind !== "url" && field.kind !== "file") || seen.has(`${field.kind}:${field.value}`)) continue;
        seen.add(`${field.kind}:${field.value}`);
        if (jobs.length >= settings.maxLookups) {
          report.add(
            failureFinding(
              PLUGIN_NAME,
              "vt_skipped",
              `more than ${settings.maxLookups} URLs and files in one action; ${field.path} was not looked up`,
              settings.failureMode,
              settings.unknownScore,
              field.path,
            ),
          );
          break;
        }
        jobs.push(field.kind === "url" ? judgeUrl(field.value, field.path) : judgeFile(field.value, field.path));
      }
      for (const finding of await Promise.all(jobs)) if (finding) report.add(finding);
    });
  },
});
