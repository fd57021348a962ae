/**
 * Static evaluation of what a short pipeline prints, when every stage is known: literal text
 * (`echo`, `printf` with its escapes, `cat` of a heredoc or herestring) and transforms that
 * undo an encoding (`base64 -d`, `base32 -d`, `xxd -r [-p]`, `rev`, `tr` rot13, `openssl base64
 * -d`). Used for `$(…)` values (`X=$(echo cm0= | base64 -d)`), for text piped into a shell,
 * crontab or a file, and for `mktemp` (a temp path). Bounded: at most a few stages and 64 KiB.
 */
import type { SimpleCommand, Word } from "./ir.ts";
import { decodeEscapes } from "./words.ts";
import { invocationOf, type Invocation } from "./wrappers.ts";

/** Largest text produced statically (bytes). */
const MAX_OUTPUT = 65536;
/** Most pipeline stages evaluated. */
const MAX_STAGES = 8;

/** What a stage prints, or undefined when it is not known. */
export interface StaticText {
  readonly text: string;
  /** A stage decoded or unescaped the data (the text was hidden in the source). */
  readonly decoded: boolean;
}

let tempCounter = 0;

/** Options of echo (`-n`, `-e`, `-E` and their combinations). */
const ECHO_OPTIONS = /^-[neE]+$/;

/**
 * Literal text a producer prints: echo, printf, cat of a heredoc/herestring, mktemp's path.
 * `lenient` keeps run-time parts as written (`$(tty)`): good enough to judge what the text does,
 * never used as a value.
 */
export function literalOutput(invocation: Invocation, lenient = false): StaticText | undefined {
  const { name, command } = invocation;
  const args = lenient ? invocation.args.map((arg) => (arg.dynamic ? { ...arg, dynamic: false } : arg)) : invocation.args;
  if (args.some((arg) => arg.dynamic)) return undefined;
  if (name === "echo") {
    let index = 0;
    let interpret = false;
    while (index < args.length && ECHO_OPTIONS.test(args[index]!.value)) {
      if (args[index]!.value.includes("e")) interpret = true;
      index++;
    }
    const text = args
      .slice(index)
      .map((arg) => arg.value)
      .join(" ");
    if (!interpret) return { text: `${text}\n`, decoded: false };
    const decoded = decodeEscapes(text);
    return { text: `${decoded.text}\n`, decoded: decoded.escaped };
  }
  if (name === "printf") {
    const format = args[0]?.value;
    if (format === undefined) return undefined;
    // `printf '%s\n' a b` prints each argument through the format; `%b` interprets escapes too.
    const rest = args.slice(1).map((arg) => arg.value);
    const decoded = decodeEscapes(format);
    let text = decoded.text;
    let escaped = decoded.escaped;
    if (/%[sb]/.test(text)) {
      const parts = rest.length > 0 ? rest : [""];
      text = parts
        .map((part) => {
          if (!text.includes("%b")) return text.replace(/%s/, part);
          const inner = decodeEscapes(part);
          escaped ||= inner.escaped;
          return text.replace(/%b/, inner.text);
        })
        .join("");
    }
    return { text, decoded: escaped };
  }
  if ((name === "cat" || name === "tee") && positionalCount(args) === 0 && command.stdinText !== undefined)
    return { text: command.stdinText, decoded: false };
  if (name === "mktemp") return { text: `/tmp/tmp.talon${++tempCounter}`, decoded: false };
  return undefined;
}

function positionalCount(args: readonly Word[]): number {
  return args.filter((arg) => !arg.value.startsWith("-") || arg.value === "-").filter((arg) => arg.value !== "-").length;
}

