/**
 * The contract between the conformance suite and the host that runs the driver under test.
 * The SDK never imports the core: the host hands its factory in (`provideTestHost`, see
 * provider.ts), or a test passes one as `harness`.
 */
import type { Decision } from "../action.ts";
import type { ChannelsApi } from "../channel.ts";
import type { ChannelDriverPlugin } from "../driver.ts";

/** A `channel.message` event as a chat client receives it. */
export interface ChannelMessageEvent {
  channel: string;
  accountId: string;
  sessionKey: string;
  status: "decided" | "ignored" | "superseded";
  message: {
    id: string;
    channel: string;
    accountId: string;
    chatType: "direct" | "group" | "channel";
    chatId: string;
    threadId?: string;
    sender: { id: string; name?: string; isBot?: boolean; isSelf?: boolean };
    text: string;
    mentions: string[];
    wasMentioned?: boolean;
    replyTo?: string;
    attachments: { kind: string; url?: string; name?: string }[];
    receivedAt: number;
  };
  decision?: Decision;
  replayed?: boolean;
  ts: number;
}

/** A running host with the driver loaded for one account. */
export interface DriverHarness {
  readonly driverId: string;
  readonly accountId: string;
  /** The driver module's default export. */
  readonly plugin: ChannelDriverPlugin;
  /** `http://127.0.0.1:<port>` of the host (webhook drivers receive here). */
  readonly httpUrl: string;
  /** The channel runtime as any plugin sees it (edit, delete, react, typing, poll, send). */
  readonly channels: ChannelsApi;
  /** Every `channel.message` event so far. */
  events(): readonly ChannelMessageEvent[];
  /** The first event (past or future) matching `predicate`. */
  waitForEvent(predicate: (event: ChannelMessageEvent) => boolean, timeoutMs?: number): Promise<ChannelMessageEvent>;
  /** Call a host RPC (`send`, `poll`, `channels.status`, ...) as an internal caller. */
  call(method: string, params?: unknown): Promise<any>;
  /** This account's entry of `channels.status`. */
  accountStatus(): Promise<Record<string, any>>;
  /** Stop the host (and with it the driver). */
  stop(): Promise<void>;
}

/** How the suite asks for a harness. */
export interface HarnessOptions {
  /** Absolute path (or file URL) of the driver module, loaded through `plugins.load`. */
  driverModule: string;
  /** The account's config (the fake platform's `driverConfig()`). */
  config: unknown;
  /** Runtime settings for the driver (`plugins.entries.<id>.config.runtime`). */
  runtime?: Record<string, unknown>;
  /** Account id; default `default`. */
  accountId?: string;
}

/** Builds a harness; Talon's is `createDriverHarness` in `core/testing/driver-harness.ts`. */
export type HarnessFactory = (options: HarnessOptions) => Promise<DriverHarness>;
