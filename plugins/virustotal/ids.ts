/**
 * VirusTotal v3 object ids. A URL's id is the unpadded base64url of the URL (RFC 4648 §3.2).
 * The seed used the raw string (§15 item 8); Talon first normalises it as a browser would
 * (scheme and host lowercased, default port and fragment dropped, `/` path added), so the same
 * page gets one id and one cache entry.
 */

/** The URL as it will be looked up, or undefined when it is not an absolute http(s)/ftp URL. */
export function canonicalUrl(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return undefined;
  }
  if (!/^(?:https?|ftp):$/.test(url.protocol)) return undefined;
  url.hash = "";
  return url.href;
}

/** Unpadded base64url of the URL's UTF-8 bytes. */
export function urlId(url: string): string {
  return Buffer.from(url, "utf8").toString("base64url");
}
