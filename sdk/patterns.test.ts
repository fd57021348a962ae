import assert from "node:assert/strict";
import { test } from "node:test";
import { isTalonError } from "./errors.ts";
import { compileSeedPattern, compileSeedPatterns, unsafePatternReason } from "./patterns.ts";

test("a leading (?i) becomes the i flag and the configured text is kept", () => {
  const compiled = compileSeedPattern("(?i)ignore\\s+all", "security.prompt_injection_patterns[0]");
  assert.equal(compiled.source, "(?i)ignore\\s+all");
  assert.equal(compiled.regex.flags, "i");
  assert.ok(compiled.regex.test("IGNORE   ALL"));
  assert.equal(compileSeedPattern("(?is)a.b", "k").regex.flags, "is");
  assert.ok(compileSeedPattern("(?P<word>rm)", "k").regex.test("rm"), "Rust named groups are translated");
});

test("refuses nested unbounded repetition and backreferences, accepts bounded nesting", () => {
  for (const bad of ["(a+)+$", "(\\w*\\s?)*", "(x\\d+)+", "([a-z]+)*", "(?:a{2,})+", "(a)\\1", "(?<x>a)\\k<x>"])
    assert.ok(unsafePatternReason(bad), bad);
  for (const good of ["(?:\\s+\\S+){0,3}", "(a|b)*c", "\\bcurl\\s+[^|]*\\|\\s*sh\\b", "(?:ab)+", "[(]+(x)+", "\\brm\\s+-rf\\s+/"])
    assert.equal(unsafePatternReason(good), undefined, good);
});

test("errors name the config key and say what to do", () => {
  const check = (source: string, text: RegExp) =>
    assert.throws(
      () => compileSeedPatterns(["(?i)ok", source], "security.blocked_command_patterns"),
      (error) => {
        assert.ok(isTalonError(error));
        assert.equal(error.code, "TALON_CONFIG_INVALID");
        assert.match(error.message, /security\.blocked_command_patterns\[1\]/);
        assert.match(error.message, text);
        return true;
      },
    );
  check("(?i)(a+)+", /nested repetition/);
  check("(?x)a b", /no JavaScript equivalent/);
  check("(?i)[unclosed", /does not compile/);
});
