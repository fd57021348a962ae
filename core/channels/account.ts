/**
 * One configured account of one driver: the driver instance, its snapshot, its pacing (token
 * buckets), the ids it sent, and its lifecycle. A start that throws or a connection that drops
 * is retried with the seed's backoff, a bounded number of times; credentials the platform
 * refused are not retried at all.
 */
import {
  DriverNetworkError,
  PluginLoadError,
  capabilityMismatches,
  errorMessage,
  isTalonError,
  KNOWN_CHANNELS,
  LruMap,
  type ChannelDriver,
  type ChannelDriverDefinition,
  type ChannelRuntimeSettings,
  type DriverContext,
  type DriverPluginConfig,
  type InboundDraft,
  type Logger,
  type PluginContext,
  type ReceiveResult,
} from "@talon/sdk";
import { backoffDelay } from "../runtime/backoff.ts";
import { effectiveLimits, type EffectiveLimits } from "./limits.ts";
import { createSnapshot, type AccountSnapshot } from "./snapshot.ts";
import { withTimeout } from "../runtime/timeout.ts";
import { TokenBucket } from "./token-bucket.ts";
import { TtlSet } from "./ttl-set.ts";

/** Ids of our own sent messages are remembered this long (echoes, replies to the bot). */
const SENT_ID_TTL_MS = 24 * 60 * 60 * 1000;
const SENT_ID_MAX = 20_000;
/** Chats with their own pacing bucket; the least recently created are forgotten first. */
const CHAT_BUCKETS_MAX = 5_000;

/** Errors that retrying cannot fix: the platform refused the credentials or the permission. */
function isPermanent(error: unknown): boolean {
  return isTalonError(error) && (error.code === "TALON_DRIVER_AUTH" || error.code === "TALON_DRIVER_PERMISSION");
}

export interface AccountDeps {
  definition: ChannelDriverDefinition<unknown>;
  accountId: string;
  config: unknown;
  settings: ChannelRuntimeSettings;
  plugin: PluginContext<DriverPluginConfig<unknown>>;
  /** The runtime's inbound pipeline. */
  receive(account: ChannelAccount, draft: InboundDraft): Promise<ReceiveResult>;
}

export class ChannelAccount {
  readonly driverId: string;
  readonly accountId: string;
  readonly definition: ChannelDriverDefinition<unknown>;
  readonly settings: ChannelRuntimeSettings;
  readonly limits: EffectiveLimits;
  readonly snapshot: AccountSnapshot;
  readonly driver: ChannelDriver;
  readonly log: Logger;
  /** Account-wide pacing. */
  readonly bucket: TokenBucket;
  /** Ids the platform gave our sends: their echoes are dropped, replies to them count as mentions. */
  readonly sentIds = new TtlSet(SENT_ID_TTL_MS, SENT_ID_MAX);
  readonly #chatBuckets = new LruMap<string, TokenBucket>(CHAT_BUCKETS_MAX);
  #abort = new AbortController();
  #stopped = true;
  #restartTimer: NodeJS.Timeout | undefined;
  /** Consecutive failed starts; reset by a start that succeeds. */
  #streak = 0;
  #starting: Promise<void> | undefined;
  #connectedReported = false;
  /** A start is running; a connection lost meanwhile is handled when it returns. */
  #inAttempt = false;
  #lostDuringStart: { error: unknown } | undefined;

  constructor(deps: AccountDeps) {
    const { definition, accountId, plugin } = deps;
    this.definition = definition;
    this.driverId = definition.id;
    this.accountId = accountId;
    this.settings = deps.settings;
    this.limits = effectiveLimits(KNOWN_CHANNELS.get(definition.id)?.limits, definition.limits, deps.settings);
    this.snapshot = createSnapshot(accountId, definition.meta.mode ?? "polling");
    this.log = plugin.log.child({ channel: definition.id, account: accountId });
    this.bucket = new TokenBucket(this.limits.sendsPerSecond, this.limits.burst, definition.id);
    let creating = true;
    const account = this;
    const context: DriverContext<unknown> = {
      driverId: definition.id,
      accountId,
      config: deps.config,
      log: this.log,
      store: plugin.store.namespace(`account.${accountId.replace(/[^A-Za-z0-9_.-]/g, "_")}`),
      host: plugin.host,
      get signal() {
        return account.#abort.signal;
      },
      dedupeTtlMs: deps.settings.dedupeTtlMs,
      receive: (draft) => deps.receive(this, draft),
      setConnected: (connected) => this.#setConnected(connected),
      connectionLost: (error) => this.connectionLost(error),
      registerHttpRoute: (route) => {
        if (!creating) {
          throw new PluginLoadError("TALON_PLUGIN_SETUP_FAILED", "registerHttpRoute is only valid inside create(ctx)", {
            plugin: definition.id,
          });
        }
        plugin.registerHttpRoute(route);
      },
    };
    try {
      this.driver = definition.create(context);
    } finally {
      creating = false;
    }
    const problems =
      this.driver && typeof this.driver === "object"
        ? capabilityMismatches(definition.capabilities, this.driver)
        : ["create(ctx) must return the driver object"];
    if (problems.length > 0) {
      throw new PluginLoadError(
        "TALON_PLUGIN_MANIFEST",
        `channel driver ${definition.id} (account ${accountId}) does not match its capabilities: ${problems.join("; ")}`,
        {
          plugin: definition.id,
          hint: "declare a capability exactly when the driver implements its method",
        },
      );
    }
  }

