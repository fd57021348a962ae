/**
 * HTTP routes plugins serve on Talon's port (a driver's page, inbound webhooks). Bodies are read
 * with a size cap; a handler that throws answers 500 without taking the server down.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { TalonError, type HttpRoute, type Logger } from "@talon/sdk";

const DEFAULT_MAX_BODY = 1024 * 1024;

interface Registered extends HttpRoute {
  plugin: string;
  prefix?: string;
}

export class HttpRoutes {
  readonly #routes: Registered[] = [];
  readonly #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
  }

  register(route: HttpRoute, plugin: string): void {
    if (!route.path.startsWith("/"))
      throw new TalonError("TALON_RPC_DUPLICATE_METHOD", `HTTP route path must start with "/": ${route.path}`, { plugin });
    const clash = this.#routes.find((r) => r.method === route.method && r.path === route.path);
    if (clash)
      throw new TalonError("TALON_RPC_DUPLICATE_METHOD", `HTTP route ${route.method} ${route.path} is already served by ${clash.plugin}`, {
        plugin,
      });
    const prefix = route.path.endsWith("/*") ? route.path.slice(0, -1) : undefined;
    this.#routes.push({ ...route, plugin, prefix });
  }

  unregisterPlugin(plugin: string): void {
    for (let i = this.#routes.length - 1; i >= 0; i--) if (this.#routes[i]!.plugin === plugin) this.#routes.splice(i, 1);
  }

  get size(): number {
    return this.#routes.length;
  }

  #match(method: string, path: string): Registered | undefined {
    const candidates = this.#routes.filter((r) => r.method === method);
    return candidates.find((r) => r.path === path) ?? candidates.find((r) => r.prefix !== undefined && path.startsWith(r.prefix));
  }

  /** Serve the request if a route matches; returns false when none does. */
  async handle(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    const route = this.#match(request.method ?? "GET", path);
    if (!route) return false;
    const limit = route.maxBodyBytes ?? DEFAULT_MAX_BODY;
    let body: Buffer;
    try {
      body = await readBody(request, limit);
    } catch {
      respondJson(response, 413, { ok: false, error: { code: "PAYLOAD_TOO_LARGE", message: `request body exceeds ${limit} bytes` } });
      return true;
    }
    try {
      await route.handler(request, response, body);
    } catch (error) {
      this.#log.error({ err: error, plugin: route.plugin, path }, "http route failed");
      // The cause stays in the log: an exception's text is no business of the HTTP client's.
      if (!response.headersSent)
        respondJson(response, 500, {
          ok: false,
          error: { code: "INTERNAL", message: `internal error in ${route.plugin}; see the Talon log` },
        });
      else response.end();
    }
    return true;
  }
}

function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error("body too large"));
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

export function respondJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  response.end(text);
}
