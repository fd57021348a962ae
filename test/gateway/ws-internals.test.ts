// The `ws` private fields Talon relies on (core/gateway/ws-internals.ts), checked against the
// installed `ws` on real connections: an upgrade of `ws` fails here first, not in production.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { test } from "node:test";
import { WebSocket, WebSocketServer } from "ws";
import { WS_INTERNALS_VERSION, rawSocket, sendTextFrame, setReceiverLimit } from "../../core/gateway/ws-internals.ts";

const installed = (createRequire(import.meta.url)("ws/package.json") as { version: string }).version;

/** A server and one connected client; resolves with the server-side socket. */
async function pair(maxPayload: number): Promise<{ server: WebSocketServer; client: WebSocket; socket: WebSocket }> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0, maxPayload, perMessageDeflate: false });
  await new Promise<void>((resolve) => server.once("listening", resolve));
  const port = (server.address() as { port: number }).port;
  const accepted = new Promise<WebSocket>((resolve) => server.once("connection", resolve));
  const client = new WebSocket(`ws://127.0.0.1:${port}`);
  await new Promise<void>((resolve, reject) => client.once("open", resolve).once("error", reject));
  return { server, client, socket: await accepted };
}

test("the installed ws is the version the internals were checked against", () => {
  assert.equal(installed, WS_INTERNALS_VERSION, "re-check core/gateway/ws-internals.ts against this ws, then update WS_INTERNALS_VERSION");
});

test("a single-write text frame arrives whole, small and large (16-bit and 64-bit lengths)", async () => {
  const { server, client, socket } = await pair(1 << 20);
  try {
    assert.ok(rawSocket(socket), "ws keeps the TCP socket in _socket");
    const received: string[] = [];
    const all = new Promise<void>((resolve) => client.on("message", (data) => received.push(String(data)) === 3 && resolve()));
    for (const text of ["hi", "é".repeat(200), "x".repeat(70_000)]) sendTextFrame(socket, text);
    await all;
    assert.deepEqual(
      received.map((text) => text.length),
      [2, 200, 70_000],
    );
  } finally {
    client.close();
    server.close();
  }
});

test("the receiver's frame limit can be raised after the handshake", async () => {
  const { server, client, socket } = await pair(1024);
  try {
    const receiver = (socket as unknown as { _receiver?: { _maxPayload?: number } })._receiver;
    assert.equal(receiver?._maxPayload, 1024, "ws keeps the limit in _receiver._maxPayload");
    setReceiverLimit(socket, 4096);
    const got = new Promise<number>((resolve) => socket.once("message", (data) => resolve((data as Buffer).length)));
    client.send("y".repeat(3000));
    assert.equal(await got, 3000, "a frame over the old limit is accepted under the new one");
  } finally {
    client.close();
    server.close();
  }
});
