import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { listBundledPlugins } from "../../core/loader/resolve.ts";
import { renderConfigDoc } from "../../scripts/gen-config-doc.ts";

test("docs/config.md documents every config key, host and plugins (regenerate with scripts/gen-config-doc.ts)", async () => {
  const doc = readFileSync(new URL("../../docs/config.md", import.meta.url), "utf8");
  assert.equal(doc, await renderConfigDoc());
  assert.match(
    doc,
    /`security\.tool_runtime_policy\.loop_detection\.critical_threshold` \| `plugins\.entries\.loop-guard\.config\.criticalThreshold`/,
    "nested seed keys are listed",
  );
  for (const name of listBundledPlugins().keys()) assert.match(doc, new RegExp(`^### ${name}$`, "m"), `${name} has its own heading`);
  assert.match(doc, /\| `apiKey` \| string \|  \| \*\*Secret\*\*/, "secret fields say so");
});
