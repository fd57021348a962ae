/**
 * Who may use the chat page's API. The page never holds the operator's gateway token:
 *
 * - Without `accessKey` (the default) only this machine may chat: the peer address must be
 *   loopback, the Host header must name a loopback host (a DNS-rebinding page cannot pass), and
 *   a request carrying proxy headers is refused, because behind a reverse proxy every visitor
 *   would look local.
 * - With `accessKey` anyone who has the key may chat; it is compared in constant time.
 *
 * Every API call must also carry `x-webchat: 1` (and JSON), which a cross-site form or image
 * cannot send without a CORS preflight that Talon never answers, and an `Origin`, when present,
 * must be this host.
 */
import type { IncomingMessage } from "node:http";
import { isLoopbackAddress, secretsEqual } from "@talon/sdk";

/** Header every API request carries (blocks simple cross-site requests). */
export const API_HEADER = "x-webchat";
/** Header carrying the access key when one is configured. */
export const KEY_HEADER = "x-webchat-key";

const PROXY_HEADERS = ["x-forwarded-for", "forwarded", "x-real-ip", "x-forwarded-host"];
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

export type AccessResult = { ok: true } | { ok: false; status: 401 | 403; reason: string };

function hostName(host: string | undefined): string | undefined {
  if (!host) return undefined;
  const trimmed = host.trim().toLowerCase();
  if (trimmed.startsWith("[")) return trimmed.slice(0, trimmed.indexOf("]") + 1);
  return trimmed.split(":")[0];
}

/** Check a request against the access policy; `api` adds the header and origin rules. */
export function checkAccess(request: IncomingMessage, accessKey: string | undefined, api: boolean): AccessResult {
  const host = request.headers.host;
  const origin = request.headers.origin;
  if (accessKey === undefined) {
    if (!isLoopbackAddress(request.socket.remoteAddress))
      return { ok: false, status: 403, reason: "webchat is loopback-only; set an accessKey to allow other machines" };
    if (!LOOPBACK_HOSTS.has(hostName(host) ?? ""))
      return { ok: false, status: 403, reason: "webchat is loopback-only: open it as http://127.0.0.1 or http://localhost" };
    if (PROXY_HEADERS.some((name) => request.headers[name] !== undefined)) {
      return { ok: false, status: 403, reason: "webchat behind a proxy needs an accessKey (every visitor would look local)" };
    }
  }
  if (!api) return { ok: true };
  if (request.headers[API_HEADER] !== "1") return { ok: false, status: 403, reason: `API requests need the ${API_HEADER} header` };
  if (origin !== undefined && origin !== "null") {
    let originHost: string | undefined;
    try {
      originHost = new URL(origin).host;
    } catch {
      originHost = undefined;
    }
    if (originHost !== host) return { ok: false, status: 403, reason: "cross-origin requests are refused" };
  }
  if (accessKey !== undefined) {
    const given = request.headers[KEY_HEADER];
    if (typeof given !== "string" || !secretsEqual(given, accessKey))
      return { ok: false, status: 401, reason: "a valid access key is required" };
  }
  return { ok: true };
}
