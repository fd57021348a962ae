/**
 * Sessions figures on a real SQLite file store:
 * - durable `sessions.patch` per second (sequential, and 64 in flight), creating 10,000 sessions;
 * - `sessions.list` p50/p99 with 10,000 sessions (default limit 200; with a filter; over a WebSocket);
 * - start-up time with 10,000 stored sessions (host create + start until `sessions.list` answers);
 * - decision recording: decisions/s through the `decision` hook until durably written.
 * Goals: list p99 < 20 ms, >= 3,000 patches/s, start-up < 2 s, ~20,000 decisions/s.
 * Run: npm run bench -- sessions
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TalonHost } from "../../core/index.ts";
import type { DecisionRecord } from "@talon/sdk";
import { TestClient } from "../helpers/gateway-client.ts";
import { BENCH_TOKEN, startBenchHost } from "./bench-host.ts";
import { report, rssMb, summarize } from "./stats.ts";

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 10_000);
const LIST_CALLS = 300;
/** Enough that the GC and WAL-checkpoint debt of the creation burst before is a small share. */
const SEQUENTIAL_PATCHES = 6000;
const DECISIONS = Number(process.env.BENCH_DECISIONS ?? 100_000);

function startHost(dataDir: string, gateway = false): Promise<TalonHost> {
  return startBenchHost({ data_dir: dataDir, state: { url: "sqlite" }, plugins: { builtin: ["sessions"] } }, { gateway });
}

async function inFlight(total: number, concurrency: number, run: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await run(next++);
    }),
  );
}

function decisionRecord(i: number, sessions: number): DecisionRecord {
  const verdicts = ["allow", "allow", "allow", "review", "block"] as const;
  const action = verdicts[i % verdicts.length]!;
  return {
    action: {
      id: `d-${i}`,
      source: "agent",
      origin: "bridge",
      sessionKey: `agent:main:discord:group:g${i % sessions}`,
      command: "git status",
      tool: "exec",
      channel: "discord",
      fields: [],
      routing: {},
      raw: null,
      digest: "",
      receivedAt: Date.now(),
    },
    decision: { action, risk_score: action === "allow" ? 10 : 70, reasons: [], tags: [], source: "talon" },
    findings: [],
    timedOut: false,
    cached: false,
    durationMs: 0.1,
  };
}

const dataDir = await mkdtemp(join(tmpdir(), "talon-bench-sessions-"));
try {
  let host = await startHost(dataDir);

  // Durable patches that create the sessions: 64 in flight (group of clients).
  let started = performance.now();
  await inFlight(SESSIONS, 64, (i) =>
    host.call("sessions.patch", { key: `agent:ops:slack:group:s${i}`, label: `session ${i}`, queueMode: "followup" }),
  );
  const concurrentPatchesPerSec = Math.round(SESSIONS / ((performance.now() - started) / 1000));

  // Durable patches one after another (one client), on existing sessions.
  started = performance.now();
  for (let i = 0; i < SEQUENTIAL_PATCHES; i++)
    await host.call("sessions.patch", { key: `agent:ops:slack:group:s${i}`, thinkingLevel: i % 2 ? "low" : "high" });
  const sequentialPatchesPerSec = Math.round(SEQUENTIAL_PATCHES / ((performance.now() - started) / 1000));

  // sessions.list with 10,000 sessions.
  const list: number[] = [];
  const filtered: number[] = [];
  for (let i = 0; i < LIST_CALLS; i++) {
    let t = performance.now();
    await host.call("sessions.list", {});
    list.push(performance.now() - t);
    t = performance.now();
    await host.call("sessions.list", { search: `s${i}`, includeDerivedTitles: true, includeLastMessage: true, limit: 50 });
    filtered.push(performance.now() - t);
  }

  // sessions.list as a real client sees it: over a WebSocket, 200 rows a response.
  await host.stop();
  host = await startHost(dataDir, true);
  const client = await TestClient.connect(`ws://127.0.0.1:${host.gateway.address()!.port}`, {
    token: BENCH_TOKEN,
    scopes: ["operator.read"],
    clientId: "cli",
    mode: "cli",
  });
  const overWs: number[] = [];
  let responseBytes = 0;
  for (let i = 0; i < LIST_CALLS; i++) {
    const t = performance.now();
    const payload = await client.call("sessions.list", {});
    overWs.push(performance.now() - t);
    if (i === 0) responseBytes = JSON.stringify(payload).length;
  }
  await client.close();

  // Decision recording through the decision hook, until written to the store.
  const heapMb = () => {
    global.gc?.();
    return Math.round(process.memoryUsage().heapUsed / 1e5) / 10;
  };
  const heapBefore = heapMb();
  started = performance.now();
  const decisionSessions = 1000;
  for (let i = 0; i < DECISIONS; i++) {
    void host.hooks.decision.promise(decisionRecord(i, decisionSessions));
    if (i % 5000 === 4999) await new Promise((resolve) => setImmediate(resolve));
  }
  const recordedMs = performance.now() - started;
  // stop() drains observers and writes every coalesced update before it returns.
  await host.stop();
  const decisionsDurableMs = performance.now() - started;
  const heapAfterDecisions = heapMb();

  // Start-up with the stored sessions (10,000 created above, plus the decision sessions).
  started = performance.now();
  host = await startHost(dataDir);
  const firstList = (await host.call("sessions.list", { limit: 1 })) as { totalCount: number };
  const startupMs = performance.now() - started;
  await host.stop();

  report({
    sessions: SESSIONS,
    list: summarize(list),
    listFiltered: summarize(filtered),
    listOverWebSocket: { ...summarize(overWs), responseBytes },
    patchesPerSec: { sequential: sequentialPatchesPerSec, concurrent64: concurrentPatchesPerSec },
    startup: { ms: Math.round(startupMs), storedSessions: firstList.totalCount },
    decisions: {
      count: DECISIONS,
      sessions: decisionSessions,
      recordedPerSec: Math.round(DECISIONS / (recordedMs / 1000)),
      durablePerSec: Math.round(DECISIONS / (decisionsDurableMs / 1000)),
      heapMbBefore: heapBefore,
      heapMbAfter: heapAfterDecisions,
      rssMb: rssMb(),
    },
    goals: { listP99Ms: 20, patchesPerSec: 3000, startupMs: 2000, decisionsPerSec: 20000 },
  });
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
