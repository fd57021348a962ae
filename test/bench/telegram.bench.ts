/**
 * Telegram driver figures (issue 13), through the fake Bot API in its own process (as Telegram
 * is), so Talon's event loop is what is measured:
 * - messages per second end to end: updates queued at the fake → long poll → durable admission
 *   (SQLite inbox) → mention gating → defender → `channel.message` event with the decision;
 *   direct messages from many users plus group messages that mention the bot (goal ≥ 2,000/s);
 * - resume time after the long poll's connection is dropped: from the drop to the decision on a
 *   message sent right after it, with the default reconnect settings and with a short initial
 *   delay (goal < 2 s);
 * - RSS per 1,000 active chats: RSS (and heap) growth after messages from 20,000 distinct chats, after GC.
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createFakeTelegram } from "../../drivers/telegram/fake/index.ts";
import { startBenchHost } from "./bench-host.ts";
import { report, rssMb, summarize } from "./stats.ts";

const MESSAGES = Number(process.env.TELEGRAM_BENCH_MESSAGES ?? 20_000);
const WARMUP = 2_000;
const CHATS = 1_000;
const MEMORY_CHATS = 20_000;
const RESUME_RUNS = 5;

type Command = { cmd: "inject"; run: string; count: number; chats: number } | { cmd: "drop" } | { cmd: "config" };

/** The fake in a child process, driven over IPC. */
if (process.env.TELEGRAM_BENCH_FAKE === "1") {
  const fake = createFakeTelegram({ pollTimeoutSecs: 10 });
  await fake.start();
  process.on("message", async (message: Command & { id: number }) => {
    const reply = (value: unknown) => process.send!({ id: message.id, value });
    if (message.cmd === "config") return reply(fake.driverConfig());
    if (message.cmd === "drop") {
      await fake.dropConnections!();
      return reply(true);
    }
    for (let i = 0; i < message.count; i++) {
      const chat = i % message.chats;
      const group = i % 4 === 0;
      await fake.inject({
        chatType: group ? "group" : "direct",
        chatId: `${message.run}-g${chat % 50}`,
        senderId: `${message.run}-u${chat}`,
        text: `Could you summarise ticket ${i} and suggest next steps?`,
        mentionBot: group,
      });
    }
    reply(message.count);
  });
  process.send!({ id: 0, value: "ready" });
} else {
  await main();
}

function startFake(): Promise<{ call(command: Command): Promise<any>; stop(): void }> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, TELEGRAM_BENCH_FAKE: "1" },
  });
  const waiting = new Map<number, (value: unknown) => void>();
  let next = 1;
  child.on("message", (message: { id: number; value: unknown }) => {
    waiting.get(message.id)?.(message.value);
    waiting.delete(message.id);
  });
  return new Promise((resolve, reject) => {
    waiting.set(0, () =>
      resolve({
        call: (command) =>
          new Promise((done) => {
            const id = next++;
            waiting.set(id, done);
            child.send({ ...command, id });
          }),
        stop: () => child.kill(),
      }),
    );
    child.once("error", reject);
  });
}

