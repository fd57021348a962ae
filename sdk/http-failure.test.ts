import assert from "node:assert/strict";
import { test } from "node:test";
import { MAX_RETRY_AFTER_MS, driverErrorForStatus, parseRetryAfter } from "./http-failure.ts";

test("Retry-After reads delay-seconds and HTTP dates, clamped; unreadable gives undefined", () => {
  const now = Date.parse("2026-11-24T00:00:00Z");
  assert.equal(parseRetryAfter("3", now), 3000);
  assert.equal(parseRetryAfter(" 0.5 ", now), 500);
  assert.equal(parseRetryAfter("-4", now), 0);
  assert.equal(parseRetryAfter("Tue, 24 Nov 2026 00:00:10 GMT", now), 10_000);
  assert.equal(parseRetryAfter("Mon, 23 Nov 2026 00:00:10 GMT", now), 0, "a date in the past means now");
  assert.equal(parseRetryAfter("99999999", now), MAX_RETRY_AFTER_MS);
  for (const header of [null, undefined, "", "  ", "soon"]) assert.equal(parseRetryAfter(header, now), undefined);
});

test("each status maps to the error class that decides retrying, with the driver's wording", () => {
  const messages = { unauthorized: "u", forbidden: "f", notFound: "n", rejected: "r", failed: "x" };
  const cases: [number, string, string][] = [
    [401, "TALON_DRIVER_AUTH", "u"],
    [403, "TALON_DRIVER_PERMISSION", "f"],
    [404, "TALON_DRIVER_NOT_FOUND", "n"],
    [400, "TALON_DRIVER_VALIDATION", "r"],
    [413, "TALON_DRIVER_VALIDATION", "r"],
    [500, "TALON_DRIVER_NETWORK", "x"],
    [502, "TALON_DRIVER_NETWORK", "x"],
  ];
  for (const [status, code, message] of cases) {
    const error = driverErrorForStatus("demo", status, messages);
    assert.equal(error.code, code, String(status));
    assert.ok(error.message.endsWith(` ${message}`), error.message);
    assert.match(error.message, /\[demo\]/, "the driver is named");
  }
  const limited = driverErrorForStatus("demo", 429, messages, 2500) as unknown as { code: string; retryAfterMs: number };
  assert.equal(limited.code, "TALON_DRIVER_RATE_LIMITED");
  assert.equal(limited.retryAfterMs, 2500);
});

test("a 429's retry-after from a response body is clamped like the header", () => {
  const messages = { unauthorized: "u", forbidden: "f", notFound: "n", rejected: "r", failed: "x" };
  const huge = driverErrorForStatus("demo", 429, messages, 1e15) as unknown as { retryAfterMs: number };
  assert.equal(huge.retryAfterMs, MAX_RETRY_AFTER_MS);
  const negative = driverErrorForStatus("demo", 429, messages, -5) as unknown as { retryAfterMs: number };
  assert.equal(negative.retryAfterMs, 0);
  const nan = driverErrorForStatus("demo", 429, messages, Number.NaN) as unknown as { retryAfterMs: number };
  assert.equal(nan.retryAfterMs, 1000, "unreadable: the default");
});
