import assert from "node:assert/strict";
import { test } from "node:test";
import { slackReactionName } from "./emoji.ts";
import { platformError, toDriverError } from "./web-api.ts";

test("Slack's error codes map onto the driver errors the core acts on", () => {
  const code = (error: string) => platformError(error, "chat.postMessage", "botToken").code;
  for (const auth of ["invalid_auth", "not_authed", "token_revoked", "account_inactive", "not_allowed_token_type"])
    assert.equal(code(auth), "TALON_DRIVER_AUTH", auth);
  for (const permission of ["not_in_channel", "missing_scope", "is_archived", "cant_update_message"])
    assert.equal(code(permission), "TALON_DRIVER_PERMISSION", permission);
  assert.equal(code("channel_not_found"), "TALON_DRIVER_NOT_FOUND");
  assert.equal(code("message_not_found"), "TALON_DRIVER_NOT_FOUND");
  assert.equal(code("msg_too_long"), "TALON_DRIVER_VALIDATION");
  assert.equal(code("no_text"), "TALON_DRIVER_VALIDATION");
  assert.equal(code("internal_error"), "TALON_DRIVER_NETWORK");
  const limited = platformError("ratelimited", "chat.postMessage", "botToken", 7) as { code: string; retryAfterMs?: number };
  assert.equal(limited.code, "TALON_DRIVER_RATE_LIMITED");
  assert.equal(limited.retryAfterMs, 7000, "the Retry-After the client read from the answer");
  assert.equal((platformError("ratelimited", "x", "botToken") as { retryAfterMs?: number }).retryAfterMs, 1000, "1 s without one");
  assert.match(platformError("invalid_auth", "auth.test", "appToken").message, /appToken/, "names the credential to fix");
  const http = toDriverError({ code: "slack_webapi_http_error", statusCode: 503 }, "chat.update", "botToken");
  assert.equal(http.code, "TALON_DRIVER_NETWORK");
  const rate = toDriverError({ code: "slack_webapi_rate_limited_error", retryAfter: 3 }, "chat.update", "botToken") as {
    retryAfterMs?: number;
  };
  assert.equal(rate.retryAfterMs, 3000);
  assert.equal(toDriverError(new Error("boom"), "x", "botToken").code, "TALON_DRIVER_NETWORK");
});

test("reactions take Slack names: known characters map, names pass through, others are refused with advice", () => {
  assert.equal(slackReactionName("👍"), "thumbsup");
  assert.equal(slackReactionName("✅"), "white_check_mark");
  assert.equal(slackReactionName("❤"), "heart", "without the variation selector");
  assert.equal(slackReactionName(":tada:"), "tada");
  assert.equal(slackReactionName("party-parrot"), "party-parrot");
  assert.equal(slackReactionName("+1"), "+1");
  assert.throws(() => slackReactionName("🦜"), /Slack name/);
  assert.throws(
    () => slackReactionName("a b"),
    (error: { code?: string }) => error.code === "TALON_DRIVER_VALIDATION",
  );
});
