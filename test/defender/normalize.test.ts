import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { normalizeAction } from "../../core/defender/normalize.ts";

describe("normalisation", () => {
  test("canonical session key, tool and channel aliases, digest over content", () => {
    const a = normalizeAction(
      { id: "1", sessionKey: " discord:group:g1 ", tool: "Bash", channel: "TG", command: "ls" },
      { origin: "rpc", source: "rpc" },
    );
    assert.equal(a.sessionKey, "agent:main:discord:group:g1");
    assert.equal(a.rawSessionKey, " discord:group:g1 ");
    assert.equal(a.tool, "exec");
    assert.equal(a.channel, "telegram");
    const b = normalizeAction(
      { id: "2", sessionKey: "agent:main:discord:group:g1", tool: "exec", channel: "telegram", command: "ls" },
      { origin: "rpc", source: "rpc" },
    );
    assert.equal(a.digest, b.digest, "same content, same digest, whatever the id");
    const c = normalizeAction(
      { id: "1", sessionKey: "discord:group:g1", tool: "exec", channel: "telegram", command: "ls -la" },
      { origin: "rpc", source: "rpc" },
    );
    assert.notEqual(a.digest, c.digest);
    assert.equal(normalizeAction({ prompt: "x" }, { origin: "rpc", source: "rpc" }).sessionKey, "global");
  });
});
