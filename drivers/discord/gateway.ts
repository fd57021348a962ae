/**
 * The account's Gateway session across connections: resume when the session lives (with the
 * sequence number up to which every message was admitted, so Discord replays the rest), identify
 * when it does not (after Discord's 1-5 s wait following op 9), stop for good on a refused token
 * or intents. Dispatches are handled synchronously: caches are updated and messages queued,
 * never awaited. A dropped connection is reported to Talon's runtime (`connectionLost`), which
 * restarts the account with bounded backoff and counts the reconnect; the next start resumes.
 * The session is saved in the account's store on stop, so a restart of Talon resumes it too.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { DriverAuthError, DriverNetworkError, DriverPermissionError, type Logger, type Store } from "@talon/sdk";
import type { APIGatewayBotInfo, APIUser, GatewayReadyDispatchData } from "discord-api-types/v10";
import { GatewayConnection, type GatewayEnd } from "./connection.ts";
import { CLOSE_MEANINGS, DRIVER_ID } from "./constants.ts";
import type { InboundQueue } from "./inbound.ts";
import { isMessage } from "./normalize.ts";
import type { ChannelLike, Places } from "./places.ts";
import type { DiscordRest } from "./rest.ts";

/** A saved session older than this is not worth a RESUME (Discord keeps them for a few minutes). */
const SAVED_SESSION_MAX_AGE_MS = 5 * 60_000;
/** Event types counted as ignored in status (bounded). */
const MAX_IGNORED_TYPES = 64;
/** How long stop waits for the socket to close. */
const CLOSE_WAIT_MS = 2_000;
const STORE_KEY = "gateway-session";

interface SavedSession {
  sessionId: string;
  resumeUrl: string;
  seq: number;
  self: { id: string; username: string };
  savedAt: number;
}

export interface GatewayOptions {
  token: string;
  intents: number;
  /** Connect here instead of asking GET /gateway/bot. */
  gatewayUrl?: string;
  invalidSessionWaitMs: number;
  rest: DiscordRest;
  queue: InboundQueue;
  places: Places;
  store: Store;
  log: Logger;
  /** The live connection broke after start: Talon restarts the account. */
  connectionLost(error: Error): void;
}

export class DiscordGateway {
  readonly #options: GatewayOptions;
  #connection: GatewayConnection | undefined;
  #session: { id: string; resumeUrl: string } | undefined;
  /** Counts sessions; queued messages remember theirs (a new session restarts sequence numbers). */
  #epoch = 0;
  #received = 0;
  #gatewayUrl: string | undefined;
  #notBefore = 0;
  #stopping = false;
  #halted = false;
  #loaded = false;
  self: { id: string; username: string } | undefined;
  identifies = 0;
  resumes = 0;
  failedResumes = 0;
  malformed = 0;
  #lastEnd: (GatewayEnd & { at: number }) | undefined;
  readonly #ignored = new Map<string, number>();

  constructor(options: GatewayOptions) {
    this.#options = options;
  }

