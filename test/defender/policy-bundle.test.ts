import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import {
  canonicalJson,
  isTalonError,
  signBundle,
  signedPayload,
  verifyBundleSignature,
  verifyBundleText,
  type TalonConfig,
} from "@talon/sdk";
import { createHost } from "../../core/index.ts";
import { createSilentLogger } from "../../core/log.ts";
import { runCli } from "../../core/cli/main.ts";
import { tempDir } from "../helpers/temp-dir.ts";
import { startDefenderHost } from "./harness.ts";

const KEY = "policy-secret";

/** A plugin's raw config in the host config (where the bundle's plugin keys land). */
const entry = (config: TalonConfig, name: string) => config.plugins.entries[name]?.config as Record<string, any>;
const OPS_BUNDLE = {
  version: 1,
  bundleId: "ops-bundle",
  signedAt: "2026-02-18T00:00:00Z",
  policy: {
    reviewThreshold: 25,
    blockThreshold: 55,
    allowedCommandPrefixes: ["git ", "rg "],
    blockedCommandPatterns: ["(?i)rm\\s+-rf\\s+/"],
    promptInjectionPatterns: ["(?i)ignore\\s+all\\s+previous\\s+instructions"],
    toolPolicies: { gateway: "block" },
    toolRiskBonus: { exec: 40 },
    channelRiskBonus: { discord: 15 },
  },
};

function signed(bundle: Record<string, unknown>, key = KEY): string {
  return JSON.stringify({ ...bundle, signature: signBundle(bundle, key) }, null, 2);
}

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(isTalonError(error) && error.code === "TALON_POLICY_BUNDLE_INVALID", String(error));
    return error.bareMessage;
  }
  assert.fail("expected the bundle to be refused");
}

describe("signed policy bundles (seed-defender §6)", () => {
  test("the seed's test vectors", () => {
    const unsigned = { version: 1, policy: { reviewThreshold: 20, blockThreshold: 60 } };
    assert.equal(signedPayload(unsigned), '{"policy":{"blockThreshold":60,"reviewThreshold":20},"version":1}');
    assert.equal(signBundle(unsigned, KEY), "dc923c7073d5a23f952dadf9eaf000e963780e35345b20abc4c7013f7b1d2089");
    assert.equal(signBundle(OPS_BUNDLE, KEY), "cd69e8d8665a708160d56dfa57a7d9f383cfa9286e15830fd13d389912cbaab1");
    assert.equal(signBundle(OPS_BUNDLE, `  ${KEY}\n`), signBundle(OPS_BUNDLE, KEY), "the key is trimmed");
  });

  test("canonical JSON: recursive code-point key order, arrays kept, non-ASCII unescaped", () => {
    assert.equal(
      canonicalJson({ b: [{ z: 1, a: 2 }], a: "é\n", "\u{1F600}": 1, "\uFFFF": 2 }),
      '{"a":"é\\n","b":[{"a":2,"z":1}],"\uFFFF":2,"\u{1F600}":1}',
    );
  });

  test("signatures: lowercase hex, optional sha256: prefix, case and whitespace tolerated; anything else fails", () => {
    const hex = signBundle(OPS_BUNDLE, KEY);
    assert.ok(verifyBundleSignature(OPS_BUNDLE, KEY, hex));
    assert.ok(verifyBundleSignature(OPS_BUNDLE, KEY, ` SHA256:${hex.toUpperCase()} `));
    assert.ok(!verifyBundleSignature(OPS_BUNDLE, "other-key", hex));
    assert.ok(!verifyBundleSignature({ ...OPS_BUNDLE, version: 2 }, KEY, hex), "every member is signed");
    assert.ok(!verifyBundleSignature({ ...OPS_BUNDLE, extra: true }, KEY, hex), "unknown members are signed too");
    assert.ok(!verifyBundleSignature(OPS_BUNDLE, KEY, hex.slice(0, 63)));
  });

  test("a verified bundle's overrides; list entries keep their whitespace (seed §15 item 14)", () => {
    const bundle = verifyBundleText(signed(OPS_BUNDLE), KEY, "ops.json");
    assert.equal(bundle.bundleId, "ops-bundle");
    assert.deepEqual(bundle.fields, [
      "review_threshold",
      "block_threshold",
      "allowed_command_prefixes",
      "blocked_command_patterns",
      "prompt_injection_patterns",
      "tool_policies",
      "tool_risk_bonus",
      "channel_risk_bonus",
      "signed_at",
    ]);
    assert.deepEqual(bundle.overrides.allowed_command_prefixes, ["git ", "rg "], "the seed trimmed `git ` to `git`, which matches `gitk`");
    const aliased = verifyBundleText(
      signed({
        policy: { review_threshold: 10, tool_policies: { " Exec ": "block", "": "allow" }, allowedCommandPrefixes: ["ls ", "  "] },
      }),
      KEY,
      "b.json",
    );
    assert.equal(aliased.overrides.review_threshold, 10);
    assert.deepEqual(aliased.overrides.tool_policies, { exec: "block" });
    assert.deepEqual(aliased.overrides.allowed_command_prefixes, ["ls "]);
    assert.equal(aliased.version, 1);
  });

  test("refusals carry the seed's messages", () => {
    assert.match(
      refusal(() => verifyBundleText(signed(OPS_BUNDLE), undefined, "p")),
      /policy bundle key missing/,
    );
    assert.match(
      refusal(() => verifyBundleText(signed(OPS_BUNDLE), "  ", "p")),
      /policy bundle key cannot be empty/,
    );
    assert.match(
      refusal(() => verifyBundleText("{not json", KEY, "p")),
      /failed parsing policy bundle JSON p/,
    );
    assert.match(
      refusal(() => verifyBundleText("[1]", KEY, "p")),
      /policy bundle root must be an object/,
    );
    assert.match(
      refusal(() => verifyBundleText(JSON.stringify(OPS_BUNDLE), KEY, "p")),
      /policy bundle signature missing/,
    );
    assert.match(
      refusal(() => verifyBundleText(signed(OPS_BUNDLE, "wrong"), KEY, "p")),
      /policy bundle signature verification failed/,
    );
    assert.match(
      refusal(() => verifyBundleText(signed({ policy: { reviewThreshold: 300 } }), KEY, "p")),
      /invalid policy bundle schema p: policy.reviewThreshold/,
    );
    assert.match(
      refusal(() => verifyBundleText(signed({ policy: { allowedCommandPrefixes: [" "] } }), KEY, "p")),
      /empty allowed command prefixes/,
    );
    assert.match(
      refusal(() => verifyBundleText(signed({ policy: { promptInjectionPatterns: [] } }), KEY, "p")),
      /empty prompt injection pattern list/,
    );
    assert.match(
      refusal(() => verifyBundleText(signed({ policy: { blockedCommandPatterns: [""] } }), KEY, "p")),
      /empty blocked command pattern list/,
    );
  });
});

