import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { runCli } from "../../core/cli/main.ts";
import { withCommandHost } from "../../core/cli/plugin-commands.ts";
import { runReplayFile, type HostRunner } from "../../plugins/replay/runner.ts";
import { tempDir } from "../helpers/temp-dir.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** Hosts as `talon replay` gets them (the command's `ctx.withHost`). */
const withHost: HostRunner = (options, body) => withCommandHost({ env: {}, cwd: ROOT }, "replay", new Map(), options, body);

async function cli(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (text) => out.push(text), err: (text) => err.push(text), env: {}, cwd: ROOT });
  return { code, out, err };
}

describe("talon replay", () => {
  test("the seed's replay corpus passes with only its envelope adapted (seed-defender §13.1)", async () => {
    const report = await runReplayFile("parity/replay/replay-basic.json", { cwd: ROOT, withHost });
    assert.equal(report.format, "decisions");
    assert.deepEqual(
      report.cases.map((entry) => [entry.name, entry.pass]),
      [
        ["allow-safe-exec-discord", true],
        ["block-destructive-command", true],
        ["review-policy-browser", true],
      ],
      JSON.stringify(report.cases, null, 2),
    );
    const result = await cli(["replay", "parity/replay/replay-basic.json"]);
    assert.equal(result.code, 0, result.out.join("\n"));
    assert.match(result.out.at(-1)!, /3 cases, 3 passed, 0 failed$/);
  });

  test("the seed's session-routing corpus passes with only its envelope adapted (seed-gateway §6.3)", async () => {
    const report = await runReplayFile("parity/replay/session-routing.json", { cwd: ROOT, withHost });
    assert.equal(report.format, "routing");
    assert.deepEqual(
      report.cases.map((entry) => [entry.name, entry.pass]),
      [
        ["mention_activation_requires_mention", true],
        ["steer_mode_keeps_latest_followup", true],
        ["followup_queue_pressure_preserves_fifo_prefix", true],
      ],
      JSON.stringify(report.cases, null, 2),
    );
    assert.match(
      report.cases[2]!.detail,
      /refused for capacity \[req-18,req-19,req-20,req-21,req-22,req-23,req-24\]/,
      "the seed dropped these silently",
    );
  });

  test("prints PASS/FAIL per case and a summary; exit 7 when a case fails", async () => {
    const dir = await tempDir();
    const corpus = join(dir, "corpus.json");
    await writeFile(
      corpus,
      JSON.stringify({
        talon: { config: { plugins: { builtin: ["decision-policy", "frame-extract"] } } },
        cases: [
          {
            name: "safe",
            frame: { type: "event", event: "agent", payload: { id: "c1", tool: "exec", channel: "discord", command: "git status" } },
            expect: { action: "allow", min_risk: 30, tags_include: ["tool_risk_bonus"] },
          },
          {
            name: "wrong-on-purpose",
            frame: { type: "event", event: "agent", payload: { id: "c2", prompt: "hello" } },
            expect: { action: "block" },
          },
          { name: "not-an-action", frame: { type: "event", event: "tick", payload: { ts: 1 } }, expect: { action: "allow" } },
        ],
      }),
    );
    const result = await cli(["replay", corpus]);
    assert.equal(result.code, 7);
    assert.match(result.out[0]!, /^PASS safe: allow risk=30/);
    assert.match(result.out[1]!, /^FAIL wrong-on-purpose: action allow != block/);
    assert.match(result.out[2]!, /^FAIL not-an-action: expected allow, got no decision/);
    assert.match(result.out[3]!, /3 cases, 1 passed, 2 failed$/);
    const usage = await cli(["replay", join(dir, "missing.json")]);
    assert.equal(usage.code, 2);
  });
});
