import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { createHost } from "../../core/index.ts";
import { createLogger } from "../../core/log.ts";

const throwsInSetup = fileURLToPath(new URL("../fixtures/plugins/throws-in-setup", import.meta.url));
const keyword = fileURLToPath(new URL("../fixtures/plugins/score-keyword", import.meta.url));

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of chunk.toString().split("\n")) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, stream };
}

test("JSON logs: level filtering; secrets redacted in the first two levels of a log object", () => {
  const { lines, stream } = capture();
  const log = createLogger({ level: "info", pretty: false, destination: stream });
  log.debug({}, "hidden");
  log.info(
    { token: "tok-123", auth: { password: "pw-456" }, config: { virustotal_api_key: "vt-789" }, session: "agent:main:main" },
    "connected",
  );
  assert.equal(lines.length, 1);
  const text = JSON.stringify(lines[0]);
  for (const secret of ["tok-123", "pw-456", "vt-789"]) assert.ok(!text.includes(secret), `${secret} leaked`);
  assert.equal(lines[0]!.session, "agent:main:main");
  assert.equal(lines[0]!.msg, "connected");
});

test("each plugin logs through a child logger carrying its name; a contained failure names the plugin", async () => {
  const { lines, stream } = capture();
  const host = await createHost({
    config: {
      inline: { state: { url: "memory" }, plugins: { builtin: false, load: [{ source: throwsInSetup, optional: true }, keyword] } },
      env: {},
    },
    gateway: false,
    log: createLogger({ level: "info", pretty: false, destination: stream }),
  });
  await host.start();
  const ready = lines.find((line) => line.msg === "keyword detector ready");
  assert.equal(ready?.plugin, "score-keyword", "ctx.log is a child logger bound to the plugin's name");
  const warning = lines.find((line) => line.plugin === "throws-in-setup");
  assert.ok(warning, "the optional plugin's failure is logged with its name");
  assert.match(String(warning!.msg), /optional plugin throws-in-setup switched off: .*cannot reach the moon/);
  await host.stop();
  assert.ok(lines.some((line) => line.msg === "talon started"));
  assert.ok(lines.some((line) => line.msg === "talon stopped"));
});
