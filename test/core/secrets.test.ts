// Secrets marked in schemas (secret()) are kept out of logs, status and config dumps by the host,
// whichever plugin declared them; no plugin names another's secrets.
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { REDACTED, driverPluginConfigSchema, isSecretSchema, redactSecretFields, secret, secretFieldValues, z } from "@talon/sdk";
import { createLogger } from "../../core/log.ts";
import { startTestHost } from "../helpers/host.ts";

const KEEPER = fileURLToPath(new URL("../fixtures/plugins/secret-keeper", import.meta.url));

test("secret() marks a field (description kept); marked values are found and redacted through wrappers, maps, lists and drivers' config", () => {
  const key = secret(z.string().describe("the key"));
  assert.equal(isSecretSchema(key), true);
  assert.equal(key.description, "the key");
  assert.equal(isSecretSchema(z.string()), false);
  const schema = z.object({
    apiKey: secret(z.string().optional()),
    nested: z.object({ list: z.array(z.object({ pass: secret(z.string()), name: z.string() })) }).prefault({ list: [] }),
    plain: z.string().default("visible"),
  });
  const value = schema.parse({ apiKey: "k-123456", nested: { list: [{ pass: "p-654321", name: "n" }] } });
  assert.deepEqual(secretFieldValues(schema, value).sort(), ["k-123456", "p-654321"]);
  const redacted = redactSecretFields(schema, value);
  assert.deepEqual(redacted, { apiKey: REDACTED, nested: { list: [{ pass: REDACTED, name: "n" }] }, plain: "visible" });
  assert.equal(value.apiKey, "k-123456", "the input is not changed");
  const driver = driverPluginConfigSchema(z.object({ token: secret(z.string()), room: z.string() }));
  const parsed = driver.parse({ accounts: { a: { token: "tok-aaaaaa", room: "r1" }, b: { token: "tok-bbbbbb", room: "r2" } } });
  assert.deepEqual(secretFieldValues(driver, parsed).sort(), ["tok-aaaaaa", "tok-bbbbbb"]);
  assert.equal((redactSecretFields(driver, parsed).accounts.a as { room: string }).room, "r1");
});

test("logs: a marked secret never reaches a line, under any key and inside messages", () => {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const log = createLogger({ level: "info", pretty: false, destination: stream, secrets: () => ["s3cret-value-xyz"] });
  log
    .child({ plugin: "p" })
    .info({ deep: { list: ["before s3cret-value-xyz after"] }, url: "https://x/?q=s3cret-value-xyz" }, "msg s3cret-value-xyz");
  assert.equal(lines.length, 1);
  assert.ok(!lines[0]!.includes("s3cret-value-xyz"), lines[0]);
  assert.ok(lines[0]!.includes(REDACTED));
});

test("status and the redacted config hide every marked secret; plugins learn them from ctx.host.secrets()", async () => {
  const { host } = await startTestHost(
    {
      gateway: { token: "gateway-token-123456" },
      plugins: {
        load: [KEEPER],
        entries: {
          "secret-keeper": { config: { apiKey: "keeper-key-abcdef", accounts: { main: { token: "account-token-987", label: "Main" } } } },
        },
      },
    },
    { gateway: false },
  );
  const status = JSON.stringify(await host.call("status", {}));
  for (const value of ["keeper-key-abcdef", "account-token-987"]) assert.ok(!status.includes(value), `${value} leaked into status`);
  assert.ok(status.includes("https://api.example"), "the rest of the section is there");
  const config = host.redactedConfig();
  const entry = config.plugins.entries["secret-keeper"]!.config as {
    apiKey: string;
    endpoint: string;
    accounts: Record<string, { token: string; label: string }>;
  };
  assert.equal(entry.apiKey, REDACTED);
  assert.deepEqual(entry.accounts.main, { token: REDACTED, label: "Main" });
  assert.equal(config.gateway.token, REDACTED);
  assert.equal(host.config.gateway.token, "gateway-token-123456", "the live config is not changed");
  const seen = (host.pluginApi("secret-keeper") as { secrets(): readonly string[] }).secrets();
  assert.deepEqual([...seen].sort(), ["account-token-987", "gateway-token-123456", "keeper-key-abcdef"]);
});
