/**
 * Request parameters and answers the way the Bot API takes and gives them: parameters from the
 * query string, a JSON body or a form body (where objects arrive as JSON strings), answers as
 * `{ ok: true, result }` or `{ ok: false, error_code, description, parameters? }` with the HTTP
 * status equal to `error_code`.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** A Bot API failure the fake answers with. */
export class ApiFailure extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly parameters?: { retry_after?: number; migrate_to_chat_id?: number },
  ) {
    super(description);
  }
}

export const badRequest = (description: string) => new ApiFailure(400, `Bad Request: ${description}`);

/** Read a method's parameters from the query and the body. */
export function readParams(request: IncomingMessage, url: URL, body: Buffer): Params {
  const values: Record<string, unknown> = Object.fromEntries(url.searchParams);
  const type = String(request.headers["content-type"] ?? "").toLowerCase();
  if (body.length > 0) {
    if (type.startsWith("application/json")) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString("utf8"));
      } catch {
        throw badRequest("can't parse JSON object");
      }
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw badRequest("can't parse JSON object");
      Object.assign(values, parsed);
    } else if (type.startsWith("application/x-www-form-urlencoded")) {
      Object.assign(values, Object.fromEntries(new URLSearchParams(body.toString("utf8"))));
    } else if (type.startsWith("multipart/form-data")) {
      throw badRequest("multipart uploads are not modelled by this fake");
    }
  }
  return new Params(values);
}

/** Typed access to parameters that may arrive as JSON values or as form strings. */
export class Params {
  constructor(readonly values: Record<string, unknown>) {}

  has(name: string): boolean {
    return this.values[name] !== undefined && this.values[name] !== "";
  }

  string(name: string): string | undefined {
    const value = this.values[name];
    if (value === undefined) return undefined;
    return typeof value === "string" ? value : typeof value === "number" ? String(value) : JSON.stringify(value);
  }

  int(name: string): number | undefined {
    const value = this.values[name];
    if (value === undefined || value === "") return undefined;
    const number = typeof value === "number" ? value : Number(value);
    if (!Number.isSafeInteger(number)) throw badRequest(`invalid ${name} specified`);
    return number;
  }

  bool(name: string): boolean | undefined {
    const value = this.values[name];
    if (value === undefined) return undefined;
    return value === true || value === "true" || value === "1";
  }

  /** An object or array parameter (JSON in form bodies). */
  json<T>(name: string): T | undefined {
    const value = this.values[name];
    if (value === undefined || value === "") return undefined;
    if (typeof value !== "string") return value as T;
    try {
      return JSON.parse(value) as T;
    } catch {
      throw badRequest(`can't parse ${name} JSON object`);
    }
  }
}

export function answer(response: ServerResponse, status: number, body: unknown): void {
  if (response.writableEnded || response.destroyed) return;
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  response.end(text);
}

export function ok(response: ServerResponse, result: unknown): void {
  answer(response, 200, { ok: true, result });
}

export function fail(response: ServerResponse, failure: ApiFailure): void {
  answer(response, failure.code, {
    ok: false,
    error_code: failure.code,
    description: failure.description,
    ...(failure.parameters ? { parameters: failure.parameters } : {}),
  });
}

export function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}
