/** Lifecycle: the account starts and shows its capabilities, reconnects after a drop, and stops leaving nothing running. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { CAPABILITY_NAMES } from "./capabilities/index.ts";
import type { Suite } from "./suite.ts";

export function registerStart(s: Suite): void {
  const { waitUntil, capabilities, status } = s;
  const h = () => s.harness();
  test("starts: the account is running and connected, and channels.status shows its capabilities", async () => {
    await waitUntil(async () => {
      const entry = await status();
      return entry?.running === true && entry.connected === true && entry.lifecycle === "ready";
    }, "the account to be running and connected");
    const overview = await h().call("channels.status", {});
    const supports = overview.channels[h().driverId].supports;
    for (const name of CAPABILITY_NAMES)
      assert.equal(supports[name === "reactions" ? "reactions" : name], capabilities[name] === true, `supports.${name}`);
    assert.deepEqual(supports.chatTypes, [...capabilities.chatTypes]);
  });
}

/** Persistent transports (the fake can drop connections): the core restarts the account. */
export function registerReconnect(s: Suite): void {
  if (!s.platform.dropConnections) return;
  const { unique, waitUntil, timeoutMs, dmType, inject, status } = s;
  const h = () => s.harness();
  const f = () => s.fake();
  test("reconnects after the platform drops the connection", async () => {
    const before = (await status()).reconnectAttempts;
    await f().dropConnections!();
    await waitUntil(async () => {
      const entry = await status();
      return entry.reconnectAttempts > before && entry.connected === true && entry.lifecycle === "ready";
    }, "the account to reconnect");
    const chatType = dmType;
    const text = `after reconnect ${unique("text")}`;
    await inject({ chatType, chatId: unique("chat"), senderId: unique("user"), text, mentionBot: true });
    await h().waitForEvent((e) => e.message.text === text, timeoutMs);
  });
}

/** Last: stopping the host stops the driver, its connections and the port. */
export function registerStop(s: Suite): void {
  const { waitUntil } = s;
  const h = () => s.harness();
  const f = () => s.fake();
  test("stops cleanly: nothing of the driver keeps running", async () => {
    const url = h().httpUrl;
    await h().stop();
    if (f().openConnections) await waitUntil(() => f().openConnections!() === 0, "the driver's connections to close");
    if (url) await assert.rejects(fetch(url, { signal: AbortSignal.timeout(2_000) }), "the host's port is closed");
  });
}