describe("policy bundles in the host", () => {
  test("a valid bundle applies at start-up: thresholds, bonuses and floors take effect", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "policy.json"), signed(OPS_BUNDLE));
    const { host } = await startDefenderHost({
      cwd: dir,
      config: { security: { policy_bundle_path: "policy.json", policy_bundle_key: KEY } },
    });
    assert.equal(host.config.security.review_threshold, 25);
    assert.deepEqual(entry(host.config, "defender-command").allowedCommandPrefixes, ["git ", "rg "], "through the table of seed keys");
    assert.deepEqual(entry(host.config, "defender-prompt").promptInjectionPatterns, ["(?i)ignore\\s+all\\s+previous\\s+instructions"]);
    const decision = host.defender.decisionOf(
      await host.defender.evaluate({ id: "b1", tool: "bash", channel: "discord", command: "git status" }),
    )!;
    assert.equal(decision.risk_score, 55, "exec +40 (bash is exec) and discord +15");
    assert.equal(decision.action, "block");
    const gateway = host.defender.decisionOf(await host.defender.evaluate({ id: "b2", tool: "gateway", prompt: "restart" }))!;
    assert.equal(gateway.action, "block");
    assert.ok(gateway.tags.includes("tool_policy"));
  });

  test("a bad bundle stops start-up with a clear message", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "policy.json"), signed(OPS_BUNDLE, "not-the-key"));
    await assert.rejects(
      createHost({
        config: {
          inline: { state: { url: "memory" }, security: { policy_bundle_path: "policy.json", policy_bundle_key: KEY } },
          env: {},
          cwd: dir,
        },
        log: createSilentLogger(),
      }),
      (error: unknown) =>
        isTalonError(error) && error.code === "TALON_POLICY_BUNDLE_INVALID" && /signature verification failed/.test(error.message),
    );
    await assert.rejects(
      createHost({
        config: {
          inline: { state: { url: "memory" }, security: { policy_bundle_path: "missing.json", policy_bundle_key: KEY } },
          env: {},
          cwd: dir,
        },
        log: createSilentLogger(),
      }),
      (error: unknown) => isTalonError(error) && /failed reading policy bundle/.test(error.message),
    );
  });

  test("reload: a bad signature is refused loudly and the previous policy is kept; a good change applies", async () => {
    const dir = await tempDir();
    const bundleFile = join(dir, "policy.json");
    await writeFile(bundleFile, signed(OPS_BUNDLE));
    const configFile = join(dir, "talon.json");
    const config = (extra: Record<string, unknown> = {}) =>
      JSON.stringify({
        state: { url: "memory" },
        plugins: { builtin: ["decision-policy"] },
        gateway: { server: { reload_interval_secs: 0 } },
        security: { protect_paths: [], policy_bundle_path: "policy.json", policy_bundle_key: KEY, ...extra },
      });
    await writeFile(configFile, config());
    const lines: string[] = [];
    const log = createSilentLogger();
    const capture = {
      ...log,
      error: (obj: unknown, msg?: string) => lines.push(`${JSON.stringify(obj)} ${msg}`),
      child: () => capture,
    } as unknown as typeof log;
    const host = await createHost({ config: { file: configFile, env: {}, cwd: dir }, gateway: false, log: capture });
    await host.start();
    try {
      assert.equal(host.config.security.block_threshold, 55);
      // The bundle file is replaced by one signed with another key, and the config changes too.
      await writeFile(bundleFile, signed({ ...OPS_BUNDLE, policy: { ...OPS_BUNDLE.policy, blockThreshold: 90 } }, "attacker"));
      await writeFile(configFile, config({ quarantine_dir: "q2" }));
      await host.applyConfig(await (await import("../../core/config/load.ts")).loadConfig({ file: configFile, env: {}, cwd: dir }));
      assert.equal(entry(host.config, "quarantine").dir, "q2", "the rest of the reload applies");
      assert.equal(host.config.security.block_threshold, 55, "the previous policy is kept");
      assert.deepEqual(entry(host.config, "decision-policy").toolRiskBonus, { exec: 40 });
      assert.ok(
        lines.some((line) => /policy bundle refused; keeping the previous policy: policy bundle signature verification failed/.test(line)),
      );
      // A correctly signed change of the bundle file alone is picked up.
      await writeFile(bundleFile, signed({ ...OPS_BUNDLE, policy: { ...OPS_BUNDLE.policy, blockThreshold: 80 } }));
      assert.equal(await host.checkPolicyBundle(), true);
      assert.equal(host.config.security.block_threshold, 80);
      assert.equal(entry(host.config, "quarantine").dir, "q2");
      assert.equal(await host.checkPolicyBundle(), false, "unchanged file: nothing to do");
    } finally {
      await host.stop();
    }
  });
});

