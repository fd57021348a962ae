import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { Decision } from "@talon/sdk";
import { createTestHost } from "@talon/sdk/testing";
import { startFakeVirusTotal, type FakeVirusTotal } from "./fake.ts";

const urlId = (url: string) => Buffer.from(url).toString("base64url");
const tempDir = () => mkdtemp(join(tmpdir(), "talon-vt-"));

async function vtHost(fake: FakeVirusTotal, config: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  const host = await createTestHost({
    plugins: [new URL("./index.ts", import.meta.url)],
    // A generous evaluation deadline: the VirusTotal time limit, not a loaded test machine, must be what bounds these.
    config: { runtime: { eval_timeout_ms: 30_000 }, ...extra },
    pluginConfig: { virustotal: { apiKey: fake.apiKey, baseUrl: fake.baseUrl, ...config } },
  });
  const decide = async (input: Record<string, unknown>): Promise<Decision> =>
    (await host.decide({ id: `a-${Math.random()}`, ...input })).decision;
  return { host, decide };
}

async function fake(): Promise<FakeVirusTotal> {
  const server = await startFakeVirusTotal();
  after(() => server.close());
  return server;
}

test("URL lookups use the unpadded base64url id and the x-apikey header; malicious blocks", async () => {
  const vt = await fake();
  vt.urls.set(urlId("http://malware.example/dropper"), { malicious: 12, harmless: 40 });
  const { decide } = await vtHost(vt);
  const decision = await decide({ url: "http://MALWARE.example/dropper#x" });
  assert.equal(decision.action, "block");
  assert.ok(decision.tags.includes("vt_url_malicious"));
  assert.deepEqual(
    vt.requests.map((r) => [r.path, r.apiKey]),
    [[`/api/v3/urls/${urlId("http://malware.example/dropper")}`, vt.apiKey]],
  );
  assert.ok(!vt.requests[0]!.path.includes("="));
});

test("answers and not-found answers are cached; a clean URL adds a tag, not risk", async () => {
  const vt = await fake();
  vt.urls.set(urlId("https://docs.example/"), { harmless: 70 });
  const { decide } = await vtHost(vt);
  const first = await decide({ url: "https://docs.example/" });
  const again = await decide({ url: "https://docs.example/" });
  assert.ok(first.tags.includes("vt_url_clean") && first.action === "allow");
  assert.ok(again.reasons.some((reason) => reason.includes("cached")));
  const unknown = await decide({ url: "https://never-seen.example/x" });
  assert.ok(unknown.tags.includes("vt_url_unknown") && unknown.tags.includes("unknown"));
  await decide({ url: "https://never-seen.example/x" });
  assert.equal(vt.requests.length, 2, "one request per URL, cached afterwards (404 too)");
});

test("the public quota is enforced locally and a 429 pauses lookups", async () => {
  const vt = await fake();
  const { decide } = await vtHost(vt, { ratePerMinute: 2 });
  await decide({ url: "https://a.example/" });
  await decide({ url: "https://b.example/" });
  const third = await decide({ url: "https://c.example/" });
  assert.equal(vt.requests.length, 2);
  assert.ok(third.tags.includes("unknown") && third.reasons.some((reason) => reason.includes("2 lookups a minute")));

  const limited = await fake();
  limited.quotaAfter = 0;
  limited.retryAfterSeconds = 120;
  const second = await vtHost(limited);
  const quota = await second.decide({ url: "https://d.example/" });
  assert.ok(quota.reasons.some((reason) => reason.includes("429") && reason.includes("QuotaExceededError")));
  const paused = await second.decide({ url: "https://e.example/" });
  assert.equal(limited.requests.length, 1, "no request while VirusTotal asked us to wait");
  assert.ok(paused.reasons.some((reason) => reason.includes("asked to wait")));
});

test("a hanging, failing or garbage-returning VirusTotal gives a bounded, explained `unknown`, never clean", async () => {
  const vt = await fake();
  const { decide } = await vtHost(vt, { timeoutMs: 500, failureMode: "review", ratePerMinute: 100 });
  for (const [mode, text] of [
    ["hang", "timed out after 500 ms"],
    ["garbage", "not JSON"],
    ["error500", "500"],
    ["huge", "larger than"],
    ["no-stats", "last_analysis_stats"],
  ] as const) {
    vt.mode = mode;
    vt.urls.set(urlId(`https://${mode}.example/`), { harmless: 1 });
    const decision = await decide({ url: `https://${mode}.example/` });
    assert.equal(decision.action, "review", mode);
    assert.ok(decision.tags.includes("unknown") && !decision.tags.includes("vt_url_clean"), mode);
    assert.ok(
      decision.reasons.some((reason) => reason.includes(text)),
      `${mode}: ${decision.reasons.join(" | ")}`,
    );
  }
});

