/**
 * What the shape of a command gives away: a command name hidden behind escapes, variables,
 * substitutions or split quotes (`$'\x72\x6d'`, `r''m`, `$(echo rm)`), and shell fork bombs (a
 * function that pipes into or backgrounds calls of itself).
 */
import type { FunctionDef } from "../ir.ts";
import { commandName } from "../names.ts";
import { display, type Invocation } from "../wrappers.ts";
import type { RuleContext } from "./context.ts";

/** Well-known names whose variables commonly hold a command (`$EDITOR file`). */
const COMMAND_VARIABLES =
  /^\$\{?(?:EDITOR|VISUAL|PAGER|SHELL|CC|CXX|CPP|LD|AR|MAKE|PYTHON|NODE|NPM|GIT|BROWSER|DOCKER|KUBECTL|TERM|JAVA|GO|CARGO|RUSTC|1|0|@|\*)\}?$/;
/** Substitutions that look a command up rather than build one (`$(which python)`). */
const LOOKUPS = new Set([
  "which",
  "command",
  "type",
  "realpath",
  "readlink",
  "dirname",
  "basename",
  "pwd",
  "whereis",
  "brew",
  "npm",
  "go",
  "python",
  "rustc",
  "xcrun",
]);

/** A command name that is hidden from a plain reading. */
export function obfuscation(invocation: Invocation, ctx: RuleContext): void {
  const word = invocation.nameWord;
  const segment = invocation.command.text;
  if (word.escaped)
    ctx.hit("obfuscated_command", "review", `the command name ${word.raw} is written with escapes (${word.value})`, segment);
  else if (word.dynamic) {
    if (word.tainted) return; // judged as decoded or fetched code (remote.ts)
    const lookup = word.substitutions.some((script) => LOOKUPS.has(commandName(script.commands[0]?.words[0])));
    if (!lookup && !COMMAND_VARIABLES.test(word.value))
      ctx.hit("obfuscated_command", "review", `the command name ${word.raw} is only known at run time`, segment);
  } else if (/[$`]/.test(word.raw))
    ctx.hit(
      "obfuscated_command",
      "review",
      `the command name ${word.raw} is built from variables or substitutions (${word.value})`,
      segment,
    );
  else if (word.raw !== word.value && /^[A-Za-z0-9_.-]+$/.test(word.value) && /[A-Za-z0-9]['"\\][A-Za-z0-9'"]/.test(word.raw))
    ctx.hit("obfuscated_command", "review", `the command name ${word.raw} is split by quotes or backslashes (${word.value})`, segment);
}

/** `:(){ :|:& };:` and friends: a function that pipes into or backgrounds calls of itself. */
export function forkBombRules(
  functions: readonly FunctionDef[],
  ctx: RuleContext,
  invocationOf: (command: FunctionDef["commands"][number]) => Invocation | undefined,
): void {
  for (const definition of functions) {
    const calls = definition.commands.filter((command) => invocationOf(command)?.name === definition.name.toLowerCase());
    const piped = calls.some((command) => command.pipeline !== undefined);
    if (calls.length > 0 && (piped || definition.background))
      ctx.hit(
        "fork_bomb",
        "block",
        `function ${definition.name} calls itself ${piped ? "through a pipe" : "in the background"}: ${display(calls[0]!.words)}`,
        definition.text,
      );
  }
}
