/**
 * Logging with pino: JSON lines by default, pretty when stdout is a terminal, secrets redacted,
 * one child logger per plugin (`plugin: <name>`), and a periodic RSS sample.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import pino from "pino";
import type { Logger } from "@talon/sdk";
import { replaceSecrets } from "./config/redact.ts";

/** Keys whose values never reach a log line, at any of the first two levels. */
const SECRET_KEYS = ["token", "password", "apiKey", "api_key", "virustotal_api_key", "policy_bundle_key", "authorization", "secret"];

export interface LogOptions {
  level: string;
  /** Pretty output; defaults to stdout being a terminal. */
  pretty?: boolean;
  /** Write here instead of stdout (tests, CLI subcommands that print to stdout). */
  destination?: NodeJS.WritableStream | number;
  /** The secret values of the live config (fields marked `secret()`): never written, whatever key they sit under. */
  secrets?: () => readonly string[];
}

export type HostLogger = Logger & { level: string; flush?: () => void };

/** Create the host logger. */
export function createLogger(options: LogOptions): HostLogger {
  const usePretty = options.pretty ?? Boolean(process.stdout.isTTY);
  const base: pino.LoggerOptions = {
    level: options.level,
    base: { pid: process.pid },
    redact: {
      paths: SECRET_KEYS.flatMap((key) => [key, `*.${key}`]),
      censor: "[redacted]",
    },
    serializers: { err: pino.stdSerializers.err },
  };
  const secrets = options.secrets;
  if (secrets) {
    base.hooks = {
      logMethod(args, method) {
        const known = secrets();
        // Child loggers share this hook: a plugin logging its own config cannot leak a marked secret.
        return method.apply(this, (known.length === 0 ? args : args.map((arg) => replaceSecrets(arg, known))) as Parameters<typeof method>);
      },
    };
  }
  if (usePretty) {
    // Loaded only for terminals: pino-pretty and its dependencies cost memory a service never needs.
    const pretty = createRequire(import.meta.url)("pino-pretty") as typeof import("pino-pretty");
    const stream = pretty({ colorize: true, sync: true, destination: options.destination ?? 1, ignore: "pid,hostname" });
    return pino(base, stream) as unknown as HostLogger;
  }
  const dest = options.destination;
  const stream = typeof dest === "object" ? dest : pino.destination({ dest: dest ?? 1, sync: true });
  return pino(base, stream) as unknown as HostLogger;
}

/** A logger that drops everything (tests that do not care about logs). */
export function createSilentLogger(): HostLogger {
  return pino({ level: "silent" }) as unknown as HostLogger;
}

/** Resident set size in KiB, from /proc on Linux, else from process.memoryUsage. */
export function residentKib(): number {
  try {
    const status = readFileSync("/proc/self/status", "utf8");
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    if (match) return Number(match[1]);
  } catch {
    // Not Linux: fall through.
  }
  return Math.round(process.memoryUsage().rss / 1024);
}

/** Log `memory.rss_kib` every `seconds` (seed §12); returns a stopper. The timer never keeps the process alive. */
export function startMemorySampler(log: Logger, seconds: number): () => void {
  const timer = setInterval(() => {
    const heap = process.memoryUsage();
    log.info({ "memory.rss_kib": residentKib(), heapUsedKib: Math.round(heap.heapUsed / 1024) }, "memory sample");
  }, Math.max(1, seconds) * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
