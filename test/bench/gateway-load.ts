/**
 * The gateway benchmark's load generator (it runs in a child process of gateway.bench.ts, so
 * client and server never share an event loop): lock-step and parallel `health` round trips, and
 * idle authenticated connections.
 */
import WebSocket from "ws";
import { BENCH_TOKEN } from "./bench-host.ts";
import { summarize } from "./stats.ts";

export const DURATION_MS = Number(process.env.TALON_BENCH_MS ?? 3000);
export const WARMUP_MS = 750;
export const HEALTH_FRAME = (id: number) => `{"type":"req","id":"${id}","method":"health","params":{}}`;

export interface Target {
  url: string;
  /** Talon: challenge → connect → hello-ok before measuring. Echo: ready on open. */
  talon: boolean;
}

export interface RateResult {
  messages: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export function openSocket(target: Target): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(target.url, { perMessageDeflate: false });
    ws.once("error", reject);
    if (!target.talon) {
      ws.once("open", () => resolve(ws));
      return;
    }
    const onMessage = (data: Buffer) => {
      const frame = JSON.parse(data.toString());
      if (frame.event === "connect.challenge") {
        ws.send(
          JSON.stringify({
            type: "req",
            id: "connect",
            method: "connect",
            params: {
              minProtocol: 4,
              maxProtocol: 4,
              client: { id: "cli", version: "bench", platform: "linux", mode: "cli" },
              auth: { token: BENCH_TOKEN },
              role: "operator",
              scopes: ["operator.read"],
            },
          }),
        );
      } else if (frame.id === "connect") {
        ws.off("message", onMessage);
        if (frame.ok) resolve(ws);
        else reject(new Error(frame.error?.message));
      }
    };
    ws.on("message", onMessage);
  });
}

/** Answers (not events): both `res` from Talon and the echoed `req`. */
const isAnswer = (data: Buffer) => data[9] !== 101; // `{"type":"e...` is an event

export async function lockstep(target: Target): Promise<RateResult> {
  const ws = await openSocket(target);
  const latencies: number[] = [];
  let id = 0;
  let sentAt = 0;
  let measuring = false;
  let stop = false;
  await new Promise<void>((resolve) => {
    ws.on("message", (data: Buffer) => {
      if (!isAnswer(data)) return;
      if (measuring) latencies.push(performance.now() - sentAt);
      if (stop) return resolve();
      sentAt = performance.now();
      ws.send(HEALTH_FRAME(++id));
    });
    sentAt = performance.now();
    ws.send(HEALTH_FRAME(++id));
    setTimeout(() => {
      measuring = true;
      setTimeout(() => (stop = true), DURATION_MS);
    }, WARMUP_MS);
  });
  ws.close();
  const summary = summarize(latencies);
  return {
    messages: latencies.length,
    seconds: DURATION_MS / 1000,
    perSecond: Math.round(latencies.length / (DURATION_MS / 1000)),
    p50Ms: summary.p50Ms,
    p99Ms: summary.p99Ms,
  };
}

export async function parallel(target: Target, connections: number, inflight: number): Promise<RateResult> {
  const sockets: WebSocket[] = [];
  for (let i = 0; i < connections; i += 25)
    sockets.push(...(await Promise.all(Array.from({ length: Math.min(25, connections - i) }, () => openSocket(target)))));
  const latencies: number[] = [];
  let measuring = false;
  let stop = false;
  let id = 0;
  let open = 0;
  await new Promise<void>((resolve) => {
    for (const ws of sockets) {
      const sent: number[] = [];
      open++;
      ws.on("message", (data: Buffer) => {
        if (!isAnswer(data)) return;
        const at = sent.shift()!;
        if (measuring) latencies.push(performance.now() - at);
        if (stop) {
          if (sent.length === 0 && --open === 0) resolve();
          return;
        }
        sent.push(performance.now());
        ws.send(HEALTH_FRAME(++id));
      });
      for (let k = 0; k < inflight; k++) {
        sent.push(performance.now());
        ws.send(HEALTH_FRAME(++id));
      }
    }
    setTimeout(() => {
      measuring = true;
      setTimeout(() => (stop = true), DURATION_MS);
    }, WARMUP_MS);
  });
  for (const ws of sockets) ws.close();
  const summary = summarize(latencies);
  return {
    messages: latencies.length,
    seconds: DURATION_MS / 1000,
    perSecond: Math.round(latencies.length / (DURATION_MS / 1000)),
    p50Ms: summary.p50Ms,
    p99Ms: summary.p99Ms,
  };
}

const idle: WebSocket[] = [];

export async function openIdle(target: Target, count: number): Promise<number> {
  // Batches stay under the server's pre-auth limit per address (32).
  for (let i = 0; i < count; i += 25)
    idle.push(...(await Promise.all(Array.from({ length: Math.min(25, count - i) }, () => openSocket(target)))));
  return idle.length;
}

export async function closeIdle(): Promise<void> {
  await Promise.all(idle.splice(0).map((ws) => new Promise((resolve) => (ws.once("close", resolve), ws.close()))));
}
