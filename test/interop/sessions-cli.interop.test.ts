/**
 * The real upstream `openclaw gateway call` CLI (openclaw@2026.9.6) drives Talon's sessions
 * through the flow an operator runs: patch → list → resolve → preview → reset → delete. Each call
 * must succeed and carry the fields upstream's own gateway returned for the same call
 * (parity/captures/upstream-cli-session.jsonl), plus the seed's.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { before, test } from "node:test";
import { ensureUpstream, openclawCall } from "../helpers/upstream.ts";
import { startTestHost } from "../helpers/host.ts";

/** Upstream's payload per method, from the captured CLI session (the last call of each method wins). */
function capturedPayloads(): Map<string, any> {
  const requests = new Map<string, string>();
  const payloads = new Map<string, any>();
  for (const line of readFileSync(new URL("../../parity/captures/upstream-cli-session.jsonl", import.meta.url), "utf8").split("\n")) {
    if (!line.trim()) continue;
    const frame = JSON.parse(line).frame;
    if (frame?.type === "req") requests.set(frame.id, frame.method);
    if (frame?.type === "res" && frame.ok && requests.has(frame.id)) payloads.set(requests.get(frame.id)!, frame.payload);
  }
  return payloads;
}

const upstream = capturedPayloads();

/**
 * Upstream fields Talon does not produce, with the reason. Everything else upstream returned must
 * be present in Talon's answer.
 */
const UPSTREAM_ONLY = new Set([
  "owners", // multi-user ownership (2026.9 profiles): Talon has no user profiles
  "lifecycleRevision", // optimistic-concurrency token; Talon checks expectedSessionId instead
  "createdVia",
  "agentRuntime",
  "runtimeSelectionLocked",
  "systemSent",
  "abortedLastRun",
  "delivery",
  "inputTokens",
  "outputTokens",
  "totalTokens",
  "totalTokensVersion",
  "modelProvider", // Talon runs no model: these appear only when a session overrides them
  "model",
]);

function missingFields(talon: any, reference: any, path = ""): string[] {
  if (reference === null || typeof reference !== "object" || Array.isArray(reference)) return [];
  const missing: string[] = [];
  for (const [key, value] of Object.entries(reference)) {
    if (UPSTREAM_ONLY.has(key)) continue;
    if (talon === null || typeof talon !== "object" || !(key in talon)) {
      missing.push(`${path}/${key}`);
      continue;
    }
    if (key === "defaults" || key === "resolved") continue; // values differ by design (no model)
    if (value && typeof value === "object" && !Array.isArray(value)) missing.push(...missingFields(talon[key], value, `${path}/${key}`));
  }
  return missing;
}

before(async () => {
  await ensureUpstream();
});

test("the upstream CLI runs the sessions flow against Talon", { timeout: 300_000 }, async () => {
  const { url, token } = await startTestHost({ plugins: { builtin: ["sessions"] } });
  const cli = async (method: string, params: unknown) => {
    const result = await openclawCall(method, { url, token, params, timeoutMs: 20_000 });
    assert.equal(result.code, 0, `${method} exits 0: ${result.stdout}\n${result.stderr.slice(-2000)}`);
    assert.ok(result.json, `${method} prints JSON`);
    return result.json;
  };
  const key = "agent:main:capture-1";

  const patched = await cli("sessions.patch", { key, label: "capture one" });
  assert.equal(patched.ok, true);
  assert.equal(patched.key, key);
  assert.equal(typeof patched.path, "string");
  assert.equal(patched.entry.label, "capture one");
  assert.equal(typeof patched.entry.sessionId, "string");
  assert.equal(typeof patched.entry.updatedAt, "number");
  assert.deepEqual(missingFields(patched, upstream.get("sessions.patch")), []);

  const listed = await cli("sessions.list", {});
  assert.equal(listed.count, 1);
  assert.equal(listed.totalCount, 1);
  assert.equal(listed.hasMore, false);
  assert.equal(listed.nextOffset, null);
  const row = listed.sessions[0];
  assert.deepEqual(
    [row.key, row.label, row.displayName, row.agentId, row.kind, row.sessionId],
    [key, "capture one", "capture one", "main", "direct", patched.entry.sessionId],
  );
  const upstreamRow = upstream.get("sessions.list").sessions[0];
  const rowFields = [
    "key",
    "kind",
    "label",
    "displayName",
    "agentId",
    "sessionId",
    "updatedAt",
    "totalTokensFresh",
    "hasActiveRun",
    "activeRunIds",
  ];
  for (const field of rowFields) assert.ok(field in upstreamRow && field in row, `row field ${field} (upstream has it, Talon must too)`);
  assert.deepEqual(missingFields({ ...listed, sessions: undefined }, { ...upstream.get("sessions.list"), sessions: undefined }), []);

  assert.deepEqual(await cli("sessions.resolve", { key }), { ok: true, key, agentId: "main", displayName: "capture one" });
  assert.equal((await cli("sessions.resolve", { label: "capture one" })).key, key);

  const preview = await cli("sessions.preview", { keys: [key] });
  assert.deepEqual(preview.previews, [{ key, status: "empty", items: [] }]);
  assert.equal(typeof preview.ts, "number");

  const reset = await cli("sessions.reset", { key, reason: "reset" });
  assert.equal(reset.ok, true);
  assert.equal(reset.key, key);
  assert.equal(reset.entry.label, "capture one");
  assert.equal(typeof reset.entry.sessionStartedAt, "number");
  assert.notEqual(reset.entry.sessionId, patched.entry.sessionId, "Talon rotates the sessionId on reset (the seed's rule)");
  assert.deepEqual(missingFields(reset, upstream.get("sessions.reset")), []);

  const deleted = await cli("sessions.delete", { key });
  assert.deepEqual([deleted.ok, deleted.key, deleted.deleted, Array.isArray(deleted.archived)], [true, key, true, true]);
  assert.deepEqual(missingFields(deleted, upstream.get("sessions.delete")), []);
  assert.deepEqual(await cli("sessions.resolve", { key, allowMissing: true }), { ok: false });

  const missing = await openclawCall("sessions.resolve", { url, token, params: { key } });
  assert.equal(missing.code, 1);
  assert.equal(missing.json.error.type, "gateway_request_error");
  assert.equal(missing.json.error.code, "INVALID_REQUEST");
  assert.equal(missing.json.error.message, `session not found: ${key}`);
});
