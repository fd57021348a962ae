/**
 * Channel figures (issue 7):
 * - inbound messages per second through the whole path: a signed webhook POST to the generic
 *   driver → durable admission (SQLite inbox) → session key → mention gating → defender →
 *   `channel.message` event received by a WebSocket client; one message per request and batches
 *   of 50, with only the decision policy and with every bundled plugin loaded;
 * - chunker throughput (length mode, newline mode, Discord's 2000 characters and 17 lines).
 * The webhook sender runs in its own process (as a real sender is), so Talon's event loop is
 * measured, not the load generator's. `cpuUsPerMessage` is Talon's CPU time per message, a
 * figure that holds on a busy machine; `endToEndPerSec` needs an idle one.
 * Goal: at least 5,000 inbound messages per second end to end.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import { chunkText } from "../../core/channels/chunk.ts";
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, sign } from "../../drivers/generic/signature.ts";
import { BENCH_TOKEN, startBenchHost } from "./bench-host.ts";
import { report, rssMb } from "./stats.ts";

const SECRET = "bench-secret-0123456789abcdef";
/** Room for every event of a run in a client's queue; no memory sampling during a run. */
const CHANNEL_HOST = {
  gateway: { server: { event_queue_capacity: 16_384 } },
  runtime: { memory_sample_secs: 3600 },
};
const MESSAGES = Number(process.env.CHANNELS_BENCH_MESSAGES ?? 20_000);
const WARMUP = 2_000;
const IN_FLIGHT = 64;

