/**
 * Discord driver figures (issue 13), end to end through the fake Discord, which runs in its own
 * process (as Discord is another machine), so Talon's event loop is what is measured:
 * - messages per second: MESSAGE_CREATE dispatched on the Gateway → driver queue → ctx.receive →
 *   durable admission (SQLite inbox) → session key → defender → `channel.message` event received by
 *   a WebSocket client (goal ≥ 2,000/s);
 * - resume time after a dropped connection: from the drop (a message is sent at once, buffered by
 *   Discord for the session) until that message's decision reaches the client, with the runtime's
 *   default reconnect delay (1 s ± 20 %) and with a 100 ms one (goal < 2 s);
 * - RSS per 1,000 active chats: one message in each of 10,000 new DM chats (each its own session).
 */
import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import { BENCH_TOKEN, startBenchHost } from "./bench-host.ts";
import { report, rssMb, summarize } from "./stats.ts";

const MESSAGES = Number(process.env.DISCORD_BENCH_MESSAGES ?? 20_000);
const WARMUP = 2_000;
const CHATS = 10_000;
const RESUMES = 5;
const DRIVER = fileURLToPath(new URL("../../drivers/discord/index.ts", import.meta.url));

type Command = { cmd: "inject"; run: string; count: number; chats: number } | { cmd: "drop"; run: string } | { cmd: "forget" };

/** The fake Discord's process: starts the fake, then obeys the bench over IPC. */
async function fakeProcess(): Promise<void> {
  const { createFakeDiscord } = await import("../fakes/discord/index.ts");
  const fake = createFakeDiscord();
  await fake.start();
  process.on("message", async (command: Command) => {
    if (command.cmd === "inject") {
      for (let i = 0; i < command.count; i++) {
        const chat = i % command.chats;
        await fake.inject({
          chatType: "direct",
          chatId: `${command.run}-dm-${chat}`,
          senderId: `${command.run}-user-${chat}`,
          text: `Could you summarise ticket ${i} and suggest next steps?`,
        });
        if (i % 500 === 499) await new Promise((resolve) => setImmediate(resolve)); // let the socket drain
      }
      process.send!({ done: true });
    } else if (command.cmd === "drop") {
      const at = Date.now();
      await fake.dropConnections();
      await fake.inject({
        chatType: "direct",
        chatId: `${command.run}-dm`,
        senderId: `${command.run}-user`,
        text: "sent right after the drop",
      });
      process.send!({ at });
    } else if (command.cmd === "forget") {
      fake.forgetMessages();
      process.send!({ done: true });
    }
  });
  process.on("disconnect", () => process.exit(0));
  process.send!({ config: fake.driverConfig() });
}

async function startFake(): Promise<{ config: Record<string, unknown>; ask<T>(command: Command): Promise<T>; stop(): void }> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, DISCORD_BENCH_FAKE: "1" },
  });
  const config = await new Promise<Record<string, unknown>>((resolve, reject) => {
    child.once("message", (reply: { config: Record<string, unknown> }) => resolve(reply.config));
    child.once("error", reject);
  });
  return {
    config,
    ask: <T>(command: Command) =>
      new Promise<T>((resolve) => {
        child.once("message", (reply: T) => resolve(reply));
        child.send(command);
      }),
    stop: () => child.kill(),
  };
}

/** A WebSocket client that counts `channel.message` events. */
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