  /** Connect: resume the session if there is one, else identify. Resolves at RESUMED or READY. */
  async connect(signal: AbortSignal): Promise<void> {
    this.#stopping = false;
    await this.#loadSaved();
    // A queue overflow closed the last connection: let it drain before Discord replays into it.
    await this.#options.queue.waitForRoom(signal);
    if (this.#session) {
      const resumed = await this.#open(this.#session.resumeUrl, { sessionId: this.#session.id, seq: this.#resumeSeq() }).catch(
        (end: GatewayEnd | Error) => end,
      );
      if (resumed === undefined) {
        this.resumes++;
        return;
      }
      if (resumed instanceof Error) throw resumed;
      this.failedResumes++;
      if (resumed.action !== "identify") throw this.#errorFor(resumed);
      this.#forget(resumed.invalidSession === true);
      this.#options.log.info({}, `discord session could not be resumed (${resumed.reason}); identifying again`);
    }
    const wait = this.#notBefore - Date.now();
    if (wait > 0) await sleep(wait, undefined, { signal });
    const url = this.#options.gatewayUrl ?? this.#gatewayUrl ?? (await this.#discoverUrl(signal));
    this.#received = 0;
    const failed = await this.#open(url, undefined).catch((end: GatewayEnd | Error) => end);
    if (failed === undefined) {
      this.identifies++;
      return;
    }
    if (failed instanceof Error) throw failed;
    // Ask Discord for the URL again next time, in case the cached one went away.
    this.#gatewayUrl = undefined;
    if (failed.action === "identify") this.#forget(failed.invalidSession === true);
    throw this.#errorFor(failed);
  }

  /** Close the connection. `resumable` keeps the session (saved for the next start); otherwise it ends. */
  async disconnect(resumable: boolean): Promise<void> {
    this.#stopping = true;
    const connection = this.#connection;
    this.#connection = undefined;
    if (connection) {
      connection.close(resumable, resumable ? "Talon is stopping; the session stays resumable" : "logged out");
      await Promise.race([connection.closed, sleep(CLOSE_WAIT_MS)]);
    }
    if (!resumable) {
      this.#forget(false);
      await this.#options.store.delete(STORE_KEY);
    }
  }

  /** Save the session with the sequence number up to which every message was admitted. */
  async save(): Promise<void> {
    if (!this.#session || !this.self) return;
    const saved: SavedSession = {
      sessionId: this.#session.id,
      resumeUrl: this.#session.resumeUrl,
      seq: this.#resumeSeq(),
      self: this.self,
      savedAt: Date.now(),
    };
    await this.#options.store.set(STORE_KEY, saved);
  }

  async #loadSaved(): Promise<void> {
    if (this.#loaded) return;
    this.#loaded = true;
    if (this.#session) return;
    const saved = await this.#options.store.get<SavedSession>(STORE_KEY);
    if (!saved || typeof saved.sessionId !== "string" || Date.now() - saved.savedAt > SAVED_SESSION_MAX_AGE_MS) return;
    this.#session = { id: saved.sessionId, resumeUrl: saved.resumeUrl };
    this.#epoch++;
    this.#received = saved.seq;
    this.self = saved.self;
  }

  #resumeSeq(): number {
    return this.#options.queue.committedSeq(this.#epoch, this.#received);
  }

  /** The session is gone: the next connection identifies (after Discord's wait, when op 9 said so). */
  #forget(afterInvalidSession: boolean): void {
    this.#session = undefined;
    if (afterInvalidSession) {
      const max = this.#options.invalidSessionWaitMs;
      const min = Math.min(1_000, max);
      this.#notBefore = Date.now() + min + Math.random() * (max - min);
    }
  }

  async #discoverUrl(signal: AbortSignal): Promise<string> {
    const info = await this.#options.rest.get<APIGatewayBotInfo>("/gateway/bot", signal);
    const limit = info.session_start_limit;
    if (limit && limit.remaining <= 0) {
      throw new DriverNetworkError(
        DRIVER_ID,
        `Discord allows no more identifies today (session_start_limit.remaining 0; resets in ${Math.ceil(limit.reset_after / 60_000)} min)`,
      );
    }
    this.#gatewayUrl = info.url;
    return info.url;
  }

  /** Open one connection and wait until it is established; rejects with its end. */
  async #open(url: string, resume: { sessionId: string; seq: number } | undefined): Promise<void> {
    this.#halted = false;
    const connection = new GatewayConnection({
      url,
      token: this.#options.token,
      intents: this.#options.intents,
      resume,
      lastSeq: () => this.#received || null,
      dispatch: (t, d, s) => this.#dispatch(connection, t, d, s),
      ended: (end) => this.#ended(connection, end),
      log: this.#options.log,
    });
    this.#connection = connection;
    try {
      await connection.established;
    } catch (end) {
      if (this.#connection === connection) this.#connection = undefined;
      this.#lastEnd = { ...(end as GatewayEnd), at: Date.now() };
      throw end;
    }
    if (this.#stopping) {
      connection.close(true, "stopped while connecting");
      throw new DriverNetworkError(DRIVER_ID, "stopped while connecting to the gateway");
    }
  }

  #ended(connection: GatewayConnection, end: GatewayEnd): void {
    if (this.#connection === connection) this.#connection = undefined;
    this.#lastEnd = { ...end, at: Date.now() };
    if (this.#stopping) return;
    if (end.action === "identify") this.#forget(end.invalidSession === true);
    this.#options.log.warn({ code: end.code, action: end.action }, `discord gateway connection ended: ${end.reason}`);
    this.#options.connectionLost(this.#errorFor(end));
  }

  /** The error Talon's runtime sees: auth and fatal closes stop the account, the rest reconnect. */
  #errorFor(end: GatewayEnd): Error {
    const meaning = `close ${end.code} ${CLOSE_MEANINGS[end.code] ?? ""}`.trim();
    if (end.action === "auth")
      return new DriverAuthError(DRIVER_ID, `Discord refused the bot token (gateway ${meaning}); set a valid token or DISCORD_BOT_TOKEN`);
    if (end.action === "fatal") {
      const hint =
        end.code === 4014
          ? "enable the Message Content intent under Bot → Privileged Gateway Intents in the Developer Portal, or set messageContent = false"
          : end.code === 4013
            ? "the intents Talon asked for are not valid for this API version"
            : "this bot needs sharding or another API version, which this driver does not do";
      return new DriverPermissionError(DRIVER_ID, `Discord refused the gateway connection (${meaning}): ${hint}`);
    }
    return new DriverNetworkError(DRIVER_ID, `discord gateway: ${end.reason}`);
  }

  #dispatch(connection: GatewayConnection, t: string, d: any, s: number): void {
    if (this.#halted || connection !== this.#connection) return;
    if (s > this.#received) this.#received = s;
    const { places } = this.#options;
    switch (t) {
      case "MESSAGE_CREATE":
        if (!isMessage(d)) {
          this.malformed++;
          this.#options.log.warn({ seq: s }, "discord sent a MESSAGE_CREATE without id, channel or author; ignored");
          return;
        }
        if (d.thread) places.learn(d.thread as ChannelLike);
        if (!this.#options.queue.push(this.#epoch, s, d)) {
          // Full: take nothing more on this connection; the next one resumes before this message.
          this.#halted = true;
          this.#received = Math.min(this.#received, s - 1);
          this.#options.log.warn({ queued: this.#options.queue.size }, "discord inbound queue full; reconnecting to resume once it drains");
          connection.close(true, "inbound queue full");
        }
        return;
      case "READY": {
        const ready = d as GatewayReadyDispatchData;
        this.#session = { id: ready.session_id, resumeUrl: ready.resume_gateway_url };
        this.#epoch++;
        this.#received = s;
        const user = ready.user as APIUser;
        this.self = { id: user.id, username: user.username };
        return;
      }
      case "RESUMED":
        return;
      case "GUILD_CREATE":
        for (const channel of [...(d?.channels ?? []), ...(d?.threads ?? [])]) places.learn(channel);
        return;
      case "CHANNEL_CREATE":
      case "CHANNEL_UPDATE":
      case "THREAD_CREATE":
      case "THREAD_UPDATE":
        places.learn(d);
        return;
      case "CHANNEL_DELETE":
      case "THREAD_DELETE":
        places.forget(d?.id);
        return;
      case "THREAD_LIST_SYNC":
        for (const thread of d?.threads ?? []) places.learn(thread);
        return;
      default:
        if (this.#ignored.has(t) || this.#ignored.size < MAX_IGNORED_TYPES) this.#ignored.set(t, (this.#ignored.get(t) ?? 0) + 1);
    }
  }

  /** Gateway state for channels.status (no token, no session id). */
  status(): Record<string, unknown> {
    const connection = this.#connection;
    const heartbeat = connection?.heartbeat;
    return {
      state: connection ? "connected" : this.#session ? "resumable" : "disconnected",
      sessionResumable: this.#session !== undefined,
      seq: this.#received,
      identifies: this.identifies,
      resumes: this.resumes,
      failedResumes: this.failedResumes,
      ...(heartbeat
        ? {
            heartbeat: {
              beats: heartbeat.beats,
              latencyMs: heartbeat.latencyMs ?? null,
              lastAckAgoMs: heartbeat.lastAckAt === undefined ? null : Date.now() - heartbeat.lastAckAt,
            },
          }
        : {}),
      ...(this.#lastEnd
        ? { lastClose: { code: this.#lastEnd.code, reason: this.#lastEnd.reason, agoMs: Date.now() - this.#lastEnd.at } }
        : {}),
      malformed: this.malformed + (connection?.malformed ?? 0),
      ignoredEvents: Object.fromEntries(this.#ignored),
    };
  }
}
