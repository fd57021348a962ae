/**
 * The name a command runs under, as the rest of the model knows it: basename (`/usr/bin/RM` is
 * `rm`), lowercased (macOS file systems ignore case), `.exe` dropped, and a version suffix dropped
 * for the program families that install versioned names (`python3.11`, `perl5.36`, `lua5.4`,
 * `node18`, `php8.1`, `ksh93`, `tclsh8.6`), so a version never hides an interpreter.
 */
import type { Word } from "./ir.ts";

/** Families whose binaries carry a version (`python3.11` is `python`, `pip3.12` is `pip`). */
const VERSIONED: ReadonlySet<string> = new Set([
  "python",
  "pypy",
  "pip",
  "perl",
  "ruby",
  "irb",
  "jruby",
  "node",
  "nodejs",
  "php",
  "lua",
  "luajit",
  "tclsh",
  "wish",
  "ksh",
  "bash",
  "zsh",
  "gawk",
  "awk",
  "guile",
  "julia",
  "octave",
  "rscript",
  "pwsh",
  "powershell",
  "gdb",
  "java",
  "jshell",
  "deno",
  "bun",
  "ghc",
  "ghci",
  "erl",
  "elixir",
  "racket",
  "sbcl",
  "clisp",
  "groovy",
  "scala",
  "swift",
]);

// A name followed by a version: letters (and dashes) then digits with optional dots, an optional
// distribution suffix (`python3.11-dbg`, `ruby3.2-m`).
const VERSIONED_NAME = /^([a-z][a-z-]*?)-?v?(\d+(?:\.\d+)*)(?:-?(?:dbg|debug|m|u|d))?$/;

/** Basename, lowercased, `.exe` and a known version suffix removed. */
export function programNameOf(value: string): string {
  const trimmed = value.trim();
  let base = trimmed.slice(trimmed.lastIndexOf("/") + 1).toLowerCase();
  if (base.endsWith(".exe")) base = base.slice(0, -4);
  // Only a name ending in a digit (or a `-dbg`-style suffix) can carry a version.
  const last = base.charCodeAt(base.length - 1);
  if ((last < 48 || last > 57) && !/-?(?:dbg|debug|m|u|d)$/.test(base)) return base;
  const versioned = VERSIONED_NAME.exec(base);
  if (versioned && VERSIONED.has(versioned[1]!)) return versioned[1]!;
  // `python3` and `pip3` are their own names in the tables, but `python3.11` is not.
  return base;
}

/** The program name of a command word; empty for none. */
export function commandName(word: Word | undefined): string {
  return word ? programNameOf(word.value) : "";
}

/** The version suffix, if the name carried one (`python3.11` → `3.11`), for reasons. */
export function versionOf(value: string): string | undefined {
  const base = value.slice(value.lastIndexOf("/") + 1).toLowerCase();
  const versioned = VERSIONED_NAME.exec(base);
  return versioned && VERSIONED.has(versioned[1]!) ? versioned[2] : undefined;
}
