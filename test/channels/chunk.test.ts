import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { chunkText } from "../../core/channels/chunk.ts";

const FENCE_LINE = /^ {0,3}(`{3,}|~{3,})/;

function fenceLines(chunk: string): number {
  return chunk.split("\n").filter((line) => FENCE_LINE.test(line)).length;
}

function hasLoneSurrogate(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i++;
    } else if (code >= 0xdc00 && code <= 0xdfff) return true;
  }
  return false;
}

/** Non-whitespace content outside fence lines: what a reader must get, in order, from the chunks. */
function content(text: string): string {
  return text
    .split("\n")
    .filter((line) => !FENCE_LINE.test(line))
    .join("")
    .replace(/\s+/g, "");
}

test("seed examples: length and newline modes", () => {
  assert.deepEqual(chunkText("one two three four five six", { limit: 10 }), ["one two", "three", "four five", "six"]);
  assert.deepEqual(chunkText("para one line\nstill one\n\npara two", { limit: 4000, mode: "newline" }), [
    "para one line\nstill one",
    "para two",
  ]);
  assert.deepEqual(chunkText("", { limit: 10 }), []);
  assert.deepEqual(chunkText("  keep  as is  ", { limit: 0 }), ["  keep  as is  "]);
  assert.deepEqual(chunkText("abcdefghij", { limit: 4 }), ["abcd", "efgh", "ij"], "no whitespace: cut at the limit");
  assert.deepEqual(chunkText("line one\nline two", { limit: 12 }), ["line one", "line two"], "a line break wins over a space");
});

test("exactly the limit is one chunk; one more is two", () => {
  const exact = "x".repeat(4000);
  assert.deepEqual(chunkText(exact, { limit: 4000 }), [exact]);
  const over = `${"x".repeat(3999)} yy`;
  assert.deepEqual(chunkText(over, { limit: 4000 }), ["x".repeat(3999), "yy"]);
});

test("a hard cut never splits a surrogate pair", () => {
  const emoji = "😀".repeat(10); // 20 UTF-16 units
  const chunks = chunkText(emoji, { limit: 5 });
  for (const chunk of chunks) {
    assert.ok(chunk.length <= 5, `chunk of ${chunk.length}`);
    assert.equal(hasLoneSurrogate(chunk), false, JSON.stringify(chunk));
  }
  assert.equal(chunks.join(""), emoji);
});

test("a chunk ending inside a code fence is closed and the next reopens it with its language", () => {
  const code = Array.from({ length: 30 }, (_, i) => `    line_${i} = compute(${i})`).join("\n");
  const text = `Here is the code:\n\`\`\`python\n${code}\n\`\`\`\nDone.`;
  const chunks = chunkText(text, { limit: 200 });
  assert.ok(chunks.length > 2, `${chunks.length} chunks`);
  for (const chunk of chunks) {
    assert.ok(chunk.length <= 200, `chunk of ${chunk.length}`);
    assert.equal(fenceLines(chunk) % 2, 0, `unbalanced fence in ${JSON.stringify(chunk)}`);
  }
  assert.ok(chunks[1]!.startsWith("```python\n"), "reopened with the info string");
  assert.ok(chunks[1]!.includes("\n    line_"), "indentation inside the fence is kept");
  assert.equal(content(chunks.join("\n")), content(text));
});

test("line limit: Discord's 17 lines per message", () => {
  const text = Array.from({ length: 40 }, (_, i) => `row ${i}`).join("\n");
  const chunks = chunkText(text, { limit: 2000, maxLines: 17 });
  assert.deepEqual(
    chunks.map((chunk) => chunk.split("\n").length),
    [17, 17, 6],
  );
  assert.equal(chunks.join("\n"), text);
});

test("newline mode keeps a fenced block with blank lines together", () => {
  const text = "intro\n\n```js\na();\n\nb();\n```\n\noutro";
  assert.deepEqual(chunkText(text, { limit: 4000, mode: "newline" }), ["intro", "```js\na();\n\nb();\n```", "outro"]);
});

test("newline mode falls back to length mode for a long paragraph", () => {
  const long = Array.from({ length: 50 }, () => "word").join(" ");
  const chunks = chunkText(`short\n\n${long}`, { limit: 40, mode: "newline" });
  assert.equal(chunks[0], "short");
  assert.ok(
    chunks.slice(1).every((chunk) => chunk.length <= 40),
    "every chunk within 40",
  );
  assert.equal(chunks.slice(1).join(" "), long);
});

const word = fc.oneof(
  fc.stringMatching(/^[a-z]{1,12}$/),
  fc.constantFrom("😀", "𝔘𝔫𝔦", "é", "日本語", "\n", "\n\n", "a```b", "\n```ts\n", "\n```\n", "\n~~~\n"),
);
const textArb = fc.array(word, { minLength: 1, maxLength: 300 }).map((words) => words.join(" "));

test("property: chunks fit the limit and the line limit, keep fences balanced, break no character, lose no content", () => {
  fc.assert(
    fc.property(
      textArb,
      fc.integer({ min: 40, max: 400 }),
      fc.option(fc.integer({ min: 4, max: 20 }), { nil: undefined }),
      fc.constantFrom("length", "newline"),
      (text, limit, maxLines, mode) => {
        // Make the input's fences balanced, as a well-formed reply is.
        const balanced = fenceLines(text) % 2 === 1 ? `${text}\n\`\`\`` : text;
        const chunks = chunkText(balanced, { limit, maxLines, mode: mode as "length" | "newline" });
        for (const chunk of chunks) {
          assert.ok(chunk.length <= limit, `chunk of ${chunk.length} > ${limit}`);
          if (maxLines !== undefined)
            assert.ok(chunk.split("\n").length <= maxLines, `chunk of ${chunk.split("\n").length} lines > ${maxLines}`);
          assert.equal(hasLoneSurrogate(chunk), false);
          assert.ok(chunk.trim() !== "", "no empty chunk");
        }
        assert.equal(content(chunks.join("\n")), content(balanced));
      },
    ),
    { numRuns: 400 },
  );
});
