import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { compilePolicy, deniedBecause } from "./policy.ts";

interface PolicyCase {
  policy: Parameters<typeof compilePolicy>[0];
  tool: string;
  provider?: string;
  model?: string;
  expect: "allow" | "deny";
  note?: string;
}

const cases: PolicyCase[] = JSON.parse(readFileSync(fileURLToPath(new URL("./fixtures/cases.json", import.meta.url)), "utf8")).cases;

test(`tool policy table (${cases.length} cases): profiles, groups, aliases, wildcards, byProvider`, () => {
  const wrong = cases.filter(
    (item) =>
      (deniedBecause(compilePolicy(item.policy), item.tool, item.provider, item.model) === undefined ? "allow" : "deny") !== item.expect,
  );
  assert.deepEqual(wrong, []);
});
