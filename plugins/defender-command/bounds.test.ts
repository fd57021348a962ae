/**
 * Bad input, as properties: any text (shell noise, unbalanced quotes, binary, deep nesting,
 * megabytes) gets a verdict without throwing; what could not be fully analysed is at least
 * reviewed; work grows linearly with input size; code found in text stays within its bounds.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import fc from "fast-check";
import { analyzeCommand } from "./analyze.ts";
import { buildSettings, configSchema, type CommandSettings } from "./config.ts";
import { toFindings } from "./findings.ts";
import { loadShellParser, type ShellParser } from "./parser.ts";
import { findCode } from "./text.ts";

let parser: ShellParser;
let settings: CommandSettings;
before(async () => {
  parser = await loadShellParser();
  settings = buildSettings("defender-command", configSchema.parse({}));
});

const SHELLISH = [..."abcxyz/._-=~*?!#$'\"`(){}[]|&;<> \t\n\\0123456789"];
const shellNoise = fc.array(fc.constantFrom(...SHELLISH), { maxLength: 600 }).map((chars) => chars.join(""));
const binaryNoise = fc.uint8Array({ maxLength: 2000 }).map((bytes) => Buffer.from(bytes).toString("latin1"));

/** The findings of a command, and whether something about it could not be fully analysed. */
function judge(command: string) {
  const analysis = analyzeCommand(parser, command, settings.analyzer);
  const findings = toFindings(analysis.hits, "/command", settings.findings);
  const incomplete = analysis.hits.some((hit) => hit.rule === "parse_error" || hit.rule === "analysis_limit");
  return { findings, incomplete };
}

const atLeastReview = (findings: ReturnType<typeof judge>["findings"]) =>
  findings.some((finding) => finding.floor === "review" || finding.score >= 80);

test("any shell-like noise gets a verdict, and an incomplete analysis is at least reviewed", () => {
  fc.assert(
    fc.property(fc.oneof(shellNoise, binaryNoise), (command) => {
      const { findings, incomplete } = judge(command);
      for (const finding of findings) assert.ok(Number.isFinite(finding.score) && finding.reasons.length > 0);
      if (incomplete) assert.ok(atLeastReview(findings));
    }),
    { numRuns: 300 },
  );
});

test("unbalanced quotes, broken syntax and binary noise are never allowed silently", () => {
  for (const command of ['echo "unterminated', "rm -rf '/", "x=$(", "if then fi (((", "\u0000\u0001\u00ff rm -rf /", "cat <<EOF\nno end"]) {
    assert.ok(atLeastReview(judge(command).findings), JSON.stringify(command));
  }
});

test("10 MB of shell noise ends with a review (a bounded part was read), and a block when the read part blocks", () => {
  const noise = "echo a | grep b; x=$(y) && 'q' ".repeat(330_000);
  const big = judge(`${noise}`);
  assert.ok(big.incomplete && atLeastReview(big.findings));
  assert.ok(
    judge(`${noise}; rm -rf /`).findings.some((finding) => finding.score >= 80),
    "the tail of an oversized command is read",
  );
});

test("a parse cancelled at its time limit leaves nothing behind for the next command", () => {
  const slow = Array.from({ length: 4000 }, (_v, i) => `v${i}=$(echo "${i}" | tr 0-9 a-j)`).join("; ");
  const cancelled = parser.parse(slow, { maxBytes: 1 << 20, maxPipes: 1 << 20, maxParseMs: 0 });
  assert.equal(cancelled.ok, false);
  const next = parser.parse("chmod +x run.sh", { maxBytes: 1 << 20, maxPipes: 128, maxParseMs: 1000 });
  assert.ok(next.ok);
  const command = next.root.namedChildren[0];
  assert.equal(command?.type, "command");
  assert.equal(command?.namedChildren[0]?.text, "chmod");
});

/**
 * Milliseconds of CPU of the fastest of five runs. The machine may be shared: CPU time is what
 * the work costs whatever else runs beside it, and the fastest run leaves out collector pauses.
 */
function fastest(run: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5; i++) {
    const started = process.cpuUsage();
    run();
    const used = process.cpuUsage(started);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
}

test("work grows linearly with input size for every kind of nesting and repetition", { timeout: 120_000 }, () => {
  const shapes: Record<string, (n: number) => string> = {
    pipes: (n) => Array(n).fill("cat").join(" | "),
    lists: (n) => Array(n).fill("echo x").join("; "),
    substitutions: (n) => `${"$(".repeat(n)}x${")".repeat(n)}`,
    quotes: (n) => `echo ${"'a' \"b\" ".repeat(n)}`,
    unbalanced: (n) => `echo "${"a'".repeat(n)}`,
    braces: (n) => `echo {${",".repeat(n)}}`,
    heredocs: (n) => `cat <<EOF\n${"line $(x)\n".repeat(n)}EOF`,
    variables: (n) => `${Array.from({ length: n }, (_v, i) => `v${i}=/tmp/$v${i - 1}`).join("; ")}; rm -rf $v${n - 1}`,
  };
  const ratios: string[] = [];
  for (const [name, make] of Object.entries(shapes)) {
    const small = make(1000);
    const large = make(8000);
    judge(small);
    judge(large);
    const ratio =
      fastest(() => judge(large)) /
      Math.max(
        0.5,
        fastest(() => judge(small)),
      );
    ratios.push(`${name} ${ratio.toFixed(1)}`);
    // Linear work gives about 8 for an 8-times larger input; quadratic would give about 64.
    assert.ok(ratio < 30, `${name}: 8× the input took ${ratio.toFixed(1)}× the time (${ratios.join(", ")})`);
  }
});

test("code in text is bounded: snippets, bytes and the part of the text searched", () => {
  const limits = { maxBlocks: 4, maxBytes: 2048, maxScan: 65536 };
  const block = "```bash\nrm -rf /tmp/x\n```\n";
  const text = `${block.repeat(1000)}${"lorem ipsum ".repeat(900_000)}\n$ rm -rf /`;
  const snippets = findCode(text, limits);
  assert.equal(snippets.length, 4);
  assert.ok(snippets.reduce((sum, snippet) => sum + snippet.code.length, 0) <= 2048);
  // The prompt line past maxScan is not searched (the prompt detector judges the oversized text itself).
  assert.ok(!snippets.some((snippet) => snippet.code.includes("rm -rf /\n") || snippet.code === "rm -rf /"));
  fc.assert(
    fc.property(fc.string({ maxLength: 3000 }), fc.constantFrom("```", "$ ", "os.system(", "~~~"), (noise, marker) => {
      const found = findCode(`${noise}${marker}${noise}`, limits);
      assert.ok(found.length <= 4 && found.reduce((sum, snippet) => sum + snippet.code.length, 0) <= 2048);
    }),
    { numRuns: 200 },
  );
});
