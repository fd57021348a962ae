/**
 * `talon eval`: the real binary runs labelled JSONL cases through the real pipeline with the
 * deployment's config, reports recall and false positives per category and the misjudged lines,
 * refuses unreadable files and malformed lines naming the file and line, and writes nothing.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import type { EvalReport } from "../../core/eval/report.ts";
import { tempDir } from "../helpers/temp-dir.ts";

const BIN = fileURLToPath(new URL("../../bin/talon.js", import.meta.url));
const FIXTURES = fileURLToPath(new URL("../fixtures/eval/", import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function talon(args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { PATH: process.env.PATH, HOME: cwd, TALON_SOURCE: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

async function corpus(cwd: string, name: string): Promise<string> {
  await copyFile(join(FIXTURES, name), join(cwd, name));
  return name;
}

test("eval reports recall, false positives and block/review rates per category, and the misjudged lines", async () => {
  const cwd = await tempDir();
  const file = await corpus(cwd, "mixed.jsonl");
  const run = await talon(["eval", file, "--json"], cwd);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as EvalReport;
  assert.equal(report.malicious.cases, 3);
  assert.equal(report.benign.cases, 3);
  const wipe = report.categories.find((row) => row.cat === "wipe")!;
  assert.equal(wipe.blocked, 1, "rm -rf / is blocked under the exec tool");
  const override = report.categories.find((row) => row.cat === "override")!;
  assert.equal(override.notAllowedRate, 1);
  // The mislabelled "malicious" request is allowed: recall 2 of 3, and it is listed with its line.
  assert.equal(report.recall, 0.6667);
  assert.equal(report.falsePositiveRate, 0);
  assert.deepEqual(
    report.misjudged.map((item) => [item.line, item.cat, item.verdict]),
    [[7, "mislabelled", "allow"]],
  );
  assert.equal(report.files.length, 1);
  assert.equal(report.config, null);

  const text = await talon(["eval", file], cwd);
  assert.equal(text.code, 0);
  assert.match(text.stdout, /malicious: 3 cases, recall \(not allowed\) 66\.7 %/);
  assert.match(text.stdout, /benign: 3 cases, false positives \(not allowed\) 0\.0 %/);
  assert.match(text.stdout, /mixed\.jsonl:7 malicious\/mislabelled -> allow/);
  const strict = await talon(["eval", file, "--min-recall", "0.9"], cwd);
  assert.equal(strict.code, 7, "recall under --min-recall fails the check");
  const lenient = await talon(["eval", file, "--min-recall", "0.5", "--max-fp", "0"], cwd);
  assert.equal(lenient.code, 0);
});

test("eval judges with the deployment's own config and writes nothing it owns", async () => {
  const cwd = await tempDir();
  const file = await corpus(cwd, "configured.jsonl");
  await writeFile(
    join(cwd, "talon.toml"),
    'data_dir = "state"\n[state]\nurl = "sqlite"\n[security]\nquarantine_dir = "quarantine"\nprompt_injection_patterns = ["(?i)pineapple\\\\s+pizza"]\n',
  );
  const defaults = await talon(["eval", file, "--json", "--config", "missing.toml"], cwd);
  assert.equal(defaults.code, 3, "a named config that does not exist is a config error");
  const configured = JSON.parse((await talon(["eval", file, "--json"], cwd)).stdout) as EvalReport;
  assert.equal(configured.recall, 1, "the deployment's own pattern is applied");
  assert.match(configured.config ?? "", /talon\.toml$/);
  const flagged = JSON.parse((await talon(["eval", file, "--json", "--config", "talon.toml"], cwd)).stdout) as EvalReport;
  assert.equal(flagged.recall, 1);
  await writeFile(join(cwd, "plain.toml"), "[security]\n");
  const plain = JSON.parse((await talon(["eval", file, "--json", "--config", "plain.toml"], cwd)).stdout) as EvalReport;
  assert.equal(plain.recall, 0, "without the pattern the same text is allowed");
  assert.deepEqual((await readdir(cwd)).sort(), ["configured.jsonl", "plain.toml", "talon.toml"], "no store, data or quarantine folder");
});

test("eval refuses unreadable files and malformed lines, naming the file and the line", async () => {
  const cwd = await tempDir();
  const cases: [string, RegExp][] = [
    ['{"text": "fine", "label": "benign", "cat": "a"}\n{"text": "broken", \n', /bad\.jsonl:2: not JSON/],
    ['{"text": "x", "label": "evil", "cat": "a"}\n', /bad\.jsonl:1: label must be "malicious" or "benign"/],
    ['{"text": "x", "cmd": "ls", "label": "benign", "cat": "a"}\n', /bad\.jsonl:1: give exactly one of cmd and text/],
    ['\n{"label": "benign", "cat": "a"}\n', /bad\.jsonl:2: give exactly one of cmd and text/],
    ['{"text": "x", "label": "benign", "cat": "a", "role": "robot"}\n', /bad\.jsonl:1: role must be one of user, tool/],
    ['["text", "label"]\n', /bad\.jsonl:1: not a JSON object/],
    ["\n\n", /bad\.jsonl: no cases/],
  ];
  for (const [content, expected] of cases) {
    await writeFile(join(cwd, "bad.jsonl"), content);
    const run = await talon(["eval", "bad.jsonl"], cwd);
    assert.equal(run.code, 2, `${content}: ${run.stderr}`);
    assert.match(run.stderr, expected);
  }
  const missing = await talon(["eval", "nowhere.jsonl"], cwd);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nowhere\.jsonl: cannot read the corpus/);
  const noFile = await talon(["eval"], cwd);
  assert.equal(noFile.code, 2);
  assert.match(noFile.stderr, /missing FILE\.jsonl/);
  const badRate = await talon(["eval", "x.jsonl", "--max-fp", "5"], cwd);
  assert.equal(badRate.code, 2);
  assert.match(badRate.stderr, /--max-fp must be a number from 0 to 1/);
});
