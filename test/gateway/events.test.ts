// Event fan-out of the standalone server: per-connection seq, ticks, scope filtering, and the
// bounded queue (droppable events dropped for a slow client, anything else closes it with a reason).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { TestClient, type EventFrame } from "../helpers/gateway-client.ts";
import { startTestHost } from "../helpers/host.ts";
import { waitUntil } from "./wait.ts";

const probe = fileURLToPath(new URL("./fixtures/gateway-probe", import.meta.url));

/** Pause/resume reading on the client's TCP socket (a client that stops reading). */
const socketOf = (client: TestClient) => (client.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;

describe("event fan-out", async () => {
  const { host, url, token } = await startTestHost({
    plugins: { load: [probe] },
    gateway: { server: { tick_interval_ms: 100, event_queue_capacity: 8 } },
  });

  test("ticks arrive with a per-connection seq starting at 1; dropped events keep their number", async () => {
    const first = await TestClient.connect(url, { token, scopes: ["operator.read"] });
    const tick = await first.waitForEvent("tick");
    assert.equal(tick.seq, 1);
    assert.equal(typeof tick.payload.ts, "number");
    await first.waitForEvent("tick", (frame) => frame.seq === 3);
    const second = await TestClient.connect(url, { token, scopes: ["operator.read"] });
    const secondTick = await second.waitForEvent("tick");
    assert.equal(secondTick.seq, 1, "seq is per connection, not global");
    const seqs = first.events.filter((frame) => frame.event !== "connect.challenge").map((frame) => frame.seq!);
    for (let i = 1; i < seqs.length; i++) assert.equal(seqs[i], seqs[i - 1]! + 1);
    await Promise.all([first.close(), second.close()]);
  });

  test("hello-ok advertises the live registry: plugin methods and declared events, not hidden methods", async () => {
    const client = await TestClient.connect(url, { token, scopes: ["operator.read"] });
    const { methods, events } = client.hello.features;
    assert.ok(methods.includes("probe.echo") && methods.includes("usage.cost"));
    assert.ok(!methods.includes("probe.hidden"), "advertise:false methods are callable but not listed");
    assert.deepEqual((await client.call("probe.hidden", {})).hidden, true);
    assert.ok(events.includes("probe.read") && events.includes("exec.approval.requested") && events.includes("shutdown"));
    await client.close();
  });

  test("each client gets exactly the events its role and scopes allow", async () => {
    const clients = {
      none: await TestClient.connect(url, { token, scopes: [] }),
      reader: await TestClient.connect(url, { token, scopes: ["operator.read"] }),
      writer: await TestClient.connect(url, { token, scopes: ["operator.write"] }),
      approver: await TestClient.connect(url, { token, scopes: ["operator.approvals"] }),
      admin: await TestClient.connect(url, { token, scopes: ["operator.admin"] }),
      node: await TestClient.connect(url, { token, role: "node", mode: "node", clientId: "node-host" }),
    };
    for (const name of ["probe.read", "probe.public", "probe.nodes", "exec.approval.requested", "undeclared.event"])
      host.events.emit(name, { name });
    host.events.emit("probe.public", { marker: true });
    host.events.emit("probe.nodes", { marker: true });
    const seen: Record<string, string[]> = {};
    for (const [name, client] of Object.entries(clients)) {
      const marker = name === "node" ? "probe.nodes" : "probe.public";
      await client.waitForEvent(marker, (frame) => frame.payload?.marker === true);
      seen[name] = client.events.filter((frame: EventFrame) => frame.payload?.name).map((frame) => frame.event);
    }
    assert.deepEqual(seen, {
      none: ["probe.public"],
      reader: ["probe.read", "probe.public"],
      writer: ["probe.read", "probe.public"],
      approver: ["probe.public", "exec.approval.requested"],
      admin: ["probe.read", "probe.public", "exec.approval.requested", "undeclared.event"],
      node: ["probe.nodes"],
    });
    await Promise.all(Object.values(clients).map((client) => client.close()));
  });

  test("an event whose payload is not JSON is not sent, and fan-out goes on", async () => {
    const client = await TestClient.connect(url, { token, scopes: ["operator.read"] });
    host.events.emit("probe.read", { n: 1n });
    host.events.emit("probe.read", { after: true });
    const next = await client.waitForEvent("probe.read");
    assert.deepEqual(next.payload, { after: true });
    await client.close();
  });

  /**
   * Make `client` a slow consumer: it stops reading and asks for a reply larger than the kernel
   * buffers, so the rest waits in the server's user space.
   */
  async function backlog(client: TestClient): Promise<void> {
    socketOf(client).pause();
    client.send({ type: "req", id: "fill", method: "probe.echo", params: { value: "f".repeat(8 * 1024 * 1024) } });
    await waitUntil(() => host.gateway.stats().server!.backlogged > 0, "a backlog", 20_000);
  }

  test("a slow client loses droppable events (seq gaps) and stays connected", async () => {
    const slow = await TestClient.connect(url, { token, scopes: ["operator.read"] });
    await backlog(slow);
    for (let i = 0; i < 50; i++) host.events.emit("probe.droppable", { i });
    socketOf(slow).resume();
    await slow.waitForResponse((frame) => frame.id === "fill", 20_000);
    // The backlog is gone once a reply queued behind it arrives.
    assert.equal((await slow.call("health", {})).ok, true);
    host.events.emit("probe.read", { done: true });
    const done = await slow.waitForEvent("probe.read", (frame) => frame.payload?.done === true, 20_000);
    const received = slow.events.filter((frame) => frame.event === "probe.droppable");
    assert.ok(received.length < 50, `droppable events were dropped (got ${received.length} of 50)`);
    const seqs = slow.events.filter((frame) => frame.seq !== undefined).map((frame) => frame.seq!);
    assert.ok(
      seqs.some((seq, i) => i > 0 && seq > seqs[i - 1]! + 1),
      "the dropped events consumed seq numbers (gaps)",
    );
    assert.ok(done.seq! >= 51, "seq counts every event addressed to the client");
    assert.equal(slow.ws.readyState, slow.ws.OPEN);
    await slow.close();
  });

  test("a slow client is closed with a reason on a non-droppable event, not left open receiving nothing", async () => {
    const slow = await TestClient.connect(url, { token, scopes: ["operator.read"] });
    const fast = await TestClient.connect(url, { token, scopes: ["operator.read"] });
    const before = host.gateway.stats().connections;
    await backlog(slow);
    for (let i = 0; i < 30; i++) host.events.emit("probe.read", { i });
    assert.equal(host.gateway.stats().connections, before - 1, "the slow client left the fan-out at once");
    socketOf(slow).resume();
    assert.deepEqual(await slow.closed, { code: 1008, reason: "slow consumer: event queue full" });
    // The fast client got every event, in order.
    await fast.waitForEvent("probe.read", (frame) => frame.payload?.i === 29, 20_000);
    const got = fast.events.filter((frame) => frame.event === "probe.read").map((frame) => frame.payload.i);
    assert.deepEqual(
      got,
      Array.from({ length: 30 }, (_, i) => i),
    );
    await fast.close();
  });

  test("policy.maxBufferedBytes is enforced: a client that lets more pile up is closed as a slow consumer", async () => {
    const local = await startTestHost({ plugins: { load: [probe] }, gateway: { server: { max_buffered_bytes: 65536 } } });
    const client = await TestClient.connect(local.url, { token: local.token, scopes: ["operator.read"] });
    assert.equal(client.hello.policy.maxBufferedBytes, 65536);
    socketOf(client).pause();
    client.send({ type: "req", id: "big", method: "probe.echo", params: { value: "b".repeat(8 * 1024 * 1024) } });
    await waitUntil(() => local.host.gateway.stats().server!.connections === 0, "the slow consumer to be dropped", 20_000);
    socketOf(client).resume();
    assert.deepEqual(await client.closed, { code: 1008, reason: "slow consumer" });
  });

  test("shutdown: clients get a shutdown event and close 1012", async () => {
    const local = await startTestHost();
    const client = await TestClient.connect(local.url, { token: local.token, scopes: ["operator.read"] });
    await local.stop();
    assert.deepEqual(await client.closed, { code: 1012, reason: "shutdown" });
    assert.deepEqual(client.events.find((frame) => frame.event === "shutdown")?.payload, { reason: "shutdown" });
  });
});
