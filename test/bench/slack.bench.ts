/**
 * Slack driver figures (issue 13), end to end through the fake Slack on loopback in Socket Mode:
 * - messages per second: envelopes from the fake → the driver acknowledges after admission →
 *   session → defender → `channel.message` event (goal ≥ 2,000/s), with the acknowledgement
 *   latency Slack's 3 s deadline is about;
 * - reconnect time after the fake drops the socket (goal < 2 s), with the runtime's default
 *   reconnect delay (1 s) and with a short one (what the driver itself costs), and that messages
 *   sent during the gap arrive once;
 * - RSS per 1,000 active chats (distinct DMs and channels, each with a session).
 * The fake runs in its own process (as Slack would), so Talon's event loop is what is measured.
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TalonHost } from "../../core/index.ts";
import { createFakeSlack } from "../fakes/slack/index.ts";
import { startBenchHost } from "./bench-host.ts";
import { report, rssMb, summarize } from "./stats.ts";

const MESSAGES = Number(process.env.SLACK_BENCH_MESSAGES ?? 20_000);
const WARMUP = 2_000;
const IN_FLIGHT = 256;
const CHATS = 10_000;
const DRIVER = fileURLToPath(new URL("../../drivers/slack/index.ts", import.meta.url));

type Command = { kind: "inject"; run: string; count: number; chats: number } | { kind: "drop" } | { kind: "stats" };

/** The fake Slack in its own process, driven over IPC. */
async function startFake(): Promise<{ config: Record<string, unknown>; send(command: Command): Promise<any>; stop(): void }> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, SLACK_BENCH_FAKE: "1" },
  });
  const config = await new Promise<Record<string, unknown>>((resolve, reject) => {
    child.once("message", (message: { config: Record<string, unknown> }) => resolve(message.config));
    child.once("error", reject);
  });
  return {
    config,
    send: (command) =>
      new Promise((resolve, reject) => {
        child.once("message", (reply: { error?: string }) => (reply.error ? reject(new Error(reply.error)) : resolve(reply)));
        child.send(command);
      }),
    stop: () => child.kill(),
  };
}

