// A driver loaded idle (no credentials, so no accounts) still answers chunk previews with its own
// declared limits, for any account id: sessions.send counts chunks this way for every channel.
import assert from "node:assert/strict";
import { test } from "node:test";
import { startTestHost } from "../helpers/host.ts";

test("chunk previews for a loaded driver without that account use the driver's declared limits", async () => {
  const { host } = await startTestHost({ plugins: { builtin: ["generic"] } });
  const status = (await host.call("channels.status", {})) as { channelAccounts: Record<string, unknown[]> };
  assert.deepEqual(status.channelAccounts.generic ?? [], [], "generic needs a secret: loaded idle");
  const api = host.channels.apiFor("test");
  const text = "word ".repeat(1_700);
  assert.equal(api.chunk(text, { channel: "generic" }).length, 3, "4,000 characters per chunk, no default account");
  assert.equal(api.chunk(text, { channel: "generic", accountId: "acct-a" }).length, 3, "an account that does not exist");
});
