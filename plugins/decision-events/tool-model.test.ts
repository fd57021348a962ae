import assert from "node:assert/strict";
import { test } from "node:test";
import { modelToolCall, patchPaths } from "./tool-model.ts";

const fields = (tool: string, params: unknown) =>
  modelToolCall(tool, params).fields.map((field) => `${field.kind} ${field.path} ${field.value}`);

test("OpenClaw's tools are modelled by what they do", () => {
  assert.deepEqual(fields("exec", { command: "git status", workdir: "/srv" }), ["command /params/command git status"]);
  assert.deepEqual(fields("process", { action: "write", sessionId: "s", data: "rm -rf /\n" }), ["command /params/data rm -rf /\n"]);
  assert.deepEqual(fields("process", { action: "send-keys", sessionId: "s", hex: ["72", "6d"] }), ["command /params/hex rm"]);
  assert.deepEqual(fields("read", { path: "~/.ssh/id_rsa", offset: 1 }), ["file /params/path ~/.ssh/id_rsa"]);
  assert.deepEqual(fields("write", { path: "a.txt", content: "x" }), ["file /params/path a.txt"]);
  assert.deepEqual(fields("ls", {}), []);
  assert.deepEqual(fields("web_fetch", { url: "http://169.254.169.254/", extractMode: "text" }), [
    "url /params/url http://169.254.169.254/",
  ]);
  assert.deepEqual(fields("browser", { action: "open", targetUrl: "https://a.example", paths: ["/etc/passwd"] }), [
    "url /params/targetUrl https://a.example",
    "file /params/paths/0 /etc/passwd",
  ]);
});

test("apply_patch paths come from the patch headers", () => {
  const patch =
    "*** Begin Patch\n*** Add File: a.txt\n+x\n*** Update File: src/b.ts\n*** Move to: /etc/cron.d/b\n@@\n-a\n+b\n*** Delete File: ~/.bashrc\n*** End Patch\n";
  assert.deepEqual(patchPaths(patch).paths, ["a.txt", "src/b.ts", "/etc/cron.d/b", "~/.bashrc"]);
  assert.deepEqual(patchPaths("--- a/x.py\n+++ b/x.py\n@@\n").paths, ["x.py", "x.py"]);
  assert.deepEqual(fields("apply_patch", { input: "*** Begin Patch\n*** Add File: /etc/sudoers.d/x\n+u ALL\n*** End Patch" }), [
    "file /params/input#file0 /etc/sudoers.d/x",
  ]);
});

test("a tool_call dispatch is modelled as its inner call; unknown tools by their keys", () => {
  assert.deepEqual(fields("tool_call", { id: "exec", args: { command: "id" } }), ["command /params/args/command id"]);
  assert.deepEqual(fields("tool_call", { id: "bash", args: { command: "id" } }), ["command /params/args/command id"]);
  assert.deepEqual(
    fields("tool_call", { id: "tool_call", args: { id: "exec", args: { command: "id" } } }),
    [],
    "no dispatch of a dispatch",
  );
  assert.deepEqual(
    fields("vendor_tool", { nested: { file: "/etc/shadow", list: ["ftp://x.example/a", "plain"] }, note: "https://y.example" }),
    ["file /params/nested/file /etc/shadow", "url /params/nested/list/0 ftp://x.example/a", "url /params/note https://y.example"],
  );
});
