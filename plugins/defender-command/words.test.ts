import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { expandBraceWords } from "./words.ts";

// The pattern before it was made linear: items matched with a class that also took commas.
const QUADRATIC_BRACE_WORD = /(^|[\s;&|(])\{([^\s{}'"$`\\]*,[^\s{}'"$`\\]*)\}(?=$|[\s;&|)])/g;

function referenceExpand(text: string): string | undefined {
  if (!text.includes("{") || !text.includes(",")) return undefined;
  const out = text.replace(QUADRATIC_BRACE_WORD, (_whole, lead: string, items: string) => `${lead}${items.split(",").join(" ")}`);
  return out === text ? undefined : out;
}

test("brace expansion finds the same words as the quadratic pattern did", () => {
  const piece = fc.constantFrom("{", "}", ",", " ", "rm", "-rf", "/", ";", "|", "(", ")", "a", "x y");
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 14 }), (pieces) => {
      const text = pieces.join("");
      assert.equal(expandBraceWords(text), referenceExpand(text), JSON.stringify(text));
    }),
    { numRuns: 5000 },
  );
  assert.equal(expandBraceWords("{rm,-rf,/}"), "rm -rf /");
});

test("a quarter megabyte of commas after a brace is read in linear time", { timeout: 10_000 }, () => {
  // 90 s with the quadratic pattern; the test's time limit only catches that kind of blow-up.
  assert.equal(expandBraceWords(`echo {${",".repeat(250_000)}`), undefined);
});
