import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { driverPluginConfigSchema } from "./driver-config.ts";
import { fillFromEnv } from "./driver-env.ts";

const bindings = { botToken: "X_BOT_TOKEN", appToken: "X_APP_TOKEN" };
const account = z.strictObject({ botToken: z.string().min(1), appToken: z.string().optional(), mode: z.string().default("socket") });

test("fillFromEnv fills only what the config leaves out, ignores blank variables and keeps the input", () => {
  const input = { botToken: "from-config" };
  const filled = fillFromEnv(input, bindings, { X_BOT_TOKEN: "from-env", X_APP_TOKEN: " app " });
  assert.deepEqual(filled, { botToken: "from-config", appToken: "app" });
  assert.deepEqual(input, { botToken: "from-config" }, "the input is not changed");
  assert.equal(fillFromEnv(input, bindings, { X_APP_TOKEN: "  " }), input, "nothing to fill: the same object");
  assert.equal(fillFromEnv(input, undefined, { X_APP_TOKEN: "a" }), input);
});

test("only the default account takes environment fallbacks", () => {
  const schema = driverPluginConfigSchema(account, bindings);
  const env = { X_BOT_TOKEN: "env-bot" };
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    assert.deepEqual(schema.parse({ mode: "http" }).accounts, { default: { botToken: "env-bot", mode: "http" } }, "shorthand");
    assert.deepEqual(schema.parse(undefined).accounts, { default: { botToken: "env-bot", mode: "socket" } }, "nothing configured");
    const several = schema.parse({ accounts: { default: {}, work: { botToken: "work-bot" } } }).accounts;
    assert.deepEqual(several, { default: { botToken: "env-bot", mode: "socket" }, work: { botToken: "work-bot", mode: "socket" } });
    assert.equal(schema.safeParse({ accounts: { work: {} } }).success, false, "a second account never borrows the variable");
  } finally {
    delete process.env.X_BOT_TOKEN;
    Object.assign(process.env, saved);
  }
  assert.deepEqual(schema.parse(undefined).accounts, {}, "no variable and no config: the driver loads idle");
});
