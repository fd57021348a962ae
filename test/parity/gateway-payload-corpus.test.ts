/**
 * The seed's gateway payload corpus (seed-gateway §6.2) against Talon: every case whose methods
 * Talon serves runs on a brand-new host, calling methods in process with no authorisation (as the
 * seed's harness called its dispatcher). Only the envelope is adapted: the seed's numeric codes
 * are compared with upstream's wire codes (400/404 → INVALID_REQUEST, 503 → UNAVAILABLE), and
 * the seed's internal event log is the events Talon emits (EventBus). The run prints how many
 * cases pass, fail and are not served yet; every served case must pass.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, test } from "node:test";
import { ERROR_CODES, isTalonError } from "@talon/sdk";
import { listBundledPlugins } from "../../core/loader/resolve.ts";
import { startTestHost } from "../helpers/host.ts";

interface Check {
  path: string;
  equals?: unknown;
  kind?: string;
  startsWith?: string;
  contains?: string;
  nonEmpty?: boolean;
}
interface Request {
  id: string;
  method: string;
  params?: unknown;
  captures?: { path: string; as: string }[];
  sleepMs?: number;
  sleep_ms?: number;
}
interface Case {
  name: string;
  prelude?: Request[];
  request: Request;
  expect: {
    outcome: string;
    checks?: Check[];
    error?: { code?: number; messageContains?: string };
    errorChecks?: Check[];
    event?: { name: string; checks?: Check[] };
  };
}

/**
 * Talon as shipped: every bundled plugin with its defaults. One that cannot start without
 * settings (a channel driver without credentials) is skipped, as `optional` does for users.
 */
const TALON_AS_SHIPPED = {
  plugins: { builtin: true, entries: Object.fromEntries([...listBundledPlugins().keys()].map((name) => [name, { optional: true }])) },
};

const corpus: { cases: Case[] } = JSON.parse(
  readFileSync(new URL("../../parity/corpus/seed/gateway-payload-corpus.json", import.meta.url), "utf8"),
);

/** The seed's numeric codes as upstream's wire codes. */
const WIRE_CODE: Record<number, string> = { 400: "INVALID_REQUEST", 404: "INVALID_REQUEST", 503: "UNAVAILABLE" };

function pointer(doc: unknown, path: string): { found: boolean; value?: unknown } {
  if (path === "") return { found: true, value: doc };
  let current: unknown = doc;
  for (const raw of path.slice(1).split("/")) {
    const part = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(current) && /^\d+$/.test(part) && Number(part) < current.length) current = current[Number(part)];
    else if (current !== null && typeof current === "object" && !Array.isArray(current) && Object.hasOwn(current, part))
      current = (current as Record<string, unknown>)[part];
    else return { found: false };
  }
  return { found: true, value: current };
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "boolean") return "bool";
  return typeof value;
}

/** Seed check semantics (§6.2 step 4); returns a failure message or undefined. */
function runCheck(doc: unknown, check: Check): string | undefined {
  const { found, value } = pointer(doc, check.path);
  if (!found) return `${check.path} is missing`;
  if ("equals" in check) {
    try {
      assert.deepStrictEqual(value, check.equals);
    } catch {
      return `${check.path} is ${JSON.stringify(value)}, expected ${JSON.stringify(check.equals)}`;
    }
  }
  if (check.kind !== undefined) {
    const wanted = check.kind === "boolean" ? "bool" : check.kind;
    if (kindOf(value) !== wanted) return `${check.path} is a ${kindOf(value)}, expected ${wanted}`;
  }
  if (check.startsWith !== undefined && (typeof value !== "string" || !value.startsWith(check.startsWith)))
    return `${check.path} ${JSON.stringify(value)} does not start with ${check.startsWith}`;
  if (check.contains !== undefined && (typeof value !== "string" || !value.includes(check.contains)))
    return `${check.path} ${JSON.stringify(value)} does not contain ${check.contains}`;
  if (check.nonEmpty === true) {
    const empty =
      typeof value === "string"
        ? value === ""
        : Array.isArray(value)
          ? value.length === 0
          : value !== null && typeof value === "object"
            ? Object.keys(value).length === 0
            : true;
    if (empty) return `${check.path} is empty`;
  }
  return undefined;
}

function substitute(params: unknown, captured: Map<string, unknown>): unknown {
  if (typeof params === "string") {
    const match = /^\$\{(.+)\}$/.exec(params);
    return match && captured.has(match[1]!) ? captured.get(match[1]!) : params;
  }
  if (Array.isArray(params)) return params.map((item) => substitute(item, captured));
  if (params !== null && typeof params === "object")
    return Object.fromEntries(Object.entries(params).map(([key, value]) => [key, substitute(value, captured)]));
  return params;
}

function wireError(error: unknown): { code: string; message: string; details?: unknown } {
  if (!isTalonError(error)) throw error;
  return { code: ERROR_CODES[error.code].wire, message: error.bareMessage, details: error.details };
}