async function run(
  runtime: Record<string, unknown>,
  measure: (context: Context) => Promise<Record<string, unknown>>,
): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), "talon-discord-bench-"));
  const fake = await startFake();
  const host = await startBenchHost(
    {
      data_dir: dir,
      gateway: { server: { event_queue_capacity: 16_384 } },
      runtime: { memory_sample_secs: 3600 },
      plugins: {
        builtin: ["decision-policy"],
        load: [DRIVER],
        // The whole run may be queued at once: room for it, so the figure is throughput, not the overflow path.
        entries: { discord: { config: { ...fake.config, inboundQueueMax: 100_000, runtime } } },
      },
    },
    { cwd: dir },
  );
  const events = await eventCounter(host.gateway.address()!.port);
  const account = async () => ((await host.call("channels.status", {})) as any).channelAccounts.discord[0];
  const deadline = performance.now() + 15_000;
  while (!(await account()).connected) {
    if (performance.now() > deadline) throw new Error("the Discord account did not connect");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  try {
    return await measure({ fake, events, account, store: host.store.kind });
  } finally {
    events.close();
    await host.stop();
    fake.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Context {
  fake: Awaited<ReturnType<typeof startFake>>;
  events: Awaited<ReturnType<typeof eventCounter>>;
  account(): Promise<any>;
  store: string;
}

async function throughput({ fake, events, store }: Context): Promise<Record<string, unknown>> {
  await fake.ask({ cmd: "inject", run: "warm", count: WARMUP, chats: 500 });
  await events.waitFor(WARMUP, 60_000);
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await fake.ask({ cmd: "inject", run: "run", count: MESSAGES, chats: 500 });
  await events.waitFor(WARMUP + MESSAGES, 180_000);
  const totalMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuUsPerMessage = (cpu.user + cpu.system) / MESSAGES;
  return {
    path: "Gateway MESSAGE_CREATE → queue → ctx.receive → SQLite inbox → defender → channel.message (WebSocket client)",
    messages: MESSAGES,
    chats: 500,
    endToEndPerSec: Math.round((MESSAGES / totalMs) * 1000),
    cpuUsPerMessage: Math.round(cpuUsPerMessage),
    oneCoreEquivalentPerSec: Math.round(1e6 / cpuUsPerMessage),
    store,
  };
}

function resumes(label: string) {
  return async ({ fake, events, account }: Context): Promise<Record<string, unknown>> => {
    const samples: number[] = [];
    for (let i = 0; i < RESUMES; i++) {
      const before = events.count();
      const { at } = await fake.ask<{ at: number }>({ cmd: "drop", run: `drop${i}` });
      await events.waitFor(before + 1, 30_000);
      samples.push(Date.now() - at);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const status = await account();
    return {
      reconnect: label,
      ...summarize(samples),
      maxMs: Math.max(...samples),
      resumes: status.details.gateway.resumes,
      identifies: status.details.gateway.identifies,
    };
  };
}

async function memory({ fake, events }: Context): Promise<Record<string, unknown>> {
  await fake.ask({ cmd: "inject", run: "warm", count: 1_000, chats: 1_000 });
  await events.waitFor(1_000, 60_000);
  await fake.ask({ cmd: "forget" });
  globalThis.gc?.();
  await new Promise((resolve) => setTimeout(resolve, 200));
  globalThis.gc?.();
  const before = rssMb();
  await fake.ask({ cmd: "inject", run: "chats", count: CHATS, chats: CHATS });
  await events.waitFor(1_000 + CHATS, 120_000);
  globalThis.gc?.();
  await new Promise((resolve) => setTimeout(resolve, 200));
  globalThis.gc?.();
  const after = rssMb();
  return {
    chats: CHATS,
    rssBeforeMb: before,
    rssAfterMb: after,
    rssMbPer1000Chats: Math.round(((after - before) / (CHATS / 1000)) * 100) / 100,
  };
}

if (process.env.DISCORD_BENCH_FAKE === "1") {
  await fakeProcess();
} else {
  const results = {
    inbound: await run({}, throughput),
    resume: [
      await run({}, resumes("runtime default: first restart after 1 s ± 20 %")),
      await run({ reconnect: { initialDelayMs: 100, jitter: 0 } }, resumes("reconnect.initialDelayMs = 100")),
    ],
    memory: await run({}, memory),
    goal: { inboundPerSec: 2000, resumeMs: 2000 },
  };
  report(results);
  process.exit(0);
}
