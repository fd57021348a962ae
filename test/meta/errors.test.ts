import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { ERROR_CODES, RpcError, TalonError, isTalonError } from "@talon/sdk";
import { toWireError } from "../../core/gateway/wire-error.ts";
import { renderErrorsDoc } from "../../scripts/gen-errors-doc.ts";

test("docs/errors.md lists exactly the codes of the registry (regenerate with scripts/gen-errors-doc.ts)", () => {
  const doc = readFileSync(new URL("../../docs/errors.md", import.meta.url), "utf8");
  assert.equal(doc, renderErrorsDoc());
});

test("every code follows TALON_<AREA>_<PROBLEM> and is unique", () => {
  const codes = Object.keys(ERROR_CODES);
  assert.equal(new Set(codes).size, codes.length);
  for (const code of codes) assert.match(code, /^TALON_[A-Z]+_[A-Z_]+$/);
});

test("errors are recognised by brand, keep their cause, and map to upstream's wire shape at the edge", () => {
  const cause = new Error("disk full");
  const error = new RpcError("TALON_RPC_NOT_FOUND", "session not found: agent:main:x", {
    cause,
    details: { key: "agent:main:x" },
    plugin: "sessions",
  });
  assert.ok(isTalonError(error));
  assert.ok(!isTalonError(new Error("plain")));
  assert.ok(
    isTalonError(Object.assign(Object.create(null), { [Symbol.for("talon.error")]: true })),
    "a copy of the SDK loaded elsewhere is still recognised",
  );
  assert.equal(error.cause, cause);
  assert.equal(error.message, "[talon] [sessions] session not found: agent:main:x");
  assert.deepEqual(toWireError(error), {
    code: "INVALID_REQUEST",
    message: "session not found: agent:main:x",
    details: { key: "agent:main:x" },
  });
  assert.deepEqual(toWireError(new TalonError("TALON_RPC_UNAVAILABLE", "busy")), { code: "UNAVAILABLE", message: "busy", retryable: true });
  assert.deepEqual(toWireError(new Error("secret internals")), { code: "UNAVAILABLE", message: "internal error", retryable: true });
});