test("a wrong key is reported without the key; no key means no lookups", async () => {
  const vt = await fake();
  const { decide } = await vtHost(vt, { apiKey: "wrong-key-xyz" });
  const decision = await decide({ url: "https://a.example/" });
  assert.ok(decision.reasons.some((reason) => reason.includes("API key was rejected")));
  assert.ok(!decision.reasons.join(" ").includes("wrong-key-xyz"));
  const none = await vtHost(vt, { apiKey: "   " });
  const before = vt.requests.length;
  await none.decide({ url: "https://b.example/" });
  assert.equal(vt.requests.length, before);
});

test("files: streamed SHA-256 of regular files inside the roots only; no /dev, no symlink escapes, no FIFOs, size cap", async () => {
  const vt = await fake();
  const root = await tempDir();
  const inside = join(root, "payload.bin");
  await writeFile(inside, Buffer.alloc(200_000, 7));
  const sha = createHash("sha256").update(Buffer.alloc(200_000, 7)).digest("hex");
  vt.files.set(sha, { malicious: 3 });
  await symlink("/etc/passwd", join(root, "escape"));
  execFileSync("mkfifo", [join(root, "pipe")]);
  await mkdir(join(root, "dir"));
  await writeFile(join(root, "big.bin"), Buffer.alloc(5000));
  const { decide } = await vtHost(vt, { fileRoots: [root], maxFileBytes: 4096 * 100 });
  const malicious = await decide({ filePath: inside });
  assert.equal(malicious.action, "block");
  assert.deepEqual(
    vt.requests.map((r) => r.path),
    [`/api/v3/files/${sha}`],
  );
  const refused = async (path: string, text: string) => {
    const decision = await decide({ filePath: path });
    assert.ok(decision.tags.includes("unknown") || decision.tags.includes("vt_file_missing"), path);
    assert.ok(
      decision.reasons.some((reason) => reason.includes(text)),
      `${path}: ${decision.reasons.join(" | ")}`,
    );
  };
  await refused("/etc/hosts", "outside the VirusTotal file roots");
  await refused("/dev/zero", "device or kernel file");
  await refused(join(root, "escape"), "outside the VirusTotal file roots");
  await refused(join(root, "pipe"), "not a regular file");
  await refused(join(root, "dir"), "not a regular file");
  await refused(join(root, "missing.bin"), "does not exist");
  // Outside the roots, whether a path exists is not revealed: the same refusal either way.
  for (const path of ["/etc/hostname-talon-missing", join(root, "..", "talon-missing-sibling"), "/etc/hosts"]) {
    const decision = await decide({ filePath: path });
    assert.ok(!decision.tags.includes("vt_file_missing"), path);
    assert.ok(
      decision.reasons.some((reason) => reason.includes("outside the VirusTotal file roots")),
      `${path}: ${decision.reasons.join(" | ")}`,
    );
  }
  const small = await vtHost(vt, { fileRoots: [root], maxFileBytes: 1000 });
  const big = await small.decide({ filePath: join(root, "big.bin") });
  assert.ok(big.reasons.some((reason) => reason.includes("over the 1000-byte limit")));
  assert.equal(vt.requests.length, 1, "refused files never reach VirusTotal");
});

test("the daily quota survives a restart (SQLite store)", async () => {
  const vt = await fake();
  const dir = await tempDir();
  const state = { state: { url: `sqlite://${join(dir, "talon.sqlite")}` } };
  const first = await vtHost(vt, { ratePerDay: 1 }, state);
  await first.decide({ url: "https://one.example/" });
  await first.host.stop();
  const second = await vtHost(vt, { ratePerDay: 1 }, state);
  const refused = await second.decide({ url: "https://two.example/" });
  assert.equal(vt.requests.length, 1);
  assert.ok(refused.reasons.some((reason) => reason.includes("1 lookups a day")));
});
