import assert from "node:assert/strict";
import { before, test } from "node:test";
import fc from "fast-check";
import { buildScript } from "./build.ts";
import type { Script } from "./ir.ts";
import { loadShellParser, type ShellParser } from "./parser.ts";
import { simpleScript } from "./simple.ts";

let parser: ShellParser;
before(async () => {
  parser = await loadShellParser();
});

const LIMITS = { maxBytes: 16384, maxPipes: 128, maxParseMs: 1000, maxNodes: 20000 };

function parsed(text: string): Script {
  const result = parser.parse(text, LIMITS);
  assert.ok(result.ok, `parse of ${JSON.stringify(text)}`);
  return buildScript(result, LIMITS.maxNodes);
}

/** Whenever the fast path answers, its script is the parser's. Returns whether it answered. */
function agrees(text: string): boolean {
  const fast = simpleScript(text, LIMITS);
  if (fast === undefined) return false;
  assert.deepStrictEqual(fast, parsed(text), JSON.stringify(text));
  return true;
}

test("plain commands, alone or joined by | && || ;, are modelled without the parser, exactly as the parser would", () => {
  for (const text of [
    "ls | sh",
    "a && b",
    "a; b",
    "a;b",
    "a|b",
    "a | b | c | d",
    "a | b && c | d || e; f",
    "cd /tmp && rm -rf x",
    "cd /tmp | ls",
    "cd a; cd b; ls",
    "cd; ls",
    "a | b;",
    "a;",
    "curl -fsSL https://example.com/install.sh | bash",
    "echo cm0gLXJmIC8= | base64 -d | sh",
    "a || b || c && d",
    "a | b && c",
    "x && a | b | c",
    "a | b | c; d",
    "git status",
    "ls -la src",
    "npm test -- --watch=false",
    "rm -rf / --no-preserve-root",
    "  git   status  ",
    "ls\t-la",
    "kill -9 1",
    "a | b1 | c2",
    "echo done",
    "echo if then fi",
    "a b=c=d",
    "cd /tmp",
    "./run.sh --flag",
    "curl https://example.com/install.sh",
    "sleep 10",
    "ls ..",
    "test -f x",
  ]) {
    assert.ok(agrees(text), `fast path for ${JSON.stringify(text)}`);
  }
});

test("anything the shell could read otherwise goes through the parser", () => {
  for (const text of [
    "",
    "   ",
    "FOO=1 make",
    "a=b",
    "time ls",
    "if true",
    "export A",
    "declare x",
    "unset HISTFILE",
    "local x",
    "echo 'a b'",
    'echo "a"',
    "echo $HOME",
    "echo `id`",
    "a\nb",
    "a & b",
    "a &",
    "a |& b",
    "a ;; b",
    "a ;& b",
    "a | | b",
    "| a",
    "a |",
    "a &&",
    "a ||",
    ";",
    "a ;;",
    "a && if true",
    "a | FOO=1 b",
    "a; -x",
    "a | 0 | b && c",
    "a | b | c && d",
    "a | b | c || d",
    "x; a | b | c | d && e",
    "1 a",
    "a && 2",
    "ls > f",
    "ls < f",
    "(ls)",
    "{ ls; }",
    "echo *",
    "echo ?",
    "echo [a]",
    "ls ~",
    "echo #x",
    "!ls",
    "echo a\\ b",
    "echo é",
    "a\rb",
    "echo {a,b}",
    "echo ^x",
    "git log --format=%H",
    "x% y",
    "user@host",
    "a:b c",
    "a+b",
    "a,b",
    "- b=c",
    "-x a=b",
    "x".repeat(2000),
    Array.from({ length: 100 }, () => "a").join(" "),
  ]) {
    assert.equal(simpleScript(text, LIMITS), undefined, JSON.stringify(text));
  }
});

