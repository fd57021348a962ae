/**
 * One VirusTotal v3 GET (`/files/{id}`, `/urls/{id}`) with the `x-apikey` header: bounded in
 * time (one timeout covers connect, headers and body), in body size, and never following a
 * redirect (which would carry the API key to another host). Every outcome is a value; nothing
 * throws.
 */
import { parseRetryAfter } from "@talon/sdk";
import { statsOf, type AnalysisStats } from "./verdict.ts";

/** What VirusTotal said. */
export type VtResponse =
  | { readonly kind: "found"; readonly stats: AnalysisStats }
  | { readonly kind: "not_found" }
  | { readonly kind: "quota"; readonly retryAfterMs: number; readonly reason: string }
  | { readonly kind: "error"; readonly reason: string };

/** Request settings. */
export interface ClientSettings {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
}

const DEFAULT_RETRY_AFTER_MS = 60_000;

async function readBody(response: Response, maxBytes: number): Promise<string | undefined> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function retryAfter(header: string | null): number {
  return parseRetryAfter(header) ?? DEFAULT_RETRY_AFTER_MS;
}

function errorCode(text: string | undefined): string | undefined {
  try {
    const code = (JSON.parse(text ?? "") as { error?: { code?: unknown } })?.error?.code;
    return typeof code === "string" ? code.slice(0, 64) : undefined;
  } catch {
    return undefined;
  }
}

/** GET one object. `what` names it in reasons (`URL`, `file`). */
export async function getObject(settings: ClientSettings, collection: "files" | "urls", id: string, what: string): Promise<VtResponse> {
  const url = `${settings.baseUrl.replace(/\/+$/, "")}/${collection}/${encodeURIComponent(id)}`;
  let response: Response;
  let text: string | undefined;
  try {
    response = await fetch(url, {
      headers: { "x-apikey": settings.apiKey, accept: "application/json" },
      redirect: "manual",
      signal: AbortSignal.timeout(settings.timeoutMs),
    });
    text = await readBody(response, settings.maxResponseBytes);
  } catch (error) {
    const name = (error as Error).name;
    if (name === "TimeoutError" || name === "AbortError")
      return { kind: "error", reason: `VirusTotal ${what} query timed out after ${settings.timeoutMs} ms` };
    const code = ((error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message).slice(0, 80);
    return { kind: "error", reason: `VirusTotal ${what} query failed: could not reach ${new URL(url).host} (${code})` };
  }
  const status = `${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
  if (text === undefined)
    return { kind: "error", reason: `VirusTotal ${what} query failed: the response is larger than ${settings.maxResponseBytes} bytes` };
  if (response.status === 404) return { kind: "not_found" };
  if (response.status === 429)
    return {
      kind: "quota",
      retryAfterMs: retryAfter(response.headers.get("retry-after")),
      reason: `VirusTotal ${what} query failed: ${status} (${errorCode(text) ?? "QuotaExceededError"})`,
    };
  if (response.status === 401 || response.status === 403)
    return {
      kind: "error",
      reason: `VirusTotal ${what} query failed: ${status}; the API key was rejected (${errorCode(text) ?? "WrongCredentialsError"})`,
    };
  if (response.status < 200 || response.status >= 300) return { kind: "error", reason: `VirusTotal ${what} query failed: ${status}` };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { kind: "error", reason: `VirusTotal ${what} query failed: the response is not JSON` };
  }
  const stats = statsOf(body);
  if (!stats) return { kind: "error", reason: `VirusTotal ${what} query failed: the response has no data.attributes.last_analysis_stats` };
  return { kind: "found", stats };
}