const ROT13_FROM = /^['"]?(?:A-Za-z|a-zA-Z|A-Z a-z|a-z A-Z)['"]?$/;
const ROT13_TO = /^['"]?(?:N-ZA-Mn-za-m|n-za-mN-ZA-M)['"]?$/;

/** Is this a stage that undoes an encoding (its output is data the source hid)? */
export function isDecoder(invocation: Invocation): boolean {
  const { name, args } = invocation;
  const values = args.map((arg) => arg.value);
  if (name === "base64" || name === "base32" || name === "basenc" || name === "base58" || name === "basez" || name === "ascii85")
    return values.some((value) => /^-\w*[dD]\w*$|^--decode$/.test(value));
  if (name === "openssl") return values.includes("-d") && values.some((value) => /^(?:base64|enc|-base64|-a|-A)$/.test(value));
  if (name === "xxd") return values.some((value) => /^-\w*r/.test(value));
  if (name === "uudecode" || name === "rev") return true;
  if (name === "tr") return values.some((value) => ROT13_TO.test(value) || /n-za-m/i.test(value));
  if (name === "printf") return values.some((value) => /\\(?:x[0-9a-f]|[0-7]{2,3})/i.test(value));
  if (name === "echo")
    return values.some((value) => /^-\w*e/.test(value)) && values.some((value) => /\\(?:x[0-9a-f]|[0-7]{2,3})/i.test(value));
  if (name === "gunzip" || name === "zcat" || name === "unxz" || name === "xzcat") return true;
  if (
    (name === "gzip" || name === "xz" || name === "bzip2" || name === "zstd") &&
    values.some((value) => /^-\w*d|^--decompress$/.test(value))
  )
    return true;
  return false;
}

/** Apply a decoding stage to known input. */
function transform(invocation: Invocation, input: string): StaticText | undefined {
  const { name, args } = invocation;
  const values = args.map((arg) => arg.value);
  const text = input.trim();
  if ((name === "base64" || (name === "basenc" && values.some((v) => /^--base64/.test(v))) || name === "openssl") && isDecoder(invocation))
    return /^[A-Za-z0-9+/=_\s-]*$/.test(text)
      ? { text: Buffer.from(text.replace(/\s+/g, ""), "base64").toString("utf8"), decoded: true }
      : undefined;
  if (name === "base32" && isDecoder(invocation)) return decodeBase32(text);
  if (name === "xxd" && isDecoder(invocation)) {
    const hex = values.some((value) => /^-\w*p/.test(value))
      ? text.replace(/\s+/g, "")
      : text
          .split("\n")
          .map((line) => line.replace(/^[0-9a-f]+:\s*/i, "").replace(/\s{2,}.*$/, ""))
          .join("")
          .replace(/\s+/g, "");
    return /^(?:[0-9a-f]{2})*$/i.test(hex) ? { text: Buffer.from(hex, "hex").toString("utf8"), decoded: true } : undefined;
  }
  if (name === "rev")
    return {
      text: input
        .split("\n")
        .map((line) => [...line].reverse().join(""))
        .join("\n"),
      decoded: true,
    };
  if (name === "tr" && isDecoder(invocation) && values.some((value) => ROT13_FROM.test(value)))
    return {
      text: input.replace(/[A-Za-z]/g, (ch) => String.fromCharCode((((ch.charCodeAt(0) & 31) + 12) % 26) + (ch.charCodeAt(0) & 96) + 1)),
      decoded: true,
    };
  if (name === "cat" && positionalCount(args) === 0) return { text: input, decoded: false };
  return undefined;
}

function decodeBase32(text: string): StaticText | undefined {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  const bytes: number[] = [];
  for (const ch of text.replace(/[=\s]/g, "").toUpperCase()) {
    const index = alphabet.indexOf(ch);
    if (index === -1) return undefined;
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return { text: Buffer.from(bytes).toString("utf8"), decoded: true };
}

/** What the stages print, in order, when the first produces literal text and each later one only transforms it. */
export function stagesOutput(stages: readonly (readonly SimpleCommand[])[], lenient = false): StaticText | undefined {
  if (stages.length === 0 || stages.length > MAX_STAGES) return undefined;
  let current: StaticText | undefined;
  for (let index = 0; index < stages.length; index++) {
    const stage = stages[index]!;
    if (stage.length !== 1) return undefined;
    const invocation = invocationOf(stage[0]!);
    if (!invocation) return undefined;
    if (index === 0) current = literalOutput(invocation, lenient) ?? stdinTransform(invocation);
    else {
      const next = transform(invocation, current!.text);
      current = next ? { text: next.text, decoded: current!.decoded || next.decoded } : undefined;
    }
    if (!current || current.text.length > MAX_OUTPUT) return undefined;
  }
  return current;
}

/** A decoder reading a herestring or heredoc (`base64 -d <<< X`). */
function stdinTransform(invocation: Invocation): StaticText | undefined {
  const input = invocation.command.stdinText;
  return input === undefined || !isDecoder(invocation) ? undefined : transform(invocation, input);
}
