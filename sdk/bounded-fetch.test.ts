import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { fetchBounded } from "./bounded-fetch.ts";

let server: Server;
let base = "";

before(async () => {
  server = createServer((request, response) => {
    const path = request.url ?? "/";
    if (path === "/small") {
      response.writeHead(200, { "content-type": "image/png", "content-length": "5" });
      response.end("12345");
    } else if (path === "/declared-big") {
      response.writeHead(200, { "content-length": "1000000" });
      response.write("x".repeat(10));
      // never finished: the client must refuse on the header alone
    } else if (path === "/chunked-big") {
      response.writeHead(200, { "content-type": "application/octet-stream" });
      const timer = setInterval(() => response.write("y".repeat(1024)), 1);
      response.on("close", () => clearInterval(timer));
    } else if (path === "/drop") {
      response.writeHead(200, { "content-length": "100" });
      response.write("partial");
      setTimeout(() => response.socket?.destroy(), 10);
    } else if (path.startsWith("/secret-token-123/")) {
      response.writeHead(404, { "content-type": "application/json" });
      response.end(JSON.stringify({ ok: false, error_code: 404, description: "Not Found" }));
    } else {
      response.writeHead(500);
      response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

test("downloads a file within the bound, with its type", async () => {
  const file = await fetchBounded("x", `${base}/small`, { maxBytes: 5, timeoutMs: 2000 });
  assert.equal(file.bytes, 5);
  assert.equal(Buffer.from(file.data).toString(), "12345");
  assert.equal(file.mimeType, "image/png");
});

test("refuses a declared length over the bound before reading the body", async () => {
  await assert.rejects(fetchBounded("x", `${base}/declared-big`, { maxBytes: 100, timeoutMs: 2000 }), (error: { code?: string }) => {
    assert.equal(error.code, "TALON_DRIVER_VALIDATION");
    return true;
  });
});

test("cuts off a body without a length once it passes the bound", async () => {
  await assert.rejects(
    fetchBounded("x", `${base}/chunked-big`, { maxBytes: 64 * 1024, timeoutMs: 5000 }),
    (error: { code?: string; message: string }) => error.code === "TALON_DRIVER_VALIDATION" && /limit/.test(error.message),
  );
});

test("a dropped download is a network error; HTTP failures map by status; the token never shows", async () => {
  await assert.rejects(
    fetchBounded("x", `${base}/drop`, { maxBytes: 1000, timeoutMs: 2000 }),
    (error: { code?: string }) => error.code === "TALON_DRIVER_NETWORK",
  );
  await assert.rejects(
    fetchBounded("x", `${base}/secret-token-123/file`, { maxBytes: 1000, timeoutMs: 2000, redact: ["secret-token-123"] }),
    (error: { code?: string; message: string }) => error.code === "TALON_DRIVER_NOT_FOUND" && !error.message.includes("secret-token-123"),
  );
  await assert.rejects(
    fetchBounded("x", "http://127.0.0.1:1/secret-token-123/f", { maxBytes: 10, timeoutMs: 2000, redact: ["secret-token-123"] }),
    (error: { code?: string; message: string }) => error.code === "TALON_DRIVER_NETWORK" && !error.message.includes("secret-token-123"),
  );
});
