/**
 * `xargs` feeds what it reads to a command: the command is judged with the arguments it will
 * get when the producer is known (`echo / | xargs rm -rf` deletes `/`; `find / … | xargs rm -rf`
 * deletes under `/`; `ls | xargs rm -rf` empties the working directory), and with a placeholder
 * that destructive rules treat as unknown paths otherwise. A bare shell run by xargs (`xargs -o
 * sh`) is a shell escape.
 */
import type { SimpleCommand, Word } from "../ir.ts";
import { literalOutput } from "../static.ts";
import { isOption, positionals, type Invocation } from "../wrappers.ts";
import type { RuleContext } from "./context.ts";
import { XARGS_INPUT } from "./destroy.ts";
import { shellEscape } from "./exec.ts";

const VALUED = new Set([
  "-I",
  "-i",
  "-n",
  "-P",
  "-d",
  "-a",
  "-L",
  "-l",
  "-s",
  "-E",
  "-e",
  "--max-args",
  "--max-procs",
  "--delimiter",
  "--arg-file",
  "--replace",
  "--max-lines",
  "--max-chars",
  "--eof",
  "--process-slot-var",
]);
const MAX_ITEMS = 64;

function word(value: string): Word {
  return { value, dynamic: false, substitutions: [], raw: value };
}

/** What the previous pipeline stage prints as xargs items, when it can be told. */
function producedItems(
  command: SimpleCommand,
  invocationOf: (command: SimpleCommand) => Invocation | undefined,
  argFile: string | undefined,
): Word[] | undefined {
  const { pipeline, stage } = command;
  if (argFile !== undefined) return argFile === "/dev/null" ? [] : undefined;
  if (!pipeline || !stage) {
    if (command.stdinText !== undefined) return split(command.stdinText);
    // Reading the terminal: nothing known, and nothing a destructive rule could use.
    return command.redirects.some((redirect) => redirect.op === "<") ? undefined : [];
  }
  const producers = pipeline.stages[stage - 1]!;
  if (producers.length !== 1) return undefined;
  const producer = invocationOf(producers[0]!);
  if (!producer) return undefined;
  const literal = literalOutput(producer);
  if (literal && producer.name !== "mktemp") return split(literal.text);
  if (producer.name === "find") {
    const roots = producer.args.filter(
      (arg, i) => i < producer.args.findIndex((a) => /^[-(!]/.test(a.value)) || !producer.args.some((a) => /^[-(!]/.test(a.value)),
    );
    const filtered = producer.args.some((arg) => /^-(?:name|iname|path|type|mtime|size|newer|regex)$/.test(arg.value));
    return (roots.length > 0 ? roots : [word(".")]).map((root) =>
      root.dynamic ? root : word(`${root.value.replace(/\/$/, "")}/${filtered ? "found" : "*"}`),
    );
  }
  if (producer.name === "ls") {
    const dirs = positionals(producer.args);
    return dirs.length === 0 ? [word("*")] : dirs.map((dir) => (dir.dynamic ? dir : word(`${dir.value.replace(/\/$/, "")}/*`)));
  }
  return undefined;
}

function split(text: string): Word[] {
  return text
    .split(/[\s\0]+/)
    .filter(Boolean)
    .slice(0, MAX_ITEMS)
    .map(word);
}

/** Judge the command xargs runs. */
export function xargsRules(
  invocation: Invocation,
  ctx: RuleContext,
  invocationOf: (command: SimpleCommand) => Invocation | undefined,
): void {
  if (invocation.name !== "xargs") return;
  const args = invocation.args;
  let index = 0;
  let replace: string | undefined;
  let argFile: string | undefined;
  while (index < args.length && isOption(args[index])) {
    const value = args[index]!.value;
    if (value === "--") {
      index++;
      break;
    }
    if (value === "-I" || value === "--replace") replace = args[index + 1]?.value;
    else if (/^-I.+/.test(value)) replace = value.slice(2);
    else if (/^--replace=/.test(value)) replace = value.slice(10);
    if (value === "-a" || value === "--arg-file") argFile = args[index + 1]?.value ?? "";
    index += VALUED.has(value) ? 2 : 1;
  }
  const inner = args.slice(index);
  const privileged = invocation.privileged || ctx.privileged;
  if (inner.length === 0) return;
  const items = producedItems(invocation.command, invocationOf, argFile) ?? [{ ...word(XARGS_INPUT), dynamic: true }];
  const argvs = replace
    ? items
        .slice(0, 8)
        .map((item) =>
          inner.map((part) =>
            part.value.includes(replace!)
              ? { ...part, value: part.value.split(replace!).join(item.value), dynamic: item.dynamic || part.dynamic, raw: item.raw }
              : part,
          ),
        )
    : [[...inner, ...items]];
  if (argvs.length === 0) argvs.push([...inner]);
  for (const argv of argvs) {
    if (ctx.argv(argv, "xargs", invocation.command.cwd, { privileged }).interactiveShell) {
      shellEscape("xargs", "command", privileged, invocation.command.text, ctx);
      return;
    }
  }
}
