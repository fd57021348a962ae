/**
 * The webchat HTTP routes on Talon's port: the page, a visitor session, posting a message (the
 * answer comes only after Talon admitted it), and the visitor's event stream (server-sent
 * events: their own messages, the defender's decision on each, and replies sent through `send`).
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { errorMessage, isTalonError, type DriverContext, type HttpRoute } from "@talon/sdk";
import { checkAccess } from "./access.ts";
import { renderPage } from "./page.ts";
import type { Visitors } from "./visitors.ts";

/** Largest message request body (bytes). */
const MESSAGE_BODY_MAX = 256 * 1024;
const CLIENT_ID = /^[A-Za-z0-9_-]{8,64}$/;

interface RouteOptions {
  basePath: string;
  accessKey: string | undefined;
  visitors: Visitors;
  /** Most open event streams across all visitors. */
  maxStreams: number;
  title: string;
}

function reply(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

function bearer(request: IncomingMessage): string | undefined {
  const value = request.headers.authorization;
  return typeof value === "string" && value.startsWith("Bearer ") ? value.slice(7).trim() : undefined;
}

/** The routes of one webchat account. */
export function webchatRoutes(ctx: DriverContext<unknown>, options: RouteOptions): HttpRoute[] {
  const { basePath, accessKey, visitors } = options;
  const guard = (request: IncomingMessage, response: ServerResponse, api: boolean): boolean => {
    if (api && !visitors.ready) {
      reply(
        response,
        503,
        { ok: false, error: { code: "TALON_DRIVER_NETWORK", message: "webchat is starting; retry in a moment" } },
        { "retry-after": "1" },
      );
      return false;
    }
    const access = checkAccess(request, accessKey, api);
    if (access.ok) return true;
    reply(response, access.status, {
      ok: false,
      error: { code: access.status === 401 ? "TALON_DRIVER_AUTH" : "TALON_DRIVER_PERMISSION", message: access.reason },
    });
    return false;
  };
  const visitorOf = (request: IncomingMessage, response: ServerResponse): string | undefined => {
    const visitorId = visitors.verify(bearer(request));
    if (!visitorId)
      reply(response, 401, {
        ok: false,
        error: { code: "TALON_DRIVER_AUTH", message: "unknown or invalid visitor token; start a new session" },
      });
    return visitorId;
  };

  const page: HttpRoute = {
    method: "GET",
    path: basePath,
    handler(request, response) {
      if (!guard(request, response, false)) return;
      const nonce = randomBytes(16).toString("base64");
      const html = renderPage({ basePath, nonce, needsKey: accessKey !== undefined, title: options.title });
      response.writeHead(200, {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-store",
        "content-security-policy": `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
        "content-length": Buffer.byteLength(html),
      });
      response.end(html);
    },
  };

  const session: HttpRoute = {
    method: "POST",
    path: `${basePath}/api/session`,
    maxBodyBytes: 1024,
    handler(request, response) {
      if (!guard(request, response, true)) return;
      const existing = visitors.verify(bearer(request));
      if (existing) return reply(response, 200, { ok: true, visitorId: existing, token: bearer(request) });
      reply(response, 200, { ok: true, ...visitors.issue() });
    },
  };

  const messages: HttpRoute = {
    method: "POST",
    path: `${basePath}/api/messages`,
    maxBodyBytes: MESSAGE_BODY_MAX,
    async handler(request, response, body) {
      if (!guard(request, response, true)) return;
      const visitorId = visitorOf(request, response);
      if (!visitorId) return;
      let input: { id?: unknown; text?: unknown };
      try {
        input = JSON.parse(body.toString("utf8"));
      } catch {
        return reply(response, 400, { ok: false, error: { code: "TALON_DRIVER_VALIDATION", message: "body is not JSON" } });
      }
      if (typeof input?.id !== "string" || !CLIENT_ID.test(input.id))
        return reply(response, 400, {
          ok: false,
          error: { code: "TALON_DRIVER_VALIDATION", message: "id must be 8 to 64 letters, digits, '-' or '_'" },
        });
      if (typeof input.text !== "string" || input.text.trim() === "")
        return reply(response, 400, { ok: false, error: { code: "TALON_DRIVER_VALIDATION", message: "text is required" } });
      const id = `${visitorId}-${input.id}`;
      const text = input.text;
      let result;
      try {
        result = await ctx.receive({ id, chatType: "direct", chatId: visitorId, sender: { id: visitorId }, text });
      } catch (error) {
        const code = isTalonError(error) ? error.code : "TALON_DRIVER_NETWORK";
        const status = code === "TALON_DRIVER_VALIDATION" ? 400 : code === "TALON_DRIVER_RATE_LIMITED" ? 429 : 503;
        return reply(
          response,
          status,
          { ok: false, error: { code, message: errorMessage(error) } },
          status === 400 ? {} : { "retry-after": "1" },
        );
      }
      if (result.status === "admitted") {
        visitors.push(visitorId, { type: "message", direction: "in", id, text, ts: Date.now() });
        void result.outcome.then((outcome) => {
          visitors.push(visitorId, {
            type: "decision",
            id,
            status: outcome.status,
            ...(outcome.decision
              ? {
                  decision: { action: outcome.decision.action, risk_score: outcome.decision.risk_score, reasons: outcome.decision.reasons },
                }
              : {}),
          });
        });
        return reply(response, 202, { ok: true, id, status: result.status, sessionKey: result.sessionKey });
      }
      reply(response, 200, { ok: true, id, status: result.status });
    },
  };

  const events: HttpRoute = {
    method: "GET",
    path: `${basePath}/api/events`,
    handler(request, response) {
      if (!guard(request, response, true)) return;
      const visitorId = visitorOf(request, response);
      if (!visitorId) return;
      if (visitors.streamCount >= options.maxStreams)
        return reply(
          response,
          503,
          { ok: false, error: { code: "TALON_DRIVER_RATE_LIMITED", message: "too many open chats; try again later" } },
          { "retry-after": "5" },
        );
      const last = Number(request.headers["last-event-id"] ?? 0);
      response.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        connection: "keep-alive",
        "x-accel-buffering": "no",
      });
      response.write(": connected\n\n");
      if (!visitors.attach(visitorId, response, Number.isFinite(last) ? last : 0)) {
        response.end('event: error\ndata: {"message":"too many tabs open for this chat"}\n\n');
      }
    },
  };

  return [page, session, messages, events];
}