describe("talon policy sign / verify", () => {
  const run = async (argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, { out: (text) => out.push(text), err: (text) => err.push(text), env, cwd });
    return { code, out: out.join("\n"), err: err.join("\n") };
  };

  test("sign writes a bundle that verifies; tampering or the wrong key fails with exit 7", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "bundle.json"), JSON.stringify(OPS_BUNDLE));
    const signedRun = await run(["policy", "sign", "bundle.json", "--key", KEY, "--in-place"], dir);
    assert.equal(signedRun.code, 0, signedRun.err);
    const written = JSON.parse(await readFile(join(dir, "bundle.json"), "utf8"));
    assert.equal(written.signature, "cd69e8d8665a708160d56dfa57a7d9f383cfa9286e15830fd13d389912cbaab1");
    const ok = await run(["policy", "verify", "bundle.json", "--key", KEY], dir);
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /valid \(bundle ops-bundle, version 1, signed 2026-02-18T00:00:00Z; overrides review_threshold/);
    const wrongKey = await run(["policy", "verify", "bundle.json"], dir, { TALON_POLICY_BUNDLE_KEY: "other" });
    assert.equal(wrongKey.code, 7);
    assert.match(wrongKey.err, /signature verification failed/);
    await writeFile(join(dir, "bundle.json"), JSON.stringify({ ...written, policy: { ...written.policy, blockThreshold: 99 } }));
    assert.equal((await run(["policy", "verify", "bundle.json", "--key", KEY], dir)).code, 7);
  });

  test("sign prints to stdout, reads --key-file, and refuses a bundle that would not apply", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "key.txt"), `${KEY}\n`);
    await writeFile(join(dir, "b.json"), JSON.stringify({ version: 1, policy: { reviewThreshold: 20, blockThreshold: 60 } }));
    const printed = await run(["policy", "sign", "b.json", "--key-file", "key.txt"], dir);
    assert.equal(printed.code, 0, printed.err);
    assert.equal(JSON.parse(printed.out).signature, "dc923c7073d5a23f952dadf9eaf000e963780e35345b20abc4c7013f7b1d2089");
    await writeFile(join(dir, "bad.json"), JSON.stringify({ policy: { reviewThreshold: 70, blockThreshold: 60 } }));
    const bad = await run(["policy", "sign", "bad.json", "--key", KEY], dir);
    assert.equal(bad.code, 3);
    assert.match(bad.err, /invalid thresholds/);
    assert.equal((await run(["policy", "sign", "b.json"], dir)).code, 2, "no key: usage error");
    assert.equal((await run(["policy", "verify"], dir)).code, 2);
  });
});
