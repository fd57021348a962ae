/**
 * A fake VirusTotal API v3 on 127.0.0.1 that speaks the real wire format: `x-apikey` auth,
 * `GET /api/v3/files/{sha256|sha1|md5}` and `GET /api/v3/urls/{base64url id}`, objects with
 * `data.attributes.last_analysis_stats`, and the real error bodies (`NotFoundError`,
 * `QuotaExceededError`, `WrongCredentialsError`, `AuthenticationRequiredError`). Behaviours for
 * failure tests: a quota (429 after N calls), hanging, garbage bodies, 500s, oversized bodies.
 */
import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";

/** `last_analysis_stats` of a known object. */
export interface FakeStats {
  harmless?: number;
  malicious?: number;
  suspicious?: number;
  undetected?: number;
  timeout?: number;
}

/** How the fake answers. */
export type FakeMode = "normal" | "hang" | "garbage" | "error500" | "huge" | "no-stats";

/** A recorded request. */
export interface FakeRequest {
  readonly method: string;
  readonly path: string;
  readonly apiKey: string | undefined;
}

export interface FakeVirusTotal {
  /** Base URL to configure (`http://127.0.0.1:<port>/api/v3`). */
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly requests: FakeRequest[];
  /** Known files by SHA-256 (lowercase hex). */
  readonly files: Map<string, FakeStats>;
  /** Known URLs by their base64url id. */
  readonly urls: Map<string, FakeStats>;
  mode: FakeMode;
  /** Answer 429 QuotaExceededError once this many requests were served (per fake). */
  quotaAfter: number;
  /** `Retry-After` seconds sent with a 429. */
  retryAfterSeconds: number;
  close(): Promise<void>;
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  response.end(text);
}

function error(response: ServerResponse, status: number, code: string, message: string, headers?: Record<string, string>): void {
  send(response, status, { error: { code, message } }, headers);
}

function sameKey(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function objectBody(type: "file" | "url", id: string, stats: FakeStats) {
  return {
    data: {
      id,
      type,
      links: { self: `https://www.virustotal.com/api/v3/${type}s/${id}` },
      attributes: {
        last_analysis_date: 1_700_000_000,
        last_analysis_stats: { harmless: 0, malicious: 0, suspicious: 0, undetected: 0, timeout: 0, ...stats },
        last_analysis_results: {},
        ...(type === "url" ? { url: Buffer.from(id, "base64url").toString("utf8") } : { sha256: id }),
      },
    },
  };
}

/** Start the fake on a free loopback port. */
export async function startFakeVirusTotal(options: { apiKey?: string } = {}): Promise<FakeVirusTotal> {
  const apiKey = options.apiKey ?? "vt-test-key-0123456789abcdef";
  const sockets = new Set<Socket>();
  const fake = {
    apiKey,
    requests: [] as FakeRequest[],
    files: new Map<string, FakeStats>(),
    urls: new Map<string, FakeStats>(),
    mode: "normal" as FakeMode,
    quotaAfter: Number.POSITIVE_INFINITY,
    retryAfterSeconds: 60,
  };
  let served = 0;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? "/", "http://fake").pathname;
    const key = request.headers["x-apikey"];
    const given = Array.isArray(key) ? key[0] : key;
    fake.requests.push({ method: request.method ?? "GET", path, apiKey: given });
    if (fake.mode === "hang") return; // never answer; the socket stays open until close()
    if (!given) return error(response, 401, "AuthenticationRequiredError", "X-Apikey header is missing");
    if (!sameKey(given, apiKey)) return error(response, 401, "WrongCredentialsError", "Wrong API key");
    if (++served > fake.quotaAfter)
      return error(response, 429, "QuotaExceededError", "Quota exceeded", { "retry-after": String(fake.retryAfterSeconds) });
    if (fake.mode === "error500") return error(response, 500, "TransientError", "Please retry later");
    if (fake.mode === "garbage") {
      response.writeHead(200, { "content-type": "text/html" });
      return response.end("<html>this is not the API</html>");
    }
    if (fake.mode === "huge") {
      response.writeHead(200, { "content-type": "application/json" });
      return response.end(`{"data":{"attributes":{"padding":"${"x".repeat(3 * 1024 * 1024)}"}}}`);
    }
    const match = /^\/api\/v3\/(files|urls)\/([^/]+)$/.exec(path);
    if (request.method !== "GET" || !match) return error(response, 404, "NotFoundError", `Resource not found: ${path}`);
    const collection = match[1] as "files" | "urls";
    const id = decodeURIComponent(match[2]!);
    const stats = collection === "files" ? fake.files.get(id.toLowerCase()) : fake.urls.get(id);
    if (!stats) return error(response, 404, "NotFoundError", `${collection === "files" ? "File" : "URL"} "${id}" not found`);
    if (fake.mode === "no-stats") return send(response, 200, { data: { id, type: collection.slice(0, -1), attributes: {} } });
    send(response, 200, objectBody(collection === "files" ? "file" : "url", id, stats));
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return Object.assign(fake, {
    baseUrl: `http://127.0.0.1:${port}/api/v3`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  });
}
