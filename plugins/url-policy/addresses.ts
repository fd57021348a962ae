/**
 * What a host is: a cloud metadata endpoint, loopback, a private, link-local, shared or
 * unspecified address, or a name that only resolves inside a network. IPv4 in every spelling
 * `inet_aton` accepts (decimal `2852039166`, hex `0xa9fea9fe`, octal `0251.0376.0251.0376`,
 * short forms `169.254.43518`), and IPv6 with embedded IPv4 (mapped `::ffff:`, compatible,
 * NAT64 `64:ff9b::`, 6to4 `2002::`). Pure; no DNS lookups (a name is judged by what it says).
 */
import { isIPv6 } from "node:net";

/** What a host is, from worst to mildest. */
export type HostClass = "metadata" | "loopback" | "private" | "link_local" | "unspecified" | "internal_name";

/** Cloud metadata addresses (AWS/GCP/Azure/OpenStack/DigitalOcean 169.254.169.254, ECS 169.254.170.2, Alibaba 100.100.100.200, Oracle 192.0.0.192). */
const METADATA_V4 = new Set(["169.254.169.254", "169.254.170.2", "169.254.170.23", "100.100.100.200", "192.0.0.192"]);
/** AWS's IPv6 metadata address. */
const METADATA_V6 = new Set(["fd00:ec2:0:0:0:0:0:254"]);
/** Names of metadata services. */
const METADATA_NAMES = new Set([
  "metadata.google.internal",
  "metadata.goog",
  "metadata",
  "instance-data",
  "instance-data.ec2.internal",
  "metadata.azure.com",
]);

/** Parse one IPv4 part as inet_aton does: `0x` hex, leading-0 octal, else decimal. */
function ipv4Part(part: string): number | undefined {
  if (part === "") return undefined;
  let value: number;
  if (/^0x[0-9a-f]*$/i.test(part)) value = part.length === 2 ? 0 : Number.parseInt(part.slice(2), 16);
  else if (/^0[0-7]*$/.test(part)) value = part.length === 1 ? 0 : Number.parseInt(part.slice(1), 8);
  else if (/^[1-9][0-9]*$/.test(part)) value = Number(part);
  else return undefined;
  return Number.isFinite(value) ? value : undefined;
}

/** The 4 bytes of an IPv4 address in any inet_aton spelling, or undefined. */
export function parseIPv4(host: string): number[] | undefined {
  const text = host.endsWith(".") ? host.slice(0, -1) : host;
  const parts = text.split(".");
  if (parts.length === 0 || parts.length > 4) return undefined;
  const values = parts.map(ipv4Part);
  if (values.some((value) => value === undefined)) return undefined;
  const nums = values as number[];
  const last = nums[nums.length - 1]!;
  const head = nums.slice(0, -1);
  if (head.some((value) => value > 255) || last >= 256 ** (5 - nums.length)) return undefined;
  let total = last;
  head.forEach((value, i) => (total += value * 256 ** (3 - i)));
  return [(total >>> 24) & 255, (total >>> 16) & 255, (total >>> 8) & 255, total & 255];
}

/** The 8 groups of an IPv6 address (with a trailing dotted IPv4 allowed), or undefined. */
export function parseIPv6(host: string): number[] | undefined {
  let text = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  const zone = text.indexOf("%");
  if (zone >= 0) text = text.slice(0, zone);
  if (!isIPv6(text)) return undefined;
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(":");
  if (text.slice(lastColon + 1).includes(".")) {
    const v4 = parseIPv4(text.slice(lastColon + 1));
    if (!v4) return undefined;
    tail = [(v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!];
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [left = "", right] = text.split("::");
  const groups = (part: string) => (part === "" ? [] : part.split(":").map((group) => Number.parseInt(group, 16)));
  const head = groups(left);
  const back = right === undefined ? [] : groups(right);
  const fill = right === undefined ? [] : new Array(8 - head.length - back.length).fill(0);
  const all = [...head, ...fill, ...back];
  if (tail.length === 2) all.splice(6, 2, tail[0]!, tail[1]!);
  return all.length === 8 ? all : undefined;
}

function classifyV4(bytes: readonly number[]): HostClass | undefined {
  const [a = 0, b = 0] = bytes;
  if (METADATA_V4.has(bytes.join("."))) return "metadata";
  if (a === 127) return "loopback";
  if (a === 0) return "unspecified";
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return "private";
  if (a === 100 && b >= 64 && b <= 127) return "private";
  if (a === 198 && (b === 18 || b === 19)) return "private";
  if (a === 169 && b === 254) return "link_local";
  return undefined;
}

function classifyV6(groups: readonly number[]): HostClass | undefined {
  const text = groups.map((group) => group.toString(16)).join(":");
  if (METADATA_V6.has(text)) return "metadata";
  const embedded = (hi: number, lo: number) => [hi >> 8, hi & 255, lo >> 8, lo & 255];
  const zeros = (from: number, to: number) => groups.slice(from, to).every((group) => group === 0);
  if (zeros(0, 5) && groups[5] === 0xffff) return classifyV4(embedded(groups[6]!, groups[7]!)); // ::ffff:a.b.c.d
  if (groups[0] === 0x64 && groups[1] === 0xff9b && zeros(2, 6)) return classifyV4(embedded(groups[6]!, groups[7]!)); // NAT64
  if (groups[0] === 0x2002) return classifyV4(embedded(groups[1]!, groups[2]!)); // 6to4
  if (zeros(0, 7) && groups[7] === 1) return "loopback";
  if (zeros(0, 8)) return "unspecified";
  if (zeros(0, 6) && (groups[6] !== 0 || groups[7]! > 1)) return classifyV4(embedded(groups[6]!, groups[7]!)); // ::a.b.c.d
  if ((groups[0]! & 0xfe00) === 0xfc00) return "private";
  if ((groups[0]! & 0xffc0) === 0xfe80) return "link_local";
  return undefined;
}

/** Classify a host as written in a URL (name, IPv4 in any spelling, or bracketed IPv6). */
export function classifyHost(rawHost: string): HostClass | undefined {
  let host = rawHost.trim().toLowerCase();
  while (host.endsWith(".")) host = host.slice(0, -1);
  if (host === "") return undefined;
  const v6 = host.includes(":") ? parseIPv6(host) : undefined;
  if (v6) return classifyV6(v6);
  const v4 = parseIPv4(host);
  if (v4) return classifyV4(v4);
  if (METADATA_NAMES.has(host)) return "metadata";
  if (host === "localhost" || host.endsWith(".localhost") || host === "ip6-localhost" || host === "ip6-loopback") return "loopback";
  if (
    host.endsWith(".internal") ||
    host.endsWith(".local") ||
    host.endsWith(".lan") ||
    host.endsWith(".home.arpa") ||
    host.endsWith(".intranet")
  )
    return "internal_name";
  if (!host.includes(".") && /^[a-z0-9-]+$/.test(host)) return "internal_name";
  return undefined;
}
