// Who may use the webchat API: loopback-only by default (peer, Host and proxy headers checked),
// anyone with the access key otherwise, and never a cross-site request.
import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { request } from "node:http";
import { test } from "node:test";
import { createTestHost } from "@talon/sdk/testing";
import { checkAccess } from "./access.ts";

/** A request as the server sees it: peer address and headers. */
function incoming(remoteAddress: string, headers: Record<string, string>): IncomingMessage {
  return { socket: { remoteAddress }, headers } as unknown as IncomingMessage;
}

const api = { host: "127.0.0.1:18789", "x-webchat": "1" };

test("loopback-only by default: peer, Host and proxy headers", () => {
  assert.equal(checkAccess(incoming("127.0.0.1", api), undefined, true).ok, true);
  assert.equal(checkAccess(incoming("::ffff:127.0.0.1", { ...api, host: "localhost:18789" }), undefined, true).ok, true);
  assert.equal(checkAccess(incoming("::1", { ...api, host: "[::1]:18789" }), undefined, true).ok, true);
  const remote = checkAccess(incoming("10.1.2.3", api), undefined, true);
  assert.deepEqual(remote.ok ? undefined : [remote.status, /loopback-only/.test(remote.reason)], [403, true]);
  const rebinding = checkAccess(incoming("127.0.0.1", { ...api, host: "evil.example:18789" }), undefined, true);
  assert.equal(rebinding.ok, false, "a DNS-rebinding page names its own host");
  for (const header of ["x-forwarded-for", "forwarded", "x-real-ip"]) {
    const proxied = checkAccess(incoming("127.0.0.1", { ...api, [header]: "203.0.113.9" }), undefined, true);
    assert.equal(proxied.ok, false, `${header}: behind a proxy everyone looks local`);
  }
});

test("API rules: the x-webchat header and same-origin", () => {
  assert.equal(checkAccess(incoming("127.0.0.1", { host: "127.0.0.1:18789" }), undefined, true).ok, false, "no x-webchat header");
  assert.equal(
    checkAccess(incoming("127.0.0.1", { host: "127.0.0.1:18789" }), undefined, false).ok,
    true,
    "the page itself needs no header",
  );
  assert.equal(checkAccess(incoming("127.0.0.1", { ...api, origin: "http://127.0.0.1:18789" }), undefined, true).ok, true);
  assert.equal(checkAccess(incoming("127.0.0.1", { ...api, origin: "https://evil.example" }), undefined, true).ok, false);
});

test("with an access key anyone may chat who presents it", () => {
  const key = "k".repeat(24);
  assert.equal(checkAccess(incoming("10.1.2.3", { ...api, host: "chat.example.org", "x-webchat-key": key }), key, true).ok, true);
  const wrong = checkAccess(incoming("10.1.2.3", { ...api, host: "chat.example.org", "x-webchat-key": `${key}x` }), key, true);
  assert.deepEqual(wrong.ok ? undefined : wrong.status, 401);
  assert.equal(checkAccess(incoming("10.1.2.3", { ...api, host: "chat.example.org" }), key, true).ok, false);
});

test("over real HTTP: a rebinding Host and proxy headers are refused, an access key is enforced", async () => {
  const { httpUrl } = await createTestHost({
    plugins: [new URL("./index.ts", import.meta.url)],
    pluginConfig: { webchat: { accounts: { default: {}, team: { accessKey: "team-access-key-0123456789" } } } },
    gateway: true,
  });
  const port = Number(new URL(httpUrl).port);
  const call = (path: string, headers: Record<string, string>) =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        { host: "127.0.0.1", port, path, method: "POST", headers: { "content-type": "application/json", ...headers } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end("{}");
    });
  assert.equal(await call("/webchat/api/session", { "x-webchat": "1" }), 200);
  assert.equal(await call("/webchat/api/session", { "x-webchat": "1", host: "attacker.example" }), 403);
  assert.equal(await call("/webchat/api/session", { "x-webchat": "1", "x-forwarded-for": "198.51.100.7" }), 403);
  assert.equal(await call("/webchat/api/session", {}), 403);
  assert.equal(await call("/webchat/team/api/session", { "x-webchat": "1" }), 401, "the team account needs its key");
  assert.equal(
    await call("/webchat/team/api/session", { "x-webchat": "1", "x-webchat-key": "team-access-key-0123456789", host: "chat.example.org" }),
    200,
  );
});