test("a text over the parser's limits is left to the parser, which refuses it", () => {
  assert.equal(simpleScript("a | b | c", { ...LIMITS, maxPipes: 1 }), undefined);
  assert.equal(simpleScript("a || b", { ...LIMITS, maxPipes: 1 }), undefined, "|| is two pipe characters to the parser's limit");
  assert.ok(simpleScript("a | b", { ...LIMITS, maxPipes: 1 }));
  assert.equal(simpleScript(`echo ${"x".repeat(300)}`, { ...LIMITS, maxBytes: 256 }), undefined);
  assert.equal(simpleScript("ls", { ...LIMITS, maxNodes: 100 }), undefined, "a node budget this small could cut the script");
});

test("generated commands: the fast path never disagrees with the parser", () => {
  const plain = fc.stringMatching(/^[A-Za-z0-9_.\/,:+@%=-]{1,12}$/);
  const shaped = fc.oneof(
    fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/),
    fc.stringMatching(/^-{1,2}[a-z][a-z-]{0,8}(?:=[a-z0-9:+@,.\/=-]{0,8})?$/),
    fc.stringMatching(/^\.{0,2}\/?(?:[a-zA-Z0-9_.-]{1,6}\/){0,3}[a-zA-Z0-9_.-]{0,6}$/),
    fc.stringMatching(/^https?:\/\/[a-z0-9.-]{1,10}(?::[0-9]{1,4})?\/[a-z0-9\/._-]{0,10}$/),
    fc.stringMatching(/^[0-9]{1,5}$/),
    fc.stringMatching(/^[a-z]{1,6}[=@:,+][a-z0-9=@:,+]{0,6}$/),
  );
  const operator = fc.constantFrom(" | ", "|", " && ", "&&", " || ", "||", "; ", ";", " ;", " & ", "|&", ";;", "\n");
  const keyword = fc.constantFrom(
    "if",
    "then",
    "fi",
    "do",
    "done",
    "in",
    "case",
    "esac",
    "for",
    "while",
    "time",
    "export",
    "declare",
    "local",
    "unset",
    "function",
    "select",
    "coproc",
    "!",
    "[[",
    "]]",
    "{",
    "}",
    "[",
    "]",
    "=",
    "==",
    "-",
    "--",
  );
  const special = fc.constantFrom(
    "'",
    '"',
    "$",
    "`",
    "|",
    "&",
    ";",
    "<",
    ">",
    "(",
    ")",
    "*",
    "?",
    "~",
    "#",
    "\\",
    "^",
    "é",
    "\r",
    "\n",
    "2>",
    "&&",
    "%",
  );
  const separator = fc.constantFrom(" ", "  ", "\t", " \t ");
  const generated = (token: fc.Arbitrary<string>, gap: fc.Arbitrary<string>) =>
    fc
      .tuple(fc.array(fc.tuple(token, gap), { minLength: 1, maxLength: 10 }), fc.constantFrom("", " ", "\t"))
      .map(([parts, lead]) => lead + parts.map(([word, space]) => word + space).join(""));
  let fast = 0;
  const check = (text: string) => {
    if (agrees(text)) fast++;
  };
  // Mostly the shapes real commands have, with keywords mixed in; then anything, glued or spaced.
  fc.assert(fc.property(generated(fc.oneof({ weight: 12, arbitrary: shaped }, { weight: 1, arbitrary: keyword }), separator), check), {
    numRuns: 3000,
  });
  fc.assert(
    fc.property(
      generated(
        fc.oneof({ weight: 8, arbitrary: plain }, { weight: 1, arbitrary: keyword }, { weight: 1, arbitrary: special }),
        fc.constantFrom(" ", "", "\t"),
      ),
      check,
    ),
    { numRuns: 3000 },
  );
  // Commands joined by operators (and operators where no command is).
  fc.assert(
    fc.property(
      generated(
        fc.oneof({ weight: 10, arbitrary: shaped }, { weight: 3, arbitrary: operator }, { weight: 1, arbitrary: keyword }),
        separator,
      ),
      check,
    ),
    { numRuns: 3000 },
  );
  assert.ok(fast > 500, `the fast path answered ${fast} generated commands`);
});
