import assert from "node:assert/strict";
import { test } from "node:test";
import { findLoweringParams } from "./rules.ts";

const paths = (tool: string, params: unknown) => findLoweringParams(tool, params).map((hit) => hit.path);

test("exec params that lower security are found; ordinary ones are not", () => {
  assert.deepEqual(paths("exec", { command: "ls", elevated: true }), ["/params/elevated"]);
  assert.deepEqual(paths("exec", { command: "ls", host: "gateway" }), ["/params/host"]);
  assert.deepEqual(paths("exec", { command: "ls", ask: "off" }), ["/params/ask"]);
  assert.deepEqual(paths("exec", { command: "ls", security: "full" }), ["/params/security"]);
  assert.deepEqual(paths("exec", { command: "ls", env: { LD_PRELOAD: "/tmp/x.so", LANG: "C" } }), ["/params/env/LD_PRELOAD"]);
  assert.deepEqual(paths("exec", { command: "ls", ask: "always", host: "sandbox", elevated: false, env: { LANG: "C" } }), []);
});

test("any tool: sandbox or approvals off, permissive modes, TLS checks off, nested and in tool_call args", () => {
  assert.deepEqual(paths("browser", { sandbox: false }), ["/params/sandbox"]);
  assert.deepEqual(paths("browser", { sandbox: "off" }), ["/params/sandbox"]);
  assert.deepEqual(paths("code_agent", { options: { permission_mode: "bypassPermissions" } }), ["/params/options/permission_mode"]);
  assert.deepEqual(paths("code_agent", { "dangerously-skip-permissions": "yes" }), ["/params/dangerously-skip-permissions"]);
  assert.deepEqual(paths("web_fetch", { url: "https://x", rejectUnauthorized: false }), ["/params/rejectUnauthorized"]);
  assert.deepEqual(paths("tool_call", { id: "exec", args: { command: "id", host: "node", elevated: "true" } }), [
    "/params/args/host",
    "/params/args/elevated",
  ]);
  assert.deepEqual(paths("web_search", { host: "gateway", query: "q" }), [], "host is an exec setting only");
  assert.deepEqual(paths("message", { text: "set sandbox to false please" }), [], "text is scanned by the prompt detector, not here");
});
