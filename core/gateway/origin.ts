/**
 * Which browser origins may open a gateway connection. Browsers let any page open a WebSocket
 * to 127.0.0.1 and send its own `Origin`; without this check a page the operator merely visits
 * could talk to Talon (cross-site WebSocket hijacking), with no token needed when auth is off.
 * Non-browser clients (the OpenClaw CLI, apps, the bridge) send no Origin and are not affected.
 *
 * Allowed: Talon's own pages (`http://127.0.0.1:PORT`, `http://localhost:PORT`,
 * `http://[::1]:PORT` on the bound port) and `gateway.server.allowed_origins` (exact
 * `scheme://host[:port]`, or `*` for any), as upstream seeds `gateway.controlUi.allowedOrigins`.
 */

/** What a connection's Origin header says. */
export type OriginVerdict = "absent" | "allowed" | "refused";

/** Longest Origin header looked at; longer ones are refused without parsing. */
const MAX_ORIGIN_CHARS = 512;

/** Hosts of Talon's own pages. */
const OWN_HOSTS = ["127.0.0.1", "localhost", "[::1]"] as const;

/** `scheme://host[:port]` in lowercase without a trailing slash, or undefined when unreadable. */
export function normalizeOrigin(origin: string): string | undefined {
  if (origin.length > MAX_ORIGIN_CHARS) return undefined;
  try {
    const url = new URL(origin);
    if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
    return url.origin.toLowerCase();
  } catch {
    return undefined;
  }
}

export class OriginPolicy {
  readonly #any: boolean;
  readonly #configured: ReadonlySet<string>;
  readonly #port: () => number | undefined;

  /** `port` is read at each check: the server knows it only once it listens. */
  constructor(allowed: readonly string[], port: () => number | undefined) {
    this.#any = allowed.some((entry) => entry.trim() === "*");
    this.#configured = new Set(
      allowed.map((entry) => normalizeOrigin(entry.trim())).filter((entry): entry is string => entry !== undefined),
    );
    this.#port = port;
  }

  judge(origin: string | undefined): OriginVerdict {
    if (origin === undefined) return "absent";
    if (this.#any) return "allowed";
    const normalized = normalizeOrigin(origin);
    if (normalized === undefined) return "refused";
    if (this.#configured.has(normalized)) return "allowed";
    const port = this.#port();
    if (port !== undefined) {
      // Through URL as well, so a default port (80, 443) compares as the browser sends it.
      for (const host of OWN_HOSTS) {
        if (normalized === normalizeOrigin(`http://${host}:${port}`) || normalized === normalizeOrigin(`https://${host}:${port}`))
          return "allowed";
      }
    }
    return "refused";
  }
}
