/**
 * The `channels.status` result: upstream's shape (`channelOrder`, `channelLabels`,
 * `channelAccounts`, ... with `statusIssues`) as a superset of the seed's (per-channel flags and
 * `supports`), over the drivers actually loaded, each account with its runtime snapshot.
 */
import type { ChannelAccount } from "./account.ts";

interface StatusOptions {
  probe: boolean;
  timeoutMs: number;
}

/** The account upstream's UI treats as the channel's own: `default` if present, else the first. */
export function defaultAccountOf(accounts: readonly ChannelAccount[]): ChannelAccount | undefined {
  return accounts.find((account) => account.accountId.toLowerCase() === "default") ?? accounts[0];
}

function accountEntry(account: ChannelAccount, options: StatusOptions): Record<string, unknown> {
  const snapshot = account.snapshot;
  const entry: Record<string, unknown> = { ...snapshot, name: snapshot.accountId, counters: { ...snapshot.counters } };
  // Live pacing: how long sends still wait for the platform's last retry-after, and how many wait.
  entry.rateLimit = {
    limited: account.bucket.pausedForMs() > 0,
    pausedForMs: Math.ceil(account.bucket.pausedForMs()),
    waiting: account.bucket.waiting,
    hits: snapshot.counters.rateLimited,
  };
  if (options.probe) entry.probe = { ok: snapshot.running && snapshot.connected, source: "talon", timeoutMs: options.timeoutMs };
  // What only the driver knows (a gateway session, the platform's buckets): its optional status().
  const details = account.details();
  if (details !== undefined) entry.details = details;
  return entry;
}

/** Build the `channels.status` payload for `drivers` (driver id → accounts sorted by id). */
export function buildChannelsStatus(
  drivers: ReadonlyMap<string, readonly ChannelAccount[]>,
  options: StatusOptions,
): Record<string, unknown> {
  const channelOrder: string[] = [];
  const channelLabels: Record<string, string> = {};
  const channelDetailLabels: Record<string, string> = {};
  const channelMeta: Record<string, unknown>[] = [];
  const channels: Record<string, unknown> = {};
  const channelAccounts: Record<string, unknown[]> = {};
  const channelDefaultAccountId: Record<string, string> = {};
  const statusIssues: Record<string, unknown>[] = [];
  for (const [id, accounts] of [...drivers].sort(([a], [b]) => a.localeCompare(b))) {
    const first = accounts[0];
    if (!first) continue;
    const { meta, capabilities } = first.definition;
    channelOrder.push(id);
    channelLabels[id] = meta.label;
    channelDetailLabels[id] = meta.detailLabel ?? meta.label;
    channelMeta.push({ id, label: meta.label, detailLabel: meta.detailLabel ?? meta.label, ...(meta.blurb ? { blurb: meta.blurb } : {}) });
    const sorted = [...accounts].sort((a, b) => a.accountId.localeCompare(b.accountId));
    const primary = defaultAccountOf(sorted)!;
    channelDefaultAccountId[id] = primary.accountId;
    channelAccounts[id] = sorted.map((account) => accountEntry(account, options));
    const limits = primary.limits;
    channels[id] = {
      configured: true,
      enabled: true,
      linked: true,
      running: primary.snapshot.running,
      connected: primary.snapshot.connected,
      lifecycle: primary.snapshot.lifecycle,
      supports: {
        edit: capabilities.edit === true,
        delete: capabilities.delete === true,
        reactions: capabilities.reactions === true,
        threads: capabilities.threads === true,
        polls: capabilities.polls === true,
        media: capabilities.media === true,
        typing: capabilities.typing === true,
        dmPairing: false,
        chatTypes: [...capabilities.chatTypes],
      },
      limits: { textChunkLimit: limits.text, chunkMode: limits.mode, ...(limits.lines ? { maxLinesPerMessage: limits.lines } : {}) },
    };
    for (const account of sorted) {
      const snapshot = account.snapshot;
      if (snapshot.lifecycle === "blocked" || (snapshot.lastError !== undefined && snapshot.running && !snapshot.connected)) {
        statusIssues.push({
          channel: id,
          accountId: account.accountId,
          kind: "runtime",
          message: snapshot.lastError ?? "account is blocked",
        });
      }
    }
  }
  return {
    ts: Date.now(),
    channelOrder,
    channelLabels,
    channelDetailLabels,
    channelSystemImages: {},
    channelMeta,
    channels,
    channelAccounts,
    channelDefaultAccountId,
    statusIssues,
  };
}
