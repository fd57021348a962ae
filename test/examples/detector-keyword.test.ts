import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { startTestHost } from "../helpers/host.ts";

const plugin = fileURLToPath(new URL("../../examples/detector-keyword", import.meta.url));

test("the example third-party detector loads from a path and scores every text field", async () => {
  const { host } = await startTestHost(
    {
      plugins: {
        builtin: ["decision-policy"],
        load: [plugin],
        entries: { "detector-keyword": { config: { words: { "project-phoenix": 70, salary: 40 } } } },
      },
    },
    { gateway: false },
  );
  const record = host.plugins.find((p) => p.name === "detector-keyword")!;
  assert.equal(record.sourceKind, "path");
  const decide = async (input: Parameters<typeof host.defender.evaluate>[0]) =>
    host.defender.decisionOf(await host.defender.evaluate(input))!;
  const blocked = await decide({ id: "k1", prompt: "summarise the PROJECT-PHOENIX roadmap" });
  assert.equal(blocked.action, "block");
  assert.ok(blocked.reasons.some((reason) => reason.includes('"project-phoenix"')));
  const reviewed = await decide({ id: "k2", fields: [{ kind: "text", path: "/message/body", value: "what is her salary?" }] });
  assert.equal(reviewed.action, "review");
  assert.equal((await decide({ id: "k3", prompt: "phoenixes are mythical birds" })).action, "allow", "whole words only");
});
