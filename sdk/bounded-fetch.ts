/**
 * Download a platform file with a hard size bound: a declared `Content-Length` over the bound is
 * refused before the body is read, and a body that grows past it (no or a lying length) is cut
 * off mid-stream, so a hostile or broken server can never make a driver buffer more than
 * `maxBytes`. Failures come back as driver errors (the SDK's one HTTP mapping).
 */
import { driverErrorForStatus, type HttpFailureMessages } from "./http-failure.ts";
import { DriverNetworkError, DriverValidationError, errorMessage } from "./errors.ts";

export interface BoundedFetchOptions {
  /** Largest body accepted (bytes). */
  maxBytes: number;
  /** Time limit of the whole download (ms). */
  timeoutMs: number;
  signal?: AbortSignal;
  headers?: Record<string, string>;
  /** How HTTP failures read; defaults name the file server. */
  messages?: Partial<HttpFailureMessages>;
  /** Text to remove from any error message (a token inside the URL). */
  redact?: readonly string[];
}

export interface BoundedFile {
  data: Uint8Array;
  bytes: number;
  /** The server's `Content-Type`, when it sent one. */
  mimeType?: string;
}

/** Replace every `secrets` occurrence in `text` (tokens that live in URLs). */
function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret !== "") out = out.split(secret).join("[REDACTED]");
  return out;
}

/** GET `url` into memory, at most `options.maxBytes`. */
export async function fetchBounded(driver: string, url: string, options: BoundedFetchOptions): Promise<BoundedFile> {
  const redact = options.redact ?? [];
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await fetch(url, { headers: options.headers, signal, redirect: "error" });
  } catch (error) {
    throw new DriverNetworkError(driver, `cannot download the file: ${scrub(errorMessage(error), redact)}`);
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    const what = `HTTP ${response.status}`;
    throw driverErrorForStatus(driver, response.status, {
      unauthorized: `the file server refused the credentials (${what})`,
      forbidden: `the file server refused the download (${what})`,
      notFound: `the file does not exist or its link expired (${what})`,
      rejected: `the file server rejected the download (${what})`,
      failed: `the file server failed (${what})`,
      ...options.messages,
    });
  }
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > options.maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new DriverValidationError(driver, `the file has ${declared} bytes; the limit is ${options.maxBytes}`, {
      details: { bytes: declared, limit: options.maxBytes },
    });
  }
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  try {
    const reader = response.body?.getReader();
    while (reader) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      if (bytes > options.maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new DriverValidationError(driver, `the file is larger than the limit of ${options.maxBytes} bytes`, {
          details: { limit: options.maxBytes },
        });
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof DriverValidationError) throw error;
    throw new DriverNetworkError(driver, `the download broke off: ${scrub(errorMessage(error), redact)}`);
  }
  const data = new Uint8Array(bytes);
  let at = 0;
  for (const chunk of chunks) {
    data.set(chunk, at);
    at += chunk.byteLength;
  }
  const mimeType = response.headers.get("content-type") ?? undefined;
  return mimeType ? { data, bytes, mimeType } : { data, bytes };
}
