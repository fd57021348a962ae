/**
 * Regenerate docs/errors.md from the one error registry (sdk/errors.ts):
 *   node --import tsx scripts/gen-errors-doc.ts
 * test/meta/errors.test.ts fails when the doc is out of date.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ERROR_CODES } from "../sdk/errors.ts";

export function renderErrorsDoc(): string {
  const lines = [
    "# Error codes",
    "",
    "Every Talon error carries one of these stable codes (`error.code`), a message that says what to",
    "do, and often a `hint`. Codes are never reused. When an error reaches an OpenClaw client it is",
    "sent in upstream's shape with the wire code in the last column (`error.code` on the wire).",
    "",
    "Generated from `sdk/errors.ts` by `node --import tsx scripts/gen-errors-doc.ts`.",
    "",
    "| code | meaning | wire code |",
    "| --- | --- | --- |",
  ];
  for (const [code, spec] of Object.entries(ERROR_CODES)) lines.push(`| \`${code}\` | ${spec.summary} | \`${spec.wire}\` |`);
  return `${lines.join("\n")}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(fileURLToPath(new URL("../docs/errors.md", import.meta.url)), renderErrorsDoc());
}