/** Run one case on a fresh host; resolves to the list of failures (empty = pass). */
async function runCase(item: Case): Promise<string[]> {
  const { host, stop } = await startTestHost(TALON_AS_SHIPPED, { gateway: false });
  const events: { name: string; payload: unknown }[] = [];
  const unsubscribe = host.events.subscribe((name, payload) => events.push({ name, payload }));
  const failures: string[] = [];
  try {
    const captured = new Map<string, unknown>();
    const runs: string[] = [];
    for (const request of item.prelude ?? []) {
      if (request.method === "__sleep__") {
        const ms = request.sleepMs ?? request.sleep_ms ?? 0;
        if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
        continue;
      }
      let payload: unknown;
      try {
        payload = await host.call(request.method, substitute(request.params ?? null, captured));
      } catch (error) {
        return [`prelude ${request.id} (${request.method}) failed: ${String((error as Error).message)}`];
      }
      const runId = (payload as { runId?: unknown })?.runId;
      if (request.method === "chat.send" && typeof runId === "string") runs.push(runId);
      for (const capture of request.captures ?? []) {
        const { found, value } = pointer(payload, capture.path);
        if (!found) return [`prelude ${request.id}: capture ${capture.path} is missing`];
        captured.set(capture.as, value);
      }
    }
    // The seed's runs settled silently; Talon announces each with a chat event. Let the prelude's
    // runs settle so their events are not counted against the main request.
    for (const runId of runs) {
      await waitFor(
        () => events.some((event) => event.name === "chat" && (event.payload as { runId?: string }).runId === runId),
        `run ${runId} to settle`,
      );
    }
    const before = events.length;
    const params = substitute(item.request.params ?? null, captured);
    let outcome: "handled" | "error";
    let payload: unknown;
    let error: ReturnType<typeof wireError> | undefined;
    try {
      payload = await host.call(item.request.method, params);
      outcome = "handled";
    } catch (thrown) {
      error = wireError(thrown);
      outcome = "error";
    }
    const expected = item.expect.outcome.trim().toLowerCase();
    if (outcome !== expected) return [`outcome ${outcome}${error ? ` (${error.code}: ${error.message})` : ""}, expected ${expected}`];
    if (outcome === "handled") {
      for (const check of item.expect.checks ?? []) {
        const failure = runCheck(payload, check);
        if (failure) failures.push(failure);
      }
    } else {
      const wanted = item.expect.error;
      if (wanted?.code !== undefined && error!.code !== (WIRE_CODE[wanted.code] ?? String(wanted.code)))
        failures.push(`error code ${error!.code}, expected ${WIRE_CODE[wanted.code]} (seed ${wanted.code})`);
      if (wanted?.messageContains !== undefined && !error!.message.includes(wanted.messageContains))
        failures.push(`error message ${JSON.stringify(error!.message)} lacks ${JSON.stringify(wanted.messageContains)}`);
      for (const check of item.expect.errorChecks ?? []) {
        const failure = runCheck(error, check);
        if (failure) failures.push(failure);
      }
    }
    const emitted = events.slice(before);
    if (item.expect.event) {
      if (emitted.length !== 1)
        failures.push(`expected exactly one event, got ${emitted.length} (${emitted.map((event) => event.name).join(", ")})`);
      const newest = emitted[emitted.length - 1];
      if (newest) {
        if (newest.name !== item.expect.event.name) failures.push(`event ${newest.name}, expected ${item.expect.event.name}`);
        // The seed stored payloadJSON; Talon emits the payload itself: round-trip it the same way.
        const parsed = JSON.parse(JSON.stringify(newest.payload ?? null));
        for (const check of item.expect.event.checks ?? []) {
          const failure = runCheck(parsed, check);
          if (failure) failures.push(`event: ${failure}`);
        }
      }
    } else if (emitted.length !== 0) {
      failures.push(`expected no event, got ${emitted.map((event) => event.name).join(", ")}`);
    }
    return failures;
  } finally {
    unsubscribe();
    await stop();
  }
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const tally = { pass: [] as string[], fail: [] as string[], notServed: [] as string[] };

test("seed gateway payload corpus: every case Talon serves passes", async (t) => {
  const probe = await startTestHost(TALON_AS_SHIPPED, { gateway: false });
  const served = (method: string) => method === "__sleep__" || probe.host.methods.lookup(method) !== undefined;
  const cases = corpus.cases.map((item) => ({
    item,
    served: [item.request, ...(item.prelude ?? [])].every((request) => served(request.method)),
  }));
  await probe.stop();
  assert.equal(corpus.cases.length, 53, "the corpus has the seed's 53 cases");
  for (const { item, served: isServed } of cases) {
    if (!isServed) {
      tally.notServed.push(item.name);
      continue;
    }
    await t.test(item.name, async () => {
      const failures = await runCase(item);
      (failures.length === 0 ? tally.pass : tally.fail).push(item.name);
      assert.deepEqual(failures, [], `${item.name}:\n  ${failures.join("\n  ")}`);
    });
  }
  assert.ok(tally.pass.length >= 17, "at least the sessions and chat cases are served and pass");
});

after(() => {
  const methods = [
    ...new Set(corpus.cases.filter((item) => tally.notServed.includes(item.name)).map((item) => item.request.method)),
  ].sort();
  console.log(
    `gateway payload corpus: ${tally.pass.length} pass, ${tally.fail.length} fail, ${tally.notServed.length} not served yet (${methods.join(", ")})`,
  );
});