async function withHost<T>(
  runtime: Record<string, unknown>,
  work: (host: TalonHost, fake: Awaited<ReturnType<typeof startFake>>, events: () => number) => Promise<T>,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "talon-slack-bench-"));
  const fake = await startFake();
  const host = await startBenchHost(
    {
      data_dir: dir,
      runtime: { memory_sample_secs: 3600 },
      plugins: { builtin: ["decision-policy"], load: [DRIVER], entries: { slack: { config: { ...fake.config, runtime } } } },
    },
    { cwd: dir, gateway: false },
  );
  let count = 0;
  host.events.subscribe((name) => {
    if (name === "channel.message") count++;
  });
  try {
    const deadline = performance.now() + 10_000;
    while (!((await host.call("channels.status", {})) as any).channelAccounts.slack[0].connected) {
      if (performance.now() > deadline) throw new Error("the Slack account did not connect");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return await work(host, fake, () => count);
  } finally {
    fake.stop();
    await host.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function waitFor(events: () => number, n: number, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (events() < n) {
    if (performance.now() > deadline) throw new Error(`only ${events()} of ${n} events arrived`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

async function throughput(): Promise<Record<string, unknown>> {
  return withHost({}, async (_host, fake, events) => {
    await fake.send({ kind: "inject", run: "warm", count: WARMUP, chats: 500 });
    await waitFor(events, WARMUP, 60_000);
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const acked = await fake.send({ kind: "inject", run: "run", count: MESSAGES, chats: 500 });
    const ackedMs = performance.now() - started;
    await waitFor(events, WARMUP + MESSAGES, 120_000);
    const totalMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    return {
      messages: MESSAGES,
      acknowledgedPerSec: Math.round((MESSAGES / ackedMs) * 1000),
      endToEndPerSec: Math.round((MESSAGES / totalMs) * 1000),
      // Talon's CPU time per message (the fake is another process): holds on a busy machine too.
      cpuUsPerMessage: Math.round((cpu.user + cpu.system) / MESSAGES),
      oneCoreEquivalentPerSec: Math.round(1e6 / ((cpu.user + cpu.system) / MESSAGES)),
      ackLatencyMs: acked.ackLatency,
      redelivered: acked.deliveries - acked.acked,
      rssMb: rssMb(),
    };
  });
}

async function reconnect(label: string, runtime: Record<string, unknown>): Promise<Record<string, unknown>> {
  return withHost(runtime, async (_host, fake, events) => {
    const samples: number[] = [];
    let sent = 0;
    for (let round = 0; round < 5; round++) {
      const dropped = await fake.send({ kind: "drop" });
      // Slack keeps what it could not deliver and sends it once a socket is back.
      const during = fake.send({ kind: "inject", run: `gap${round}`, count: 200, chats: 50 });
      const stats = await during;
      sent += 200;
      samples.push(stats.lastHelloAt - dropped.droppedAt);
      await waitFor(events, sent, 30_000);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    return {
      settings: label,
      reconnectMs: summarize(samples),
      messagesDuringGaps: sent,
      arrived: events(),
      lost: Math.max(0, sent - events()),
      repeated: Math.max(0, events() - sent),
    };
  });
}

async function memory(): Promise<Record<string, unknown>> {
  return withHost({}, async (_host, fake, events) => {
    const gc = (globalThis as { gc?: () => void }).gc;
    await fake.send({ kind: "inject", run: "warm", count: 500, chats: 100 });
    await waitFor(events, 500, 60_000);
    gc?.();
    const before = process.memoryUsage();
    await fake.send({ kind: "inject", run: "chats", count: CHATS, chats: CHATS });
    await waitFor(events, 500 + CHATS, 120_000);
    gc?.();
    const after = process.memoryUsage();
    const per1000 = (bytes: number) => Math.round((bytes / (CHATS / 1000) / (1024 * 1024)) * 100) / 100;
    return {
      activeChats: CHATS,
      // Retained JS heap after a full GC: sessions, dedupe entries, the driver's channel-type cache.
      heapPer1000ChatsMb: per1000(after.heapUsed - before.heapUsed),
      // Resident memory (includes SQLite's page cache and freed-but-kept heap pages): noisier.
      rssPer1000ChatsMb: per1000(after.rss - before.rss),
      rssMb: rssMb(),
      gc: gc !== undefined,
    };
  });
}

if (process.env.SLACK_BENCH_FAKE === "1") {
  const fake = createFakeSlack({ mode: "socket", appMentions: false });
  await fake.start();
  let sequence = 0;
  process.on("message", (command: Command) => {
    const run = async (): Promise<Record<string, unknown>> => {
      if (command.kind === "drop") {
        const droppedAt = performance.now() + performance.timeOrigin;
        await fake.dropConnections!();
        return { droppedAt };
      }
      if (command.kind === "inject") {
        const ackStart = fake.socket.acks.length;
        const deliveriesStart = fake.socket.deliveries;
        let next = 0;
        const worker = async () => {
          while (next < command.count) {
            const i = next++;
            const chat = i % command.chats;
            await fake.inject({
              chatType: chat % 5 === 0 ? "channel" : "direct",
              chatId: `${chat % 5 === 0 ? "C" : "D"}${command.run}${chat}`,
              senderId: `U${chat}`,
              text: `Could you summarise ticket ${++sequence} and suggest next steps?`,
              mentionBot: true,
            });
          }
        };
        await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
        const acks = fake.socket.acks.slice(ackStart).map((ack) => ack.afterMs);
        const last = fake.socket.connections.at(-1);
        return {
          ackLatency: summarize(acks),
          acked: acks.length,
          deliveries: fake.socket.deliveries - deliveriesStart,
          lastHelloAt: (last?.helloAt ?? 0) + performance.timeOrigin,
        };
      }
      return {};
    };
    run().then(
      (reply) => process.send!(reply),
      (error: Error) => process.send!({ error: error.message }),
    );
  });
  process.on("disconnect", () => process.exit(0));
  process.send!({ config: fake.driverConfig() });
} else {
  // Memory first, in a process nothing else has grown yet.
  const memoryFigures = await memory();
  report({
    memory: memoryFigures,
    throughput: await throughput(),
    reconnect: [
      await reconnect("runtime defaults (reconnect.initialDelayMs 1000, jitter 0.2)", {}),
      await reconnect("reconnect.initialDelayMs 50", { reconnect: { initialDelayMs: 50, jitter: 0 } }),
    ],
    goals: { endToEndPerSec: 2000, reconnectMs: 2000 },
  });
  process.exit(0);
}