  /** The abort signal of the current run (aborted by stop). */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /** The pacing bucket of one chat, when the driver declares per-chat limits. */
  chatBucket(chatId: string): TokenBucket | undefined {
    const rate = this.limits.perChatPerSecond;
    if (rate === undefined) return undefined;
    let bucket = this.#chatBuckets.get(chatId);
    if (!bucket) {
      bucket = new TokenBucket(rate, Math.max(1, Math.ceil(rate)), this.driverId);
      this.#chatBuckets.set(chatId, bucket);
    }
    return bucket;
  }

  /** The driver's own status details (`driver.status()`), or what went wrong asking for them. */
  details(): Record<string, unknown> | undefined {
    if (typeof this.driver.status !== "function") return undefined;
    try {
      return this.driver.status();
    } catch (error) {
      return { error: `status() failed: ${errorMessage(error)}` };
    }
  }

  /** Record a failure in the snapshot (shown by `channels.status`). */
  recordError(error: unknown): void {
    this.snapshot.lastError = errorMessage(error).slice(0, 500);
    this.snapshot.lastErrorAt = Date.now();
  }

  /** Start the driver; a failure is recorded and retried with backoff, never thrown. */
  async start(): Promise<void> {
    if (!this.#stopped) return this.#starting;
    this.#stopped = false;
    this.#streak = 0;
    this.#abort = new AbortController();
    await this.#attempt();
  }

  async #attempt(): Promise<void> {
    if (this.#stopped) return;
    const snapshot = this.snapshot;
    snapshot.running = true;
    snapshot.lifecycle = this.#streak === 0 ? "starting" : "recovering";
    snapshot.lastStartAt = Date.now();
    this.#connectedReported = false;
    this.#lostDuringStart = undefined;
    this.#inAttempt = true;
    const run = (async () => {
      try {
        await withTimeout(
          this.driver.start(),
          this.settings.startTimeoutMs,
          () =>
            new DriverNetworkError(
              this.driverId,
              `start of account ${this.accountId} did not finish within ${this.settings.startTimeoutMs} ms`,
            ),
        );
        if (this.#stopped) return;
        if (this.#lostDuringStart) {
          // The connection broke before start returned: a failed start.
          const lost = this.#lostDuringStart.error;
          this.#lostDuringStart = undefined;
          await this.#stopDriver();
          throw lost;
        }
        this.#streak = 0;
        snapshot.lifecycle = "ready";
        if (!this.#connectedReported) this.#setConnected(true);
        this.log.info({}, "channel account started");
      } catch (error) {
        this.recordError(error);
        snapshot.connected = false;
        this.log.warn({ err: error }, `channel account failed to start: ${errorMessage(error)}`);
        this.#scheduleRestart(error);
      } finally {
        this.#inAttempt = false;
      }
    })();
    this.#starting = run;
    await run;
  }

  /** The driver reports its live connection broke: stop it and start again with backoff. */
  connectionLost(error: unknown): void {
    if (this.#stopped) return;
    if (this.#inAttempt) {
      this.#lostDuringStart ??= { error };
      return;
    }
    if (this.snapshot.lifecycle !== "ready") return;
    this.recordError(error);
    this.snapshot.connected = false;
    this.snapshot.lifecycle = "recovering";
    this.log.warn({ err: error }, `channel connection lost: ${errorMessage(error)}`);
    void this.#stopDriver().then(() => this.#scheduleRestart(error));
  }

  #scheduleRestart(error: unknown): void {
    if (this.#stopped) return;
    const policy = this.settings.reconnect;
    if (isPermanent(error) || this.#streak >= policy.maxAttempts) {
      this.snapshot.lifecycle = "blocked";
      this.snapshot.running = false;
      if (!isPermanent(error))
        this.recordError(new DriverNetworkError(this.driverId, `gave up after ${this.#streak} restart attempts: ${errorMessage(error)}`));
      this.log.error({ err: error, attempts: this.#streak }, "channel account blocked; fix the cause and call channels.start");
      return;
    }
    this.#streak++;
    this.snapshot.reconnectAttempts++;
    this.snapshot.lifecycle = "recovering";
    const delay = backoffDelay(
      { initialMs: policy.initialDelayMs, maxMs: policy.maxDelayMs, factor: policy.factor, jitter: policy.jitter },
      this.#streak,
      1,
    );
    clearTimeout(this.#restartTimer);
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      void this.#stopDriver().then(() => this.#attempt());
    }, delay);
    this.#restartTimer.unref?.();
  }

  /** Stop the driver without marking the account stopped (between restarts). */
  async #stopDriver(): Promise<void> {
    try {
      await withTimeout(
        this.driver.stop(),
        this.settings.startTimeoutMs,
        () =>
          new DriverNetworkError(
            this.driverId,
            `stop of account ${this.accountId} did not finish within ${this.settings.startTimeoutMs} ms`,
          ),
      );
    } catch (error) {
      this.recordError(error);
      this.log.warn({ err: error }, "channel driver stop failed");
    }
  }

  /** Stop for good (host stop, `channels.stop`, `channels.logout`). */
  async stop(): Promise<void> {
    const wasRunning = !this.#stopped;
    this.#stopped = true;
    clearTimeout(this.#restartTimer);
    this.#restartTimer = undefined;
    this.#abort.abort();
    const closed = new DriverNetworkError(this.driverId, `account ${this.accountId} stopped`);
    this.bucket.close(closed);
    for (const [, bucket] of this.#chatBuckets.entries()) bucket.close(closed);
    await this.#starting?.catch(() => undefined);
    if (wasRunning) await this.#stopDriver();
    this.snapshot.running = false;
    this.snapshot.connected = false;
    this.snapshot.lifecycle = "stopped";
    this.snapshot.lastStopAt = Date.now();
  }

  #setConnected(connected: boolean): void {
    this.#connectedReported = true;
    if (connected && !this.snapshot.connected) this.snapshot.lastConnectedAt = Date.now();
    this.snapshot.connected = connected;
  }
}
