// A person chats through the webchat page in real headless Chromium: they see their message, the
// defender's decision on it, the replies an operator sends with `send`, edits, and their history
// after a reload. Another origin cannot post in their name, and the page holds no gateway token.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { TestClient } from "../helpers/gateway-client.ts";
import { startTestHost, type TestHost } from "../helpers/host.ts";

const KEYWORD = fileURLToPath(new URL("../fixtures/plugins/score-keyword", import.meta.url));
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"];

// Started at the top level: the host helper stops it after the whole file.
const talon: TestHost = await startTestHost({ plugins: { builtin: ["decision-policy", "webchat"], load: [KEYWORD] } });
const operator = await TestClient.connect(talon.url, { token: talon.token, scopes: ["operator.admin"] });
const browser: Browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
after(async () => {
  await browser.close();
  await operator.close();
});

describe("webchat in a real browser", () => {
  let page: Page;
  let visitorId: string;

  before(async () => {
    page = await browser.newPage();
  });

  const bubble = (direction: "in" | "out", text: string) => page.locator(`.msg.${direction}`, { hasText: text });

  test("the page loads on Talon's port with a strict policy and no operator token", async () => {
    const response = await page.goto(`${talon.httpUrl}/webchat`);
    assert.equal(response?.status(), 200);
    const csp = response!.headers()["content-security-policy"] ?? "";
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-/);
    const html = await response!.text();
    assert.equal(html.includes(talon.token), false, "the gateway token is nowhere in the page");
    await page.locator("#status", { hasText: "connected" }).waitFor();
  });

  test("a visitor sees their message and the defender's decision on it", async () => {
    await page.fill("#text", "hello talon, what can you do?");
    await page.press("#text", "Enter");
    const mine = bubble("in", "hello talon, what can you do?");
    await mine.waitFor();
    await mine.locator(".decision.allow").waitFor();
    assert.match((await mine.locator(".meta").textContent()) ?? "", /allow · risk \d+/);
    const event = await operator.waitForEvent("channel.message", (frame) => frame.payload.message.text === "hello talon, what can you do?");
    assert.equal(event.payload.channel, "webchat");
    assert.equal(event.payload.message.chatType, "direct");
    assert.equal(event.payload.decision.action, "allow");
    visitorId = event.payload.message.chatId;
    assert.equal(event.payload.sessionKey, `agent:main:webchat:dm:${visitorId}`);
  });

  test("a risky message is shown as blocked, with the reason", async () => {
    await page.fill("#text", "please run the forbidden command");
    await page.click("button[type=submit]");
    const risky = bubble("in", "please run the forbidden command");
    await risky.locator(".decision.block").waitFor();
    assert.match((await risky.locator(".meta").textContent()) ?? "", /found forbidden/);
  });

  test("replies sent through `send` appear, one paragraph per message, and edits update them", async () => {
    const reply = await operator.call("send", {
      channel: "webchat",
      to: visitorId,
      message: "Hi! I can chat.\n\nAsk me anything.",
      idempotencyKey: "browser-reply-1",
    });
    assert.equal(reply.chunkCount, 2, "webchat sends one paragraph per message");
    await bubble("out", "Hi! I can chat.").waitFor();
    await bubble("out", "Ask me anything.").waitFor();
    const admin = talon.host.channels.apiFor("browser-test");
    await admin.typing({ channel: "webchat" }, { chatId: visitorId });
    await page.locator("#typing", { hasText: "typing" }).waitFor();
    await admin.edit({ channel: "webchat" }, { chatId: visitorId, messageId: reply.messageIds[1] }, "Ask me anything at all.");
    await bubble("out", "Ask me anything at all.").waitFor();
    await admin.delete({ channel: "webchat" }, { chatId: visitorId, messageId: reply.messageIds[0] });
    await page.locator(".msg.out.deleted", { hasText: "message deleted" }).waitFor();
  });

  test("after a reload the visitor keeps their conversation", async () => {
    await page.reload();
    await page.locator("#status", { hasText: "connected" }).waitFor();
    await bubble("in", "hello talon, what can you do?").locator(".decision.allow").waitFor();
    await bubble("out", "Ask me anything at all.").waitFor();
    await page.fill("#text", "still me?");
    await page.press("#text", "Enter");
    const event = await operator.waitForEvent("channel.message", (frame) => frame.payload.message.text === "still me?");
    assert.equal(event.payload.message.chatId, visitorId, "the same visitor, the same session");
  });

  test("another origin cannot post in the visitor's name", async () => {
    const other = await browser.newPage();
    try {
      // A page on another origin (localhost vs 127.0.0.1) tries to use the API with the visitor's token.
      const token = await page.evaluate(() =>
        (globalThis as unknown as { localStorage: { getItem(key: string): string | null } }).localStorage.getItem(
          `talon-webchat:/webchat:token`,
        ),
      );
      assert.ok(token, "the visitor has a token");
      await other.goto(`${talon.httpUrl.replace("127.0.0.1", "localhost")}/webchat`);
      const status = await other.evaluate(
        async ({ url, token }) => {
          try {
            const response = await fetch(`${url}/webchat/api/messages`, {
              method: "POST",
              headers: { "content-type": "application/json", "x-webchat": "1", authorization: `Bearer ${token}` },
              body: JSON.stringify({ id: "cross-origin-1", text: "impostor" }),
            });
            return response.status;
          } catch {
            return "blocked";
          }
        },
        { url: talon.httpUrl, token },
      );
      assert.equal(status, "blocked", "the browser refuses the cross-origin call (no CORS), so nothing is posted");
      assert.equal(
        operator.events.some((frame) => frame.event === "channel.message" && frame.payload.message.text === "impostor"),
        false,
      );
    } finally {
      await other.close();
    }
  });
});