/** A raw protocol client that only counts `channel.message` events. */
async function eventCounter(
  port: number,
): Promise<{ count(): number; waitFor(n: number, timeoutMs: number): Promise<void>; close(): void }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
  let count = 0;
  let wake: (() => void) | undefined;
  await new Promise<void>((resolve, reject) => {
    ws.once("error", reject);
    ws.on("message", (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.type === "event" && frame.event === "connect.challenge") {
        ws.send(
          JSON.stringify({
            type: "req",
            id: "c",
            method: "connect",
            params: {
              minProtocol: 3,
              maxProtocol: 4,
              client: { id: "cli", version: "1", platform: "linux", mode: "cli" },
              role: "operator",
              scopes: ["operator.read"],
              auth: { token: BENCH_TOKEN },
            },
          }),
        );
      } else if (frame.type === "res" && frame.id === "c") {
        if (frame.ok) resolve();
        else reject(new Error(frame.error.message));
      } else if (frame.type === "event" && frame.event === "channel.message") {
        count++;
        wake?.();
      }
    });
  });
  return {
    count: () => count,
    waitFor(n, timeoutMs) {
      if (count >= n) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${count} of ${n} events arrived`)), timeoutMs);
        wake = () => {
          if (count < n) return;
          clearTimeout(timer);
          wake = undefined;
          resolve();
        };
      });
    },
    close: () => ws.close(),
  };
}

function post(agent: Agent, port: number, body: string): Promise<number> {
  const timestamp = Math.floor(Date.now() / 1000);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: "127.0.0.1",
        port,
        path: "/channels/generic/default",
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: sign(SECRET, timestamp, body),
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

function message(run: string, i: number): Record<string, unknown> {
  return {
    id: `${run}-${i}`,
    chatType: i % 4 === 0 ? "group" : "direct",
    chatId: `chat-${i % 500}`,
    sender: { id: `user-${i % 1000}`, name: "Bench User" },
    text: `Could you summarise ticket ${i} and suggest next steps?`,
    wasMentioned: true,
  };
}

/** Push `count` messages, `batch` per request, `IN_FLIGHT` requests at once. */
async function drive(agent: Agent, port: number, run: string, count: number, batch: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const start = next;
      next += batch;
      const items = [];
      for (let i = start; i < Math.min(start + batch, count); i++) items.push(message(run, i));
      const status = await post(agent, port, JSON.stringify(batch === 1 ? items[0] : { messages: items }));
      if (status !== 200) throw new Error(`webhook answered ${status}`);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
}

/** A sender process (started once, so its start-up is never timed) driven over IPC. */
async function startSender(port: number): Promise<{ drive(run: string, count: number, batch: number): Promise<void>; stop(): void }> {
  const child = fork(fileURLToPath(import.meta.url), [String(port)], {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, CHANNELS_BENCH_SENDER: "1" },
  });
  await new Promise<void>((resolve, reject) => {
    child.once("message", () => resolve());
    child.once("error", reject);
  });
  return {
    drive: (run, count, batch) =>
      new Promise((resolve, reject) => {
        child.once("message", (reply: { error?: string }) => (reply.error ? reject(new Error(reply.error)) : resolve()));
        child.send({ run, count, batch });
      }),
    stop: () => child.kill(),
  };
}

async function inbound(builtin: true | string[], batch: number): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), "talon-channels-bench-"));
  const host = await startBenchHost(
    { ...CHANNEL_HOST, data_dir: dir, plugins: { builtin, entries: { generic: { config: { secret: SECRET } } } } },
    { cwd: dir },
  );
  const port = host.gateway.address()!.port;
  const events = await eventCounter(port);
  const sender = await startSender(port);
  try {
    await sender.drive("warm", WARMUP, batch);
    await events.waitFor(WARMUP, 60_000);
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    await sender.drive(`run${batch}`, MESSAGES, batch);
    const admittedMs = performance.now() - started;
    await events.waitFor(WARMUP + MESSAGES, 120_000);
    const totalMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuUsPerMessage = (cpu.user + cpu.system) / MESSAGES;
    return {
      plugins: builtin === true ? "all bundled" : builtin.join("+"),
      batch,
      messages: MESSAGES,
      admittedPerSec: Math.round((MESSAGES / admittedMs) * 1000),
      endToEndPerSec: Math.round((MESSAGES / totalMs) * 1000),
      // CPU time of Talon's process (all its threads: SQLite, GC) per message; the sender is another
      // process. It holds on a busy machine too; 1e6 / it is the rate one fully busy core would give.
      cpuUsPerMessage: Math.round(cpuUsPerMessage),
      oneCoreEquivalentPerSec: Math.round(1e6 / cpuUsPerMessage),
      store: host.store.kind,
      rssMb: rssMb(),
    };
  } finally {
    sender.stop();
    events.close();
    await host.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The core path without HTTP: `ctx.receive` → admission → gating → defender → event. */
async function inProcess(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), "talon-channels-bench-"));
  const host = await startBenchHost(
    {
      ...CHANNEL_HOST,
      data_dir: dir,
      plugins: {
        builtin: ["decision-policy"],
        load: [fileURLToPath(new URL("../channels/fixtures/direct-driver/index.ts", import.meta.url))],
      },
    },
    { cwd: dir },
  );
  const receive = (globalThis as { __talonDirectReceive?: (draft: unknown) => Promise<{ status: string; outcome?: Promise<unknown> }> })
    .__talonDirectReceive!;
  const events = await eventCounter(host.gateway.address()!.port);
  const push = async (run: string, count: number) => {
    const outcomes: Promise<unknown>[] = [];
    for (let i = 0; i < count; i += 256) {
      const admitted = await Promise.all(Array.from({ length: Math.min(256, count - i) }, (_, j) => receive(message(run, i + j))));
      for (const result of admitted) if (result.outcome) outcomes.push(result.outcome);
    }
    await Promise.all(outcomes);
  };
  try {
    await push("warm", WARMUP);
    await events.waitFor(WARMUP, 60_000);
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    await push("run", MESSAGES);
    await events.waitFor(WARMUP + MESSAGES, 120_000);
    const totalMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    return {
      path: "ctx.receive → defender → event (no HTTP)",
      messages: MESSAGES,
      perSec: Math.round((MESSAGES / totalMs) * 1000),
      cpuUsPerMessage: Math.round((cpu.user + cpu.system) / MESSAGES),
      store: host.store.kind,
    };
  } finally {
    events.close();
    await host.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function chunker(): Record<string, unknown> {
  const paragraph = "Talon screens every message before the agent sees it. ".repeat(12);
  const code = "```ts\n" + Array.from({ length: 40 }, (_, i) => `  const value${i} = compute(${i});`).join("\n") + "\n```";
  const text = Array.from({ length: 60 }, (_, i) => (i % 10 === 5 ? code : paragraph)).join("\n\n"); // about 60 KB
  const measure = (options: Parameters<typeof chunkText>[1]) => {
    for (let i = 0; i < 20; i++) chunkText(text, options);
    let runs = 0;
    let chunks = 0;
    const started = performance.now();
    while (performance.now() - started < 1000) {
      chunks += chunkText(text, options).length;
      runs++;
    }
    const seconds = (performance.now() - started) / 1000;
    return { mbPerSec: Math.round(((runs * text.length) / seconds / 1e6) * 10) / 10, chunksPerSec: Math.round(chunks / seconds) };
  };
  return {
    textKb: Math.round(text.length / 1024),
    length4000: measure({ limit: 4000 }),
    newline4000: measure({ limit: 4000, mode: "newline" }),
    discord2000x17: measure({ limit: 2000, maxLines: 17 }),
  };
}

if (process.env.CHANNELS_BENCH_SENDER === "1") {
  const port = Number(process.argv[2]);
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  process.on("message", (command: { run: string; count: number; batch: number }) => {
    drive(agent, port, command.run, command.count, command.batch).then(
      () => process.send!({}),
      (error: Error) => process.send!({ error: error.message }),
    );
  });
  process.on("disconnect", () => process.exit(0));
  process.send!({ ready: true });
} else {
  const results = {
    inbound: [await inbound(["decision-policy", "generic"], 1), await inbound(["decision-policy", "generic"], 50), await inbound(true, 1)],
    core: await inProcess(),
    chunker: chunker(),
    goal: { inboundPerSec: 5000 },
  };
  report(results);
  process.exit(0);
}
