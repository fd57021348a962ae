/**
 * The contract between the conformance suite and the host that runs the driver under test.
 * The SDK never imports the core: the suite receives a {@link HarnessFactory}, or loads one at
 * run time from the module named by `TALON_HARNESS_MODULE`, or from the Talon checkout this SDK
 * sits in (`core/channels/harness.ts`).
 */
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
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

/** Builds a harness; Talon's is `createDriverHarness` in `core/channels/harness.ts`. */
export type HarnessFactory = (options: HarnessOptions) => Promise<DriverHarness>;

/** Find the host's harness without a static import of the core. */
export async function loadHarnessFactory(): Promise<HarnessFactory> {
  const named = process.env.TALON_HARNESS_MODULE;
  const candidates: string[] = [];
  if (named) candidates.push(named.startsWith("file:") ? named : pathToFileURL(named).href);
  // The SDK inside a Talon checkout or package: the host sits two folders up.
  const sibling = new URL(["..", "..", "core", "channels", "harness.ts"].join("/"), import.meta.url);
  if (existsSync(fileURLToPath(sibling))) candidates.push(sibling.href);
  for (const candidate of candidates) {
    const module = (await import(candidate)) as { createDriverHarness?: HarnessFactory };
    if (typeof module.createDriverHarness === "function") return module.createDriverHarness;
  }
  throw new Error(
    "[talon] no conformance harness found: pass `harness` to testChannelDriver, or set TALON_HARNESS_MODULE to a module exporting createDriverHarness (Talon's core/channels/harness.ts)",
  );
}
