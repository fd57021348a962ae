/**
 * Every URL in a text, and what each one can mean. A URL is read twice: by the WHATWG parser
 * (what Node's fetch and browsers do) and by a naive authority split (what other clients, shells
 * and proxies may do: everything up to the first `/` is the authority, its last `@` ends the user
 * info). When the two disagree (`http://evil?@localhost`, `http://a\@b`, `http://a#@b`) both hosts
 * are judged. Pure; bounded by MAX_URLS per text.
 */

import { parseIPv4, parseIPv6 } from "./addresses.ts";

/** One spelling per host: dotted IPv4, expanded IPv6, names without trailing dots. */
function canonicalHost(host: string): string {
  const bare = host.replace(/\.+$/, "");
  const v4 = parseIPv4(bare);
  if (v4) return v4.join(".");
  const v6 = bare.includes(":") ? parseIPv6(bare) : undefined;
  return v6 ? v6.map((group) => group.toString(16)).join(":") : bare;
}

/** Most URLs taken from one text. */
export const MAX_URLS = 64;
/** A URL in running text: `scheme:` followed by `//` or a path; ends at whitespace, quotes or brackets. */
const URL_IN_TEXT = /\b([a-z][a-z0-9+.-]{1,31}):(?:\/\/|\/(?!\/))[^\s"'<>`{}|^]*/gi;

/** One URL as read. */
export interface ReadUrl {
  text: string;
  scheme: string;
  /** Every host a client could take from it (lower case, no brackets stripped for IPv6). */
  hosts: string[];
  /** User info present (`user@host`, `user:pass@host`). */
  userinfo: boolean;
  /** The readings disagree on the host. */
  ambiguous: boolean;
}

/** The host of an authority string (`user@host:port`): after the last `@`, without the port. */
function hostOfAuthority(authority: string): string {
  const at = authority.lastIndexOf("@");
  let host = at >= 0 ? authority.slice(at + 1) : authority;
  if (host.startsWith("[")) {
    const close = host.indexOf("]");
    return close >= 0 ? host.slice(0, close + 1) : host;
  }
  const colon = host.indexOf(":");
  if (colon >= 0) host = host.slice(0, colon);
  return host;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Read one URL (`text` starts with a scheme). */
export function readUrl(text: string): ReadUrl {
  const scheme = text.slice(0, text.indexOf(":")).toLowerCase();
  const hosts = new Set<string>();
  let userinfo = false;
  try {
    const parsed = new URL(text);
    if (parsed.hostname !== "") hosts.add(decode(parsed.hostname).toLowerCase());
    if (parsed.username !== "" || parsed.password !== "") userinfo = true;
  } catch {
    // Not a WHATWG URL: the naive reading below still applies.
  }
  const afterScheme = text.slice(scheme.length + 1);
  if (afterScheme.startsWith("//") || afterScheme.startsWith("\\\\")) {
    const rest = afterScheme.slice(2);
    // Naive: the authority runs to the first `/` (a backslash, `?` and `#` do not end it).
    const slash = rest.indexOf("/");
    const naive = slash >= 0 ? rest.slice(0, slash) : rest;
    // Strict: it ends at the first of `/ \ ? #` (the WHATWG rule for special schemes).
    const strict = rest.split(/[/\\?#]/, 1)[0] ?? "";
    for (const authority of [naive, strict]) {
      if (authority.includes("@")) userinfo = true;
      const host = decode(hostOfAuthority(authority)).toLowerCase();
      if (host !== "") hosts.add(host);
    }
  }
  const list = [...hosts];
  // Spellings of one address (`2852039166` and `169.254.169.254`) are one host, not an ambiguity.
  const distinct = new Set(list.map(canonicalHost));
  return { text, scheme, hosts: list, userinfo, ambiguous: distinct.size > 1 };
}

/** Every URL in `text` (at most MAX_URLS); a text that is only a host or host/path counts as an http URL. */
export function findUrls(text: string, bareHostIsUrl: boolean): { urls: ReadUrl[]; truncated: boolean } {
  const urls: ReadUrl[] = [];
  let truncated = false;
  for (const match of text.matchAll(URL_IN_TEXT)) {
    if (urls.length >= MAX_URLS) {
      truncated = true;
      break;
    }
    urls.push(readUrl(match[0].replace(/[.,;:!?)\]]+$/, "")));
  }
  const trimmed = text.trim();
  if (urls.length === 0 && bareHostIsUrl && trimmed !== "" && !/\s/.test(trimmed) && !/^[a-z][a-z0-9+.-]*:/i.test(trimmed)) {
    urls.push(readUrl(`http://${trimmed}`));
  }
  return { urls, truncated };
}
