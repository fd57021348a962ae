/**
 * A WebSocket proxy between the guard and a real Talon host, on 127.0.0.1, that lets a test act
 * as an attacker on the wire: see every frame, hold or drop Talon's answers, inject forged
 * frames to the guard, replay captured ones. Frames pass through unchanged unless a rule says
 * otherwise.
 */
import { WebSocket, WebSocketServer, type RawData } from "ws";

export interface Tamper {
  /** ws:// URL the guard connects to. */
  readonly url: string;
  /** Every frame the guard sent (parsed), oldest first. */
  readonly fromGuard: any[];
  /** Sizes in bytes of the guard's frames. */
  readonly guardFrameBytes: number[];
  /** Every frame Talon sent (parsed). */
  readonly fromTalon: any[];
  /** Decide per Talon frame: `pass`, `drop`, or `hold` (kept in `held` until released). */
  onTalonFrame: (frame: any) => "pass" | "drop" | "hold";
  readonly held: { frame: any; raw: RawData }[];
  /** Forward held frames to the guard (all, or those the predicate selects). */
  release(predicate?: (frame: any) => boolean): void;
  /** Send a frame (object, string or bytes) to every connected guard socket, as if Talon sent it. */
  inject(frame: unknown, binary?: boolean): void;
  /** Wait until the guard has sent a request for `method`. */
  waitForRequest(method: string, count?: number, timeoutMs?: number): Promise<any>;
  /** Close every proxied connection (as a network failure would). */
  dropConnections(): void;
  close(): Promise<void>;
}

function parse(data: RawData): any {
  try {
    return JSON.parse(data.toString());
  } catch {
    return undefined;
  }
}

export async function startTamperProxy(target: string): Promise<Tamper> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const port = (server.address() as { port: number }).port;
  const pairs = new Set<{ guard: WebSocket; talon: WebSocket }>();
  const fromGuard: any[] = [];
  const guardFrameBytes: number[] = [];
  const fromTalon: any[] = [];
  const held: { frame: any; raw: RawData; guard: WebSocket }[] = [];
  const wakes = new Set<() => void>();

  const tamper: Tamper = {
    url: `ws://127.0.0.1:${port}`,
    fromGuard,
    guardFrameBytes,
    fromTalon,
    onTalonFrame: () => "pass",
    held,
    release(predicate = () => true) {
      for (let i = 0; i < held.length; ) {
        const item = held[i]!;
        if (predicate(item.frame)) {
          held.splice(i, 1);
          if (item.guard.readyState === WebSocket.OPEN) item.guard.send(item.raw.toString());
        } else i++;
      }
    },
    inject(frame, binary = false) {
      const data = typeof frame === "string" || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame);
      for (const pair of pairs) if (pair.guard.readyState === WebSocket.OPEN) pair.guard.send(data, { binary });
    },
    waitForRequest(method, count = 1, timeoutMs = 5000) {
      const find = () => fromGuard.filter((frame) => frame?.type === "req" && frame.method === method)[count - 1];
      const found = find();
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          wakes.delete(wake);
          reject(new Error(`no ${method} request #${count} from the guard`));
        }, timeoutMs);
        const wake = () => {
          const hit = find();
          if (!hit) return;
          clearTimeout(timer);
          wakes.delete(wake);
          resolve(hit);
        };
        wakes.add(wake);
      });
    },
    dropConnections() {
      for (const pair of pairs) {
        pair.guard.terminate();
        pair.talon.terminate();
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        tamper.dropConnections();
        server.close(() => resolve());
      }),
  };

  server.on("connection", (guard) => {
    const talon = new WebSocket(target, { perMessageDeflate: false });
    const pair = { guard, talon };
    pairs.add(pair);
    const queue: RawData[] = [];
    talon.on("open", () => {
      for (const data of queue.splice(0)) talon.send(data.toString());
    });
    guard.on("message", (data) => {
      fromGuard.push(parse(data));
      guardFrameBytes.push(Buffer.byteLength(data.toString()));
      for (const wake of [...wakes]) wake();
      if (talon.readyState === WebSocket.OPEN) talon.send(data.toString());
      else queue.push(data);
    });
    talon.on("message", (data) => {
      const frame = parse(data);
      fromTalon.push(frame);
      const rule = tamper.onTalonFrame(frame);
      if (rule === "hold") held.push({ frame, raw: data, guard });
      else if (rule === "pass" && guard.readyState === WebSocket.OPEN) guard.send(data.toString());
    });
    const end = () => {
      pairs.delete(pair);
      if (guard.readyState === WebSocket.OPEN) guard.close();
      if (talon.readyState === WebSocket.OPEN) talon.close();
    };
    guard.on("close", end);
    talon.on("close", end);
    guard.on("error", end);
    talon.on("error", end);
  });
  return tamper;
}