async function host(config: Record<string, unknown>, reconnect?: Record<string, unknown>) {
  const dir = mkdtempSync(join(tmpdir(), "talon-telegram-bench-"));
  const started = await startBenchHost(
    {
      data_dir: dir,
      runtime: { memory_sample_secs: 3600 },
      plugins: {
        builtin: ["decision-policy", "telegram"],
        entries: { telegram: { config: { ...config, ...(reconnect ? { runtime: { reconnect } } : {}) } } },
      },
    },
    { cwd: dir, gateway: false },
  );
  let count = 0;
  const waiters = new Set<() => void>();
  const decided = new Map<string, number>();
  started.events.subscribe((name, payload) => {
    if (name !== "channel.message") return;
    count++;
    decided.set((payload as { message: { text: string } }).message.text, performance.now());
    for (const wake of waiters) wake();
  });
  const waitFor = (check: () => boolean, timeoutMs: number, what: string) =>
    new Promise<void>((resolve, reject) => {
      if (check()) return resolve();
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what} (${count} events)`)), timeoutMs);
      const wake = () => {
        if (!check()) return;
        clearTimeout(timer);
        waiters.delete(wake);
        resolve();
      };
      waiters.add(wake);
    });
  return {
    host: started,
    count: () => count,
    decided,
    waitFor,
    async stop() {
      await started.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function throughput(fake: Awaited<ReturnType<typeof startFake>>, config: Record<string, unknown>) {
  const talon = await host(config);
  try {
    await fake.call({ cmd: "inject", run: "warm", count: WARMUP, chats: CHATS });
    await talon.waitFor(() => talon.count() >= WARMUP, 120_000, "warm-up");
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    await fake.call({ cmd: "inject", run: "run", count: MESSAGES, chats: CHATS });
    await talon.waitFor(() => talon.count() >= WARMUP + MESSAGES, 300_000, "the run");
    const totalMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    return {
      messages: MESSAGES,
      chats: CHATS,
      endToEndPerSec: Math.round((MESSAGES / totalMs) * 1000),
      cpuUsPerMessage: Math.round((cpu.user + cpu.system) / MESSAGES),
      oneCoreEquivalentPerSec: Math.round(1e6 / ((cpu.user + cpu.system) / MESSAGES)),
      store: talon.host.store.kind,
    };
  } finally {
    await talon.stop();
  }
}

async function resume(fake: Awaited<ReturnType<typeof startFake>>, config: Record<string, unknown>, initialDelayMs?: number) {
  const talon = await host(config, initialDelayMs === undefined ? undefined : { initialDelayMs, jitter: 0 });
  try {
    const samples: number[] = [];
    for (let run = 0; run < RESUME_RUNS; run++) {
      // Let the poll settle, then cut its connection and send a message at once.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const before = talon.count();
      const dropped = performance.now();
      await fake.call({ cmd: "drop" });
      await fake.call({ cmd: "inject", run: `resume${run}`, count: 1, chats: 1 });
      await talon.waitFor(() => talon.count() > before, 30_000, "the message after the drop");
      samples.push(performance.now() - dropped);
    }
    return {
      reconnect: initialDelayMs === undefined ? "default (1 s initial delay, jitter 0.2)" : `${initialDelayMs} ms initial delay`,
      ...summarize(samples),
    };
  } finally {
    await talon.stop();
  }
}

async function memory(fake: Awaited<ReturnType<typeof startFake>>, config: Record<string, unknown>) {
  const talon = await host(config);
  try {
    const gc = (globalThis as { gc?: () => void }).gc;
    await fake.call({ cmd: "inject", run: "mwarm", count: 200, chats: 200 });
    await talon.waitFor(() => talon.count() >= 200, 60_000, "memory warm-up");
    gc?.();
    const before = process.memoryUsage();
    await fake.call({ cmd: "inject", run: "mem", count: MEMORY_CHATS, chats: MEMORY_CHATS });
    await talon.waitFor(() => talon.count() >= 200 + MEMORY_CHATS, 120_000, "messages from every chat");
    gc?.();
    const after = process.memoryUsage();
    const per1000Mb = (bytes: number) => Math.round((bytes / (1024 * 1024) / (MEMORY_CHATS / 1000)) * 1000) / 1000;
    return {
      chats: MEMORY_CHATS,
      rssPer1000ChatsMb: per1000Mb(after.rss - before.rss),
      heapPer1000ChatsMb: per1000Mb(after.heapUsed - before.heapUsed),
      rssAfterMb: Math.round((after.rss / (1024 * 1024)) * 10) / 10,
      gcExposed: gc !== undefined,
    };
  } finally {
    await talon.stop();
  }
}

async function main(): Promise<void> {
  const fake = await startFake();
  try {
    const config = (await fake.call({ cmd: "config" })) as Record<string, unknown>;
    // Memory first, in a fresh process: later phases leave freed pages RSS would reuse.
    const rss = await memory(fake, config);
    const inbound = await throughput(fake, config);
    const resumeDefault = await resume(fake, config);
    const resumeFast = await resume(fake, config, 100);
    report({ inbound, resume: [resumeDefault, resumeFast], memory: rss, rssMb: rssMb() });
  } finally {
    fake.stop();
  }
}
