import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { renderConfigDoc } from "../../scripts/gen-config-doc.ts";

test("docs/config.md documents every config key (regenerate with scripts/gen-config-doc.ts)", () => {
  const doc = readFileSync(new URL("../../docs/config.md", import.meta.url), "utf8");
  assert.equal(doc, renderConfigDoc());
  assert.match(doc, /`security\.tool_runtime_policy\.loop_detection\.critical_threshold`/, "nested seed keys are listed");
});
